"""A week's statement as CSV: one row per charge, a total per customer and one for the tenant, safe to open in a
spreadsheet."""

from __future__ import annotations

import csv
import io

from .statement import Statement

CSV_COLUMNS = ("week", "line", "customer_id", "customer_name", "integration_id", "integration_name", "type",
               "period_start", "period_end", "amount_cents", "amount")


def _cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a name can't be allowed to."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def statement_csv(found: Statement) -> str:
    """One row per charge, then a ``customer_total`` row per customer and one ``tenant_total`` row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for customer in found.customers:
        for line in customer.integrations:
            writer.writerow([found.week, "charge", customer.customer_id or "", _cell(customer.customer_name),
                             line.integration_id, _cell(line.name), line.type, line.period_start,
                             line.period_end or "", line.amount_cents, _money(line.amount_cents)])
        writer.writerow([found.week, "customer_total", customer.customer_id or "", _cell(customer.customer_name), "",
                         "", "", "", "", customer.total_cents, _money(customer.total_cents)])
    writer.writerow([found.week, "tenant_total", "", "", "", "", "", "", "", found.total_cents,
                     _money(found.total_cents)])
    return out.getvalue()

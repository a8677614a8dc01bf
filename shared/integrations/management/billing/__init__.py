"""Weekly billing: every integration live at any moment of an ISO week is charged the tenant's weekly price once.

Product decision 2: weeks are ISO weeks in UTC; deleting stops charges from the next week; the price is per tenant
(default $10.00) in integer cents; a week is charged at most once per integration however often the run repeats.

How (docs/billing.md):

1. The schedule (Monday 00:05 UTC) or a request for a past week calls :func:`schedule_run`, which queues one
   ``billing.tenant`` work item per tenant on the BillingQueue (the tenants table is one item per 3PL).
2. The worker (:func:`bill_tenant`) reads the tenant's price, the charges already written for the week (one query),
   then the live-period index — ``OPEN#`` items started before the week ended and ``WEEK#{week}#`` items of
   periods that closed — which is exactly the set live in that week (never the sync data, never a scan).
3. Each charge is a conditional put on ChargesTable (``tenantWeek``, ``integrationId``) with
   ``attribute_not_exists``, up to 100 to a ``TransactWriteItems``: a repeated or concurrent run finds the charge
   there and writes nothing.
4. A tenant with more live integrations than one work item may handle (:data:`ENTRIES_PER_ITEM`) continues in a
   follow-up item carrying the index position, so no invocation runs out of time.

Modules: :mod:`.run` (the fan-out and the worker), :mod:`.charges` (reading and writing ChargesTable),
:mod:`.statement` (a week's statement, by customer) and :mod:`.statement_csv` (the statement as a spreadsheet).
"""

from .charges import ChargesConflicting, charge, charged_integrations
from .run import BILL_TENANT, WeekNotEnded, bill_tenant, new_run_id, run_item, schedule_run
from .statement import TENANT_LEVEL_NAME, CustomerStatement, Statement, StatementLine, statement
from .statement_csv import statement_csv

__all__ = ["BILL_TENANT", "TENANT_LEVEL_NAME", "ChargesConflicting", "CustomerStatement", "Statement",
           "StatementLine", "WeekNotEnded", "bill_tenant", "charge", "charged_integrations", "new_run_id", "run_item",
           "schedule_run", "statement", "statement_csv"]

// How values read on the page: money in the tenant's currency units, UTC instants in the reader's time zone (with the
// UTC instant in a title), step names as the product's screens call them.

export function money(cents: number): string {
  return new Intl.NumberFormat("en-AU", { style: "currency", currency: "AUD" }).format(cents / 100);
}

export function when(iso: string | null | undefined, seconds = false): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" }).format(date);
}

export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return "";
  if (seconds < 45) return "just now";
  const units: [number, Intl.RelativeTimeFormatUnit][] = [[60, "minute"], [3600, "hour"], [86400, "day"]];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (seconds < 3600) return format.format(-Math.round(seconds / units[0][0]), units[0][1]);
  if (seconds < 86400) return format.format(-Math.round(seconds / units[1][0]), units[1][1]);
  return format.format(-Math.round(seconds / units[2][0]), units[2][1]);
}

export const STEP_LABELS: Record<string, string> = {
  name: "Name",
  authentication: "Authentication",
  orderCreation: "Order Creation",
  fulfilment: "Fulfilment",
  finish: "Finish",
};

const ACRONYMS = new Set(["url", "id", "ids", "api", "wms", "csv", "uuid", "iso", "sku", "tms", "oauth", "org"]);

/** "storeUrl" → "Store URL", "warehouseIds" → "Warehouse IDs", "apiCallsPerMonth" → "API calls per month". */
export function humanize(key: string): string {
  const words = key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  return words
    .map((word, index) => {
      if (ACRONYMS.has(word)) return word === "ids" ? "IDs" : word === "oauth" ? "OAuth" : word.toUpperCase();
      return index === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word;
    })
    .join(" ");
}

/** A field path the API names ("warehouseMappings[1].warehouseId") as a person reads it: "Warehouse mappings 2, Warehouse ID". */
export function fieldLabel(path: string): string {
  return path
    .replace(/\[(\d+)\]/g, (_, index: string) => `.${Number(index) + 1}`)
    .split(".")
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? part : humanize(part)))
    .join(" ")
    .replace(/ (\d+) /g, " $1, ");
}

/** Text a connector wrote for its developers as much as for people, as people read it: status codes in parentheses
 * ("refused (401)") and asides naming fields of a platform's API ("(timezone_string or gmt_offset in /wp-json/)",
 * "(details.type)") are left out; the sentence around them says what happened. */
export function plainWords(text: string | null | undefined): string {
  if (!text) return "";
  return text
    .replace(/\s*\((?:HTTP\s*)?\d{3}\)/g, "")
    .replace(/\s*\(([^()]*)\)/g, (aside: string, inside: string) =>
      /\b[a-z]+(?:_[a-z0-9]+)+\b|(^|\s)\/[\w-]|^[a-z]\w*(\.\w+)+$/.test(inside.trim()) ? "" : aside,
    );
}

/** A type's title from GET /integration-types, never its key ("rose_rocket" → "Rose Rocket"); an unknown key humanized. */
export function typeTitle(types: { type: string; title: string }[], key: string): string {
  return types.find((t) => t.type === key)?.title ?? humanize(key);
}

/** The current ISO week, "2026-W47" (UTC, as billing counts weeks). */
export function isoWeek(date: Date = new Date()): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((day.getTime() - yearStart.getTime()) / 86400000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The ISO week `weeks` weeks from `label`. */
export function shiftWeek(label: string, weeks: number): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!match) return label;
  const [year, week] = [Number(match[1]), Number(match[2])];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() || 7) - 1) + (week - 1 + weeks) * 7);
  return isoWeek(monday);
}

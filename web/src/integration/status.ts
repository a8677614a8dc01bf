// A sync record's status as the page says it.
export const STATUS_LABELS: Record<string, string> = {
  SYNCED: "Synced",
  PENDING: "In progress",
  WAITING: "Waiting",
  NEEDS_ATTENTION: "Needs attention",
  SKIPPED: "Skipped",
};

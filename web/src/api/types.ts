// What the management API answers (openapi/management.yaml), plus the parts of the contract being added in parallel
// (issue 13): a type's "scope" and "actions", and tenant-scope integrations. Optional fields are optional because an
// API without them must still render.

export type JsonSchema = Record<string, unknown>;
export type StepName = "name" | "authentication" | "orderCreation" | "fulfilment";

export interface TypeAction {
  key: string;
  title: string;
  description?: string;
  method: string;
  /** Relative to the integration's URL; {placeholders} are filled from `parameters`. */
  path: string;
  parameters?: JsonSchema;
  request?: { contentType: string; schema?: JsonSchema };
  response: { contentType: string };
  requiresLive: boolean;
}

export interface IntegrationType {
  type: string;
  title: string;
  available: boolean;
  availability?: string;
  steps: { step: StepName; fields: JsonSchema }[];
  scope?: "customer" | "tenant";
  actions?: TypeAction[];
}

export interface Customer {
  customerId: string;
  name: string;
  code?: string | null;
  liveIntegrations: number;
  hasLiveIntegrations: boolean;
  selfManaged: boolean;
}

export interface PollHealth {
  lastRunAt: string | null;
  newestChangeAt: string | null;
}

export interface Health {
  receivesWebhooks: boolean;
  lastWebhookAt: string | null;
  lastSyncedAt: string | null;
  needsAttention: number;
  recordsChecked: number;
  readsFromPlatform: boolean;
  poll: PollHealth | null;
}

export type IntegrationStatus = "DRAFT" | "LIVE" | "DELETED";

export interface Integration {
  integrationId: string;
  tenantId: string;
  customerId: string | null;
  customerName?: string;
  scope?: "customer" | "tenant";
  type: string;
  name: string;
  status: IntegrationStatus;
  completedSteps: StepName[];
  nextStep: StepName | "finish" | null;
  credentialsSet: boolean;
  orderCreation: Record<string, unknown>;
  fulfilment: Record<string, unknown>;
  livePeriods: { start: string; end?: string | null }[];
  createdAt: string;
  updatedAt: string;
  deletedAt?: string | null;
  version: number;
  stopWarning?: string | null;
  weeklyPriceCents?: number;
  /** Only in the answer that went live (finish): values to keep now, never shown again (e.g. a webhook URL). */
  shownOnce?: Record<string, string>;
  /** Only in the answer of finish: the live check of the account made then. */
  liveCheck?: LiveCheck;
  /** What a person should know about the live integration now, with what to do. */
  notices?: Notice[];
  health?: Health;
  /** GET of one integration only: the platform account it is connected to, as people name it. */
  connectedAccount?: ConnectedAccount | null;
}

export interface ConnectedAccount {
  /** A store's URL. */
  address?: string;
  /** A company's name. */
  name?: string;
}

export interface SyncRecord {
  recordKey: string;
  platform: string;
  recordType: string;
  recordId: string;
  status: string;
  lastError?: string | null;
  resolution?: string | null;
  updatedAt: string;
}

export interface SyncEntry {
  event: string;
  message: string;
  error?: string;
  resolution?: string;
  attempt?: number;
  at: string;
}

/** The live check of an integration's account (POST …/check, and the finishing answer's `liveCheck`). */
export interface LiveCheckFinding {
  key: string;
  assumes: string;
  outcome: "confirmed" | "refuted" | "not-checkable" | "could-not-check";
  seen: string;
  means?: string;
}

export interface LiveCheck {
  platform: string;
  checkedAt: string;
  summary: string;
  findings: LiveCheckFinding[];
}

export interface Backfill {
  backfillId: string;
  status: "RUNNING" | "DONE";
  start: string;
  end: string;
  pages: number;
  queued: number;
  passedOver: number;
  startedAt: string;
  finishedAt?: string;
}

export interface StatementLine {
  integrationId: string;
  name: string;
  type: string;
  amountCents: number;
  periodStart: string;
  periodEnd?: string | null;
}

export interface Statement {
  tenantId: string;
  week: string;
  weekStart: string;
  weekEnd: string;
  integrationCount: number;
  totalCents: number;
  customers: { customerId: string; customerName: string; integrationCount: number; totalCents: number; integrations: StatementLine[] }[];
}

export interface TenantSettings {
  tenantId: string;
  name: string;
  wmsBaseUrl: string;
  wmsCredentialsSet: boolean;
  notificationSecretSet: boolean;
  weeklyPriceCents: number;
  selfManagedCustomerIds: string[];
  /** Absent only from a tenant not registered yet (the form starts from the defaults). */
  alerts?: AlertSettings;
}

// --- alerts (docs/alerts.md) ---------------------------------------------------------------------------------------

export interface AlertThresholds {
  attentionHours: number;
  waitingHours: number;
  pollMissedIntervals: number;
  notificationSilenceHours: number;
  budgetWarningPercent: number;
  budgetCriticalPercent: number;
  platformCheckMinutes: number;
  digestAfter: number;
}

export interface AlertSettings {
  thresholds: AlertThresholds;
  channels: {
    emails: string[];
    webhookUrl: string | null;
    webhookSecretSet: boolean;
    customersReceiveAlerts: boolean;
    customerEmails: Record<string, string[]>;
  };
}

export interface Alert {
  tenantId: string;
  /** The integration's id, or "TENANT" for the tenant's own WMS connection. */
  subject: string;
  condition: string;
  conditionTitle: string;
  state: "OPEN" | "RESOLVED";
  level: "warning" | "critical";
  summary: string;
  whatToDo: string;
  count: number;
  customerId: string | null;
  integrationName: string;
  platform: string;
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string | null;
  occurrence: number;
  acknowledgedBy?: string | null;
  acknowledgedAt?: string | null;
  snoozedUntil?: string | null;
  snoozedBy?: string | null;
  snoozed: boolean;
}

export interface AlertHistoryEntry {
  subject: string;
  condition: string;
  event: string;
  message: string;
  at: string;
  by?: string | null;
  level?: string | null;
}

export interface AttentionRow {
  integrationId: string;
  customerId: string | null;
  customerName: string | null;
  name: string;
  type: string;
  platform: string;
  status: IntegrationStatus;
  needsAttention: number;
  openAlerts: number;
}

export interface AlertOverview {
  tenantId: string;
  customerId: string | null;
  alerts: Alert[];
  integrations: AttentionRow[];
  openAlerts: number;
  countedUpTo: number;
  conditions: { key: string; title: string }[];
}

export interface IntegrationAlerts {
  integrationId: string;
  alerts: Alert[];
  history: AlertHistoryEntry[];
}

export interface Warehouse {
  warehouseId: string;
  name: string;
}

export interface Notice {
  message: string;
  resolution?: string | null;
}

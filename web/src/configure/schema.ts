// From a step's JSON Schema (GET /integration-types) to the form a person fills in, for any type: readable labels,
// optional fields as plain fields, warehouse fields as a choice of the customer's WMS warehouses, and credentials
// write-only. Nothing here knows a platform; what it reads is the schema (and the x-wms-warehouse marker).

import type { UiSchema } from "@rjsf/utils";
import type { JsonSchema, StepName, Warehouse } from "../api/types";
import { humanize } from "../ui/format";

export const WAREHOUSE_MARKER = "x-wms-warehouse";

type Schema = Record<string, unknown>;

export interface PreparedStep {
  schema: Schema;
  uiSchema: UiSchema;
  /** The step has warehouse fields (their choices are the customer's warehouses). */
  hasWarehouses: boolean;
}

export interface PrepareOptions {
  step: StepName;
  /** Credentials are stored: the authentication fields may be left blank to keep them. */
  credentialsSet?: boolean;
  /** The customer's warehouses, once known; null: offer a text field. */
  warehouses?: Warehouse[] | null;
  /** Warehouse ids already chosen (kept as choices even if the customer can no longer use them). */
  chosenWarehouses?: string[];
}

const isObject = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** pydantic titles a field after its name ("Storeurl"): those read better from the camelCase key. */
function generatedTitle(title: unknown, key: string): boolean {
  return typeof title !== "string" || title.replace(/[\s_]/g, "").toLowerCase() === key.replace(/_/g, "").toLowerCase();
}

/** Sentences about how the service works inside ("sealed with KMS by the management API", "the management frame
 * checks …") are for its developers, not for the person filling in the form: they are left out. */
const INTERNAL = /\bKMS\b|management\s+(API|frame|service)|platformState|x-wms-|\bpydantic\b/i;

/** Internal asides go first ("(the management frame checks …)", "(details.type)": a field path in the WMS's JSON),
 * then whole sentences about the inner workings. */
function withoutInternalSentences(text: string): string {
  const asides = text.replace(/\s*\(([^()]*)\)/g, (aside: string, inside: string) =>
    INTERNAL.test(inside) || /^[a-z]\w*(\.\w+)+$/.test(inside.trim()) ? "" : aside,
  );
  return (asides.match(/[^.;]+(?:[.;]+|$)/g) ?? [asides]).filter((sentence) => !INTERNAL.test(sentence)).join("").trim();
}

function cleanDescription(text: unknown, warehouse = false): string | undefined {
  if (typeof text !== "string") return undefined;
  const step = /^Step \d+,\s*\*?[^*.:]+\*?[.:]\s*/; // "Step 2, *Authentication*." repeats the box's own step
  let kept = withoutInternalSentences(text);
  // A warehouse field is a choice of warehouses by name: "CartonCloud warehouse id" reads "CartonCloud warehouse".
  if (warehouse) kept = kept.replace(/\bwarehouse (ids|id)\b/gi, (_, ids: string) => (ids.toLowerCase() === "ids" ? "warehouses" : "warehouse"));
  const cleaned = kept
    .replace(step, "")
    .replace(/\*([^*]+)\*/g, "$1")
    .replace(/``?([^`]+)``?/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  if (!cleaned) return undefined;
  return step.test(text) ? cleaned.charAt(0).toUpperCase() + cleaned.slice(1) : cleaned;
}

/** `anyOf: [X, {type: null}]` (pydantic's Optional[X]) as X: a blank field is simply left out. */
function withoutNull(schema: Schema): Schema {
  for (const keyword of ["anyOf", "oneOf"]) {
    const options = schema[keyword];
    if (Array.isArray(options) && options.length === 2 && options.some((o) => isObject(o) && o.type === "null")) {
      const other = options.find((o) => !(isObject(o) && o.type === "null")) as Schema;
      const { [keyword]: _dropped, ...rest } = schema;
      return { ...other, ...rest };
    }
  }
  return schema;
}

function marked(schema: Schema, root: Schema): boolean {
  const resolved = resolve(schema, root);
  return Boolean(resolved[WAREHOUSE_MARKER]) || (isObject(resolved.items) && marked(resolved.items, root));
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isObject(target) ? target[part] : undefined;
  return isObject(target) ? target : schema;
}

interface Walk {
  root: Schema;
  choices: Schema[] | null;
  found: { warehouses: boolean };
}

function prepareField(raw: Schema, key: string, walk: Walk): Schema {
  let schema = withoutNull({ ...raw });
  if (schema.default === null) delete schema.default;
  const warehouse = marked(schema, walk.root);
  if (generatedTitle(schema.title, key) || warehouse) {
    const title = humanize(key);
    // A picker names warehouses, not ids: "Warehouse ID" → "Warehouse", "Warehouse IDs" → "Warehouses".
    schema.title = warehouse ? title.replace(/ IDs$/, "s").replace(/ ID$/, "") : title;
  }
  const description = cleanDescription(schema.description, warehouse);
  if (description) schema.description = description;
  else delete schema.description;
  if (schema[WAREHOUSE_MARKER]) {
    walk.found.warehouses = true;
    if (walk.choices && walk.choices.length) schema = { ...schema, oneOf: walk.choices };
  }
  return prepareChildren(schema, walk);
}

function prepareChildren(schema: Schema, walk: Walk): Schema {
  const out = { ...schema };
  if (isObject(out.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, value]) => [key, isObject(value) ? prepareField(value, key, walk) : value]),
    );
  }
  if (isObject(out.items)) {
    const items = withoutNull({ ...out.items });
    if (items[WAREHOUSE_MARKER]) {
      walk.found.warehouses = true;
      out.items = walk.choices && walk.choices.length ? { ...items, oneOf: walk.choices } : items;
    } else {
      out.items = prepareChildren(items, walk);
    }
  }
  return out;
}

function warehouseChoices(options: PrepareOptions): Schema[] | null {
  if (!options.warehouses) return null;
  const known = new Set(options.warehouses.map((w) => w.warehouseId));
  return [
    ...options.warehouses.map((w) => ({ const: w.warehouseId, title: `${w.name}` })),
    ...(options.chosenWarehouses ?? [])
      .filter((id) => !known.has(id))
      .map((id) => ({ const: id, title: `${id} (no longer one of this customer's warehouses)` })),
  ];
}

/** Credential fields that name something (a URL, an id) are shown while typed; keys and secrets are masked. */
export function masked(key: string, schema: Schema): boolean {
  if (schema.writeOnly === true || schema.format === "password") return true;
  return !/(url|id)$/i.test(key);
}

export function prepareStep(fields: JsonSchema, options: PrepareOptions): PreparedStep {
  const found = { warehouses: false };
  const walk: Walk = { root: fields, choices: warehouseChoices(options), found };
  const schema = prepareChildren({ ...fields }, walk);
  delete schema.title; // the model's class name; the box names the step
  const description = cleanDescription(schema.description);
  if (description) schema.description = description;
  else delete schema.description;
  if (isObject(schema.$defs)) {
    schema.$defs = Object.fromEntries(
      Object.entries(schema.$defs).map(([name, def]) => {
        if (!isObject(def)) return [name, def];
        const { title: _className, ...prepared } = prepareChildren(def, walk);
        return [name, prepared];
      }),
    );
  }
  const uiSchema: UiSchema = {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [key, value] of Object.entries(properties)) {
    if (!isObject(value)) continue;
    if ("const" in value) uiSchema[key] = { "ui:readonly": true };
  }
  if (options.step === "authentication") {
    for (const [key, value] of Object.entries(properties)) {
      if (!isObject(value)) continue;
      uiSchema[key] = {
        ...(masked(key, value) ? { "ui:widget": "password" } : {}),
        "ui:autocomplete": masked(key, value) ? "new-password" : "off",
        ...(options.credentialsSet ? { "ui:placeholder": "Set — leave blank to keep" } : {}),
      };
    }
    if (options.credentialsSet) delete schema.required; // fields left out keep the stored ones
  }
  return { schema, uiSchema, hasWarehouses: found.warehouses };
}

/** Any schema from the API as a form (labels, optional fields), without a step's rules. */
export function prepareSchema(fields: JsonSchema): Schema {
  return prepareStep(fields, { step: "orderCreation" }).schema;
}

/** Warehouse ids a step's data holds at marked fields (so a stored choice stays selectable). */
export function chosenWarehouses(fields: JsonSchema, data: unknown): string[] {
  const out: string[] = [];
  const visit = (schema: Schema, value: unknown) => {
    const resolved = withoutNull(resolve(schema, fields));
    if (resolved[WAREHOUSE_MARKER] && typeof value === "string") out.push(value);
    if (isObject(value) && isObject(resolved.properties)) {
      for (const [key, child] of Object.entries(value)) {
        const sub = resolved.properties[key];
        if (isObject(sub)) visit(sub, child);
      }
    }
    if (Array.isArray(value) && isObject(resolved.items)) value.forEach((item) => visit(resolved.items as Schema, item));
  };
  visit(fields, data);
  return [...new Set(out)];
}

/** Blank credential fields are left out, so the stored values are kept. */
export function credentialsToSend(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined && value !== null && value !== ""));
}

// A refused step names its fields (errors[].field, e.g. "consumerSecret" or "warehouseMappings[1].warehouseId"):
// each reason goes under the field it names; what names no field of the form stays in the box's summary.

import type { ErrorSchema } from "@rjsf/utils";
import { ApiProblem, type FieldError } from "../api/problem";

export function fieldPath(field: string): string[] {
  return field
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
}

export interface PlacedErrors {
  errorSchema: ErrorSchema;
  unplaced: FieldError[];
}

export function placeErrors(problem: ApiProblem, properties: Record<string, unknown>): PlacedErrors {
  const errorSchema: Record<string, unknown> = {};
  const unplaced: FieldError[] = [];
  for (const error of problem.errors) {
    const path = fieldPath(error.field);
    if (!path.length || !(path[0] in properties)) {
      unplaced.push(error);
      continue;
    }
    let node = errorSchema;
    for (const part of path) node = (node[part] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(error.reason);
  }
  return { errorSchema: errorSchema as ErrorSchema, unplaced };
}

/** "… then retry from the sync log" is what to do about a record; in the box there is no record yet, so the step
 * itself is saved again. The rest of the API's words stay as they are. */
const RETRY_FROM_LOG = /,?\s*(and |then )?(retry|retrying) (it )?from the sync log( to re-check it)?/gi;

export function forTheBox(problem: ApiProblem, stepLabel: string): ApiProblem {
  const reword = (text: string) => text.replace(RETRY_FROM_LOG, (_, joiner?: string) => `${joiner ? ", then" : ","} save ${stepLabel} again`);
  return new ApiProblem(problem.status, {
    title: problem.title,
    detail: reword(problem.detail),
    resolution: reword(problem.resolution),
    errors: problem.errors.map((e) => ({ field: e.field, reason: reword(e.reason) })),
  });
}

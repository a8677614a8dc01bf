// Every refusal of the management API is an RFC 9457 problem: title, detail, errors [{field, reason}], resolution.
// The page shows them as they are: the API's words are what a person can act on.

export interface FieldError {
  field: string;
  reason: string;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly resolution: string;
  readonly errors: FieldError[];

  constructor(status: number, body: Partial<{ title: string; detail: string; resolution: string; errors: FieldError[]; message: string }>) {
    const title = body.title ?? body.message ?? (status ? titleOfStatus(status) : "The service could not be reached");
    super(title);
    this.status = status;
    this.title = title;
    this.detail = body.detail ?? "";
    this.resolution = body.resolution ?? "";
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

/** What an answer without a problem body (a gateway's error page) means, in words: never the bare status code. */
export function titleOfStatus(status: number): string {
  if (status === 401) return "Your session has ended";
  if (status === 403) return "You are not allowed to do this";
  if (status === 404) return "Not found";
  if (status === 409) return "Someone else changed this meanwhile";
  if (status === 429) return "Too many requests at once";
  if (status >= 500) return "The service could not do this just now";
  return "The request was refused";
}

export async function problemOf(response: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // A body that isn't JSON (a gateway's HTML error page): the status says enough.
  }
  return new ApiProblem(response.status, body as ConstructorParameters<typeof ApiProblem>[1]);
}

export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem(0, { title: "The service could not be reached", detail: error instanceof Error ? error.message : String(error), resolution: "Check your connection and try again." });
}

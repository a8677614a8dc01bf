// The management API, as this page calls it: same origin, the signed-in person's bearer token in the Authorization
// header (never in a URL), JSON in and out, problems turned into ApiProblem.

import { ApiProblem, problemOf } from "./problem";

export interface Download {
  blob: Blob;
  filename: string;
}

export interface RequestOptions {
  body?: unknown;
  /** A body sent as it is (a CSV file), with this content type. */
  raw?: { data: Blob | string; contentType: string };
  accept?: string;
}

export class Api {
  constructor(
    readonly base: string,
    private readonly token: () => string | null,
    private readonly onUnauthenticated: (problem: ApiProblem) => void = () => undefined,
  ) {}

  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.raw) {
      headers["Content-Type"] = options.raw.contentType;
      body = options.raw.data;
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body, credentials: "omit", cache: "no-store" });
    } catch (error) {
      throw new ApiProblem(0, { title: "The service could not be reached", detail: String(error), resolution: "Check your connection and try again." });
    }
    if (!response.ok) {
      const problem = await problemOf(response);
      if (response.status === 401) this.onUnauthenticated(problem);
      throw problem;
    }
    return response;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>("POST", path, { body: body ?? {} });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>("PUT", path, { body });
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>("DELETE", path);
  }

  /** A file answer (a CSV statement): fetched with the token in a header, then handed to the browser to save. */
  async download(path: string, accept: string, fallbackName: string): Promise<Download> {
    const response = await this.send("GET", path, { accept });
    return { blob: await response.blob(), filename: filenameOf(response) ?? fallbackName };
  }
}

export function filenameOf(response: Response): string | null {
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Let the browser save a blob (an object URL on a temporary link; revoked once clicked). */
export function saveFile({ blob, filename }: Download): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A type's own actions (GET /integration-types "actions", e.g. re-sending a record or importing a CSV): rendered from
// the contract, for any type. Parameters fill the {placeholders} of the action's path (the rest go in the query);
// a JSON request is a form from its schema, a CSV request is a file upload; a JSON answer is shown as tables and
// facts (ResultView), any other answer (CSV, a label PDF) is downloaded. An action whose description says its answer
// is "shown once" replaces something (a credential, a URL): it asks first, with the description as the warning, and
// its values come with Copy buttons.

import { useState } from "react";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";
import { filenameOf, saveFile } from "../api/client";
import { asProblem, type ApiProblem } from "../api/problem";
import type { JsonSchema, TypeAction } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { prepareSchema } from "../configure/schema";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";
import { ResultView } from "./ResultView";

const EXTENSIONS: Record<string, string> = { "text/csv": "csv", "application/pdf": "pdf", "application/json": "json" };

/** The action's URL below the integration's: placeholders filled (encoded), leftover parameters as the query. */
export function actionUrl(integrationPath: string, action: TypeAction, parameters: Record<string, unknown>): string {
  const used = new Set<string>();
  const path = action.path.replace(/^\/+/, "").replace(/\{([^}]+)\}/g, (_, name: string) => {
    used.add(name);
    return encodeURIComponent(String(parameters[name] ?? ""));
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (!used.has(name) && value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const rest = query.toString();
  return `${integrationPath}/${path}${rest ? `?${rest}` : ""}`;
}

/** The answer is a value shown once (the contract's description says so): the action replaces it. */
export function showsOnce(action: TypeAction): boolean {
  return /\bshown once\b/i.test(action.description ?? "");
}

/** The form: an action with parameters only is a form of them (no "Parameters" group around them); with a JSON request
 * too, each is a group of its own. */
function formSchema(action: TypeAction): JsonSchema | null {
  const json = action.request?.contentType === "application/json" && action.request.schema;
  if (action.parameters && !json) {
    const { title: _title, ...parameters } = prepareSchema(action.parameters);
    return parameters;
  }
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  if (action.parameters) {
    properties.parameters = { ...prepareSchema(action.parameters), title: "Parameters" };
    required.push("parameters");
  }
  if (action.request?.contentType === "application/json" && action.request.schema) {
    properties.body = { ...prepareSchema(action.request.schema), title: "Request" };
    required.push("body");
  }
  return Object.keys(properties).length ? { type: "object", properties, required } : null;
}

export function ActionsPanel({ actions, path, live }: { actions: TypeAction[]; path: string; live: boolean }) {
  return (
    <section aria-labelledby="actions-heading" className="panel">
      <h2 id="actions-heading">Actions</h2>
      <ul className="action-list">
        {actions.map((action) => (
          <li key={action.key}>
            <ActionCard action={action} path={path} live={live} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function ActionCard({ action, path, live }: { action: TypeAction; path: string; live: boolean }) {
  const { api } = useAuth();
  const schema = formSchema(action);
  const csv = action.request?.contentType === "text/csv";
  const [data, setData] = useState<Record<string, unknown>>({});
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<string>("");
  const [answer, setAnswer] = useState<unknown>(undefined);
  const [confirming, setConfirming] = useState<Record<string, unknown> | null>(null);
  const once = showsOnce(action);
  const flat = Boolean(action.parameters) && !(action.request?.contentType === "application/json" && action.request.schema);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const blocked = action.requiresLive && !live;
  const fileId = `action-${action.key}-file`;

  const run = async (values: Record<string, unknown>) => {
    if (csv && !file) {
      setProblem(asProblem(new Error("Choose the CSV file to send.")));
      return;
    }
    setBusy(true);
    setProblem(null);
    setResult("");
    setAnswer(undefined);
    try {
      const parameters = flat ? values : ((values.parameters as Record<string, unknown>) ?? {});
      const url = actionUrl(path, action, parameters);
      const response = await api.send(action.method.toUpperCase(), url, {
        accept: action.response.contentType,
        ...(csv && file ? { raw: { data: file, contentType: "text/csv" } } : {}),
        ...(values.body !== undefined ? { body: values.body } : action.method.toUpperCase() === "GET" || csv ? {} : { body: {} }),
      });
      const type = (response.headers.get("Content-Type") ?? action.response.contentType).split(";")[0];
      if (type === "application/json") {
        const text = await response.text();
        if (text) setAnswer(JSON.parse(text));
        else setResult("Done.");
      } else {
        const filename = filenameOf(response) ?? `${action.key}.${EXTENSIONS[type] ?? "bin"}`;
        saveFile({ blob: await response.blob(), filename });
        setResult(`Downloaded ${filename}.`);
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const submit = (values: Record<string, unknown>) => (once ? setConfirming(values) : void run(values));

  const button = (
    <div className="box-actions">
      <button type="submit" className="primary" disabled={busy || blocked}>
        {busy ? "Working…" : action.title}
      </button>
    </div>
  );
  const fileInput = csv && (
    <div className="form-group">
      <label htmlFor={fileId}>CSV file</label>
      <input id={fileId} type="file" accept=".csv,text/csv" disabled={blocked} onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
    </div>
  );

  return (
    <article className="action-card" aria-labelledby={`action-${action.key}`}>
      <h3 id={`action-${action.key}`}>{action.title}</h3>
      {action.description && <p>{action.description}</p>}
      {blocked && <p className="hint">Available once the integration is live.</p>}
      {schema ? (
        <Form
          schema={schema}
          validator={validator}
          formData={data}
          idPrefix={`action-${action.key}`}
          onChange={(event) => setData(event.formData as Record<string, unknown>)}
          onSubmit={(event) => submit(event.formData as Record<string, unknown>)}
          showErrorList={false}
          noHtml5Validate
          disabled={busy || blocked}
        >
          {fileInput}
          {button}
        </Form>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit({});
          }}
        >
          {fileInput}
          {button}
        </form>
      )}
      {problem && <ProblemView problem={problem} heading={`${action.title} did not complete`} />}
      <div role="status">
        {result && <p className="notice success">{result}</p>}
        {answer !== undefined && <ResultView value={answer} shownOnce={once} />}
      </div>
      {confirming && (
        <Dialog title={`${action.title}?`} onClose={() => setConfirming(null)}>
          {action.description && <p>{action.description}</p>}
          <p>The new value is shown once, here. Copy it before you leave the page.</p>
          <div className="box-actions">
            <button type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                const values = confirming;
                setConfirming(null);
                void run(values);
              }}
            >
              {action.title}
            </button>
          </div>
        </Dialog>
      )}
    </article>
  );
}

// The configuration box (help pages 001/003): Name → Authentication → Order Creation → Fulfilment → Finish, each
// step a form rendered from the type's JSON Schema. The first time, steps go in order (the API insists too);
// Reconfigure opens the box on any step. A refused step shows the API's reasons on the fields they name.

import { useEffect, useMemo, useRef, useState } from "react";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";
import type { ErrorSchema } from "@rjsf/utils";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import { integrationPath, integrationsPath, type Scope } from "../api/paths";
import type { Integration, IntegrationType, StepName, Warehouse } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";
import { STEP_LABELS } from "../ui/format";
import { forTheBox, placeErrors } from "./errors";
import { FinishStep } from "./FinishStep";
import { chosenWarehouses, credentialsToSend, prepareStep } from "./schema";

export const STEP_ORDER: StepName[] = ["name", "authentication", "orderCreation", "fulfilment"];
type Data = Record<string, unknown>;

interface Props {
  type: IntegrationType;
  scope: Scope;
  integration?: Integration;
  startAt?: StepName | "finish";
  onChanged: (integration: Integration) => void;
  onClose: () => void;
}

function initialData(step: StepName, integration: Integration | undefined): Data {
  if (!integration) return {};
  if (step === "name") return { name: integration.name };
  if (step === "orderCreation") return { ...integration.orderCreation };
  if (step === "fulfilment") return { ...integration.fulfilment };
  return {}; // credentials are write-only: never shown, never prefilled
}

export function ConfigureBox({ type, scope, integration: given, startAt, onChanged, onClose }: Props) {
  const { api } = useAuth();
  const [integration, setIntegration] = useState<Integration | undefined>(given);
  const firstIndex = () => {
    const target = startAt ?? given?.nextStep ?? "name";
    const found = target === "finish" ? STEP_ORDER.length : STEP_ORDER.indexOf(target as StepName);
    return found < 0 ? 0 : found;
  };
  const [index, setIndex] = useState(firstIndex);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [errorSchema, setErrorSchema] = useState<ErrorSchema | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [drafts, setDrafts] = useState<Record<string, Data>>({});
  const [warehouses, setWarehouses] = useState<Warehouse[] | null>(null);
  const [warehouseProblem, setWarehouseProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);

  const step = STEP_ORDER[index] as StepName | undefined;
  const fields = step ? type.steps.find((s) => s.step === step)?.fields ?? { type: "object" } : null;
  const completed = integration?.completedSteps.length ?? 0;
  const data = step ? drafts[step] ?? initialData(step, integration) : {};

  const prepared = useMemo(
    () =>
      step && fields
        ? prepareStep(fields, {
            step,
            credentialsSet: integration?.credentialsSet,
            warehouses,
            chosenWarehouses: chosenWarehouses(fields, data),
          })
        : null,
    // Not `data`: typing in a field must not rebuild the form (the choices only need what was stored).
    [step, fields, integration?.credentialsSet, warehouses],
  );

  // Warehouse fields offer the customer's warehouses (one call, when a step first needs them).
  useEffect(() => {
    if (!prepared?.hasWarehouses || warehouses !== null || warehouseProblem || scope.kind !== "customer") return;
    api
      .get<{ warehouses: Warehouse[] }>(`/tenants/${encodeURIComponent(scope.tenantId)}/customers/${encodeURIComponent(scope.customerId)}/warehouses`)
      .then((answer) => setWarehouses(answer.warehouses), (e: unknown) => setWarehouseProblem(asProblem(e)));
  }, [prepared?.hasWarehouses, warehouses, warehouseProblem, scope, api]);

  // Until the choices are known (or known to be unavailable) the step's form isn't drawn: drawn early, it would be
  // drawn again when they arrive, and a person already in it would lose the field or button they were on.
  const waitingForWarehouses = !!prepared?.hasWarehouses && scope.kind === "customer" && warehouses === null && !warehouseProblem;

  useEffect(() => heading.current?.focus(), [index]);

  const go = (next: number) => {
    setProblem(null);
    setErrorSchema(undefined);
    setNote("");
    setIndex(next);
  };

  const saved = (next: Integration, message: string) => {
    setIntegration(next);
    onChanged(next);
    setNote(message);
  };

  const submit = async (formData: Data) => {
    if (!step) return;
    setBusy(true);
    setProblem(null);
    setErrorSchema(undefined);
    setNote("");
    try {
      const next =
        step === "name" && !integration
          ? await api.post<Integration>(integrationsPath(scope), { type: type.type, name: formData.name })
          : await api.put<Integration>(
              `${integrationPath(scope, integration!.integrationId)}/steps/${step}`,
              step === "authentication" ? credentialsToSend(formData) : formData,
            );
      setDrafts((all) => ({ ...all, [step]: step === "authentication" ? {} : formData }));
      saved(next, `${STEP_LABELS[step]} saved${next.status === "LIVE" ? "; the live integration uses it now" : ""}.`);
      setIndex(index + 1);
    } catch (error) {
      const refused = forTheBox(asProblem(error), `the ${STEP_LABELS[step]} step`);
      setProblem(refused);
      const properties = (prepared?.schema.properties ?? {}) as Record<string, unknown>;
      setErrorSchema(placeErrors(refused, properties).errorSchema);
    } finally {
      setBusy(false);
    }
  };

  const title = integration && integration.status !== "DRAFT" ? `Reconfigure ${type.title}: ${integration.name}` : `Configure ${type.title}`;
  const labels = [...STEP_ORDER, "finish"];

  return (
    <Dialog title={title} onClose={onClose} wide busy={busy}>
      <nav aria-label="Configuration steps">
        <ol className="stepper">
          {labels.map((name, i) => (
            <li key={name} className={i === index ? "current" : i < completed ? "done" : ""}>
              <button type="button" disabled={busy || i > completed || i === index} aria-current={i === index ? "step" : undefined} onClick={() => go(i)}>
                <span className="step-number">{i + 1}</span> {STEP_LABELS[name]}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <div aria-live="polite" className="visually-hidden-when-empty">
        {note && <p className="notice success">{note}</p>}
      </div>
      {problem && <ProblemView problem={problem} heading={`${step ? STEP_LABELS[step] : "This step"} was not saved`} />}
      {step && prepared ? (
        <section aria-labelledby="step-heading" className="step">
          <h3 id="step-heading" tabIndex={-1} ref={heading}>
            ({index + 1}) {STEP_LABELS[step]}
          </h3>
          {step === "authentication" && (
            <p className="hint">
              Credentials are write-only: they are checked with {type.title} when you continue, stored encrypted, and never
              shown again.{integration?.credentialsSet ? " They are set; fill in only what you want to change." : ""}
            </p>
          )}
          {prepared.hasWarehouses && warehouseProblem && (
            <ProblemView problem={warehouseProblem} heading="The customer's warehouses could not be listed; type a warehouse id instead" />
          )}
          {waitingForWarehouses ? (
            <p role="status">Loading the customer's warehouses…</p>
          ) : (
            <Form
              key={`${step}:${warehouses ? "choices" : "text"}`}
              schema={prepared.schema}
              uiSchema={prepared.uiSchema}
              validator={validator}
              formData={data}
              idPrefix={`step-${step}`}
              onChange={(event) => {
                setDrafts((all) => ({ ...all, [step]: event.formData as Data }));
                setErrorSchema(undefined);
              }}
              onSubmit={(event) => void submit(event.formData as Data)}
              extraErrors={errorSchema}
              showErrorList={false}
              noHtml5Validate
              focusOnFirstError
              disabled={busy}
            >
              <div className="box-actions">
                {index > 0 && (
                  <button type="button" disabled={busy} onClick={() => go(index - 1)}>
                    Back
                  </button>
                )}
                <button type="submit" className="primary" disabled={busy}>
                  {busy ? (step === "authentication" ? `Checking with ${type.title}…` : "Saving…") : integration?.status === "LIVE" ? "Save" : "Next"}
                </button>
              </div>
            </Form>
          )}
        </section>
      ) : integration ? (
        <FinishStep
          type={type}
          scope={scope}
          integration={integration}
          headingRef={heading}
          onBack={() => go(STEP_ORDER.length - 1)}
          onFinished={(live) => saved(live, `${live.name} is live.`)}
          onClose={onClose}
        />
      ) : null}
    </Dialog>
  );
}

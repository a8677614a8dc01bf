// Where a customer's own integrations' alerts are mailed (GET/PUT …/customers/{c}/alert-contacts): set by the
// customer's own people while their 3PL sends alerts to customers, and by the 3PL's admins at any time.

import { useEffect, useState, type FormEvent } from "react";
import { asProblem, type ApiProblem } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";

interface Contacts {
  customerId: string;
  emails: string[];
  customersReceiveAlerts: boolean;
}

export function AlertContacts({ customerId }: { customerId: string }) {
  const { api, session } = useAuth();
  const path = `/tenants/${encodeURIComponent(session.tenantId)}/customers/${encodeURIComponent(customerId)}/alert-contacts`;
  const loaded = useLoad(() => api.get<Contacts>(path), [api, path]);
  const [emails, setEmails] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => setEmails(loaded.data?.emails.join("\n") ?? ""), [loaded.data]);

  if (loaded.error || !loaded.data) return null; // not this person's to see: the page says what they may
  const admin = session.role === "admin";
  const canSave = admin || loaded.data.customersReceiveAlerts;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setNote("");
    try {
      await api.put<Contacts>(path, { emails: emails.split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean) });
      await loaded.reload();
      setNote("Addresses saved.");
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const reason = problem?.errors.find((e) => e.field === "emails" || e.field.startsWith("emails["))?.reason;

  return (
    <section aria-labelledby="contacts-heading" className="panel">
      <h2 id="contacts-heading">Who is told about {admin ? "this customer's" : "your"} alerts</h2>
      {!loaded.data.customersReceiveAlerts && (
        <p className="notice">
          {admin
            ? "Customers are not told about alerts now (Settings › Alerts): these addresses are kept for when they are."
            : "Your 3PL does not send alerts to its customers. Ask your 3PL if you want to be told when your integrations stop working."}
        </p>
      )}
      {canSave ? (
        <form className="settings" onSubmit={(event) => void save(event)} noValidate>
          <label htmlFor="contact-emails">Mail addresses (one per line, at most 10)</label>
          <textarea id="contact-emails" rows={3} value={emails} onChange={(e) => setEmails(e.target.value)}
            aria-describedby={reason ? "contact-emails-error" : undefined} />
          {reason && (
            <span id="contact-emails-error" className="field-error">
              {reason}
            </span>
          )}
          {problem && <ProblemView problem={problem} heading="The addresses were not saved" />}
          <div role="status">{note && <p className="notice success">{note}</p>}</div>
          <div className="box-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Saving…" : "Save addresses"}
            </button>
          </div>
        </form>
      ) : (
        loaded.data.emails.length > 0 && <p>Kept for when they are: {loaded.data.emails.join(", ")}</p>
      )}
    </section>
  );
}

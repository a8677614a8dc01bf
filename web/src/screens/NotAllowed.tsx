// A customer user whose 3PL has not allowed their customer to manage its own integrations.

import type { ApiProblem } from "../api/problem";

export function NotAllowed({ problem }: { problem: ApiProblem }) {
  return (
    <>
      <h1 tabIndex={-1}>Self-managed integrations are not enabled for you</h1>
      <div className="problem" role="alert">
        <p>{problem.title === "Not allowed" ? problem.detail : problem.title}</p>
        <p className="resolution">
          {problem.resolution ||
            "Ask your CartonCloud account owner (your 3PL) to give your account permission to create Self-Managed Integrations."}
        </p>
      </div>
      <p>
        Your 3PL's administrators decide which customers may set up their own integrations. Once they allow yours, this
        page lists your integrations.
      </p>
    </>
  );
}

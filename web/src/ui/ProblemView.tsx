// An API refusal shown plainly: what happened (title, detail, the fields named), and what to do (resolution).

import type { ApiProblem } from "../api/problem";

export function ProblemView({ problem, heading }: { problem: ApiProblem; heading?: string }) {
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        <strong>{heading ?? problem.title}</strong>
        {problem.status > 0 && <span className="problem-status"> ({problem.status})</span>}
      </p>
      {heading && <p>{problem.title}</p>}
      {problem.detail && problem.detail !== problem.title && <p>{problem.detail}</p>}
      {problem.errors.some((error) => error.reason !== problem.detail) && (
        <ul>
          {problem.errors.filter((error) => error.reason !== problem.detail).map((error) => (
            <li key={`${error.field}:${error.reason}`}>
              <code>{error.field}</code>: {error.reason}
            </li>
          ))}
        </ul>
      )}
      {problem.resolution && <p className="resolution">What to do: {problem.resolution}</p>}
    </div>
  );
}

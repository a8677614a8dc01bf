// An API refusal shown plainly: what happened (title, detail, the fields named, by their labels), and what to do
// (resolution). No status code: the title says what happened in words.

import type { ApiProblem } from "../api/problem";
import { fieldLabel, plainWords } from "./format";

export function ProblemView({ problem, heading }: { problem: ApiProblem; heading?: string }) {
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        <strong>{heading ?? plainWords(problem.title)}</strong>
      </p>
      {heading && <p>{plainWords(problem.title)}</p>}
      {problem.detail && problem.detail !== problem.title && <p>{plainWords(problem.detail)}</p>}
      {problem.errors.some((error) => error.reason !== problem.detail) && (
        <ul>
          {problem.errors.filter((error) => error.reason !== problem.detail).map((error) => (
            <li key={`${error.field}:${error.reason}`}>
              <strong>{fieldLabel(error.field)}</strong>: {plainWords(error.reason)}
            </li>
          ))}
        </ul>
      )}
      {problem.resolution && <p className="resolution">What to do: {plainWords(problem.resolution)}</p>}
    </div>
  );
}

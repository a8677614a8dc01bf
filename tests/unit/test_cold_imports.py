"""What a function's cold start must not load (issue 10): each ``app`` imported in a fresh process, as Lambda does.

- A worker never builds Powertools' parser models (its app imports the batch utility before anything loads pydantic;
  the models only serve a ``model=`` option core.worker never passes).
- Nothing loads ``requests`` at import: core.http imports it when the first upstream session is made.
- The token-checking doors load PyJWT when the first token is verified, not at import.
- A function that answers no HTTP (workers, schedules) never loads Powertools' event handler.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FUNCTIONS = sorted(path.name for path in (ROOT / "functions").iterdir() if (path / "app.py").is_file())
WORKERS = [name for name in FUNCTIONS if "core.worker import" in (ROOT / "functions" / name / "app.py").read_text()]
HTTP = [name for name in FUNCTIONS if "event_handler import" in (ROOT / "functions" / name / "app.py").read_text()]

PROBE = """
import sys
import app
print(",".join(sorted(name for name in ("aws_lambda_powertools.utilities.parser.models", "requests", "jwt",
                                       "aws_lambda_powertools.event_handler") if name in sys.modules)))
"""


def _loaded(function: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "AWS_SAM_LOCAL")}
    env.update(PYTHONPATH=str(ROOT / "shared"), AWS_DEFAULT_REGION="ap-southeast-2",
               POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_NAMESPACE="Integrations")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT / "functions" / function, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(filter(None, done.stdout.strip().split(",")))


def test_every_worker_and_http_function_is_found():
    assert len(WORKERS) >= 7
    assert len(HTTP) >= 8


@pytest.mark.parametrize("function", FUNCTIONS)
def test_importing_a_function_loads_no_parser_models_requests_or_jwt(function):
    expected = {"aws_lambda_powertools.event_handler"} if function in HTTP else set()
    assert _loaded(function) == expected

"""Tracing off never loads the X-Ray recorder, and traced handlers still run (and still raise)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

PROBE = """
import sys
from integrations.core.observability import tracer
t = tracer()

@t.capture_lambda_handler
def handler(event, context):
    if event == "boom":
        raise ValueError("boom")
    return {"ok": event}

@t.capture_method
def method(x):
    return x * 2

assert handler("hi", None) == {"ok": "hi"}, "handler result"
assert method(21) == 42, "method result"
try:
    handler("boom", None)
except ValueError:
    pass
else:
    raise SystemExit("the handler's error was swallowed")
# Powertools touches the SDK's tiny package to switch it off; its recorder (``aws_xray_sdk.core``) is the cost.
print("xray-loaded" if "aws_xray_sdk.core" in sys.modules else "xray-absent")
"""


def _probe(**settings: str) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("POWERTOOLS_TRACE_DISABLED", "LAMBDA_TASK_ROOT", "AWS_SAM_LOCAL")}
    env["PYTHONPATH"] = str(ROOT / "shared")
    env.update(settings)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("settings", [
    {"POWERTOOLS_TRACE_DISABLED": "true", "LAMBDA_TASK_ROOT": "/var/task"},
    {},  # outside Lambda (the local stack, tests) Powertools would not trace either
], ids=["disabled-in-lambda", "outside-lambda"])
def test_tracing_off_never_loads_the_xray_recorder_and_handlers_behave_the_same(settings):
    assert _probe(**settings) == "xray-absent"


def test_tracing_on_in_lambda_is_powertools_own_xray_tracer():
    assert _probe(POWERTOOLS_TRACE_DISABLED="false", LAMBDA_TASK_ROOT="/var/task") \
        == "xray-loaded"

"""What a function's cold start must not load (issue 10): each ``app`` imported in a fresh process, as Lambda does.

- A worker never builds Powertools' parser models (its app imports the batch utility before anything loads pydantic;
  the models only serve a ``model=`` option core.worker never passes).
- Nothing loads ``requests`` at import: core.http imports it when the first upstream session is made.
- The token-checking doors load PyJWT when the first token is verified, not at import.
- A function that answers no HTTP (workers, schedules) never loads Powertools' event handler.
- Init runs with the garbage collector paused (integrations.core.coldstart): no collection during the import, and
  afterwards the collector is on again with init's objects frozen out of its walks.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FUNCTIONS = sorted(path.name for path in (ROOT / "functions").iterdir() if (path / "app.py").is_file())
WORKERS = [name for name in FUNCTIONS
           if "core.worker_function import" in (ROOT / "functions" / name / "app.py").read_text()]
HTTP = [name for name in FUNCTIONS if "event_handler import" in (ROOT / "functions" / name / "app.py").read_text()]

PROBE = """
import gc, json, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
import app
gc.callbacks.clear()
print(json.dumps({
    "loaded": sorted(name for name in ("aws_lambda_powertools.utilities.parser.models", "requests", "jwt",
                                       "aws_lambda_powertools.event_handler") if name in sys.modules),
    "collections during import": len(collections),
    "collector on after import": gc.isenabled(),
    "objects frozen": gc.get_freeze_count(),
}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layer and the functions with their bytecode compiled, as ``make build`` ships them: an uncompiled
    ``app.py`` would be parsed at import, before its first statement could pause the collector."""
    build = tmp_path_factory.mktemp("build")
    shutil.copytree(ROOT / "shared" / "integrations", build / "layer" / "integrations")
    shutil.copytree(ROOT / "functions", build / "functions")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(build)],
                   check=True, stdout=subprocess.DEVNULL)
    return build


@functools.cache
def _import_app(build: Path, function: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "AWS_SAM_LOCAL")}
    env.update(PYTHONPATH=str(build / "layer"), AWS_DEFAULT_REGION="ap-southeast-2",
               POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_NAMESPACE="Integrations")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=build / "functions" / function, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_every_worker_and_http_function_is_found():
    assert len(WORKERS) >= 7
    assert len(HTTP) >= 8


@pytest.mark.parametrize("function", FUNCTIONS)
def test_importing_a_function_loads_no_parser_models_requests_or_jwt(built, function):
    expected = {"aws_lambda_powertools.event_handler"} if function in HTTP else set()
    assert set(_import_app(built, function)["loaded"]) == expected


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_imports_with_the_collector_paused_and_leaves_it_on(built, function):
    imported = _import_app(built, function)
    assert imported["collections during import"] == 0
    assert imported["collector on after import"] is True
    assert imported["objects frozen"] > 10_000

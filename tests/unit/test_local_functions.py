"""Warm function instances: concurrent calls never share module globals; the function's own environment is in
place while its module is imported, and only then."""

from __future__ import annotations

import gc
import os
import threading

import pytest

from local.functions import FunctionPool, load_instance
from local.resources import FunctionSpec

APP = '''
import os
import threading

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME")
state = {}

def handler(event, context):
    event["barrier"].wait(timeout=event.get("patience", 5))  # both calls inside a handler at once
    return {"instance": id(state), "service": SERVICE, "function": context.function_name}
'''


@pytest.fixture
def spec(tmp_path, monkeypatch) -> FunctionSpec:
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "tests")
    return FunctionSpec("EchoFunction", str(tmp_path), "app.handler", 10,
                        {"POWERTOOLS_SERVICE_NAME": "echo", "STAGE": os.environ.get("STAGE", "")})


def test_the_functions_own_environment_applies_while_importing_only(spec):
    handler = load_instance(spec)
    result = handler({"barrier": threading.Barrier(1)}, type("Context", (), {"function_name": "EchoFunction"}))
    assert result["service"] == "echo"
    assert os.environ["POWERTOOLS_SERVICE_NAME"] == "tests"


def test_concurrent_calls_run_in_separate_instances_and_instances_are_reused(spec):
    pool = FunctionPool(spec, max_instances=4)
    barrier = threading.Barrier(2)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pool.invoke({"barrier": barrier}))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len({r["instance"] for r in results}) == 2  # a shared instance would have deadlocked the barrier
    assert {r["function"] for r in results} == {"EchoFunction"}
    again = pool.invoke({"barrier": threading.Barrier(1)})
    assert again["instance"] in {r["instance"] for r in results}
    assert pool.invocations == 3


def test_at_most_max_instances_run_at_once(spec):
    pool = FunctionPool(spec, max_instances=1)
    barrier = threading.Barrier(2)
    errors = []

    def call():
        try:
            pool.invoke({"barrier": barrier, "patience": 0.3})
        except threading.BrokenBarrierError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)

    # The second call waited for the only instance, so the two never met at the barrier.
    assert len(errors) == 2
    assert pool.errors == 2


def test_an_app_that_pauses_and_freezes_the_collector_leaves_the_shared_process_collectable(tmp_path):
    """A real function's init freezes the process's objects (integrations.core.coldstart), right for its own
    sandbox; the local stack hosts many functions and the tests in one process, so loading one undoes it."""
    (tmp_path / "app.py").write_text("import gc\ngc.disable()\nhandler = len\ngc.freeze()\ngc.enable()\n")
    (tmp_path / "broken.py").write_text("import gc\ngc.disable()\nraise RuntimeError('init failed')\n")
    load_instance(FunctionSpec("FreezingFunction", str(tmp_path), "app.handler", 10, {}))
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    with pytest.raises(RuntimeError, match="init failed"):
        load_instance(FunctionSpec("BrokenFunction", str(tmp_path), "broken.handler", 10, {}))
    assert gc.get_freeze_count() == 0 and gc.isenabled()

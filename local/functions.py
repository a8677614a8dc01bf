"""Lambda's execution model for the local stack: each function runs in warm instances that never share globals.

Lambda gives concurrent invocations separate execution environments, and our handlers rely on it (Powertools'
resolver keeps ``current_event`` on a module global). A :class:`FunctionPool` therefore lends one loaded copy of the
function's module per concurrent call, loading another copy only when every copy is busy, up to ``max_instances``
(then callers wait, as Lambda would throttle).

The function's own environment variables (template.yaml ``Environment`` beyond Globals, e.g.
``POWERTOOLS_SERVICE_NAME``) are applied while its module is imported, which is where Powertools reads them; at
call time every function sees the process environment (Globals), since all of them share one process.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .lambda_runtime import Handler, LambdaContext, load_handler
from .resources import FunctionSpec

_import_lock = threading.Lock()


def load_instance(spec: FunctionSpec) -> Handler:
    """A fresh copy of the function's module, imported with the function's own environment in place."""
    own = {name: value for name, value in spec.environment.items() if os.environ.get(name) != value}
    with _import_lock:
        saved = {name: os.environ.get(name) for name in own}
        os.environ.update(own)
        try:
            return load_handler(spec, fresh=True)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class FunctionPool:
    """Warm instances of one function; :meth:`invoke` is safe from any number of threads."""

    def __init__(self, spec: FunctionSpec, *, max_instances: int = 4) -> None:
        self.spec = spec
        self.max_instances = max_instances
        self.invocations = 0
        self.errors = 0
        self._idle = [load_instance(spec)]
        self._loaded = 1
        self._available = threading.Condition()

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.handler(event, LambdaContext(function_name=self.spec.logical_id,
                                                 timeout_seconds=self.spec.timeout))

    def handler(self, event: dict[str, Any], context: Any) -> Any:
        """The pool as a Lambda handler (what :class:`~local.lambda_runtime.QueuePump` calls)."""
        instance = self._acquire()
        try:
            return instance(event, context)
        except Exception:
            with self._available:
                self.errors += 1
            raise
        finally:
            self._release(instance)

    def _acquire(self) -> Handler:
        with self._available:
            self.invocations += 1
            while not self._idle and self._loaded >= self.max_instances:
                self._available.wait()
            if self._idle:
                return self._idle.pop()
            self._loaded += 1
        try:
            return load_instance(self.spec)
        except Exception:
            with self._available:
                self._loaded -= 1
                self._available.notify()
            raise

    def _release(self, instance: Handler) -> None:
        with self._available:
            self._idle.append(instance)
            self._available.notify()

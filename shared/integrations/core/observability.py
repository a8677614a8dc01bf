"""The functions' Tracer, without the X-Ray SDK when tracing is off.

Powertools' ``Tracer`` imports the X-Ray SDK (~110 ms of a cold start) even when tracing is disabled, because its
default provider is the SDK's recorder. With tracing off (``POWERTOOLS_TRACE_DISABLED``, or outside Lambda) every
function gets a Tracer on a provider that does nothing, so the SDK is never loaded; with tracing on (template.yaml
``Tracing: Active``) it is Powertools' own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider


class NoSegment:
    """The subsegment of a trace that is not recorded: Powertools' decorators annotate it, it keeps nothing."""

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any = None, remote: bool = False) -> None:
        pass


class NoTracing(BaseProvider):
    """A provider that records nothing (what a disabled Tracer calls)."""

    @contextlib.contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any  # type: ignore[override]
                      ) -> Generator[NoSegment, None, None]:
        yield NoSegment()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any  # type: ignore[override]
                                  ) -> AsyncGenerator[NoSegment, None]:
        yield NoSegment()

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


def tracer() -> Tracer:
    if Tracer._is_tracer_disabled():
        return Tracer(disabled=True, provider=NoTracing())
    return Tracer()

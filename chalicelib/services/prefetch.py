"""Running a request's independent reads together.

A request that needs several unrelated items (the resource, its blackouts, an idempotency
record) waits for the slowest instead of the sum. Production wires a small shared thread pool;
`InlineExecutor` runs tasks in the caller's thread (tests, scripts).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each task at once in the caller's thread."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever calls result()
            future.set_exception(exc)
        return future


class ContextPool(ThreadPoolExecutor):
    """A thread pool whose tasks see the submitting thread's context variables (the audit
    stamp of the request, for one)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)

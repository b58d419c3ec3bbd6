"""Running work over files in parallel processes, with results in input order.

One pool serves a whole run (checking, then annotated copies), so workers start once. The
result never depends on the number of processes: items are processed independently and
gathered in the order given.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


class Workers:
    """`jobs` worker processes (none when jobs == 1: everything runs in this process)."""

    def __init__(self, jobs: int = 1):
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, fn: Callable, items: list, progress: Callable[[], None] | None = None,
            chunksize: int = 1) -> list:
        """fn over items, in order; progress() after each result."""
        out = []
        for result in self.start(fn, items, chunksize):
            out.append(result)
            if progress:
                progress()
        return out

    def start(self, fn: Callable, items: list, chunksize: int = 1) -> Iterator:
        """fn over items, started now in the worker processes while this process goes on
        with other work; iterating over the result waits for each result in order. (With
        one job the work runs in this process, as the results are iterated over.)"""
        if self.jobs == 1 or len(items) <= 1:
            return map(fn, items)
        if self._pool is None:   # imported here: a run over one file needs no pool
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = "spawn" if sys.platform == "win32" else "forkserver"
            self._pool = ProcessPoolExecutor(self.jobs,
                                             mp_context=multiprocessing.get_context(method))
        return self._pool.map(fn, items, chunksize=max(1, chunksize))

"""Making many small files at once, on every core: annotated copies and letters.

An annotated copy (openpyxl loads and saves the whole workbook) or a letter
(python-docx) takes 30-60 ms of pure Python each; a run with a thousand
flagged files spends a minute on them on one core. :func:`map_files` spreads
such jobs over worker processes started by a fork server (so they never
inherit the threads of the run's process, and start without re-importing
everything), in chunks so that a job's pickling costs little beside it, collecting their
garbage as they go (:class:`checks.memory.Tidy`). The calling process takes
its share of the jobs too (it would only wait otherwise): one worker fewer is
some 40 MiB less at a run's peak of memory, which comes while the letters are
written. A few jobs are done here alone: starting workers would cost more than
it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from checks.isolation import CleanForkServerContext, fork_server_in_use
from checks.memory import Tidy

T = TypeVar("T")
R = TypeVar("R")

#: Fewer jobs than this are done in the calling process.
MIN_PARALLEL = 16


def workers() -> int:
    """Return how many worker processes to use: the processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_files(
    job: Callable[[T], R], items: Sequence[T], *, processes: int | None = None
) -> list[R]:
    """Run ``job`` over ``items``: here and in worker processes, when there are enough of them.

    The items are cut into chunks, all given to the workers; the workers take them from
    the first, this process from the last (each one it takes back before a worker starts
    it), until they meet. Whoever is faster does more.

    Args:
        job: A module-level function (workers receive it by reference).
        items: Its arguments, picklable.
        processes: How many processes in all, this one included (:func:`workers` by default).

    Returns:
        The results, in the order of ``items``.
    """
    count = processes or workers()
    if count < 2 or len(items) < MIN_PARALLEL or multiprocessing.current_process().daemon:
        return [job(item) for item in items]
    context: Any = CleanForkServerContext()
    size = max(1, len(items) // (count * CHUNKS_EACH))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    done: list[list[R] | None] = [None] * len(chunks)
    tidy, here = Tidy(job), Tidy(job, freeze=False)
    with (
        fork_server_in_use(),
        ProcessPoolExecutor(max_workers=count - 1, mp_context=context) as pool,
    ):
        futures = [pool.submit(_chunk, tidy, chunk) for chunk in chunks]
        for number in reversed(range(len(chunks))):
            if not futures[number].cancel():
                break  # a worker has it: it has all those before it too
            done[number] = [here(item) for item in chunks[number]]
        results: list[R] = []
        for mine, future in zip(done, futures, strict=True):
            results += future.result() if mine is None else mine
        return results


#: Chunks per process: small enough that the processes end together.
CHUNKS_EACH = 8


def _chunk(job: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [job(item) for item in chunk]

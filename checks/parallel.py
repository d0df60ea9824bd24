"""Making many small files at once, on every core: annotated copies and letters.

An annotated copy (openpyxl loads and saves the whole workbook) or a letter
(python-docx) takes 30-60 ms of pure Python each; a run with a thousand
flagged files spends a minute on them on one core. :func:`map_files` spreads
such jobs over worker processes started by a fork server (so they never
inherit the threads of the run's process, and start without re-importing
everything), in chunks so that a job's pickling costs little beside it, collecting their
garbage as they go (:class:`checks.memory.Tidy`). The calling process takes
its share of the jobs too (it would only wait otherwise): one worker fewer is
some 70 MiB less at a run's peak of memory, which comes while the letters are
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
from checks.memory import TIDY_EVERY, Tidy, release

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
    """Run ``job`` over ``items``, in worker processes when there are enough of them.

    Args:
        job: A module-level function (workers receive it by reference).
        items: Its arguments, picklable.
        processes: How many worker processes (:func:`workers` by default).

    Returns:
        The results, in the order of ``items``.
    """
    count = processes or workers()
    if count < 2 or len(items) < MIN_PARALLEL or multiprocessing.current_process().daemon:
        return [job(item) for item in items]
    context: Any = CleanForkServerContext()
    ours, theirs = items[: len(items) // count], items[len(items) // count :]
    helpers = count - 1
    chunk = max(1, len(theirs) // (helpers * 4))
    with (
        fork_server_in_use(),
        ProcessPoolExecutor(max_workers=helpers, mp_context=context) as pool,
    ):
        pending = pool.map(Tidy(job), theirs, chunksize=chunk)  # the workers start on theirs
        done = _here(job, ours)
        return done + list(pending)


def _here(job: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Run jobs in this process, collecting their garbage as a worker does (without freezing)."""
    done = []
    for number, item in enumerate(items, start=1):
        done.append(job(item))
        if number % TIDY_EVERY == 0:
            release()
    return done

"""Give memory back to the system after a step that built large temporary tables.

A run checks its submissions part by part and writes the validated figures part
by part, so what one part builds is garbage once the next begins. Python frees
those objects, but glibc's allocator keeps most of the freed pages in its arenas
(pandas and Great Expectations allocate many mid-sized blocks), and the resident
memory of a 10,000-file run climbed by some 400 MiB it no longer used. Measured
in one process at 10,000 files: writing the figures peaked at 1,459 MiB, and at
1,014 MiB with :func:`release` after each check. Arrow's own pool (mimalloc)
keeps freed blocks too: 116 MiB after the figures of a 10,000-file run, until
asked to give them back.

Only glibc has ``malloc_trim``; elsewhere :func:`release` collects garbage and
asks Arrow's pool alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import itertools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@functools.cache
def _trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc has one), or ``None``."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return None
    return trim


def release() -> bool:
    """Free what is no longer referenced and return freed pages to the system.

    Returns:
        Whether the allocator was asked to give pages back (glibc only).
    """
    gc.collect()
    if "pyarrow" in sys.modules:  # not imported for this alone
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Leave what is alive now out of the garbage collections made within.

    A run's process holds what it imported and every submission's header (some
    600,000 objects at 10,000 files) from the end of reading to the end of
    writing; each :func:`release` after a part went through all of them again
    (0.25-0.5 s a time, some 12 s of a 10,000-file run). Within, a collection
    looks only at what was made since. Garbage that was alive on entry is
    collected after the exit, when the objects are given back to the collector.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: A worker collects its garbage after this many jobs (see :class:`Tidy`).
TIDY_EVERY = 8
_jobs = itertools.count(1)  # jobs this process has run through a Tidy


@dataclass(frozen=True, slots=True)
class Tidy:
    """A job for worker processes that keeps their garbage from piling up.

    Laying out a letter (python-docx, lxml) or a workbook (openpyxl) leaves
    reference cycles that Python's collector, which runs by counts of
    objects, reaches late: two letter workers of a 10,000-file run held
    218 MiB each, and 84 MiB collecting every :data:`TIDY_EVERY` letters. The
    first job freezes what the worker imported (:func:`gc.freeze`), so a
    collection looks at a few jobs' objects only (some 4 ms a letter in all).
    The run's own process, doing its share of the jobs, collects without
    freezing: what it holds is not a worker's, to keep for good.

    Attributes:
        job: A module-level function (workers receive it by reference).
        every: Collect after this many jobs.
        freeze: Freeze what the process holds before its first job (in a worker).
    """

    job: Callable[[Any], Any]
    every: int = TIDY_EVERY
    freeze: bool = True

    def __call__(self, item: Any) -> Any:
        """Run the job on ``item``, then collect if it is time to."""
        done = next(_jobs)
        if done == 1 and self.freeze:
            gc.collect()
            gc.freeze()
        try:
            return self.job(item)
        finally:
            if done % self.every == 0:
                release()

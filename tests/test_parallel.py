"""Many small files at once: the calling process and the workers share the jobs, in order."""

from __future__ import annotations

import gc
import itertools
import os
import time

from checks.parallel import map_files


def _square_where(n: int) -> tuple[int, int]:
    """The job (a few milliseconds, as a letter): its result, and which process computed it."""
    time.sleep(0.003)
    return n * n, os.getpid()


def test_results_keep_the_order_of_the_items_whoever_made_them() -> None:
    """Results come in the items' order; this process did its share beside the workers."""
    items = list(range(200))
    done = map_files(_square_where, items, processes=2)
    assert [value for value, _ in done] == [n * n for n in items]
    makers = [pid for _, pid in done]
    assert os.getpid() in makers
    assert len(set(makers)) == 2
    # Each took a run of whole chunks: the workers from the start, this process from the end.
    assert makers[0] != os.getpid()
    assert makers[-1] == os.getpid()
    switches = sum(a != b for a, b in itertools.pairwise(makers))
    assert switches == 1
    assert gc.get_freeze_count() == 0  # a worker freezes what it holds; this process not


def test_few_items_are_done_here_alone() -> None:
    """Starting workers for a handful of jobs would cost more than it saves."""
    done = map_files(_square_where, [1, 2, 3], processes=2)
    assert done == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]

"""Memory given back after a step (checks.memory)."""

from __future__ import annotations

import ctypes.util
import gc
import os
import platform
import weakref

import pytest

from checks.memory import frozen, release


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_freed_pages_go_back_to_the_system_on_glibc() -> None:
    """On glibc a release returns the free pages between blocks still in use.

    Every 50th block stays: the heap is fragmented, as after checking a part,
    and freeing the rest alone gives nothing back to the system.
    """
    assert ctypes.util.find_library("c")
    before = _resident_kib()
    block = [bytearray(4096) for _ in range(100_000)]  # ~400 MiB of small blocks
    grown = _resident_kib()
    still = block[::50]
    del block
    assert release()
    after = _resident_kib()
    assert grown - before > 300_000
    assert after - before < (grown - before) / 2
    assert len(still) == 2_000


def _resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _garbage_cycle(size: int) -> tuple[int, int]:
    """Leave a reference cycle holding ``size`` bytes; return the process and its resident KiB."""
    node: dict[str, object] = {"data": bytearray(size)}
    node["self"] = node
    del node
    return os.getpid(), _resident_kib()


def test_workers_collect_their_garbage_as_they_go() -> None:
    """Jobs that leave cycles behind (as python-docx and openpyxl do) don't pile them up.

    The calling process does its share of the jobs too, and collects as the worker does.
    """
    from checks.parallel import map_files

    size = 4 << 20
    items = [size] * 64  # 32 a process: 128 MiB each, were nothing collected
    gc.disable()  # as if the collector's counts had not come round yet, here as in a worker
    try:
        done = map_files(_garbage_cycle, items, processes=2)
    finally:
        gc.enable()
    by_process: dict[int, list[int]] = {}
    for pid, resident in done:
        by_process.setdefault(pid, []).append(resident)
    assert os.getpid() in by_process
    assert len(by_process) == 2
    for pid, resident in by_process.items():
        grown = max(resident) - min(resident)
        assert grown < 48 * 1024, f"process {pid} grew by {grown} KiB"


class _Cycle:
    """An object in a reference cycle: only the garbage collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_within_frozen_collections_skip_what_was_alive_and_free_what_is_new() -> None:
    """Objects alive on entry are not looked at; cycles made within are still collected."""
    alive = _Cycle()
    with frozen():
        assert gc.get_freeze_count() > 0
        made = _Cycle()
        gone = weakref.ref(made)
        del made
        release()
        assert gone() is None
        was_alive = weakref.ref(alive)
        del alive
        release()
        assert was_alive() is not None  # left out of the collections within
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert was_alive() is None  # and collected once given back

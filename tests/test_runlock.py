"""One run at a time per output folder (``checks.runlock``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks import runlock

HOLD = """
import sys, time
from pathlib import Path
from checks import runlock
with runlock.hold(Path(sys.argv[1]), run="other-run"):
    print("held", flush=True)
    time.sleep(600)
"""


def _holder_process(out: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_busy_folder_names_its_holder_and_refuses_without_waiting(tmp_path: Path) -> None:
    """With ``wait=False`` a second run fails at once, naming the holder's pid."""
    holder = _holder_process(tmp_path)
    try:
        with pytest.raises(runlock.OutputsBusyError) as busy, runlock.hold(tmp_path, wait=False):
            pass
        assert busy.value.holder.pid == holder.pid
        assert busy.value.holder.run == "other-run"
        assert f"процесс {holder.pid}" in str(busy.value)
        assert runlock.holder_of(tmp_path) == busy.value.holder
    finally:
        holder.kill()
        holder.wait()


def test_the_kernel_frees_the_lock_of_a_killed_holder(tmp_path: Path) -> None:
    """After ``kill -9`` of the holder the next run gets the folder without waiting."""
    holder = _holder_process(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with runlock.hold(tmp_path, wait=False):
        now = runlock.holder_of(tmp_path)
        assert now is not None
        assert now.pid == os.getpid()
    assert runlock.holder_of(tmp_path) is None


def test_a_waiting_run_says_whom_it_waits_for_and_then_runs(tmp_path: Path) -> None:
    """A second run waits for the first, having said which run it waits for."""
    holder = _holder_process(tmp_path)
    seen: list[runlock.Holder] = []

    def waiting(who: runlock.Holder) -> None:
        seen.append(who)
        os.kill(holder.pid, signal.SIGTERM)

    start = time.monotonic()
    with runlock.hold(tmp_path, on_wait=waiting):
        pass
    holder.wait()
    assert [w.pid for w in seen] == [holder.pid]
    assert time.monotonic() - start < 30


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    """The command line's lock and its flow's lock in one process don't block each other."""
    with runlock.hold(tmp_path, wait=False), runlock.hold(tmp_path, wait=False):
        pass
    with runlock.hold(tmp_path, wait=False):
        pass

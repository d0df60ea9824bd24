"""The benchmark's memory measure: a finished worker counts for nothing, not for unknown."""

from __future__ import annotations

import os
import sys
import time

import pytest

from scripts.benchkit.measure import pss_kib


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_an_exited_unreaped_process_holds_nothing() -> None:
    """A zombie's memory is 0; only an unreadable process makes the measure unknown."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.01)
        assert pss_kib(pid) == 0
        assert (pss_kib(os.getpid()) or 0) > 0
    finally:
        os.waitpid(pid, 0)
    assert pss_kib(pid) == 0  # reaped: gone

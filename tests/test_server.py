"""The run's own Prefect server: work done while it starts, and nothing left when that fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows import server as local_server


def _servers_started_here() -> list[int]:
    """The live child processes of this one that run ``flows.server``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"flows.server" in command:
            found.append(int(entry.name))
    return found


@pytest.fixture
def no_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Prefect server set for this test (and whatever was set, back after it)."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)


@pytest.mark.usefixtures("no_api")
def test_work_meanwhile_sees_the_server_it_will_talk_to(tmp_path: Path) -> None:
    """The work done while the server starts already has its address; the server then answers."""
    seen: list[str | None] = []
    server = local_server.start(
        tmp_path / "server.log",
        services=False,
        ui=False,
        meanwhile=lambda: seen.append(os.environ.get("PREFECT_API_URL")),
    )
    try:
        assert seen == [os.environ["PREFECT_API_URL"]]
        assert server.poll() is None
    finally:
        local_server.stop(server)
    assert server.poll() is not None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.usefixtures("no_api")
def test_work_meanwhile_that_fails_stops_the_server(tmp_path: Path) -> None:
    """A failure while the server starts leaves no server and no address behind."""
    started: list[int] = []

    def fail() -> None:
        started.append(1)
        raise RuntimeError("import failed")

    with pytest.raises(RuntimeError, match="import failed"):
        local_server.start(tmp_path / "server.log", services=False, ui=False, meanwhile=fail)
    assert started == [1]
    assert "PREFECT_API_URL" not in os.environ
    assert _servers_started_here() == []
    log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log

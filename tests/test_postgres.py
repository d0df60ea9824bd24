"""``sverka serve`` against a real Prefect server on PostgreSQL, stopped as systemd stops it."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows import server as local_server

ROOT = Path(__file__).resolve().parent.parent
FINAL = {"COMPLETED", "CANCELLED", "FAILED", "CRASHED"}


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server of Debian's package in a temporary data folder; its asyncpg URL."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="sverka-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _port()

    def pg(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    pg(str(bindir / "initdb"), "-D", str(data), "-U", "sverka", "--auth=trust", "-E", "UTF8")
    pg(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "postgres.log"),
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
        "-w",
        "start",
    )
    try:
        pg(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "sverka", "prefect")
        yield f"postgresql+asyncpg://sverka@127.0.0.1:{port}/prefect"
    finally:
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _wait(api: str, path: str, body: dict[str, Any], check: Any, timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.post(f"{api}{path}", json=body, timeout=30)
        if answer.status_code < 300 and check(answer.json()):
            return answer.json()
        time.sleep(1)
    raise AssertionError(f"{path}: not reached in {timeout} s")


def _state(api: str, run_id: str) -> str:
    return str(httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()["state"]["type"])


def test_serve_on_postgres_runs_logs_and_stops_cleanly(
    postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A triggered run completes with artifacts and logs; SIGTERM mid-run leaves nothing RUNNING."""
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", postgres)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = local_server.start(tmp_path / "server.log", services=True, ui=False)
    api = os.environ["PREFECT_API_URL"]
    out = tmp_path / "out"
    command = ["serve", "--inbox", str(ROOT / "inbox"), "--out", str(out), "--settle-seconds", "0"]
    serve = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        deployment = _wait(
            api,
            "/deployments/filter",
            {"deployments": {"name": {"any_": ["sverka-nightly"]}}},
            lambda found: len(found) == 1,
        )[0]
        assert deployment["global_concurrency_limit"]["limit"] == 1
        first = httpx.post(
            f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=30
        ).json()
        deadline = time.monotonic() + 600
        while _state(api, first["id"]) not in FINAL and time.monotonic() < deadline:
            time.sleep(1)
        assert _state(api, first["id"]) == "COMPLETED"
        artifacts = httpx.post(
            f"{api}/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [first["id"]]}}},
            timeout=30,
        ).json()
        assert {a["key"] for a in artifacts} >= {"sverka-summary", "sverka-findings"}
        # Log rows are shipped in batches and may land after the final state: wait for them.
        _wait(
            api,
            "/logs/filter",
            {"logs": {"flow_run_id": {"any_": [first["id"]]}}},
            lambda logs: any("опубликован" in entry["message"] for entry in logs),
            timeout=60,
        )
        assert (out / "manifest.json").exists()

        second = httpx.post(
            f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=30
        ).json()
        while _state(api, second["id"]) != "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.5)
        asked = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        stdout, stderr = serve.communicate(timeout=120)
        stopped = time.monotonic() - asked
        left = _state(api, second["id"])
    finally:
        if serve.poll() is None:
            serve.kill()
        local_server.stop(server)
    assert serve.returncode == 0, stderr
    assert "Расписание остановлено." in stdout
    assert "Traceback" not in stderr
    assert stopped < 40, f"serve took {stopped:.1f} s to stop"
    assert left in {"COMPLETED", "CANCELLED"}

"""``sverka run --dask-address``: the same findings from a Dask cluster as from this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two single-threaded workers on 127.0.0.1; the scheduler's address."""
    logs = tmp_path_factory.mktemp("dask")
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    # Dask's workers are daemonic processes by default, and those may not start the
    # worker processes each file is read in (README: "Several machines").
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = ["--no-dashboard"]
    processes = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), *common],
            stdout=subprocess.DEVNULL,
            stderr=(logs / "scheduler.log").open("w"),
            env=env,
        )
    ]
    for n in (1, 2):
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    *common,
                ],
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"worker-{n}.log").open("w"),
                env=env,
            )
        )
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "run",
            "--inbox",
            str(ROOT / "inbox"),
            "--out",
            str(out),
            *list(extra),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )


def test_cluster_run_finds_what_a_local_run_finds(cluster: str, tmp_path: Path) -> None:
    """Reading and checking on two Dask workers writes the worklist and figures of a local run."""
    remote = _run(tmp_path / "dask", "--dask-address", cluster)
    assert remote.returncode == 0, remote.stderr[-3000:]
    local = _run(tmp_path / "local")
    assert local.returncode == 0, local.stderr[-3000:]
    for name in ("discrepancies.csv", "validated/figures.csv", "validated/submissions.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    cache = list((tmp_path / "dask" / ".sverka" / "cache").glob("*/*.parquet"))
    assert cache, "the workers kept what they read in the shared cache"

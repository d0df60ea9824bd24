"""The run as a transaction, as an operator meets it: ``sverka run`` in real processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from checks import publish, runlock
from flows import cli
from flows import server as local_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One local Prefect server for the command-line runs of this module."""
    logs = tmp_path_factory.mktemp("server") / "server.log"
    before = os.environ.get("PREFECT_API_URL")
    server = local_server.start(logs, services=False, ui=False)
    url = os.environ["PREFECT_API_URL"]
    if before is None:
        os.environ.pop("PREFECT_API_URL")
    else:
        os.environ["PREFECT_API_URL"] = before
    yield url
    local_server.stop(server)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A copy of the sample inbox."""
    folder = tmp_path / "inbox"
    shutil.copytree(ROOT / "inbox", folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def _sverka(args: list[str], api: str | None, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ}
    if api is None:
        env.pop("PREFECT_API_URL", None)
    else:
        env["PREFECT_API_URL"] = api
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "flows.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **popen,
    )


def _wait_for(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_two_overlapping_runs_leave_one_complete_set(
    api_url: str, inbox: Path, tmp_path: Path
) -> None:
    """A second run waits for the first, says for whom, and the folder ends as its complete set."""
    out = tmp_path / "out"
    first = _sverka(["run", "--inbox", str(inbox), "--out", str(out)], api_url)
    _wait_for(lambda: runlock.holder_of(out) is not None)
    (inbox / "seed-003-vostok-2023.xlsx").unlink()
    second = _sverka(["run", "--inbox", str(inbox), "--out", str(out)], api_url)
    _, first_err = first.communicate(timeout=300)
    second_out, second_err = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), first_err + second_err
    assert f"процесс {first.pid}" in second_err
    assert "ждём её окончания" in second_err
    manifest = publish.read_manifest(out)
    assert manifest is not None
    assert manifest["run_id"] in second_out
    assert manifest["files_read"] == 3
    assert publish.verify(out) == []
    assert manifest["run_id"] in (out / "report.html").read_text(encoding="utf-8")
    assert not (out / "annotated" / "seed-003-vostok-2023.xlsx").exists()
    assert "Traceback" not in first_err + second_err
    logs = httpx.post(
        f"{api_url}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [manifest["prefect_flow_run_id"]]}}},
        timeout=30,
    ).json()
    messages = [entry["message"] for entry in logs]
    assert any("опубликован" in m for m in messages), messages
    assert any("чтение файлов" in m for m in messages), messages


def test_no_wait_exits_3_when_the_folder_is_busy(api_url: str, inbox: Path, tmp_path: Path) -> None:
    """With ``--no-wait`` a run on a busy folder exits 3 with one Russian line."""
    out = tmp_path / "out"
    with runlock.hold(out):
        done = _sverka(["run", "--inbox", str(inbox), "--out", str(out), "--no-wait"], api_url)
        _, stderr = done.communicate(timeout=120)
    assert done.returncode == 3
    assert f"занята другой проверкой (процесс {os.getpid()}" in stderr
    assert "Traceback" not in stderr


def test_a_run_killed_while_writing_leaves_the_previous_set(
    api_url: str, inbox: Path, tmp_path: Path
) -> None:
    """``kill -9`` in the write phase leaves the earlier complete set, matching its manifest."""
    out = tmp_path / "out"
    done = _sverka(["run", "--inbox", str(inbox), "--out", str(out)], api_url)
    assert done.wait(timeout=300) == 0
    before = publish.read_manifest(out)
    assert before is not None
    killed = _sverka(["run", "--inbox", str(inbox), "--out", str(out)], api_url)

    def writing() -> bool:
        return any(publish.runs_folder(out).glob("*.partial/discrepancies.csv"))

    _wait_for(writing, timeout=300)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert publish.read_manifest(out) == before
    assert publish.verify(out) == []
    assert list(publish.runs_folder(out).glob("*.partial"))
    assert runlock.holder_of(out) is None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_temporary_server_dies_with_a_killed_run(inbox: Path, tmp_path: Path) -> None:
    """After ``kill -9`` of ``sverka run`` its Prefect server is gone too."""
    run = _sverka(["run", "--inbox", str(inbox), "--out", str(tmp_path / "out")], None)
    children: list[int] = []

    def server_started() -> bool:
        children[:] = _children(run.pid)
        return bool(children)

    _wait_for(server_started)
    run.send_signal(signal.SIGKILL)
    run.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in children), timeout=15)


def test_an_output_path_that_is_a_file_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out`` naming a file is one Russian line and exit 2, before anything is read."""
    target = tmp_path / "out.txt"
    target.write_text("x", encoding="utf-8")
    assert cli.main(["run", "--inbox", str(ROOT / "inbox"), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"sverka: папка результатов {target} — это файл, а не папка"


def test_an_unexpected_failure_leaves_a_log_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash writes its traceback under ``out/logs`` and one Russian line to the terminal."""

    def broken(args: object) -> int:
        raise RuntimeError("диск отвалился")

    monkeypatch.setattr(cli, "_run", broken)
    out = tmp_path / "out"
    assert cli.main(["run", "--inbox", str(ROOT / "inbox"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "проверка не завершилась" in err
    (log,) = (out / "logs").iterdir()
    assert "RuntimeError: диск отвалился" in log.read_text(encoding="utf-8")
    assert str(log) in err

"""The Prefect flow end to end, and the ``sverka`` command line."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from docx import Document
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

from checks.findings import CONTRACT_FIELDS
from flows.cli import main
from flows.pipeline import ARTIFACT_KEY, TABLE_ARTIFACT_KEY, reconcile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A throwaway Prefect server and database for the flow tests."""
    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """The sample inbox plus a broken file, a CSV and an Excel lock file."""
    folder = tmp_path / "inbox"
    shutil.copytree(ROOT / "inbox", folder, ignore=shutil.ignore_patterns(".*"))
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "report.csv").write_text("Канал;Итого\nКонтакт-центр;5\n", encoding="utf-8")
    (folder / "~$seed-000-lugansk-2025.xlsx").write_bytes(b"\x00lock")
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.mark.usefixtures("prefect_server")
def test_flow_end_to_end(inbox: Path, tmp_path: Path) -> None:
    """One run reads every file, writes the worklist and tables, and leaves the inbox as it was."""
    before = _digests(inbox)
    out = tmp_path / "out"
    template = tmp_path / "letter.txt"
    template.write_text("# Письмо для {{ organisation or file }}\n", encoding="utf-8")
    summary = reconcile(inbox=str(inbox), out=str(out), letter_template=str(template))
    assert _digests(inbox) == before
    assert summary.files == 6
    assert summary.waivers_file == ""
    with (out / "discrepancies.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0])[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    unreadable = {r["submission"] for r in rows if r["rule"] == "file-unreadable"}
    assert unreadable == {"broken.xlsx", "report.csv"}
    assert summary.written.counts == {
        "error": sum(r["severity"] == "error" for r in rows),
        "warning": sum(r["severity"] == "warning" for r in rows),
        "info": sum(r["severity"] == "info" for r in rows),
        "waived": 0,
    }
    assert {r["status"] for r in rows} == {"open"}
    assert sorted(p.name for p in (out / "annotated").iterdir()) == sorted(
        n for n in before if n.startswith("seed-")
    )
    assert summary.written.counts["error"] == 5
    figures = pd.read_parquet(out / "validated" / "figures")
    assert set(figures["status"]) == {"ok", "flagged"}
    submissions = pd.read_csv(out / "validated" / "submissions.csv")
    assert sorted(submissions["submission"]) == sorted(
        before.keys() - {"~$seed-000-lugansk-2025.xlsx"}
    )
    assert not list(out.rglob("*.tmp"))
    letters = {p.relative_to(out).as_posix() for p in (out / "letters").iterdir()}
    assert letters == set(summary.written.letters.values())
    assert "letters/seed-000-lugansk-2025.docx" in letters
    heading = Document(str(out / "letters" / "seed-000-lugansk-2025.docx")).paragraphs[0].text
    assert heading == "Письмо для Энергосбыт (Луганск)"
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
    markdown = [a for a in artifact if a.key == ARTIFACT_KEY]
    assert markdown
    assert "| total |" in str(markdown[0].data)
    table = [a for a in artifact if a.key == TABLE_ARTIFACT_KEY]
    assert table
    assert "total-grand" in str(table[0].data)
    assert (out / "data_docs" / "index.html").exists()
    assert 'href="data_docs/index.html"' in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("prefect_server")
def test_parallel_chunks_write_what_a_serial_read_writes(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading in chunk tasks at once, then from the cache, equals one serial pass."""
    from checks.batch import validate
    from checks.inbox import openable, read_inbox
    from checks.outputs import write_outputs
    from flows import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_FILES", 2)  # four chunks for the seven files
    monkeypatch.setattr("checks.batch.PART_SUBMISSIONS", 2)
    out = tmp_path / "out"
    reconcile(inbox=str(inbox), out=str(out))
    subs = read_inbox(inbox, isolate=False)
    serial = tmp_path / "serial"
    write_outputs(validate(subs), serial, openable(subs))
    for name in ("discrepancies.csv", "validated/submissions.csv", "validated/schedules.csv"):
        assert (out / name).read_bytes() == (serial / name).read_bytes(), name
    flow_figures = pd.read_parquet(out / "validated" / "figures")
    serial_figures = pd.read_parquet(serial / "validated" / "figures")
    keys = ["submission", "sheet", "cell"]
    pd.testing.assert_frame_equal(
        flow_figures.sort_values(keys).reset_index(drop=True),
        serial_figures.sort_values(keys).reset_index(drop=True),
    )
    # Every file from the cache, every result kept, every figures part linked from the last
    # run, every letter made from its kept form.
    again = reconcile(inbox=str(inbox), out=str(out))
    assert again.written.figures_taken > 0
    assert again.written.letters_taken == len(again.written.letters) > 0
    for name in (
        "discrepancies.csv",
        "validated/submissions.csv",
        "validated/schedules.csv",
        "validated/measures.csv",
        "validated/figures.csv",
    ):
        assert (out / name).read_bytes() == (serial / name).read_bytes(), name
    assert sorted(p.name for p in (out / "annotated").iterdir()) == sorted(
        p.name for p in (serial / "annotated").iterdir()
    )


def test_cli_help_explains_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    """``sverka run --help`` explains what a run does, and exits 0."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    assert exit_info.value.code == 0
    assert "список замечаний" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [pytest.param(["bogus"], id="unknown-command"), pytest.param([], id="no-command")],
)
def test_cli_usage_error_exits_2(argv: list[str]) -> None:
    """A usage error exits with status 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_cli_missing_inbox_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing inbox folder is a usage error, said plainly."""
    assert main(["run", "--inbox", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "папка входящих не найдена" in capsys.readouterr().err


def test_cli_run_prints_where_the_worklist_is(inbox: Path, tmp_path: Path) -> None:
    """``sverka run`` exits 0 with findings, says where the worklist is, and which waivers apply."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A waivers file in the folder the command runs from is not picked up.
    (elsewhere / "waivers.csv").write_text("fingerprint,reason\nxyz,?\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"Список замечаний: {out / 'discrepancies.csv'}" in done.stdout
    with (out / "discrepancies.csv").open(encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.DictReader(handle))
    severities = [row["severity"] for row in listed]
    assert not [row for row in listed if row["submission"] == "waivers.csv"]
    counts = [severities.count(s) for s in ("error", "warning", "info")]
    assert counts[0] == 5
    line = "Замечаний: ошибок {}, предупреждений {}, сведений {}, снято исключениями 0".format(
        *counts
    )
    assert line in done.stdout
    assert f"Исключения: {tmp_path / 'waivers.csv'} (файла нет — исключений нет)" in done.stdout
    assert "Traceback" not in done.stderr
    assert "database is locked" not in done.stderr


def test_cli_serve_registers_the_nightly_schedule(tmp_path: Path) -> None:
    """``sverka serve`` starts a local server, registers the cron deployment, stops on SIGTERM."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    command = [
        sys.executable,
        "-m",
        "flows.cli",
        "serve",
        "--inbox",
        str(ROOT / "inbox"),
        "--out",
        str(tmp_path / "out"),
        "--cron",
        "30 3 * * *",
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline(), server.stdout.readline()]
        assert lines[1].startswith("Prefect: http://127.0.0.1:"), lines
        api = lines[1].split()[1] + "/api"
        deployment = None
        deadline = time.monotonic() + 120
        while deployment is None and time.monotonic() < deadline:
            answer = httpx.get(f"{api}/deployments/name/sverka/sverka-nightly", timeout=5)
            deployment = answer.json() if answer.status_code == 200 else None
            time.sleep(1)
        assert deployment is not None
        schedule = deployment["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == ("30 3 * * *", "Europe/Moscow")
        assert deployment["parameters"]["inbox"] == str(ROOT / "inbox")
        assert deployment["parameters"]["settle_seconds"] == 60
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=60)
    assert server.returncode == 0, stderr


@pytest.mark.parametrize(
    ("argv", "settle"),
    [
        pytest.param(["run"], 0, id="run-reads-everything"),
        pytest.param(["serve"], 60, id="serve-waits-a-minute"),
        pytest.param(["run", "--settle-seconds", "5"], 5, id="given"),
    ],
)
def test_cli_settle_seconds_default_by_command(argv: list[str], settle: float) -> None:
    """A fresh file waits on a schedule by default, never on a run now unless asked."""
    from flows.cli import _parser

    assert _parser().parse_args(argv).settle_seconds == settle

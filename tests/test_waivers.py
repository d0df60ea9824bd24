"""Waivers and fingerprints: a decided finding is not shown again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from checks.batch import BatchResult, WaiverInput, validate
from checks.reader import read_submission
from checks.waivers import add, load
from flows.cli import main
from tests.builders import submission

TODAY = dt.date(2026, 3, 1)
APPEALS = [["Канал", "Север", "Итого"], ["Контакт-центр", 10, 11], ["Всего", 10, 10]]


def run(*paths: Path, waivers: Path | None = None) -> BatchResult:
    """Validate the files as one batch with the waivers file, if any."""
    waiving = None
    if waivers is not None:
        read, problems = load(waivers)
        waiving = WaiverInput(read, problems, waivers.name, TODAY)
    return validate([read_submission(p) for p in paths], waivers=waiving)


def finding(result: BatchResult, rule: str) -> dict[str, Any]:
    """The one finding of a rule."""
    rows = result.findings[result.findings["rule"] == rule].to_dict("records")
    assert len(rows) == 1, rows
    return {str(k): v for k, v in rows[0].items()}


def test_fingerprint_ignores_file_name_and_cell(tmp_path: Path) -> None:
    """The same finding in a renamed file, moved down a row, keeps its fingerprint."""
    first = submission(tmp_path / "first.xlsx", appeals=APPEALS)
    moved = submission(tmp_path / "second.xlsx", appeals=[[None], *APPEALS])
    one = finding(run(first), "total-row")
    two = finding(run(moved), "total-row")
    assert (one["cell"], two["cell"]) == ("C2", "C3")
    assert one["fingerprint"] == two["fingerprint"]


def test_waiver_holds_across_reruns_and_resubmission(tmp_path: Path) -> None:
    """A waived finding stays waived on a rerun and in a corrected file of the same year."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    fp = finding(run(path), "total-row")["fingerprint"]
    waivers = tmp_path / "waivers.csv"
    add(waivers, fingerprint=fp, reason="так в документе", by="Иванова", until=None, today=TODAY)
    for _ in range(2):
        result = run(path, waivers=waivers)
        assert finding(result, "total-row")["status"] == "waived"
    fixed_elsewhere = [[None], *APPEALS[:2], ["Всего", 10, 11]]
    again = submission(tmp_path / "report-v2.xlsx", appeals=fixed_elsewhere)
    result = run(again, waivers=waivers)
    waived = finding(result, "total-row")
    assert (waived["status"], waived["waived_by"], waived["cell"]) == ("waived", "Иванова", "C3")


def test_waived_finding_does_not_flag_its_figure(tmp_path: Path) -> None:
    """A waived finding is counted apart and leaves its figure ``ok``."""
    # One row's Итого off, the grand total agreeing with it: two roots, no culprit.
    appeals = [["Канал", "Север", "Итого"], ["Контакт-центр", 10, 11], ["Всего", 10, 11]]
    path = submission(tmp_path / "report.xlsx", appeals=appeals)
    fp = finding(run(path), "total-row")["fingerprint"]
    waivers = tmp_path / "waivers.csv"
    add(waivers, fingerprint=fp, reason="принято", by="Петров", until=None, today=TODAY)
    result = run(path, waivers=waivers)
    figure = result.figures[result.figures["cell"] == "C2"]
    assert list(figure["status"]) == ["ok"]
    row = result.submissions.iloc[0]
    assert (row["waived"], row["errors"]) == (1, 1)


def test_expired_waiver_stops_applying(tmp_path: Path) -> None:
    """After its last day a waiver no longer applies, and an info finding says so."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    fp = finding(run(path), "total-row")["fingerprint"]
    waivers = tmp_path / "waivers.csv"
    add(
        waivers,
        fingerprint=fp,
        reason="до сдачи",
        by="Иванова",
        until=dt.date(2026, 2, 28),
        today=dt.date(2026, 1, 1),
    )
    result = run(path, waivers=waivers)
    assert finding(result, "total-row")["status"] == "open"
    expired = finding(result, "waiver-expired")
    assert (expired["submission"], expired["cell"], expired["severity"]) == (
        "waivers.csv",
        "A2",
        "info",
    )


def test_waiver_matching_nothing_is_reported(tmp_path: Path) -> None:
    """A waiver whose finding is gone is reported as info, so the file does not rot."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    waivers = tmp_path / "waivers.csv"
    add(
        waivers,
        fingerprint="0123456789abcdef",
        reason="старое",
        by="Иванова",
        until=None,
        today=TODAY,
    )
    result = run(path, waivers=waivers)
    assert "старое" in finding(result, "waiver-unmatched")["message"]


def test_waivers_file_is_excel_ready_and_either_separator_reads(tmp_path: Path) -> None:
    """A new file has a BOM and ``;``; a hand-made file with ``,`` reads too; bad rows are told."""
    written = tmp_path / "waivers.csv"
    add(
        written,
        fingerprint="0123456789ABCDEF",
        reason="причина",
        by="Иванова",
        until=None,
        today=TODAY,
    )
    assert written.read_bytes().startswith(b"\xef\xbb\xbffingerprint;reason;by;date;until")
    by_hand = tmp_path / "by-hand.csv"
    by_hand.write_text(
        "fingerprint,reason,by,date,until\n"
        "0123456789abcdef,причина,Петров,01.02.2026,31.12.2026\n"
        "xyz,причина,Петров,2026-02-01,\n",
        encoding="utf-8",
    )
    waivers, problems = load(by_hand)
    assert [(w.fingerprint, w.until) for w in waivers] == [
        ("0123456789abcdef", dt.date(2026, 12, 31))
    ]
    assert [(p.rule, p.cell) for p in problems] == [("waiver-invalid", "A3")]


def test_waive_command_checks_the_worklist(tmp_path: Path, capsys: Any) -> None:
    """``sverka waive`` refuses a fingerprint not in the worklist and writes a known one."""
    out = tmp_path / "out"
    out.mkdir()
    pd.DataFrame(
        [{"fingerprint": "0123456789abcdef", "submission": "a.xlsx", "message": "Всего 1 ≠ 2."}]
    ).to_csv(out / "discrepancies.csv", index=False)
    waivers = tmp_path / "waivers.csv"
    common = [
        "--reason",
        "принято",
        "--by",
        "Иванова",
        "--out",
        str(out),
        "--waivers",
        str(waivers),
    ]
    assert main(["waive", "fedcba9876543210", *common]) == 2
    assert not waivers.exists()
    assert main(["waive", "0123456789abcdef", *common]) == 0
    assert "Всего 1 ≠ 2." in capsys.readouterr().out
    assert [w.fingerprint for w in load(waivers)[0]] == ["0123456789abcdef"]

"""Waivers and fingerprints: a decided finding is not shown again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

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


@pytest.mark.parametrize(
    ("later_until", "status", "about"),
    [
        pytest.param(None, "waived", ["waiver-conflict"], id="later-in-force"),
        pytest.param(
            dt.date(2026, 2, 1), "open", ["waiver-conflict", "waiver-expired"], id="later-expired"
        ),
    ],
)
def test_latest_dated_decision_wins(
    tmp_path: Path, later_until: dt.date | None, status: str, about: list[str]
) -> None:
    """Of two rows for one finding the later date holds, and the run says which row."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    fp = finding(run(path), "total-row")["fingerprint"]
    waivers = tmp_path / "waivers.csv"
    # The later decision is written first: the date decides, not the order of rows.
    add(
        waivers,
        fingerprint=fp,
        reason="пересмотрено",
        by="Петров",
        until=later_until,
        today=dt.date(2026, 1, 20),
    )
    add(
        waivers,
        fingerprint=fp,
        reason="первое решение",
        by="Иванова",
        until=dt.date(2026, 12, 31),
        today=dt.date(2026, 1, 10),
    )
    result = run(path, waivers=waivers)
    assert finding(result, "total-row")["status"] == status
    told = result.findings[result.findings["submission"] == "waivers.csv"]
    assert sorted(told["rule"]) == about
    assert set(told["cell"]) == {"A2"}
    conflict = finding(result, "waiver-conflict")["message"]
    assert "несколько строк (2, 3): действует строка 2 (Петров, 20.01.2026)" in conflict


def waive_args(out: Path, *extra: str) -> list[str]:
    """The ``sverka waive`` arguments for a known finding, with a reason and a name."""
    return ["waive", "0123456789abcdef", "--reason", "принято", "--by", "Иванова",
            "--out", str(out), *extra]  # fmt: skip


def worklist_of(out: Path) -> Path:
    """Write a one-finding worklist, with a BOM, as a run writes it."""
    out.mkdir(parents=True)
    pd.DataFrame(
        [
            {
                "submission": "a.xlsx",
                "sheet": "Обращения",
                "cell": "B5",
                "message": "Всего 1 ≠ 2.",
                "fingerprint": "0123456789abcdef",
            }
        ]
    ).to_csv(out / "discrepancies.csv", index=False, encoding="utf-8-sig")
    return out


def test_waive_refuses_without_a_worklist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no worklist in ``--out`` nothing is written: exit 2 and a Russian reason."""
    monkeypatch.chdir(tmp_path)
    assert main(waive_args(tmp_path / "outputs")) == 2
    error = capsys.readouterr().err
    assert "исключение не записано: списка замечаний" in error
    assert "sverka run" in error
    assert list(tmp_path.iterdir()) == []


def test_waive_writes_beside_the_output_folder_not_in_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default waivers file is ``<out>/../waivers.csv``, wherever the command runs from."""
    out = worklist_of(tmp_path / "data" / "outputs")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(waive_args(out)) == 0
    said = capsys.readouterr()
    assert "Замечание: a.xlsx, Обращения, B5: Всего 1 ≠ 2." in said.out
    assert "останется в списке с пометкой «снято»" in said.out
    assert said.err == ""
    assert [w.fingerprint for w in load(tmp_path / "data" / "waivers.csv")[0]] == [
        "0123456789abcdef"
    ]
    assert list(elsewhere.iterdir()) == []


def test_waive_warns_on_a_duplicate_and_a_past_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same waiver twice is not written again; another decision is, with a warning."""
    out = worklist_of(tmp_path / "outputs")
    waivers = tmp_path / "waivers.csv"
    assert main(waive_args(out)) == 0
    capsys.readouterr()
    assert main(waive_args(out)) == 0
    assert "такое же исключение уже есть" in capsys.readouterr().err
    assert len(load(waivers)[0]) == 1
    assert main(waive_args(out, "--until", "01.01.2020")) == 0
    error = capsys.readouterr().err
    assert "уже есть строки: 2; действует строка 3" in error
    assert "срок 01.01.2020 уже прошёл: исключение не действует" in error
    assert [w.row for w in load(waivers)[0]] == [2, 3]


def test_waive_speaks_english_with_lang_en(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--lang en`` gives the command's own lines in English."""
    assert main(waive_args(tmp_path / "outputs", "--lang", "en")) == 2
    assert "no waiver written: there is no worklist" in capsys.readouterr().err

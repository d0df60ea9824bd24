"""The four seed reports, transcribed faithfully, as a careful reader sees them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from checks.batch import BatchResult, validate
from checks.inbox import read_inbox

ROOT = Path(__file__).resolve().parent.parent
INBOX = ROOT / "inbox"
LUGANSK = "seed-000-lugansk-2025.xlsx"
DONETSK = "seed-001-donetsk-2024.xlsx"
TYUMEN = "seed-002-tyumen-2025.xlsx"
VOSTOK = "seed-003-vostok-2023.xlsx"


@pytest.fixture(scope="module")
def result() -> BatchResult:
    """The sample inbox validated as one batch."""
    return validate(read_inbox(INBOX))


def test_shipped_inbox_is_what_the_script_writes(tmp_path: Path) -> None:
    """The sample inbox is exactly the output of ``scripts/make_seed_inbox.py``."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_seed_inbox.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    written = {p.name: p.read_bytes() for p in tmp_path.glob("*.xlsx")}
    shipped = {p.name: p.read_bytes() for p in INBOX.glob("*.xlsx")}
    assert written == shipped


def test_seed_findings(result: BatchResult) -> None:
    """Exactly the inconsistencies the documents hold are found, and nothing else."""
    f = result.findings
    found = set(zip(f["submission"], f["sheet"], f["cell"], f["rule"], f["severity"], strict=True))
    two_part = {(DONETSK, "Время", f"{column}2", "time-two-part", "warning") for column in "DE"}
    assert found == {
        (LUGANSK, "Обращения", "B5", "total-grand", "error"),
        (LUGANSK, "Режим работы", "B4", "norm-schedule", "warning"),
        (LUGANSK, "Мероприятия", "C2", "measures-when-missing", "warning"),
        *two_part,
        (DONETSK, "Режим работы", "B4", "norm-schedule", "warning"),
        (DONETSK, "Мероприятия", "C2", "measures-when-missing", "warning"),
        (TYUMEN, "Обращения", "", "sheet-missing", "info"),
        (TYUMEN, "Жалобы", "B4", "share-unverifiable", "warning"),
        (VOSTOK, "Обращения", "G6", "total-group", "error"),
        (VOSTOK, "Обращения", "G8", "total-grand", "error"),
        (VOSTOK, "Жалобы", "", "sheet-missing", "info"),
        (VOSTOK, "Режим работы", "B4", "schedule-unreadable", "warning"),
        (VOSTOK, "Мероприятия", "", "sheet-missing", "info"),
    }


def test_seed_norm_schedule_and_measures_messages(result: BatchResult) -> None:
    """The service findings quote the standard, the hours read and the text that failed."""
    f = result.findings
    picked = f[f["family"].isin(["norm", "schedule", "measures"])]
    assert list(zip(picked["submission"], picked["message"], strict=True)) == [
        (
            LUGANSK,
            "Контакт-центр: часы обслуживания по телефону в рабочий день — 9 ч в пн, вт, ср, "
            "чт, пт, а по стандарту «Стандарт качества обслуживания клиентов (2021)» — "
            "не меньше 10 ч.",
        ),
        (
            LUGANSK,
            "Не указан срок мероприятия ни у одного из 17 мероприятий: нужен квартал, "
            "«ежемесячно», «ежеквартально» или «в течение года».",
        ),
        (
            DONETSK,
            "Контакт-центр: часы обслуживания по телефону в рабочий день — 9 ч в пн, вт, ср, "
            "чт, пт, а по стандарту «Стандарт качества обслуживания клиентов (2021)» — "
            "не меньше 10 ч.",
        ),
        (
            DONETSK,
            "Не указан срок мероприятия ни у одного из 17 мероприятий: нужен квартал, "
            "«ежемесячно», «ежеквартально» или «в течение года».",
        ),
        (
            VOSTOK,
            "Режим работы «Очное обслуживание» не прочитан: «до последнего клиента» — "
            "нет часа закрытия.",
        ),
    ]


def test_seed_schedules_read_into_hours(result: BatchResult) -> None:
    """Every seed schedule is read into weekly hours, or flagged with the reason."""
    table = result.schedules
    read = table[table["read"]]
    tyumen = read[(read["submission"] == TYUMEN) & (read["channel"] == "Контакт-центр")]
    assert (float(tyumen["hours_week_min"].iloc[0]), float(tyumen["hours_week_max"].iloc[0])) == (
        80.0,
        91.0,
    )
    assert bool(tyumen["holidays_noted"].iloc[0])
    unread = table[~table["read"]]
    assert list(zip(unread["submission"], unread["channel"], strict=True)) == [
        (VOSTOK, "Очное обслуживание")
    ]


def test_seed_measures_listed_with_validity(result: BatchResult) -> None:
    """Measures go to the validated tables per organisation and year, their Срок judged."""
    m = result.measures
    tyumen = m[m["submission"] == TYUMEN]
    assert len(tyumen) == 22
    assert tyumen["when_valid"].all()
    assert not m[m["submission"] == LUGANSK]["when_valid"].any()


def test_seed_messages_carry_the_figures(result: BatchResult) -> None:
    """The error messages give the stated total, the sum and its parts."""
    errors = result.findings[result.findings["severity"] == "error"]
    assert list(errors["message"]) == [
        "Всего 1 175 168 ≠ сумма каналов 5 178 765: Итого очные 948 109 + Итого заочные "
        "167 212 + Итого автоматизированные 4 063 444 (разница −4 003 597).",
        "Итого заочные 1 195 866 ≠ сумма каналов 1 271 849: Онлайн-ЦОК 71 050 + "
        "Контакт-центр 1 195 866 + Социальные сети 4 933 (разница −75 983).",
        "Всего 2 941 192 ≠ сумма каналов 2 946 125: Очное обслуживание 796 601 + Онлайн-ЦОК "
        "71 050 + Контакт-центр 1 195 866 + Социальные сети 4 933 + IVR 877 675 "
        "(разница −4 933).",
    ]
    assert list(errors["expected"]) == ["5178765", "1271849", "2946125"]
    assert list(errors["actual"]) == ["1175168", "1195866", "2941192"]


def test_seed_figures_keep_their_source_cells(result: BatchResult) -> None:
    """Every figure read names its file, sheet and cell; text counts read as numbers."""
    figures = result.figures
    vostok = figures[(figures["submission"] == VOSTOK) & (figures["sheet"] == "Обращения")]
    cell = vostok[(vostok["channel"] == "Очное обслуживание") & (vostok["territory"] == "Итого")]
    assert list(zip(cell["cell"], cell["stated"], cell["value"], strict=True)) == [
        ("G2", "796 601", 796601.0)
    ]
    flagged = figures[figures["status"] == "flagged"]
    assert set(zip(flagged["submission"], flagged["cell"], flagged["rules"], strict=True)) >= {
        (VOSTOK, "G6", "total-group"),
        (VOSTOK, "G8", "total-grand"),
    }
    assert not pd.isna(figures["value"]).all()


def test_seed_submissions_table(result: BatchResult) -> None:
    """The submissions table names each file's organisation, year and counts."""
    table = result.submissions.set_index("submission")
    assert table.loc[VOSTOK, "organisation"] == "Энергосбытовая компания «Восток»"
    assert table.loc[VOSTOK, "year"] == 2023
    assert (table.loc[VOSTOK, "errors"], table.loc[DONETSK, "warnings"]) == (2, 4)
    assert all(len(sha) == 64 for sha in table["sha256"])

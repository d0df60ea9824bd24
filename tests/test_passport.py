"""Family ``passport``: who submitted, for which year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.builders import check, messages, submission


def passport(**values: Any) -> list[list[Any]]:
    """Build a passport: valid by default, a key set to ``...`` is left out."""
    base: dict[str, Any] = {
        "Организация": "АО «Тест»",
        "ИНН": "7707083893",
        "Отчетный год": 2025,
        "Дата представления": dt.datetime(2026, 2, 15),
    }
    base.update({k.replace("_", " "): v for k, v in values.items()})
    return [[k, v] for k, v in base.items() if v is not ...]


CASES = [
    pytest.param({}, [], id="valid"),
    pytest.param({"ИНН": 7707083893}, [], id="inn-as-number"),
    pytest.param({"ИНН": 500100732259}, [], id="inn-12-digits"),
    pytest.param({"ИНН": "7707083894"}, [("Паспорт", "B2", "passport-inn")], id="inn-check-digit"),
    pytest.param({"ИНН": "77070838"}, [("Паспорт", "B2", "passport-inn")], id="inn-length"),
    pytest.param({"ИНН": ...}, [], id="inn-optional"),
    pytest.param(
        {"Организация": ...}, [("Паспорт", "", "passport-required")], id="no-organisation"
    ),
    pytest.param(
        {"Организация": None}, [("Паспорт", "B1", "passport-required")], id="empty-organisation"
    ),
    pytest.param({"Отчетный год": ...}, [("Паспорт", "", "passport-required")], id="no-year"),
    pytest.param({"Отчетный год": 1999}, [("Паспорт", "B3", "passport-year")], id="year-too-early"),
    pytest.param({"Отчетный год": "2025"}, [], id="year-as-text"),
    pytest.param(
        {"Отчетный год": "двадцать пятый"}, [("Паспорт", "B3", "passport-year")], id="year-words"
    ),
    pytest.param({"Дата представления": "15.02.2026"}, [], id="date-as-text"),
    pytest.param(
        {"Дата представления": "вчера"}, [("Паспорт", "B4", "passport-date")], id="date-unreadable"
    ),
]


@pytest.mark.parametrize(("values", "expected"), CASES)
def test_passport(
    tmp_path: Path, values: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    """The passport names the organisation and a valid year; an INN has valid check digits."""
    path = submission(tmp_path / "s.xlsx", passport=passport(**values))
    assert check(path) == expected


def test_english_keys(tmp_path: Path) -> None:
    """The passport's keys may be written with their English aliases."""
    rows = [["Organization", "Test JSC"], ["INN", "7707083893"], ["Reporting year", 2025]]
    path = submission(tmp_path / "s.xlsx", passport=rows)
    assert check(path) == []


def test_inn_message_says_what_is_wrong(tmp_path: Path) -> None:
    """The INN finding says whether the length or the check digit is wrong."""
    path = submission(tmp_path / "s.xlsx", passport=passport(ИНН="7707083894"))
    assert messages(path) == ["ИНН «7707083894» неверен: не сходится контрольная цифра."]

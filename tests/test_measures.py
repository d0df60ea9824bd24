"""Family ``measures``: the year's improvement measures and their ``Срок``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks.rules.measures import when_valid
from tests.builders import check, messages, submission

HEADER = ["Раздел", "Мероприятие", "Срок"]


@pytest.mark.parametrize(
    ("when", "valid"),
    [
        ("1 квартал", True),
        ("4 квартал", True),
        ("1-2 кварталы", True),
        ("2–3 кварталы", True),
        ("ежемесячно", True),
        ("Ежеквартально", True),
        ("в течение года", True),
        ("5 квартал", False),
        ("3-2 кварталы", False),
        ("2025", False),
        ("до конца года", False),
    ],
)
def test_when_vocabulary(when: str, valid: bool) -> None:
    """Only the contract's quarters, ranges of quarters and words are valid terms."""
    assert when_valid(when) is valid


CASES = [
    pytest.param([["Сервис", "Обновлен сайт", "2 квартал"]], [], id="valid"),
    pytest.param(
        [["Сервис", "Обновлен сайт", "летом"]],
        [("Мероприятия", "C2", "measures-when-invalid")],
        id="term-outside-vocabulary",
    ),
    pytest.param(
        [["Сервис", "Обновлен сайт", "2 квартал"], ["Сервис", "Запущен чат", None]],
        [("Мероприятия", "C3", "measures-when-missing")],
        id="one-term-missing",
    ),
    pytest.param(
        [["Сервис", None, "3 квартал"]],
        [("Мероприятия", "B2", "measures-text-missing")],
        id="no-measure-text",
    ),
    pytest.param(
        [["Сервис", "Обновлен сайт", None], ["Сервис", "Запущен чат", None]],
        [("Мероприятия", "C2", "measures-when-missing")],
        id="no-term-anywhere-one-finding",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_measures(tmp_path: Path, rows: list[list[Any]], expected: list[Any]) -> None:
    """Each measure has a text and a term from the contract's vocabulary."""
    path = submission(tmp_path / "s.xlsx", measures=[HEADER, *rows])
    assert check(path) == expected


def test_no_term_anywhere_message_counts_the_measures(tmp_path: Path) -> None:
    """When no measure has a term, one warning says how many lack it."""
    rows = [HEADER, ["Сервис", "Обновлен сайт", None], ["Сервис", "Запущен чат", None]]
    path = submission(tmp_path / "s.xlsx", measures=rows)
    assert messages(path) == [
        "Не указан срок мероприятия ни у одного из 2 мероприятий: нужен квартал, «ежемесячно», "
        "«ежеквартально» или «в течение года»."
    ]

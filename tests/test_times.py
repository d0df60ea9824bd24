"""Families ``time-format``, ``time-sum``, ``average`` and ``completeness`` on ``Время``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from checks import vocab
from tests.builders import check, messages, submission

HEADER = ["Период", "Канал", "Территория", "Ожидание", "Обслуживание", "Обращений"]
CONSULT, CASH, BOTH = vocab.TC_CONSULT, vocab.TC_CASH, vocab.TC_COMBINED


def times(*rows: list[Any]) -> list[list[Any]]:
    """Build a ``Время`` sheet under the full header."""
    return [HEADER, *rows]


def year_of(channel: str, waiting: list[str], counts: list[Any] | None = None) -> list[list[Any]]:
    """Twelve monthly rows of one channel."""
    counts = counts or [None] * 12
    return [
        [month, channel, None, w, None, n]
        for month, w, n in zip(vocab.MONTHS, waiting, counts, strict=True)
    ]


FORMAT_CASES = [
    pytest.param(
        ["Год", "Контакт-центр", None, "0:01:11", "2 минуты", None], [], id="hms-and-words"
    ),
    pytest.param(
        ["Год", "Контакт-центр", None, dt.time(0, 1, 11), None, None], [], id="excel-time"
    ),
    pytest.param(
        ["Год", "Контакт-центр", None, "полторы минуты", None, None],
        [("Время", "D2", "time-unparsed")],
        id="words-not-read",
    ),
    pytest.param(
        ["Год", "Контакт-центр", None, 5, None, None],
        [("Время", "D2", "time-unparsed")],
        id="bare-number-has-no-unit",
    ),
    pytest.param(
        ["Год", "Контакт-центр", None, "-0:01:00", None, None],
        [("Время", "D2", "time-out-of-range")],
        id="negative",
    ),
    pytest.param(
        ["Год", "Очное обслуживание", None, "25:00:00", None, None],
        [("Время", "D2", "time-out-of-range")],
        id="a-day-on-the-spot",
    ),
    pytest.param(
        ["Год", "Письменные обращения", None, None, "от 3 до 30 дней", None],
        [],
        id="days-for-written",
    ),
    pytest.param(
        ["Год", "Онлайн-ЦОК", None, None, "от 1 до 2 дней", None],
        [("Время", "E2", "time-out-of-range")],
        id="days-on-the-spot",
    ),
    pytest.param(
        ["Квартал", "Контакт-центр", None, "0:01:00", None, None],
        [("Время", "A2", "period-invalid")],
        id="period-not-a-month",
    ),
    pytest.param(
        ["Год", "Телепатия", None, "0:01:00", None, None],
        [("Время", "B2", "label-unknown")],
        id="channel-not-in-list",
    ),
    pytest.param(
        ["Год", "Контакт-центр", None, None, None, 12.5],
        [("Время", "F2", "count-invalid")],
        id="fractional-count",
    ),
]


@pytest.mark.parametrize(("row", "expected"), FORMAT_CASES)
def test_time_format(tmp_path: Path, row: list[Any], expected: list[tuple[str, str, str]]) -> None:
    """Every duration reads, and is plausible for its channel."""
    path = submission(tmp_path / "s.xlsx", times=times(row))
    assert check(path) == expected


def test_two_part_text_among_three_part_is_flagged(tmp_path: Path) -> None:
    """Two-part ``м:сс`` in a column of ``ч:мм:сс`` gets a warning saying how it was read."""
    rows = times(
        ["Год", "Контакт-центр", None, "2:01", None, None],
        ["Год", "Очное обслуживание", None, "0:07:31", None, None],
    )
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert check(path) == [("Время", "D2", "time-two-part")]
    assert "«2:01» — это 0:02:01" in messages(path)[0]


def test_two_part_text_alone_is_not_flagged(tmp_path: Path) -> None:
    """A column written only as ``м:сс`` reads without a warning."""
    path = submission(
        tmp_path / "s.xlsx", times=times(["Год", "Контакт-центр", None, "2:01", None, None])
    )
    assert check(path) == []


SUM_CASES = [
    pytest.param(("0:07:31", "0:04:59", "0:12:30"), [], id="exact"),
    pytest.param(("0:07:31", "0:04:59", "0:12:31"), [], id="within-a-second"),
    pytest.param(
        ("0:07:31", "0:04:59", "0:12:40"), [("Время", "D4", "time-sum-mismatch")], id="off"
    ),
]


@pytest.mark.parametrize(("values", "expected"), SUM_CASES)
def test_time_sum(
    tmp_path: Path, values: tuple[str, str, str], expected: list[tuple[str, str, str]]
) -> None:
    """The combined in-person row equals consultation plus cash operation, within 1 s."""
    consult, cash, both = values
    rows = times(
        ["Год", CONSULT, None, consult, "0:05:00", None],
        ["Год", CASH, None, cash, "0:02:00", None],
        ["Год", BOTH, None, both, "0:07:00", None],
    )
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert check(path) == expected


def test_time_sum_message(tmp_path: Path) -> None:
    """The message gives the period, both parts and their sum."""
    rows = times(
        ["Май", CONSULT, None, "0:09:18", None, None],
        ["Май", CASH, None, "0:10:22", None, None],
        ["Май", BOTH, None, "0:19:50", None, None],
    )
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert [m for m in messages(path) if "≠" in m] == [
        "Май, ожидание: консультация и кассовая операция 0:19:50 ≠ 0:09:18 + 0:10:22 = "
        "0:19:40 (разница 0:00:10)."
    ]


WAITS = ["0:01:00"] * 6 + ["0:02:00"] * 6


@pytest.mark.parametrize(
    ("counts", "yearly", "expected"),
    [
        pytest.param([100] * 12, "0:01:30", [], id="weighted-equal-weights"),
        pytest.param([300] * 6 + [100] * 6, "0:01:15", [], id="weighted"),
        pytest.param(
            [300] * 6 + [100] * 6,
            "0:01:30",
            [("Время", "D14", "average-weighted")],
            id="weighted-off",
        ),
        pytest.param(None, "0:01:34", [], id="unweighted-within-5-percent"),
        pytest.param(
            None, "0:01:40", [("Время", "D14", "average-unweighted")], id="unweighted-off"
        ),
    ],
)
def test_yearly_average(
    tmp_path: Path, counts: list[int] | None, yearly: str, expected: list[tuple[str, str, str]]
) -> None:
    """A ``Год`` row equals the months' mean: weighted by appeals when all months give them."""
    rows = times(
        *year_of("Контакт-центр", WAITS, counts), ["Год", "Контакт-центр", None, yearly, None, None]
    )
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert check(path) == expected


def test_missing_months_each_get_a_warning(tmp_path: Path) -> None:
    """A channel reported monthly lacks months: one warning per missing month."""
    rows = times(*year_of("Контакт-центр", WAITS)[:10])
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert check(path) == [("Время", "", "month-missing"), ("Время", "", "month-missing")]
    assert messages(path) == [
        "Контакт-центр: нет данных за ноябрь.",
        "Контакт-центр: нет данных за декабрь.",
    ]


def test_period_given_twice_is_an_error(tmp_path: Path) -> None:
    """The same period, channel and territory twice is an error at the second row."""
    rows = times(
        *year_of("Контакт-центр", WAITS), ["Март", "контакт центр", None, "0:01:00", None, None]
    )
    rows[-1][1] = "Контакт-центр"
    path = submission(tmp_path / "s.xlsx", times=rows)
    assert check(path) == [("Время", "A14", "period-duplicate")]


def test_months_by_number_and_territories_apart(tmp_path: Path) -> None:
    """Months may be numbers; each territory is a series of its own."""
    rows = times(
        *[[m, "Очное обслуживание", "Север", "0:05:00", None, None] for m in range(1, 13)],
        *[[m, "Очное обслуживание", "Юг", "0:05:00", None, None] for m in range(1, 12)],
    )
    appeals = [["Канал", "Север", "Юг", "Итого"], ["Всего", 1, 1, 2]]
    path = submission(tmp_path / "s.xlsx", times=rows, appeals=appeals)
    assert check(path) == [("Время", "", "month-missing")]
    assert messages(path) == ["Очное обслуживание (Юг): нет данных за декабрь."]


def test_territory_unknown_to_appeals(tmp_path: Path) -> None:
    """A territory that ``Обращения`` does not name gets a warning."""
    rows = times(["Год", "Очное обслуживание", "Запад", "0:05:00", None, None])
    appeals = [["Канал", "Север", "Итого"], ["Всего", 1, 1]]
    path = submission(tmp_path / "s.xlsx", times=rows, appeals=appeals)
    assert check(path) == [("Время", "C2", "territory-unknown")]

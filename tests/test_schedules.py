"""Reading ``Режим работы`` texts into hours per weekday (:mod:`checks.schedules`)."""

from __future__ import annotations

import pytest

from checks.schedules import read_schedule

H = float
CASES = [
    pytest.param("Круглосуточно", [("", (24, 24, 24, 24, 24, 24, 24))], id="round-the-clock"),
    pytest.param("пн-пт с 08:00 до 17:00", [("", (9, 9, 9, 9, 9, 0, 0))], id="day-range-then-time"),
    pytest.param(
        "пн. – чт. с 08:00 до 17:00, пт.: с 08:00 до 15:45",
        [("", (9, 9, 9, 9, 7.75, 0, 0))],
        id="abbreviations-with-dots-and-en-dash",
    ),
    pytest.param(
        "Оператор: пн. – пт. с 08:00 до 17:00", [("", (9, 9, 9, 9, 9, 0, 0))], id="prefix-words"
    ),
    pytest.param("ежедневно 9:00–18:00", [("", (9, 9, 9, 9, 9, 9, 9))], id="every-day-bare-times"),
    pytest.param("будние дни с 8:00 до 17:00", [("", (9, 9, 9, 9, 9, 0, 0))], id="workdays"),
    pytest.param(
        "с 8:00 до 18:00 по будням", [("", (10, 10, 10, 10, 10, 0, 0))], id="time-then-days"
    ),
    pytest.param("пн, ср, пт с 10:00 до 14:00", [("", (4, 0, 4, 0, 4, 0, 0))], id="list-of-days"),
    pytest.param(
        "пн-пт с 08:00 до 20:00, сб с 09:00 до 15:00, вс выходной",
        [("", (12, 12, 12, 12, 12, 6, 0))],
        id="day-off",
    ),
    pytest.param(
        "будние дни с 9:00 до 18:00, в выходные дни с 10:00 до 16:00",
        [("", (9, 9, 9, 9, 9, 6, 6))],
        id="weekend-days",
    ),
    pytest.param("сб-вс с 10:00 до 14:00", [("", (0, 0, 0, 0, 0, 4, 4))], id="saturday-to-sunday"),
    pytest.param(
        "в субботу с 10:00 до 14:00", [("", (0, 0, 0, 0, 0, 4, 0))], id="day-word-in-case"
    ),
    pytest.param(
        "Ежедневно: пн. – чт. с 08:00 до 17:00 пт. с 08:00 до 15:45",
        [("", (9, 9, 9, 9, 7.75, 0, 0))],
        id="every-day-then-specific-days",
    ),
    pytest.param(
        "с 20:00 до 08:00 ежедневно", [("", (12, 12, 12, 12, 12, 12, 12))], id="past-midnight"
    ),
    pytest.param(
        "с 1 по 25 число: пн-вс с 08:00 до 21:00, с 26 числа до конца месяца: пн-пт с 08:00 "
        "до 20:00 сб-вс (праздники): с 08:00 до 18:00",
        [
            ("с 1 по 25 число", (13, 13, 13, 13, 13, 13, 13)),
            ("с 26 числа до конца месяца", (12, 12, 12, 12, 12, 10, 10)),
        ],
        id="parts-of-the-month",
    ),
    pytest.param(
        "с 8:00 до 18:00 по будням; с 15 по 25 число с 8:00 до 18:00 в будние дни, в субботу "
        "с 8:00 до 17:00, воскресенье – выходной день.",
        [("", (10, 10, 10, 10, 10, 0, 0)), ("с 15 по 25 число", (10, 10, 10, 10, 10, 9, 0))],
        id="usual-week-and-a-part",
    ),
]


@pytest.mark.parametrize(("text", "weeks"), CASES)
def test_schedule_read(text: str, weeks: list[tuple[str, tuple[float, ...]]]) -> None:
    """A schedule text reads into the hours of each weekday of each kind of week."""
    reading = read_schedule(text)
    assert reading.problems == []
    assert [(w.label, w.hours) for w in reading.weeks] == [
        (label, tuple(H(h) for h in hours)) for label, hours in weeks
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "все офисы работают по принципу «до последнего клиента»",
            ("до последнего клиента", "нет часа закрытия"),
            id="no-closing-hour",
        ),
        pytest.param("пн-пт", ("пн-пт", "не указано время работы"), id="days-without-hours"),
        pytest.param(
            "с 08:00 до 17:00",
            ("с 08:00 до 17:00", "не указаны дни недели"),
            id="hours-without-days",
        ),
        pytest.param(
            "по договорённости",
            ("по договорённости", "не найдено ни дней, ни часов работы"),
            id="nothing-to-read",
        ),
    ],
)
def test_schedule_unreadable_part(text: str, problem: tuple[str, str]) -> None:
    """A part that cannot be read is quoted with the reason; nothing is guessed."""
    assert read_schedule(text).problems == [problem]


def test_holidays_are_noted_not_counted() -> None:
    """Holidays in a schedule are noted; the hours are those of the days named."""
    reading = read_schedule("пн-пт с 9:00 до 18:00, в праздники выходной")
    assert reading.holidays
    assert [w.total for w in reading.weeks] == [45.0]


def test_week_totals() -> None:
    """A week gives its total and its Saturday-plus-Sunday hours."""
    week = read_schedule("пн-пт с 08:00 до 17:00, сб с 10:00 до 16:00").weeks[0]
    assert (week.total, week.weekend) == (51.0, 6.0)

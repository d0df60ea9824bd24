"""Cell values and labels: ``checks.values``, ``checks.text`` and lookups in ``checks.vocab``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pytest

from checks import vocab
from checks.text import fmt_decimal, fmt_int, fmt_seconds, normalize
from checks.values import (
    Parsed,
    is_not_reported,
    parse_count,
    parse_duration,
    parse_percent,
    stated_text,
)

NOT_REPORTED = [
    pytest.param(None, id="none"),
    pytest.param("", id="empty-text"),
    pytest.param("   ", id="blank-text"),
    pytest.param("-", id="hyphen"),
    pytest.param("—", id="em-dash"),
    pytest.param("н/д", id="n/a"),
    pytest.param(" н/д ", id="n/a-padded"),
]


def flat(parsed: Parsed) -> tuple[float | None, float | None, str, int | None]:
    """Flatten a parse result to ``(value, value_max, form, decimals)``."""
    return (parsed.value, parsed.value_max, parsed.form, parsed.decimals)


def is_russian(text: str) -> bool:
    """Tell whether a reason is written in Russian (holds Cyrillic letters)."""
    return re.search("[а-яё]", text, re.IGNORECASE) is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(796601, (796601.0, 796601.0, "number", None), id="int"),
        pytest.param(796601.0, (796601.0, 796601.0, "number", None), id="whole-float"),
        pytest.param("796601", (796601.0, 796601.0, "text", None), id="digits"),
        pytest.param("796 601", (796601.0, 796601.0, "text", None), id="space"),
        pytest.param("796\u00a0601", (796601.0, 796601.0, "text", None), id="nbsp"),
        pytest.param("796\u2009601", (796601.0, 796601.0, "text", None), id="thin-space"),
        pytest.param("796\u202f601", (796601.0, 796601.0, "text", None), id="narrow-nbsp"),
        pytest.param("1 195 866", (1195866.0, 1195866.0, "text", None), id="two-groups"),
        pytest.param("796601.0", (796601.0, 796601.0, "text", None), id="text-point-zero"),
        pytest.param(" 796601 ", (796601.0, 796601.0, "text", None), id="padded"),
        pytest.param(0, (0.0, 0.0, "number", None), id="zero"),
        pytest.param("0", (0.0, 0.0, "text", None), id="zero-text"),
    ],
)
def test_count_reads_number_or_grouped_text(raw: Any, expected: tuple[Any, ...]) -> None:
    """A count written as a number or as digits grouped by any space reads as the number."""
    assert flat(parse_count(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(-5, (-5.0, -5.0, "number", None), id="negative"),
        pytest.param("-5", (-5.0, -5.0, "text", None), id="negative-text"),
        pytest.param(12.5, (12.5, 12.5, "number", None), id="fractional"),
        pytest.param("12,5", (12.5, 12.5, "text", None), id="fractional-comma"),
        pytest.param("12.5", (12.5, 12.5, "text", None), id="fractional-point"),
    ],
)
def test_count_returns_negative_and_fractional_values(raw: Any, expected: tuple[Any, ...]) -> None:
    """A negative or fractional count is returned as read, for the rules to judge."""
    assert flat(parse_count(raw)) == expected


@pytest.mark.parametrize("raw", NOT_REPORTED)
def test_count_not_reported_is_empty(raw: Any) -> None:
    """An empty cell, a dash or ``н/д`` reads as not reported, with no value."""
    assert flat(parse_count(raw)) == (None, None, "empty", None)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("много", id="word"),
        pytest.param("12 шт.", id="with-unit"),
        pytest.param("12 000 / 13 000", id="two-numbers"),
        pytest.param(True, id="bool"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(dt.datetime(2025, 1, 1), id="date"),
        pytest.param(dt.time(0, 4, 24), id="time"),
    ],
)
def test_count_unreadable_is_invalid_with_russian_reason(raw: Any) -> None:
    """A cell that is not a count reads as invalid, with no value and a reason in Russian."""
    parsed = parse_count(raw)
    assert (parsed.value, parsed.value_max, parsed.form) == (None, None, "invalid")
    assert is_russian(parsed.reason)


@pytest.mark.parametrize("raw", NOT_REPORTED)
def test_not_reported_spellings(raw: Any) -> None:
    """An empty cell, ``-``, ``—`` and ``н/д`` mean not reported."""
    assert is_not_reported(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(0, id="zero"),
        pytest.param(0.0, id="zero-float"),
        pytest.param("0", id="zero-text"),
        pytest.param("796 601", id="count"),
        pytest.param(dt.time(0, 0), id="midnight"),
    ],
)
def test_zero_is_reported(raw: Any) -> None:
    """Zero, in any form, is a reported figure, not a missing one."""
    assert not is_not_reported(raw)


@pytest.mark.parametrize(
    ("raw", "number_format", "expected"),
    [
        pytest.param(0.19, "General", (0.19, 0.19, "number", 2), id="number"),
        pytest.param(0.5, "General", (0.5, 0.5, "number", 1), id="number-one-decimal"),
        pytest.param(1, "General", (1.0, 1.0, "number", 0), id="whole-number"),
        pytest.param("0,19 %", "General", (0.19, 0.19, "text", 2), id="comma-space-sign"),
        pytest.param("0,19%", "General", (0.19, 0.19, "text", 2), id="comma-sign"),
        pytest.param("0.19", "General", (0.19, 0.19, "text", 2), id="point"),
        pytest.param("0,19\u00a0%", "General", (0.19, 0.19, "text", 2), id="nbsp-sign"),
        pytest.param("0,190 %", "General", (0.19, 0.19, "text", 3), id="trailing-zero-counts"),
        pytest.param("12 %", "General", (12.0, 12.0, "text", 0), id="whole-text"),
        pytest.param(0.0019, "0.00%", (0.19, 0.19, "percent-format", 2), id="percent-format"),
        pytest.param(0.0019, "0.0%", (0.2, 0.2, "percent-format", 1), id="percent-format-1"),
        pytest.param(0.0019, "0%", (0.0, 0.0, "percent-format", 0), id="percent-format-0"),
        pytest.param(0.0015, "0.0%", (0.2, 0.2, "percent-format", 1), id="as-shown-half-up"),
        pytest.param(1.26, "0.00%", (126.0, 126.0, "percent-format", 2), id="over-100-reads"),
        pytest.param(0.19, "0.000", (0.19, 0.19, "number", 3), id="fixed-decimals"),
        pytest.param(0.19, "#,##0.00", (0.19, 0.19, "number", 2), id="grouped-format"),
        pytest.param(
            0.0019, "#,##0.00%", (0.19, 0.19, "percent-format", 2), id="grouped-percent-format"
        ),
        pytest.param(
            0.0019, "0.00%;[Red]-0.00%", (0.19, 0.19, "percent-format", 2), id="two-sections"
        ),
    ],
)
def test_percent_value_and_decimals(
    raw: Any, number_format: str, expected: tuple[Any, ...]
) -> None:
    """A percent reads as percent points with the decimals it is written or shown with."""
    assert flat(parse_percent(raw, number_format)) == pytest.approx(expected)


@pytest.mark.parametrize("raw", NOT_REPORTED)
def test_percent_not_reported_is_empty(raw: Any) -> None:
    """An empty cell, a dash or ``н/д`` in a percent cell reads as not reported."""
    assert flat(parse_percent(raw)) == (None, None, "empty", None)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("много", id="word"),
        pytest.param("около 0,2 %", id="words-around"),
        pytest.param(True, id="bool"),
        pytest.param(dt.datetime(2025, 1, 1), id="date"),
    ],
)
def test_percent_unreadable_is_invalid_with_russian_reason(raw: Any) -> None:
    """A cell that is not a percent reads as invalid, with no value and a reason in Russian."""
    parsed = parse_percent(raw)
    assert (parsed.value, parsed.value_max, parsed.form) == (None, None, "invalid")
    assert is_russian(parsed.reason)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(dt.time(0, 4, 24), (264.0, 264.0, "excel"), id="excel-time"),
        pytest.param(dt.timedelta(minutes=4, seconds=24), (264.0, 264.0, "excel"), id="timedelta"),
        pytest.param(dt.timedelta(hours=25), (90000.0, 90000.0, "excel"), id="timedelta-25h"),
        pytest.param(
            dt.datetime(1899, 12, 30, 0, 4, 24), (264.0, 264.0, "excel"), id="epoch-day-0"
        ),
        pytest.param("0:04:24", (264.0, 264.0, "hms"), id="hms"),
        pytest.param("00:01:11", (71.0, 71.0, "hms"), id="hms-padded"),
        pytest.param("1:00:00", (3600.0, 3600.0, "hms"), id="hms-hour"),
        pytest.param("-0:04:24", (-264.0, -264.0, "hms"), id="hms-negative"),
        pytest.param("2:01", (121.0, 121.0, "ms"), id="two-part-minutes-seconds"),
        pytest.param("10:30", (630.0, 630.0, "ms"), id="two-part-ten-minutes"),
        pytest.param("10 минут", (600.0, 600.0, "words"), id="minutes"),
        pytest.param("1 минута", (60.0, 60.0, "words"), id="minute"),
        pytest.param("2 минуты", (120.0, 120.0, "words"), id="minutes-few"),
        pytest.param("45 сек", (45.0, 45.0, "words"), id="seconds"),
        pytest.param("3 дня", (259200.0, 259200.0, "words"), id="days"),
        pytest.param("1,5 часа", (5400.0, 5400.0, "words"), id="fractional-hours"),
        pytest.param("1 час 30 минут", (5400.0, 5400.0, "words"), id="hours-and-minutes"),
        pytest.param("10\u00a0минут", (600.0, 600.0, "words"), id="nbsp"),
        pytest.param("30 календарных дней", (2592000.0, 2592000.0, "words"), id="calendar-days"),
        pytest.param("от 3 до 30 дней", (259200.0, 2592000.0, "range"), id="range-days"),
        pytest.param("от 5 до 10 минут", (300.0, 600.0, "range"), id="range-minutes"),
    ],
)
def test_duration_seconds_and_form(raw: Any, expected: tuple[Any, ...]) -> None:
    """A duration reads as seconds (a range as its two bounds) with the form it was written in."""
    parsed = parse_duration(raw)
    assert (parsed.value, parsed.value_max, parsed.form) == pytest.approx(expected)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(dt.datetime(1899, 12, 30, 0, 4, 24), id="1899-12-30"),
        pytest.param(dt.datetime(1899, 12, 31, 0, 4, 24), id="1899-12-31"),
    ],
)
def test_datetime_on_excel_day_zero_is_a_duration(raw: dt.datetime) -> None:
    """A datetime on Excel's day zero is a duration of at least its time of day, not a date."""
    parsed = parse_duration(raw)
    assert parsed.form == "excel"
    assert parsed.value is not None
    assert parsed.value >= 264


@pytest.mark.parametrize("raw", NOT_REPORTED)
def test_duration_not_reported_is_empty(raw: Any) -> None:
    """An empty cell, a dash or ``н/д`` in a duration cell reads as not reported."""
    assert flat(parse_duration(raw)) == (None, None, "empty", None)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("0:75:00", id="minutes-over-59"),
        pytest.param("0:04:75", id="seconds-over-59"),
        pytest.param("2:75", id="two-part-seconds-over-59"),
        pytest.param(10, id="bare-number"),
        pytest.param(10.5, id="bare-float"),
        pytest.param("скоро", id="word"),
        pytest.param("10 попугаев", id="unknown-unit"),
        pytest.param(dt.datetime(2025, 1, 1), id="real-date"),
        pytest.param(dt.datetime(2025, 1, 1, 0, 4, 24), id="real-date-with-time"),
    ],
)
def test_duration_unreadable_is_invalid_with_russian_reason(raw: Any) -> None:
    """A cell that is not a duration reads as invalid, with no value and a reason in Russian."""
    parsed = parse_duration(raw)
    assert (parsed.value, parsed.value_max, parsed.form) == (None, None, "invalid")
    assert is_russian(parsed.reason)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, "", id="empty"),
        pytest.param(796601.0, "796601", id="whole-float"),
        pytest.param(0.19, "0.19", id="fraction"),
        pytest.param("796 601", "796 601", id="text-as-is"),
        pytest.param(dt.time(0, 4, 24), "0:04:24", id="time"),
        pytest.param(dt.time(0, 0, 0), "0:00:00", id="midnight"),
        pytest.param(dt.time(12, 5, 0), "12:05:00", id="two-digit-hours"),
        pytest.param(dt.timedelta(hours=25, seconds=5), "25:00:05", id="timedelta-over-a-day"),
        pytest.param(dt.datetime(2025, 1, 1), "2025-01-01 00:00:00", id="date"),
    ],
)
def test_stated_text(raw: Any, expected: str) -> None:
    """A cell value is quoted the way the submitter sees it in Excel."""
    assert stated_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("  Обращения  ", "обращения", id="trim"),
        pytest.param("Режим   работы", "режим работы", id="inner-spaces"),
        pytest.param("Итого\nочные", "итого очные", id="newline"),
        pytest.param("Итого\u00a0очные", "итого очные", id="nbsp"),
        pytest.param("Итого\u202fочные", "итого очные", id="narrow-nbsp"),
        pytest.param("ПАСПОРТ", "паспорт", id="case"),
        pytest.param("Contact Centre", "contact centre", id="latin-case"),
        pytest.param("Отчётный год", "отчетный год", id="yo"),
        pytest.param("ОТЧЁТНЫЙ ГОД", "отчетный год", id="capital-yo"),
        pytest.param("Контакт-центр", "контакт-центр", id="hyphen"),
        pytest.param("Контакт–центр", "контакт-центр", id="en-dash"),
        pytest.param("Контакт—центр", "контакт-центр", id="em-dash"),
        pytest.param("Очное — консультация", "очное-консультация", id="spaced-dash"),
        pytest.param("Очное -консультация", "очное-консультация", id="space-before-dash"),
        pytest.param(None, "", id="none"),
        pytest.param(2025, "2025", id="number"),
    ],
)
def test_normalize(text: Any, expected: str) -> None:
    """A label's matching key ignores padding, spacing, case, ``ё`` and the kind of dash."""
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(1195866, "1 195 866", id="millions"),
        pytest.param(796601.0, "796 601", id="whole-float"),
        pytest.param(1000, "1 000", id="thousand"),
        pytest.param(999, "999", id="hundreds"),
        pytest.param(0, "0", id="zero"),
        pytest.param(-1500, "-1 500", id="negative"),
    ],
)
def test_fmt_int(value: float, expected: str) -> None:
    """A count is written with its digits grouped by three with spaces."""
    assert fmt_int(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param(0.19, 2, "0,19", id="two"),
        pytest.param(12.345, 1, "12,3", id="rounded"),
        pytest.param(0.1, 3, "0,100", id="padded"),
        pytest.param(5.0, 0, "5", id="none"),
    ],
)
def test_fmt_decimal(value: float, decimals: int, expected: str) -> None:
    """A decimal is written with a comma and the given number of decimals."""
    assert fmt_decimal(value, decimals) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(264, "0:04:24", id="minutes"),
        pytest.param(0, "0:00:00", id="zero"),
        pytest.param(3600, "1:00:00", id="hour"),
        pytest.param(263.6, "0:04:24", id="rounded"),
        pytest.param(259200, "3 дн. 0:00:00", id="days"),
        pytest.param(90061, "1 дн. 1:01:01", id="day-and-time"),
        pytest.param(-264, "-0:04:24", id="negative"),
        pytest.param(float("nan"), "", id="nan"),
    ],
)
def test_fmt_seconds(seconds: float, expected: str) -> None:
    """A duration is written as ``ч:мм:сс``, with whole days written out."""
    assert fmt_seconds(seconds) == expected


@pytest.mark.parametrize(
    ("index", "text", "expected"),
    [
        pytest.param(vocab.CHANNEL_INDEX, "contact centre", "Контакт-центр", id="alias-lower"),
        pytest.param(vocab.CHANNEL_INDEX, "Contact Center", "Контакт-центр", id="alias-us"),
        pytest.param(vocab.CHANNEL_INDEX, "КОНТАКТ–ЦЕНТР", "Контакт-центр", id="upper-en-dash"),
        pytest.param(vocab.CHANNEL_INDEX, "Контакт - центр", "Контакт-центр", id="spaced-dash"),
        pytest.param(vocab.CHANNEL_INDEX, " Онлайн—ЦОК ", "Онлайн-ЦОК", id="em-dash-padded"),
        pytest.param(vocab.CHANNEL_INDEX, "ivr", "IVR", id="ivr"),
        pytest.param(vocab.CHANNEL_INDEX, "Social media", "Социальные сети", id="social"),
        pytest.param(
            vocab.CHANNEL_INDEX, "Письменные  обращения", "Письменные обращения", id="spaces"
        ),
        pytest.param(
            vocab.TIME_CHANNEL_INDEX,
            "Очное—консультация",
            "Очное — консультация",
            id="unspaced-em-dash",
        ),
        pytest.param(
            vocab.TIME_CHANNEL_INDEX,
            "очное - кассовая операция",
            "Очное — кассовая операция",
            id="hyphen-lower",
        ),
        pytest.param(
            vocab.TIME_CHANNEL_INDEX,
            "Очное – консультация и кассовая операция",
            "Очное — консультация и кассовая операция",
            id="en-dash-combined",
        ),
        pytest.param(
            vocab.TIME_CHANNEL_INDEX, "In person", "Очное обслуживание", id="in-person-alias"
        ),
        pytest.param(
            vocab.TIME_CHANNEL_INDEX, "contact centre", "Контакт-центр", id="time-contact-alias"
        ),
        pytest.param(vocab.GROUP_INDEX, "ИТОГО ЗАОЧНЫЕ", "Итого заочные", id="group-upper"),
        pytest.param(vocab.GROUP_INDEX, "итого  очные", "Итого очные", id="group-spaces"),
        pytest.param(vocab.GROUP_INDEX, "Total remote", "Итого заочные", id="group-alias"),
        pytest.param(vocab.SHEET_INDEX, "passport", "Паспорт", id="sheet-alias"),
        pytest.param(vocab.SHEET_INDEX, " Обращения ", "Обращения", id="sheet-padded"),
        pytest.param(vocab.SHEET_INDEX, "APPEALS", "Обращения", id="sheet-alias-upper"),
        pytest.param(vocab.SHEET_INDEX, "режим  работы", "Режим работы", id="sheet-spaces"),
        pytest.param(vocab.KEY_INDEX, "Отчётный год", "Отчетный год", id="key-yo"),
        pytest.param(vocab.KEY_INDEX, "Reporting Year", "Отчетный год", id="key-alias"),
        pytest.param(vocab.KEY_INDEX, "inn", "ИНН", id="key-inn"),
        pytest.param(
            vocab.COMPLAINT_INDEX,
            "В т.ч. от юридических  лиц",
            "в т.ч. от юридических лиц",
            id="complaint-legal",
        ),
        pytest.param(
            vocab.COMPLAINT_INDEX,
            "Complaint share, %",
            "Доля претензий и жалоб, %",
            id="complaint-share-alias",
        ),
        pytest.param(vocab.TIME_COLUMN_INDEX, "waiting", "Ожидание", id="time-column-alias"),
    ],
)
def test_label_lookup(index: Mapping[str, str], text: str, expected: str) -> None:
    """A label written with other case, spacing, dashes, ``ё`` or in English finds its name."""
    assert vocab.lookup(index, text) == expected


@pytest.mark.parametrize(
    ("index", "text"),
    [
        pytest.param(vocab.CHANNEL_INDEX, "Телеграм", id="unknown-channel"),
        pytest.param(vocab.CHANNEL_INDEX, "Итого заочные", id="subtotal-is-not-a-channel"),
        pytest.param(vocab.CHANNEL_INDEX, "Всего", id="grand-total-is-not-a-channel"),
        pytest.param(vocab.CHANNEL_INDEX, "", id="empty"),
        pytest.param(vocab.CHANNEL_INDEX, None, id="none"),
        pytest.param(vocab.GROUP_INDEX, "Итого", id="bare-total"),
        pytest.param(vocab.TIME_CHANNEL_INDEX, "Очное", id="in-person-truncated"),
        pytest.param(vocab.SHEET_INDEX, "Лист1", id="default-sheet-name"),
    ],
)
def test_label_lookup_unknown(index: Mapping[str, str], text: Any) -> None:
    """A label outside the table finds nothing."""
    assert vocab.lookup(index, text) is None


@pytest.mark.parametrize(
    ("table", "index"),
    [
        pytest.param(vocab.SHEETS, vocab.SHEET_INDEX, id="sheets"),
        pytest.param(vocab.PASSPORT_KEYS, vocab.KEY_INDEX, id="passport-keys"),
        pytest.param(
            {name: aliases for name, (aliases, _) in vocab.CHANNELS.items()},
            vocab.CHANNEL_INDEX,
            id="channels",
        ),
        pytest.param(
            {name: aliases for name, (aliases, _) in vocab.GROUP_ROWS.items()},
            vocab.GROUP_INDEX,
            id="group-rows",
        ),
        pytest.param(vocab.COMPLAINT_ROWS, vocab.COMPLAINT_INDEX, id="complaint-rows"),
        pytest.param(vocab.TIME_COLUMNS, vocab.TIME_COLUMN_INDEX, id="time-columns"),
        pytest.param(vocab.TIME_CHANNELS, vocab.TIME_CHANNEL_INDEX, id="time-channels"),
    ],
)
def test_every_name_and_alias_finds_its_own_name(
    table: Mapping[str, tuple[str, ...]], index: Mapping[str, str]
) -> None:
    """Every canonical name and alias of a vocabulary looks up to its own canonical name."""
    spellings = [
        (spelling, name) for name, aliases in table.items() for spelling in (name, *aliases)
    ]
    assert [(s, vocab.lookup(index, s)) for s, _ in spellings] == spellings


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        pytest.param("1", True, (None, "invalid"), id="text-one-then-true"),
        pytest.param("1", 1, (1.0, "number"), id="text-one-then-number"),
        pytest.param("1.0", 1.0, (1.0, "number"), id="text-then-float"),
    ],
)
def test_count_of_a_value_is_not_taken_from_an_equal_text(
    first: str, then: Any, expected: tuple[Any, ...]
) -> None:
    """A remembered text never answers for a number or a boolean equal to it."""
    assert (parse_count(first).value, parse_count(first).form) == (1.0, "text")
    assert (parse_count(then).value, parse_count(then).form) == expected


def test_percent_text_is_read_alike_whatever_the_format() -> None:
    """A percent written as text reads the same in any cell format, remembered or not."""
    texts = [parse_percent("0,19 %", fmt) for fmt in ("General", "0.00%", "0.0%")]
    assert {(p.value, p.decimals, p.form) for p in texts} == {(0.19, 2, "text")}
    assert parse_percent(0.0019, "0.00%").form == "percent-format"


def test_normalize_of_a_number_is_not_taken_from_an_equal_text() -> None:
    """A remembered label key never answers for a value that is not text."""
    assert [normalize(v) for v in ("1", 1, True, 1.0, " Ёж ", " Ёж ")] == [
        "1",
        "1",
        "true",
        "1.0",
        "еж",
        "еж",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(796601, id="int"),
        pytest.param(12.5, id="float"),
        pytest.param(-0.0, id="negative-zero"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("-inf"), id="minus-infinity"),
    ],
)
def test_count_of_a_number_is_the_parsed_record_in_full(raw: float) -> None:
    """A number read the quick way is the very record the parser's constructor makes."""
    parsed = parse_count(raw)
    if parsed.form == "number":
        assert parsed == Parsed(float(raw), float(raw), "number")
        assert repr(parsed) == repr(Parsed(float(raw), float(raw), "number"))
    else:
        assert parsed == Parsed(None, None, "invalid", reason="не число")


@pytest.mark.parametrize(
    ("raw", "number_format"),
    [
        pytest.param(0.0019, "0.00%", id="percent-format"),
        pytest.param(0.0019, "General", id="same-number-general"),
        pytest.param(0.0, "0.0%", id="zero"),
        pytest.param(-0.0, "0.0%", id="negative-zero"),
        pytest.param(1, "0.0", id="int"),
        pytest.param(1.0, "0.0", id="whole-float"),
        pytest.param(float("nan"), "0.0%", id="nan"),
    ],
)
def test_a_percent_read_again_is_read_as_the_first_time(raw: float, number_format: str) -> None:
    """A number met again, in any format, reads as the parser reads it afresh."""
    from checks.values import _parse_percent

    first, again = parse_percent(raw, number_format), parse_percent(raw, number_format)
    assert repr(first) == repr(again) == repr(_parse_percent(raw, number_format))

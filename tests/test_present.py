"""How values are shown to stewards and kept from running (:mod:`checks.present`)."""

from __future__ import annotations

import pytest

from checks.present import (
    csv_safe,
    excel_value,
    group_digits,
    root_indices,
    shown_value,
    texts,
    unbroken,
)

T = "\u202f"


@pytest.mark.parametrize(
    ("digits", "grouped"),
    [("7", "7"), ("999", "999"), ("1000", f"1{T}000"), ("5178765", f"5{T}178{T}765")],
)
def test_digits_group_by_three_with_thin_spaces(digits: str, grouped: str) -> None:
    """Digits are grouped by three from the right with narrow no-break spaces."""
    assert group_digits(digits) == grouped


@pytest.mark.parametrize(
    ("text", "rule", "family", "shown"),
    [
        ("5178765", "total-grand", "total", f"5{T}178{T}765"),
        ("-4003597", "total-grand", "total", f"−4{T}003{T}597"),
        ("0.04", "share-mismatch", "share", "0,04\u00a0%"),
        ("12.5", "share-truncated", "share", "12,5\u00a0%"),
        ("≤ 12000", "share-bound", "share", f"≤ 12{T}000"),
        ("≤ 0:10:00", "norm-wait", "norm", "≤ 0:10:00"),
        ("12,3 %", "share-invalid", "share", "12,3 %"),
        ("2025", "passport-year", "passport", "2025"),
        ("7707083893", "passport-inn", "passport", "7707083893"),
        ("0:00:31", "time-two-part", "time-format", "0:00:31"),
        ("", "total-row", "total", ""),
        (None, "total-row", "total", ""),
    ],
)
def test_values_are_shown_as_the_messages_write_them(
    text: str | None, rule: str, family: str, shown: str
) -> None:
    """Counts and shares take Russian digits and ``%``; passport and time texts stay as written."""
    assert shown_value(text, rule, family) == shown


@pytest.mark.parametrize(
    ("text", "rule", "family", "stored", "number_format"),
    [
        ("5178765", "total-grand", "total", 5178765, "#,##0"),
        ("-75983", "total-group", "total", -75983, "#,##0"),
        ("0.04", "share-mismatch", "share", 0.0004, "0.00%"),
        ("3", "share-mismatch", "share", 0.03, "0%"),
        ("10.5", "norm-hours", "norm", 10.5, "#,##0.0"),
        ("≤ 12000", "share-bound", "share", "≤ 12000", None),
        ("2025", "passport-year", "passport", "2025", None),
        ("=1+1", "time-unparsed", "time-format", "=1+1", None),
    ],
)
def test_excel_values_are_numbers_where_the_record_holds_one(
    text: str, rule: str, family: str, stored: object, number_format: str | None
) -> None:
    """A count or share becomes an Excel number with its format; anything else stays text."""
    value, fmt = excel_value(text, rule, family)
    assert value == pytest.approx(stored) if isinstance(stored, float) else value == stored
    assert type(value) is type(stored)
    assert fmt == number_format


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("http://example.invalid";"клик")',
            '\'=HYPERLINK("http://example.invalid";"клик")',
        ),
        ("+7 495 000-00-00", "'+7 495 000-00-00"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-75983", "-75983"),
        ("-0.5", "-0.5"),
        ("Контакт-центр", "Контакт-центр"),
        ("", ""),
        (2025, 2025),
        (None, None),
    ],
)
def test_csv_fields_that_could_run_are_neutralised(value: object, written: object) -> None:
    """Text starting with ``= + - @``, tab or CR gets a ``'``; plain numbers and others do not."""
    assert csv_safe(value) == written


@pytest.mark.parametrize(
    ("fingerprints", "causes", "roots"),
    [
        (["a", "b", "c"], ["", "", ""], [None, None, None]),
        (["a", "b", "c"], ["", "a", "b"], [None, 0, 0]),
        (["a", "b"], ["", "zz"], [None, None]),
        (["a", "b"], ["b", "a"], [None, None]),
        (["a", "b", "c"], ["c", "", ""], [2, None, None]),
    ],
)
def test_follow_ons_hang_under_their_root(
    fingerprints: list[str], causes: list[str], roots: list[int | None]
) -> None:
    """A chain of causes leads to its last link; a cause not in the list or a loop leaves a root."""
    assert root_indices(fingerprints, causes) == roots


def test_texts_exist_in_both_languages_with_the_same_keys() -> None:
    """The Russian and English text tables name the same texts."""

    def keys(table: dict[str, object], prefix: str = "") -> set[str]:
        out = set()
        for key, value in table.items():
            out.add(prefix + key)
            if isinstance(value, dict):
                out |= keys(value, f"{prefix}{key}.")
        return out

    assert keys(texts("ru")) == keys(texts("en"))
    assert texts("ru")["severity"]["info"] == "Сведения"
    with pytest.raises(ValueError, match="unknown language"):
        texts("de")


def test_message_numbers_do_not_break_across_lines() -> None:
    """Spaces inside digit groups become thin no-break spaces; other spaces stay."""
    text = "Всего 1 175 168 ≠ сумма каналов 5 178 765 (разница −4 003 597), 17 мероприятий."
    assert unbroken(text) == (
        f"Всего 1{T}175{T}168 ≠ сумма каналов 5{T}178{T}765 (разница −4{T}003{T}597), "
        "17 мероприятий."
    )

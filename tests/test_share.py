"""Family ``share``: complaint percentages against the counts they come from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.builders import PASSPORT, check, messages, write_workbook

APPEALS = [["Канал", "Итого"], ["Контакт-центр", 212280], ["Всего", 212280]]


def complaints(complaints_count: Any, share: Any, legal: Any = None) -> list[list[Any]]:
    """Build a one-column ``Жалобы`` sheet."""
    return [
        ["Показатель", "Итого"],
        ["Претензии и жалобы", complaints_count],
        ["в т.ч. от юридических лиц", legal],
        ["Доля претензий и жалоб, %", share],
    ]


CASES = [
    pytest.param(233, 0.11, None, [], id="rounded-number"),
    pytest.param(233, "0,11 %", None, [], id="rounded-text-with-comma"),
    pytest.param(233, "0.11%", None, [], id="rounded-text-with-dot"),
    pytest.param(233, 0.1, None, [], id="one-decimal"),
    pytest.param(233, 0.2, None, [("Жалобы", "B4", "share-mismatch")], id="one-decimal-off"),
    pytest.param(233, 0.12, None, [("Жалобы", "B4", "share-mismatch")], id="above-by-a-unit"),
    pytest.param(7, 0, None, [], id="zero-decimals-small-share"),
    pytest.param(2100, 0.98, None, [("Жалобы", "B4", "share-truncated")], id="cut-not-rounded"),
    pytest.param(2100, 0.99, None, [], id="rounded-up"),
    pytest.param(2100, 0.97, None, [("Жалобы", "B4", "share-mismatch")], id="below-by-a-unit"),
    pytest.param(233, "много", None, [("Жалобы", "B4", "share-invalid")], id="unreadable"),
    pytest.param(233, 150, None, [("Жалобы", "B4", "share-invalid")], id="over-100"),
    pytest.param(
        300000,
        None,
        None,
        [("Жалобы", "B2", "share-complaints-exceed-appeals")],
        id="complaints-exceed-appeals",
    ),
    pytest.param(
        10,
        None,
        11,
        [("Жалобы", "B3", "share-legal-exceed-complaints")],
        id="legal-exceed-complaints",
    ),
    pytest.param(233, None, 233, [], id="legal-equal-complaints"),
]


@pytest.mark.parametrize(("count", "share", "legal", "expected"), CASES)
def test_share(
    tmp_path: Path, count: Any, share: Any, legal: Any, expected: list[tuple[str, str, str]]
) -> None:
    """A stated share agrees with 100 × complaints / appeals to its decimals."""
    path = write_workbook(
        tmp_path / "s.xlsx",
        {"Паспорт": PASSPORT, "Обращения": APPEALS, "Жалобы": complaints(count, share, legal)},
    )
    assert check(path) == expected


@pytest.mark.parametrize(
    ("stored", "number_format", "expected"),
    [
        pytest.param(0.0011, "0.00%", [], id="percent-format-two-decimals"),
        pytest.param(0.0011, "0.0%", [], id="percent-format-one-decimal-shows-0.1"),
        pytest.param(
            0.0015, "0.00%", [("Жалобы", "B4", "share-mismatch")], id="percent-format-off"
        ),
    ],
)
def test_share_in_percent_format(
    tmp_path: Path, stored: float, number_format: str, expected: list[tuple[str, str, str]]
) -> None:
    """A percent-formatted cell is read as Excel shows it, with the format's decimals."""
    path = write_workbook(
        tmp_path / "s.xlsx",
        {"Паспорт": PASSPORT, "Обращения": APPEALS, "Жалобы": complaints(233, stored)},
        formats={("Жалобы", "B4"): number_format},
    )
    assert check(path) == expected


def test_share_without_appeals_sheet_cannot_be_checked(tmp_path: Path) -> None:
    """Without ``Обращения`` the share gets a warning, never a silent pass."""
    path = write_workbook(
        tmp_path / "s.xlsx", {"Паспорт": PASSPORT, "Жалобы": complaints(1112, "0,19 %", 214)}
    )
    assert check(path) == [("Жалобы", "B4", "share-unverifiable")]
    assert "нет листа «Обращения»" in messages(path)[0]


def test_share_without_column_total_cannot_be_checked(tmp_path: Path) -> None:
    """A column whose ``Всего`` is not reported gets the cannot-be-checked warning."""
    rows = [["Канал", "Итого"], ["Контакт-центр", 212280], ["Всего", None]]
    path = write_workbook(
        tmp_path / "s.xlsx",
        {"Паспорт": PASSPORT, "Обращения": rows, "Жалобы": complaints(233, 0.11)},
    )
    assert check(path) == [("Жалобы", "B4", "share-unverifiable")]


def test_share_per_territory_column(tmp_path: Path) -> None:
    """Each territory's share is checked against that territory's appeals."""
    appeals = [["Канал", "Север", "Юг", "Итого"], ["Всего", 1000, 3000, 4000]]
    rows = [
        ["Показатель", "Север", "Юг", "Итого"],
        ["Претензии и жалобы", 10, 30, 40],
        ["Доля претензий и жалоб, %", 1, 3, 1],
    ]
    path = write_workbook(
        tmp_path / "s.xlsx", {"Паспорт": PASSPORT, "Обращения": appeals, "Жалобы": rows}
    )
    assert check(path) == [("Жалобы", "C3", "share-mismatch")]


def test_share_message_gives_computed_percent_and_tolerance(tmp_path: Path) -> None:
    """The message shows the stated and computed percent, the counts and the tolerance."""
    path = write_workbook(
        tmp_path / "s.xlsx",
        {"Паспорт": PASSPORT, "Обращения": APPEALS, "Жалобы": complaints(233, 0.2)},
    )
    assert messages(path) == [
        "Итого: доля 0,2 % ≠ расчётной 0,110 % = 100 × 233 / 212 280 "
        "(допуск ±0,05, знаков после запятой: 1)."
    ]

"""Family ``total``: stated totals against the sums of their parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.builders import check, messages, submission

HEADER = ["Канал", "Север", "Юг", "Итого"]


def appeals(*rows: list[Any]) -> list[list[Any]]:
    """Build an ``Обращения`` sheet under the two-territory header."""
    return [HEADER, *rows]


CASES = [
    pytest.param(
        appeals(["Контакт-центр", 1, 2, 3], ["Онлайн-ЦОК", 4, 5, 9], ["Всего", 5, 7, 12]),
        [],
        id="consistent",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, 2, 4], ["Всего", 1, 2, 4]),
        [("Обращения", "D2", "total-row"), ("Обращения", "D3", "total-grand-territories")],
        id="row-total-off",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, 2, 3], ["Онлайн-ЦОК", 4, 5, 9], ["Всего", 6, 7, 12]),
        [
            ("Обращения", "B4", "total-column"),
            ("Обращения", "B4", "total-culprit"),
            ("Обращения", "D4", "total-grand-territories"),
        ],
        id="territory-column-off",
    ),
    pytest.param(
        appeals(
            ["Контакт-центр", 1, 2, 3],
            ["Онлайн-ЦОК", 4, 5, 9],
            ["Итого заочные", 5, 7, 13],
            ["Всего", 5, 7, 12],
        ),
        [
            ("Обращения", "D4", "total-culprit"),
            ("Обращения", "D4", "total-group"),
            ("Обращения", "D4", "total-row"),
        ],
        id="group-subtotal-off",
    ),
    pytest.param(
        [["Канал", "Итого"], ["Итого очные", 10], ["Итого заочные", 20], ["Всего", 30]],
        [],
        id="groups-only-consistent",
    ),
    pytest.param(
        [["Канал", "Итого"], ["Итого очные", 10], ["Итого заочные", 20], ["Всего", 31]],
        [("Обращения", "B4", "total-grand")],
        id="groups-only-grand-off",
    ),
    pytest.param(
        [["Канал", "Итого"], ["Очное обслуживание", 10], ["Итого заочные", 20], ["Всего", 30]],
        [],
        id="group-by-subtotal-only-counts-in-grand",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, None, 3], ["Всего", None, None, 3]),
        [("Обращения", "D2", "total-row")],
        id="unreported-part-left-out",
    ),
    pytest.param(
        appeals(["Контакт-центр", None, None, 3], ["Всего", None, None, None]),
        [],
        id="no-part-reported-no-check",
    ),
    pytest.param(
        appeals(["Контакт-центр", "1 000", "2\u00a0000", "3 000"], ["Всего", 1000, 2000, 3000]),
        [],
        id="text-counts-with-spaces",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, 2, 3], ["Почтовые голуби", 5, 5, 10], ["Всего", 1, 2, 3]),
        [("Обращения", "A3", "label-unknown")],
        id="unknown-channel-kept-out-of-sums",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, "много", 3], ["Всего", 1, 2, 3]),
        [("Обращения", "C2", "count-invalid")],
        id="unreadable-part-skips-the-sum",
    ),
    pytest.param(
        appeals(["Контакт-центр", 1, -2, -1], ["Всего", 1, -2, -1]),
        [
            ("Обращения", "C2", "count-invalid"),
            ("Обращения", "D2", "count-invalid"),
            ("Обращения", "C3", "count-invalid"),
            ("Обращения", "D3", "count-invalid"),
        ],
        id="negative-counts",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_totals(
    tmp_path: Path, rows: list[list[Any]], expected: list[tuple[str, str, str]]
) -> None:
    """Each stated total is compared exactly with the sum of its reported parts."""
    path = submission(tmp_path / "s.xlsx", appeals=rows)
    assert check(path) == expected


def test_message_names_the_parts(tmp_path: Path) -> None:
    """The message gives the stated figure, the sum, each part and the difference."""
    rows = [
        ["Канал", "Итого"],
        ["Онлайн-ЦОК", "71 050"],
        ["Контакт-центр", "1 195 866"],
        ["Итого заочные", "1 195 866"],
    ]
    path = submission(tmp_path / "s.xlsx", appeals=rows)
    assert messages(path) == [
        "Итого заочные 1 195 866 ≠ сумма каналов 1 266 916: Онлайн-ЦОК 71 050 + "
        "Контакт-центр 1 195 866 (разница −71 050)."
    ]


def test_complaints_territories_sum_to_total(tmp_path: Path) -> None:
    """In ``Жалобы`` the territory columns sum to ``Итого`` as in ``Обращения``."""
    rows = [
        ["Показатель", "Север", "Юг", "Итого"],
        ["Претензии и жалобы", 3, 4, 8],
        ["в т.ч. от юридических лиц", 1, 1, 2],
    ]
    path = submission(tmp_path / "s.xlsx", complaints=rows)
    assert check(path) == [("Жалобы", "D2", "total-row")]


def test_blank_rows_and_columns_between_blocks(tmp_path: Path) -> None:
    """Blank rows and columns between blocks are ignored."""
    rows = [
        [None],
        [None, "Канал", None, "Север", "Юг", None, "Итого"],
        [None, "Контакт-центр", None, 1, 2, None, 3],
        [None],
        [None, "Всего", None, 1, 2, None, 4],
    ]
    path = submission(tmp_path / "s.xlsx", appeals=rows)
    assert check(path) == [
        ("Обращения", "G5", "total-culprit"),
        ("Обращения", "G5", "total-grand"),
        ("Обращения", "G5", "total-grand-territories"),
    ]


def test_grand_total_adds_the_channels_group_by_group(tmp_path: Path) -> None:
    """A column's total lists its channels group by group, a group given by subtotal only last."""
    rows = [
        ["Канал", "Итого"],
        ["Контакт-центр", 1],
        ["Очное обслуживание", 2],
        ["Онлайн-ЦОК", 3],
        ["Итого автоматизированные", 4],
        ["Всего", 11],
    ]
    path = submission(tmp_path / "s.xlsx", appeals=rows)
    assert messages(path) == [
        "Всего 11 ≠ сумма каналов 10: Контакт-центр 1 + Онлайн-ЦОК 3 + "
        "Очное обслуживание 2 + Итого автоматизированные 4 (разница +1)."
    ]


def test_batch_finds_what_each_file_finds_alone(tmp_path: Path) -> None:
    """Totals checked over a batch at once find, per file, what that file alone gives."""
    first = submission(
        tmp_path / "a.xlsx",
        passport=[["Организация", "АО «Первая»"], ["Отчетный год", 2025]],
        appeals=appeals(["Контакт-центр", 1, 2, 4], ["Всего", 1, 2, 4]),
    )
    second = submission(
        tmp_path / "b.xlsx",
        passport=[["Организация", "АО «Вторая»"], ["Отчетный год", 2025]],
        appeals=appeals(["Контакт-центр", 1, 2, 3], ["Онлайн-ЦОК", 4, 5, 9], ["Всего", 6, 7, 12]),
    )
    assert check(first, second) == check(first) + check(second)

"""Shares judged exactly: decimal arithmetic, the share as shown, boundaries included."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.rules.share import MISMATCH, OK, TRUNCATED, share_bounds, share_verdict
from tests.builders import check, messages, write_workbook

PASSPORT = [["Организация", "АО «Тест»"], ["Отчетный год", 2025]]


def _oracle(complaints: int, appeals: int, stated: Decimal, decimals: int) -> str:
    """The contract's verdict, by the decimal module's own rounding."""
    computed = Decimal(100 * complaints) / Decimal(appeals)
    quantum = Decimal(1).scaleb(-decimals)
    # 28 significant digits: C is exact unless it repeats, and then it is no tie either.
    rounded = {
        computed.quantize(quantum, rounding=ROUND_HALF_UP),
        computed.quantize(quantum, rounding=ROUND_HALF_DOWN),
    }
    if stated in rounded:
        return OK
    if stated == computed.quantize(quantum, rounding=ROUND_DOWN) and stated != computed:
        return TRUNCATED
    return MISMATCH


def _engine(row: dict[str, Any], stated: float) -> str:
    """What the share suite's float comparisons make of a comparison row."""
    if not (stated >= row["cut_low"] and row["round_high"] >= stated):
        return MISMATCH
    return OK if stated >= row["round_low"] else TRUNCATED


count_pairs = st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=500, deadline=None)
@given(count_pairs, st.integers(0, 4), st.integers(-30, 30))
def test_share_verdict_matches_decimal_rounding(
    pair: tuple[int, int], decimals: int, offset: int
) -> None:
    """Any share on the grid of d decimals: rounded is ok, cut a warning, anything else an error."""
    complaints, appeals = pair
    quantum = Decimal(1).scaleb(-decimals)
    base = (Decimal(100 * complaints) / Decimal(appeals)).quantize(quantum, rounding=ROUND_DOWN)
    stated = base + offset * quantum
    expected = _oracle(complaints, appeals, stated, decimals)
    args = (Fraction(complaints), Fraction(appeals), Fraction(stated), decimals)
    assert share_verdict(*args) == expected
    assert _engine(share_bounds(*args), float(stated)) == expected


@settings(max_examples=300, deadline=None)
@given(count_pairs, st.integers(0, 4))
def test_rounded_share_passes_and_cut_share_warns(pair: tuple[int, int], decimals: int) -> None:
    """The correctly rounded share gives nothing; a cut one a warning unless it is also rounded."""
    complaints, appeals = pair
    computed = Decimal(100 * complaints) / Decimal(appeals)
    quantum = Decimal(1).scaleb(-decimals)
    rounded = computed.quantize(quantum, rounding=ROUND_HALF_UP)
    cut = computed.quantize(quantum, rounding=ROUND_DOWN)
    exact = (Fraction(complaints), Fraction(appeals))
    assert share_verdict(*exact, Fraction(rounded), decimals) == OK
    expected_cut = (
        OK if abs(Fraction(computed) - Fraction(cut)) <= Fraction(quantum) / 2 else TRUNCATED
    )
    assert share_verdict(*exact, Fraction(cut), decimals) == expected_cut


@pytest.mark.parametrize(
    ("complaints", "appeals", "stated", "decimals", "verdict"),
    [
        pytest.param(29, 20000, "0.15", 2, OK, id="upper-half-boundary"),
        pytest.param(29, 20000, "0.14", 2, OK, id="lower-half-boundary"),
        pytest.param(1, 8, "13", 0, OK, id="tie-up"),
        pytest.param(1, 8, "12", 0, OK, id="tie-down"),
        pytest.param(1, 8, "12.4", 1, MISMATCH, id="cut-boundary-is-strict"),
        pytest.param(2, 3, "66.6", 1, TRUNCATED, id="cut"),
        pytest.param(2, 3, "66.7", 1, OK, id="rounded"),
        pytest.param(1, 3, "33.3", 1, OK, id="repeating"),
        pytest.param(1, 3, "33.4", 1, MISMATCH, id="repeating-up"),
    ],
)
def test_share_boundaries(
    complaints: int, appeals: int, stated: str, decimals: int, verdict: str
) -> None:
    """On the boundaries the verdict is exact, and the engine's float bounds agree with it."""
    args = (Fraction(complaints), Fraction(appeals), Fraction(Decimal(stated)), decimals)
    assert share_verdict(*args) == verdict
    assert _engine(share_bounds(*args), float(stated)) == verdict


def _complaints_file(
    tmp_path: Path, share: Any, appeals: int, complaints: int, number_format: str = ""
) -> Path:
    sheets = {
        "Паспорт": PASSPORT,
        "Обращения": [["Канал", "Итого"], ["Контакт-центр", appeals], ["Всего", appeals]],
        "Жалобы": [
            ["Показатель", "Итого"],
            ["Претензии и жалобы", complaints],
            ["Доля претензий и жалоб, %", share],
        ],
    }
    formats = {("Жалобы", "B3"): number_format} if number_format else None
    return write_workbook(tmp_path / "s.xlsx", sheets, formats)


@pytest.mark.parametrize(
    ("share", "number_format", "counts", "expected"),
    [
        pytest.param(0.0012, "0.0%", (2000, 1), [], id="shown-0,1-for-0,05"),
        pytest.param(
            0.0016, "0.0%", (5000, 7), [("Жалобы", "B3", "share-mismatch")], id="shown-0,2-for-0,14"
        ),
        pytest.param("0,15", "", (20000, 29), [], id="boundary-text"),
        pytest.param(0.15, "", (20000, 29), [], id="boundary-number"),
    ],
)
def test_share_is_taken_as_shown(
    tmp_path: Path,
    share: Any,
    number_format: str,
    counts: tuple[int, int],
    expected: list[tuple[str, str, str]],
) -> None:
    """A percent-formatted share is compared as Excel shows it, exactly on the boundary."""
    path = _complaints_file(tmp_path, share, *counts, number_format)
    assert check(path) == expected


def test_share_over_100_reads_and_says_so(tmp_path: Path) -> None:
    """1.26 in a ``0.00%`` cell reads as 126 %: out of range, and the message says what it read."""
    path = _complaints_file(tmp_path, 1.26, 1000, 10, "0.00%")
    assert check(path) == [("Жалобы", "B3", "share-invalid")]
    assert messages(path) == [
        "Доля «126,00 %» читается как 126,00 %, а доля должна быть от 0 до 100 %."
    ]


def test_mismatch_message_prints_the_share_as_shown(tmp_path: Path) -> None:
    """A share shown as 0,2 % is quoted as 0,2 in the message, not as the stored 0.0016."""
    path = _complaints_file(tmp_path, 0.0016, 5000, 7, "0.0%")
    assert messages(path)[0].startswith("Итого: доля 0,2 % ≠ расчётной 0,140 %")

"""Property tests: consistent submissions pass; a changed figure gives its finding."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import vocab
from tests.builders import PASSPORT, check, write_workbook

GROUPED = {
    "Итого заочные": ["Контакт-центр", "Онлайн-ЦОК", "Письменные обращения"],
    "Итого автоматизированные": ["IVR"],
}
CHANNELS = ["Очное обслуживание", *GROUPED["Итого заочные"], *GROUPED["Итого автоматизированные"]]
TERRITORIES = ["Север", "Юг", "Запад", "Восток"]
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Generated:
    """A consistent submission and where its figures are."""

    sheets: dict[str, list[list[Any]]]
    channel_rows: dict[str, int] = field(default_factory=dict)
    subtotal_rows: dict[str, int] = field(default_factory=dict)
    grand_row: int = 0
    total_column: str = ""
    combined_rows: list[int] = field(default_factory=list)


def _letter(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@st.composite
def consistent(draw: st.DrawFn) -> Generated:
    """Draw a submission whose every figure agrees with the others."""
    territories = TERRITORIES[: draw(st.integers(1, 4))]
    channels = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True))
    channels = [c for c in CHANNELS if c in channels]
    with_subtotals = draw(st.booleans())
    counts = {c: [draw(st.integers(0, 10**6)) for _ in territories] for c in channels}
    header = ["Канал", *territories, "Итого"]
    rows: list[list[Any]] = [header]
    gen = Generated(sheets={}, total_column=_letter(len(territories) + 1))
    for channel in channels:
        rows.append([channel, *counts[channel], sum(counts[channel])])
        gen.channel_rows[channel] = len(rows)
    if with_subtotals:
        for subtotal, members in GROUPED.items():
            present = [c for c in members if c in counts]
            if present:
                column_sums = [sum(counts[c][i] for c in present) for i in range(len(territories))]
                rows.append([subtotal, *column_sums, sum(column_sums)])
                gen.subtotal_rows[subtotal] = len(rows)
    appeals = [sum(counts[c][i] for c in channels) for i in range(len(territories))]
    rows.append(["Всего", *appeals, sum(appeals)])
    gen.grand_row = len(rows)
    columns = [*appeals, sum(appeals)]
    complaints = [draw(st.integers(0, a)) for a in columns[:-1]]
    complaints.append(sum(complaints))
    decimals = draw(st.integers(0, 3))
    shares = [
        round(100 * c / a, decimals) if a else None
        for c, a in zip(complaints, columns, strict=True)
    ]
    months: list[list[Any]] = [["Период", "Канал", "Ожидание", "Обслуживание", "Обращений"]]
    waits, weights = [], []
    for month in vocab.MONTHS:
        # Within the default standard's norms, so a consistent submission gets no warning.
        wait, n = draw(st.integers(1, 600)), draw(st.integers(1, 5000))
        waits.append(wait)
        weights.append(n)
        months.append([month, "Контакт-центр", _clock(wait), None, n])
        consult, cash = draw(st.integers(0, 899)), draw(st.integers(0, 899))
        months.append([month, vocab.TC_CONSULT, _clock(consult), None, None])
        months.append([month, vocab.TC_CASH, _clock(cash), None, None])
        months.append([month, vocab.TC_COMBINED, _clock(consult + cash), None, None])
        gen.combined_rows.append(len(months))
    mean = round(sum(w * n for w, n in zip(waits, weights, strict=True)) / sum(weights))
    months.append(["Год", "Контакт-центр", _clock(mean), None, sum(weights)])
    gen.sheets = {
        "Паспорт": [list(r) for r in PASSPORT],
        "Обращения": rows,
        "Жалобы": [
            ["Показатель", *territories, "Итого"],
            ["Претензии и жалобы", *complaints],
            ["Доля претензий и жалоб, %", *shares],
        ],
        "Время": months,
    }
    return gen


def _errors(gen: Generated) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "generated.xlsx", gen.sheets)
        return check(path)


@SETTINGS
@given(consistent())
def test_consistent_submission_has_no_finding(gen: Generated) -> None:
    """A generated submission whose figures agree gets no finding at all."""
    assert _errors(gen) == []


@SETTINGS
@given(consistent(), st.data(), st.integers(1, 10**5), st.booleans())
def test_changed_channel_total_is_found(
    gen: Generated, data: st.DataObject, delta: int, up: bool
) -> None:
    """A changed channel ``Итого`` is the culprit of its row, group and grand total."""
    channel = data.draw(st.sampled_from(sorted(gen.channel_rows)))
    row = gen.channel_rows[channel]
    stated = gen.sheets["Обращения"][row - 1]
    if not up and stated[-1] < delta:
        up = True
    stated[-1] += delta if up else -delta
    column = gen.total_column
    expected = {
        ("Обращения", f"{column}{row}", "total-culprit"),
        ("Обращения", f"{column}{row}", "total-row"),
        ("Обращения", f"{column}{gen.grand_row}", "total-grand"),
    }
    for subtotal, members in GROUPED.items():
        if channel in members and subtotal in gen.subtotal_rows:
            expected.add(("Обращения", f"{column}{gen.subtotal_rows[subtotal]}", "total-group"))
    found = _errors(gen)
    assert set(found) == expected
    assert len(found) == len(expected)


@SETTINGS
@given(consistent(), st.data(), st.integers(2, 600), st.booleans())
def test_changed_combined_time_is_found(
    gen: Generated, data: st.DataObject, delta: int, up: bool
) -> None:
    """A combined in-person time changed by more than a second gives one time-sum error."""
    row = data.draw(st.sampled_from(gen.combined_rows))
    times = gen.sheets["Время"]
    consult = times[row - 3][2]
    cash = times[row - 2][2]
    h1, m1, s1 = (int(x) for x in consult.split(":"))
    h2, m2, s2 = (int(x) for x in cash.split(":"))
    total = (h1 + h2) * 3600 + (m1 + m2) * 60 + s1 + s2
    if not up and total < delta:
        up = True
    times[row - 1][2] = _clock(total + (delta if up else -delta))
    assert [f for f in _errors(gen) if f[2] != "norm-time"] == [
        ("Время", f"C{row}", "time-sum-mismatch")
    ]

"""The engines: Great Expectations evaluates the rules and names failing rows by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks import vocab
from checks.batch import build_tables
from checks.engines import ROW_ID, Suite, gx_failures, run_suites
from checks.reader import read_submission
from checks.registry import RULES
from checks.rules import average, share, time_sum, total
from checks.tables import Tables
from tests.builders import PASSPORT, submission, write_workbook

HEADER = ["Канал", "Север", "Юг", "Итого"]
CONSISTENT = [
    HEADER,
    ["Контакт-центр", 1, 2, 3],
    ["Онлайн-ЦОК", 4, 5, 9],
    ["Итого заочные", 5, 7, 12],
    ["Всего", 5, 7, 12],
]
TIMES = [
    ["Период", "Канал", "Территория", "Ожидание", "Обслуживание", "Обращений"],
    ["Год", vocab.TC_CONSULT, None, "0:07:31", "0:05:00", None],
    ["Год", vocab.TC_CASH, None, "0:04:59", "0:02:00", None],
    ["Год", vocab.TC_COMBINED, None, "0:12:40", "0:07:00", None],
]
COMPLAINTS = [
    ["Показатель", "Север", "Юг", "Итого"],
    ["Претензии и жалобы", 6, 1, 7],
    ["в т.ч. от юридических лиц", 1, 2, 3],
    ["Доля претензий и жалоб, %", 100, 14.3, 58.3],
]


def tables_of(*paths: Path) -> Tables:
    """Read workbooks into one batch's tables."""
    return build_tables([read_submission(p) for p in paths])


def suites_of(tables: Tables) -> list[Suite]:
    """Build every rule family's Great Expectations suite, as a run does."""
    share_tables, _ = share.comparisons(tables)
    return [
        total.suite(total.comparisons(tables), tables),
        time_sum.suite(time_sum.comparisons(tables)),
        average.suite(average.comparisons(tables)),
        *share.suites(share_tables),
    ]


def failing(suites: list[Suite]) -> set[tuple[str, str, str, str]]:
    """Run the suites; return ``(rule, submission, sheet, cell)`` of each failing row."""
    return {
        (o.rule, row["submission"], row["sheet"], row["cell"])
        for o in run_suites(suites, "rules")
        for row in o.failing
    }


def test_totals_expectation_sums_the_parts_itself(tmp_path: Path) -> None:
    """A part changed in the table handed to Great Expectations fails its total's row."""
    path = submission(tmp_path / "s.xlsx", appeals=CONSISTENT)
    suite = total.suite(total.comparisons(tables_of(path)), tables_of(path))
    assert "computed" not in suite.table.columns
    assert failing([suite]) == set()
    table = suite.table.copy()
    planted = (table["rule"] == "total-row") & (table["cell"] == "D2")
    table.loc[planted, "part_01"] += 1
    found = failing([Suite(suite.name, table, suite.expectations)])
    assert found == {("total-row", "s.xlsx", "Обращения", "D2")}


def test_bound_expectation_compares_stated_figures_itself(tmp_path: Path) -> None:
    """Complaints raised in the table past the appeals fail at the complaints' cell."""
    counts = [
        COMPLAINTS[0],
        ["Претензии и жалобы", 2, 3, 5],
        ["в т.ч. от юридических лиц", 1, 1, 2],
    ]
    path = submission(tmp_path / "s.xlsx", appeals=CONSISTENT, complaints=counts)
    suites = share.suites(share.comparisons(tables_of(path))[0])
    bounds = next(s for s in suites if s.name == share.BOUNDS)
    assert len(bounds.table) == 6
    assert failing([bounds]) == set()
    table = bounds.table.assign(
        stated=bounds.table["stated"].where(bounds.table["cell"] != "B2", 10**6)
    )
    found = failing([Suite(bounds.name, table, bounds.expectations)])
    assert found == {("share-complaints-exceed-appeals", "s.xlsx", "Жалобы", "B2")}


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [
        pytest.param(
            {"appeals": [HEADER, ["Контакт-центр", 1, 2, 4], ["Всего", 1, 2, 4]]},
            {
                ("total-row", "Обращения", "D2"),
                ("total-grand-territories", "Обращения", "D3"),
            },
            id="total",
        ),
        pytest.param({"times": TIMES}, {("time-sum-mismatch", "Время", "D4")}, id="time-sum"),
        pytest.param(
            {"appeals": CONSISTENT, "complaints": COMPLAINTS},
            {
                ("share-mismatch", "Жалобы", "B4"),
                ("share-truncated", "Жалобы", "B4"),
                ("share-complaints-exceed-appeals", "Жалобы", "B2"),
                ("share-legal-exceed-complaints", "Жалобы", "C3"),
            },
            id="share",
        ),
    ],
)
def test_failing_rows_carry_submission_sheet_and_cell(
    tmp_path: Path, sheets: dict[str, Any], expected: set[tuple[str, str, str]]
) -> None:
    """Each failing row comes back as its file, sheet and cell (and its row id)."""
    path = submission(tmp_path / "planted.xlsx", **sheets)
    outcomes = run_suites(suites_of(tables_of(path)), "rules")
    rows = [row for o in outcomes for row in o.failing]
    assert rows
    assert all({"submission", "sheet", "cell", ROW_ID} <= set(row) for row in rows)
    found = {(o.rule, row["sheet"], row["cell"]) for o in outcomes for row in o.failing}
    assert found == expected
    assert {row["submission"] for row in rows} == {"planted.xlsx"}


def test_each_expectation_names_a_registry_rule_and_its_meaning(tmp_path: Path) -> None:
    """Every rule expectation's description starts with its rule id, then Russian text."""
    path = submission(tmp_path / "s.xlsx", appeals=CONSISTENT, times=TIMES)
    expectations = [e for s in suites_of(tables_of(path)) for e in s.expectations]
    assert len(expectations) == 13
    for expectation in expectations:
        rule_id = expectation.meta["rule"]
        assert rule_id in RULES
        prefix, meaning = expectation.description.split(": ", 1)
        assert prefix == rule_id
        assert any("а" <= ch <= "я" for ch in meaning.lower())


def test_failures_are_keyed_as_the_families_read_them(tmp_path: Path) -> None:
    """Totals of every rule come under ``total``; bounds of either rule under ``share-bound``."""
    good = submission(tmp_path / "good.xlsx", appeals=CONSISTENT)
    bad = write_workbook(
        tmp_path / "bad.xlsx",
        {
            "Паспорт": PASSPORT,
            "Обращения": [HEADER, ["Контакт-центр", 1, 2, 4], ["Всего", 1, 2, 4]],
            "Жалобы": COMPLAINTS,
        },
    )
    tables = tables_of(good, bad)
    suites = suites_of(tables)
    failed = gx_failures(suites)
    assert set(failed) == {total.TABLE, time_sum.TABLE, average.TABLE, share.SHARES, share.BOUNDS}
    table = suites[0].table
    rows = table[table[ROW_ID].isin(failed[total.TABLE]["total"])]
    assert sorted(zip(rows["submission"], rows["cell"], rows["rule"], strict=True)) == [
        ("bad.xlsx", "D2", "total-row"),
        ("bad.xlsx", "D3", "total-grand-territories"),
    ]
    assert set(failed[share.BOUNDS]) == {"share-bound"}
    assert failed[time_sum.TABLE] == {}

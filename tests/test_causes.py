"""Roots and follow-ons: each mistake is one root; what follows from it names it."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.batch import validate
from checks.causes import FOLLOWS
from checks.reader import read_submission
from tests.builders import PASSPORT, submission, write_workbook
from tests.test_properties import SETTINGS, Generated, consistent

HEADER = ["Канал", "Север", "Юг", "Итого"]
APPEALS: list[list[Any]] = [
    HEADER,
    ["Очное обслуживание", 100, 200, 300],
    ["Контакт-центр", 40, 60, 100],
    ["Онлайн-ЦОК", 10, 30, 40],
    ["Итого заочные", 50, 90, 140],
    ["Всего", 150, 290, 440],
]
COMPLAINTS: list[list[Any]] = [
    HEADER,
    ["Претензии и жалобы", 3, 5, 8],
    ["Доля претензий и жалоб, %", "2,0 %", 1.72, 1.82],
]
Row = tuple[str, str, str, bool]
ROOT = Path(__file__).resolve().parent.parent


def _planted() -> Any:
    """Import ``scripts/planted.py`` (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location("planted", ROOT / "scripts" / "planted.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["planted"] = module
    spec.loader.exec_module(module)
    return module


def _findings(path: Path) -> pd.DataFrame:
    f = validate([read_submission(path)]).findings
    return f[f["severity"] != "info"]


def _flat(f: pd.DataFrame) -> list[Row]:
    """(sheet, cell, rule, is root) of each error or warning."""
    return list(zip(f["sheet"], f["cell"], f["rule"], f["cause"] == "", strict=True))


def _appeals(**changes: Any) -> list[list[Any]]:
    rows = [list(r) for r in APPEALS]
    for cell, value in changes.items():
        column, row = "ABCD".index(cell[0]), int(cell[1:])
        rows[row - 1][column] = value
    return rows


CASES: list[tuple[str, dict[str, Any], list[Row]]] = [
    (
        "a territory cell",
        {"B3": 45},
        [
            ("Обращения", "B3", "total-culprit", True),
            ("Обращения", "D3", "total-row", False),
            ("Обращения", "B5", "total-group", False),
            ("Обращения", "B6", "total-column", False),
        ],
    ),
    (
        "a channel's Итого",
        {"D2": 310},
        [
            ("Обращения", "D2", "total-culprit", True),
            ("Обращения", "D2", "total-row", False),
            ("Обращения", "D6", "total-grand", False),
        ],
    ),
    (
        "a subtotal",
        {"C5": 99},
        [
            ("Обращения", "C5", "total-culprit", True),
            ("Обращения", "C5", "total-group", False),
            ("Обращения", "D5", "total-row", False),
        ],
    ),
    (
        "the grand total",
        {"D6": 450},
        [
            ("Обращения", "D6", "total-culprit", True),
            ("Обращения", "D6", "total-grand", False),
            ("Обращения", "D6", "total-grand-territories", False),
            ("Жалобы", "D3", "share-mismatch", False),
        ],
    ),
    (
        "a territory's Всего, which the share of its column uses",
        {"B6": 160},
        [
            ("Обращения", "B6", "total-culprit", True),
            ("Обращения", "B6", "total-column", False),
            ("Обращения", "D6", "total-grand-territories", False),
            ("Жалобы", "B3", "share-mismatch", False),
        ],
    ),
    (
        "a misspelt channel",
        {"A3": "Контакт-центор"},
        [
            ("Обращения", "A3", "label-unknown", True),
            ("Обращения", "B5", "total-group", False),
            ("Обращения", "C5", "total-group", False),
            ("Обращения", "D5", "total-group", False),
            ("Обращения", "B6", "total-column", False),
            ("Обращения", "C6", "total-column", False),
            ("Обращения", "D6", "total-grand", False),
        ],
    ),
    (
        "the same amount off in two cells of one row, which no single cell explains",
        {"B2": 110, "C3": 70},
        [
            ("Обращения", "D2", "total-row", True),
            ("Обращения", "D3", "total-row", True),
            ("Обращения", "C5", "total-group", True),
            ("Обращения", "B6", "total-column", True),
            ("Обращения", "C6", "total-column", True),
        ],
    ),
    (
        "two mistakes apart, each its own culprit",
        {"B2": 101, "C4": 33},
        [
            ("Обращения", "B2", "total-culprit", True),
            ("Обращения", "D2", "total-row", False),
            ("Обращения", "C4", "total-culprit", True),
            ("Обращения", "D4", "total-row", False),
            ("Обращения", "C5", "total-group", False),
            ("Обращения", "B6", "total-column", False),
            ("Обращения", "C6", "total-column", False),
        ],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matrix_mistake_has_one_root(
    tmp_path: Path, changes: dict[str, Any], expected: list[Row]
) -> None:
    """A changed figure or label of the appeals matrix is one root; its sums follow from it."""
    path = submission(tmp_path / "r.xlsx", appeals=_appeals(**changes), complaints=COMPLAINTS)
    assert sorted(_flat(_findings(path))) == sorted(expected)


def test_follow_ons_name_their_root(tmp_path: Path) -> None:
    """A follow-on's cause is its root's fingerprint, and every link is declared in FOLLOWS."""
    path = submission(tmp_path / "r.xlsx", appeals=_appeals(B3=45), complaints=COMPLAINTS)
    f = _findings(path)
    root = f[f["rule"] == "total-culprit"].iloc[0]
    follow = f[f["cause"] != ""]
    assert set(follow["cause"]) == {root["fingerprint"]}
    assert all("total-culprit" in FOLLOWS[rule] for rule in follow["rule"])


def test_culprit_message_names_the_value_that_fits(tmp_path: Path) -> None:
    """The culprit's message gives the stated value, the one that fits and the sums it breaks."""
    path = submission(tmp_path / "r.xlsx", appeals=_appeals(B3=45), complaints=COMPLAINTS)
    f = _findings(path)
    culprit = f[f["rule"] == "total-culprit"].iloc[0]
    assert (culprit["expected"], culprit["actual"]) == ("40", "45")
    assert culprit["message"] == (
        "Контакт-центр, Север: вероятно, ошибка в этой ячейке: указано 45, а при 40 сошлось "
        "бы всё, что вокруг неё не сходится (Итого строки «Контакт-центр»; «Итого заочные» в "
        "столбце «Север»; Всего столбца «Север»; разница +5)."
    )


def test_complaints_count_is_culprit_of_its_row_and_share(tmp_path: Path) -> None:
    """A complaints count off its row's Итого and its column's share is the culprit of both."""
    complaints = [list(r) for r in COMPLAINTS]
    complaints[1][1] = 13
    path = submission(tmp_path / "r.xlsx", appeals=APPEALS, complaints=complaints)
    assert sorted(_flat(_findings(path))) == [
        ("Жалобы", "B2", "total-culprit", True),
        ("Жалобы", "B3", "share-mismatch", False),
        ("Жалобы", "D2", "total-row", False),
    ]


def _times(january: str) -> list[list[Any]]:
    """Twelve months of 0:02:00 but January, and the year's mean had January been 0:03:00."""
    rows: list[list[Any]] = [["Период", "Канал", "Ожидание", "Обращений"]]
    for month in range(1, 13):
        rows.append([month, "Контакт-центр", january if month == 1 else "0:02:00", 100])
    rows.append(["Год", "Контакт-центр", "0:02:05", 1200])
    return rows


@pytest.mark.parametrize(
    ("january", "root"),
    [("0:0х:00", "time-unparsed"), ("25:00:00", "time-out-of-range")],
)
def test_yearly_average_follows_from_a_bad_month(tmp_path: Path, january: str, root: str) -> None:
    """A month time that does not read or cannot be is the root of the yearly average over it."""
    path = submission(tmp_path / "t.xlsx", times=_times(january))
    flat = [r for r in _flat(_findings(path)) if r[2] != "norm-time"]
    assert flat == [("Время", "C2", root, True), ("Время", "C14", "average-weighted", False)]


def test_two_part_times_give_one_warning_per_column(tmp_path: Path) -> None:
    """Two-part times in a column of three-part ones give one warning listing their cells."""
    rows: list[list[Any]] = [["Период", "Канал", "Ожидание", "Обслуживание"]]
    for month in range(1, 13):
        rows.append([month, "Контакт-центр", "2:01" if month < 4 else "0:02:01", "3:00"])
    path = submission(tmp_path / "t.xlsx", times=rows)
    f = _findings(path)
    two_part = f[f["rule"] == "time-two-part"]
    assert list(two_part["cell"]) == ["C2"]
    assert two_part.iloc[0]["message"] == (
        "Ожидание: ячеек со временем из двух частей — 3 (C2, C3, C4); они прочитаны как "
        "минуты:секунды (например, «2:01» — это 0:02:01), хотя в столбце время записано "
        "как ч:мм:сс."
    )


def test_time_sum_fingerprints_keep_the_territory(tmp_path: Path) -> None:
    """Two territories failing the same month's time sum get two fingerprints and messages."""
    rows: list[list[Any]] = [["Период", "Канал", "Территория", "Ожидание"]]
    for territory in ("Север", "Юг"):
        rows += [
            [1, "Очное — консультация", territory, "0:01:00"],
            [1, "Очное — кассовая операция", territory, "0:02:00"],
            [1, "Очное — консультация и кассовая операция", territory, "0:05:00"],
        ]
    path = submission(tmp_path / "t.xlsx", times=rows)
    f = _findings(path)
    sums = f[f["rule"] == "time-sum-mismatch"]
    assert len(sums) == 2
    assert sums["fingerprint"].is_unique
    assert [m.split(",")[0] for m in sums["message"]] == ["Январь (Север)", "Январь (Юг)"]


def test_no_two_findings_of_a_run_share_a_fingerprint(tmp_path: Path) -> None:
    """In a run of the seeds and planted mistakes, every finding has its own fingerprint."""
    planted = _planted().generate(tmp_path, per_kind=1, clean=1, seed=3)
    seeds = sorted((ROOT / "inbox").glob("*.xlsx"))
    paths = [*seeds, *(tmp_path / p.name for p in planted)]
    f = validate([read_submission(p) for p in paths]).findings
    shared = f[f["fingerprint"].duplicated(keep=False)]
    assert shared[["submission", "rule", "cell", "locus"]].to_dict("records") == []


@pytest.mark.parametrize("marker", ["—", "-", "н/д"])
def test_not_reported_organisation_is_required(tmp_path: Path, marker: str) -> None:
    """A not-reported marker as the organisation is ``passport-required``, not a name."""
    passport = [["Организация", marker], *[list(r) for r in PASSPORT[1:]]]
    path = write_workbook(tmp_path / "p.xlsx", {"Паспорт": passport})
    f = _findings(path)
    assert _flat(f) == [("Паспорт", "B1", "passport-required", True)]
    assert read_submission(path).source.organisation == ""


def test_total_message_prints_the_stated_value_as_written(tmp_path: Path) -> None:
    """A fractional count is quoted as written; the sum over it follows from ``count-invalid``."""
    appeals = [HEADER, ["Контакт-центр", 1000, "234,5", "1235,5"], ["Всего", 1000, 234, 1234]]
    path = submission(tmp_path / "r.xlsx", appeals=appeals)
    f = _findings(path)
    row = f[f["rule"] == "total-row"]
    invalid = f[(f["rule"] == "count-invalid") & (f["cell"] == "D2")]
    assert list(row["cause"]) == list(invalid["fingerprint"])
    assert row.iloc[0]["message"].startswith(
        "Контакт-центр: Итого 1235,5 ≠ сумма территорий 1 234,5: Север 1 000 + Юг 234,5"
    )


@SETTINGS
@given(consistent(), st.data(), st.integers(1, 10**5))
def test_one_changed_cell_is_named_the_culprit(
    gen: Generated, data: st.DataObject, delta: int
) -> None:
    """Any one cell of a consistent appeals matrix, changed by any amount, is the one root."""
    rows = gen.sheets["Обращения"]
    row = data.draw(st.integers(2, len(rows)))
    column = data.draw(st.integers(2, len(rows[0])))
    rows[row - 1][column - 1] += delta
    cell = f"{'ABCDEFGHIJ'[column - 1]}{row}"
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "generated.xlsx", gen.sheets)
        f = _findings(path)
    roots = f[f["cause"] == ""]
    assert _flat(roots) == [("Обращения", cell, "total-culprit", True)]
    assert set(f[f["cause"] != ""]["cause"]) == set(roots["fingerprint"])


def test_planted_mistakes_measure_within_the_targets(tmp_path: Path) -> None:
    """On a small planted sample: ≤ 1.2 roots a mistake, all found, clean files clean, culprits."""
    planted = _planted()
    files = planted.generate(tmp_path, per_kind=1, clean=2, seed=11)
    figures = planted.measure(tmp_path, files)
    assert figures.mistakes == len(planted.KINDS)
    assert figures.roots_per_mistake <= 1.2
    assert figures.found == figures.mistakes
    assert (figures.clean, figures.clean_with_error) == (2, 0)
    assert figures.culprit == figures.matrix > 0

"""The published contract of ``validated/``: a breach stops the publication."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from checks.batch import BatchResult, FixedFigures, validate
from checks.outputs import write_outputs
from checks.published import PublicationRefusedError, check_published
from checks.reader import read_submission
from tests.builders import submission, write_workbook

APPEALS = [
    ["Канал", "Север", "Юг", "Итого"],
    ["Контакт-центр", 1, 2, 3],
    ["Онлайн-ЦОК", 4, 5, 10],
    ["Всего", 5, 7, 13],
]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> BatchResult:
    """Validate one submission with a wrong total (so one figure is flagged)."""
    path = submission(tmp_path_factory.mktemp("inbox") / "s.xlsx", appeals=APPEALS)
    return validate([read_submission(path)])


def with_figures(
    result: BatchResult, change: Callable[[pd.DataFrame], pd.DataFrame]
) -> BatchResult:
    """Return the result with its figures table changed."""
    return dataclasses.replace(result, parts=FixedFigures([change(result.figures.copy())]))


def test_a_run_meets_the_contract(result: BatchResult, tmp_path: Path) -> None:
    """The tables a run builds pass, flagged figures included, and the index lists the suite."""
    assert set(result.figures["status"]) == {"ok", "flagged"}
    check_published(result, tmp_path / "docs")
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "published-figures" in index
    assert "одна строка на файл, лист и ячейку" in index


def test_malformed_workbooks_still_meet_the_contract(tmp_path: Path) -> None:
    """Bad data is flagged, not a breach: unknown labels, no year, odd periods, broken files."""
    paths = [
        submission(
            tmp_path / "unknown.xlsx",
            appeals=[["Канал", "Итого"], ["Голубиная почта", 5], ["Контакт-центр", "много"]],
        ),
        submission(
            tmp_path / "noyear.xlsx",
            passport=[["Организация", "X"]],
            times=[
                ["Период", "Канал", "Ожидание"],
                ["Январь", "Контакт-центр", "0:01:00"],
                ["Тринадцатябрь", "Контакт-центр", "0:01:00"],
            ],
        ),
        submission(
            tmp_path / "y1999.xlsx",
            passport=[["Организация", "X"], ["Отчетный год", 1999]],
            complaints=[["Показатель", "Итого"], ["Претензии и жалобы", 1.5]],
        ),
        write_workbook(tmp_path / "nopass.xlsx", {"Лист1": [["a"]]}),
    ]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    result = validate([read_submission(p) for p in [*paths, tmp_path / "broken.xlsx"]])
    assert set(result.figures["period"]) == {"2025", "????-01", "", "1999"}
    check_published(result)


def _status(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(status=f["status"].where(f["cell"] != "B2", "checked"))


def _duplicate(f: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([f, f[f["cell"] == "C3"]], ignore_index=True)


def _rules(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(rules=f["rules"].where(f["cell"] != "D3", "total-typo"))


def _stranger(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(submission=f["submission"].where(f["cell"] != "D3", "чужой.xlsx"))


def _column(f: pd.DataFrame) -> pd.DataFrame:
    return f.drop(columns=["status"])


@pytest.mark.parametrize(
    ("change", "said"),
    [
        pytest.param(_status, "статус — ok или flagged; не подходят строк: 1", id="status"),
        pytest.param(
            _duplicate, "одна строка на файл, лист и ячейку (submission, sheet, cell)", id="dup"
        ),
        pytest.param(_rules, "s.xlsx, Обращения, D3", id="unknown-rule"),
        pytest.param(_column, "столбцы и их порядок", id="missing-column"),
        pytest.param(
            _stranger, "файл каждого числа есть в validated/submissions", id="unknown-file"
        ),
    ],
)
def test_breach_refuses_the_publication(
    result: BatchResult,
    tmp_path: Path,
    change: Callable[[pd.DataFrame], pd.DataFrame],
    said: str,
) -> None:
    """A breaching figures table raises before any file is written, saying what breaks."""
    with pytest.raises(PublicationRefusedError, match="Публикация validated/ остановлена") as err:
        write_outputs(with_figures(result, change), tmp_path)
    assert any(said in line for line in err.value.breaches), err.value.breaches
    assert all(line.startswith("figures: ") for line in err.value.breaches)
    assert not (tmp_path / "validated").exists()
    assert not (tmp_path / "discrepancies.csv").exists()


def test_negative_count_in_submissions_is_refused(result: BatchResult) -> None:
    """A negative error count in ``submissions`` is a breach named by its file."""
    broken = dataclasses.replace(result, submissions=result.submissions.assign(errors=-1))
    with pytest.raises(PublicationRefusedError) as err:
        check_published(broken)
    assert err.value.breaches == [
        "submissions: errors — целое число не меньше 0; не подходят строк: 1 из 1 "
        "(например: s.xlsx: errors = -1)"
    ]

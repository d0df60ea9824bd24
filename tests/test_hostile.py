"""Nothing a submitter wrote runs on a steward's machine: every output keeps it as text."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from checks.batch import validate
from checks.outputs import Written, write_outputs
from checks.present import csv_safe
from checks.reader import read_submission

FORMULA = '=HYPERLINK("http://example.invalid";"клик")'
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE = (FORMULA, SCRIPT, IMAGE)
#: A formula element in a worksheet's XML.
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[ >]")


def hostile_workbook(path: Path, organisation: str) -> Path:
    """Write a submission whose organisation and row labels are hostile, all typed as text."""
    rows: list[list[Any]] = [
        ["Канал", "Итого"],
        ["Контакт-центр", 10],
        [FORMULA, 5],
        [SCRIPT, 6],
        [IMAGE, 7],
        ["Всего", 99],
    ]
    wb = Workbook()
    passport = wb.active
    assert passport is not None
    passport.title = "Паспорт"
    appeals = wb.create_sheet("Обращения")
    for ws, content in (
        (passport, [["Организация", organisation], ["Отчетный год", 2025]]),
        (appeals, rows),
    ):
        for r, row in enumerate(content, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # what a submitter typed is text, not a formula
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Written]:
    """One run over three hostile submissions, its outputs written."""
    inbox = tmp_path_factory.mktemp("inbox")
    out = tmp_path_factory.mktemp("out")
    paths = [
        hostile_workbook(inbox / f"hostile-{i}.xlsx", organisation)
        for i, organisation in enumerate(HOSTILE)
    ]
    subs = [read_submission(p) for p in paths]
    result = validate(subs)
    assert set(HOSTILE) <= set(result.findings["actual"]) | set(result.findings["organisation"])
    return out, write_outputs(result, out, {s.source.submission: s.path for s in subs})


def formulas(path: Path) -> list[str]:
    """The worksheet parts of an xlsx file that hold a formula."""
    with zipfile.ZipFile(path) as z:
        return [
            name
            for name in z.namelist()
            if name.startswith("xl/worksheets/") and FORMULA_XML.search(z.read(name))
        ]


def texts_of(path: Path) -> set[str]:
    """Every text value of every sheet of an xlsx file, as openpyxl reads it back."""
    wb = load_workbook(path)
    return {
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def test_csv_neutralises_formulas(written: tuple[Path, Written]) -> None:
    """In the CSV no field starts with a formula character unless it is a plain number."""
    _, w = written
    with w.worklist.open(encoding="utf-8-sig", newline="") as handle:
        fields = [value for row in csv.reader(handle) for value in row]
    assert f"'{FORMULA}" in fields
    assert {SCRIPT, IMAGE} <= set(fields)
    risky = [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert all(csv_safe(f) == f for f in risky)


def test_worklist_xlsx_holds_text_not_formulas(written: tuple[Path, Written]) -> None:
    """``discrepancies.xlsx`` has no formula, and the hostile texts read back as they were."""
    _, w = written
    assert formulas(w.workbook) == []
    assert set(HOSTILE) <= texts_of(w.workbook)


def test_annotated_copies_hold_text_not_formulas(written: tuple[Path, Written]) -> None:
    """Every annotated copy, its list of findings and comments included, has no formula."""
    out, w = written
    assert len(w.annotated) == len(HOSTILE)
    for relative in w.annotated.values():
        copy = out / relative
        assert formulas(copy) == []
        assert FORMULA in texts_of(copy)


def test_page_escapes_everything(written: tuple[Path, Written]) -> None:
    """The report page carries the hostile texts only escaped: no tag of theirs is left."""
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" not in page
    assert page.count("<script") == 2  # the data element and the page's own script
    assert SCRIPT not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\\u003cscript>alert(1)\\u003c/script>" in page

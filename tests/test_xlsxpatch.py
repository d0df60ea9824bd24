"""Annotated copies made by editing the package: ``checks.xlsxpatch`` against openpyxl.

The package is edited in place (fast); openpyxl loads and saves the whole
workbook (slow, and the way copies were made before). A steward must not
be able to tell the two apart: every test here makes both and compares
what openpyxl reads back from each, cell by cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from checks import annotate as annotate_module
from checks.annotate import TEXTS, annotate
from checks.xlsxpatch import Patch, UnsupportedPackageError
from tests.builders import submission
from tests.test_annotate import (
    APPEALS_OFF,
    comment_heights,
    findings_of,
    formula_book,
    frame,
)


def both(source: Path, findings: pd.DataFrame, tmp_path: Path) -> tuple[Path, Path]:
    """Make the copy by editing the package and with openpyxl; return both."""
    notes = annotate_module._notes(findings)
    data = source.read_bytes()
    patched, opened = tmp_path / "patched.xlsx", tmp_path / "openpyxl.xlsx"
    patched.write_bytes(annotate_module._patched(data, source.suffix, notes, TEXTS["ru"]))
    annotate_module._with_openpyxl(data, source.suffix, notes, opened, TEXTS["ru"])
    return patched, opened


def solid(cell: Any) -> str | None:
    """A cell's solid fill colour (``RRGGBB``), or ``None``."""
    fill = cell.fill
    return str(fill.fgColor.rgb)[-6:] if fill is not None and fill.fill_type == "solid" else None


def seen(path: Path) -> dict[str, Any]:
    """What a steward sees of a workbook, as openpyxl reads it."""
    wb = load_workbook(path)
    assert wb.active is not None
    book: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "active": wb.active.title,
        "names": sorted((n, str(d.attr_text)) for n, d in wb.defined_names.items()),
    }
    for ws in wb.worksheets:
        assert isinstance(ws, Worksheet)
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                comment = cell.comment
                state = (
                    cell.value,
                    cell.number_format,
                    solid(cell),
                    bool(cell.font.b),
                    bool(cell.alignment.wrap_text),
                    cell.alignment.vertical,
                    cell.hyperlink.target if cell.hyperlink is not None else None,
                    (comment.text, comment.author) if comment is not None else None,
                )
                if state[:3] != (None, "General", None) or any(state[3:]):
                    cells[cell.coordinate] = state
        book[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "frozen": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "selected": bool(ws.sheet_view.tabSelected),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "print": (
                ws.page_setup.orientation,
                str(ws.page_setup.paperSize),
                ws.print_title_rows,
                ws.sheet_properties.pageSetUpPr.fitToPage
                if ws.sheet_properties.pageSetUpPr is not None
                else None,
            ),
            "names": sorted((n, str(d.attr_text)) for n, d in ws.defined_names.items()),
            "area": ws.print_area,
        }
    return book


def assert_same(patched: Path, opened: Path) -> dict[str, Any]:
    """The two copies show the same; return what the edited one shows."""
    with zipfile.ZipFile(patched) as archive:
        assert archive.testzip() is None
    shown = seen(patched)
    assert shown == seen(opened)
    assert comment_heights(patched) == comment_heights(opened)
    return shown


def test_formulas_merges_missing_cells_and_other_sheets(tmp_path: Path) -> None:
    """Fills, comments, links and the list match openpyxl's; nothing else of the book changes."""
    source = formula_book(tmp_path / "book.xlsx")
    findings = frame(
        {"sheet": "Обращения", "cell": "D3", "rule": "total-row",
         "expected": "3000", "actual": "x"},
        {"sheet": "Обращения", "cell": "C1", "rule": "label-unknown", "severity": "warning"},
        {"sheet": "Обращения", "cell": "B1", "rule": "label-unknown", "severity": "info"},
        {"sheet": "Обращения", "cell": "F3", "rule": "value-missing",
         "message": "=cmd|' /C calc'!A0"},
        {"sheet": "Обращения", "cell": "B9", "rule": "value-missing"},
        {"sheet": "Обращения", "cell": "A2", "rule": "share-mismatch", "family": "share",
         "expected": "4.5", "actual": "4.25"},
        {"sheet": "Жалобы", "cell": "B2", "rule": "sheet-missing"},
        {"sheet": "Паспорт", "cell": "", "rule": "passport-year"},
        {"sheet": "Обращения", "cell": "ZZZ99999999", "rule": "value-missing"},
    )  # fmt: skip
    patched, opened = both(source, findings, tmp_path)
    shown = assert_same(patched, opened)
    appeals = shown["Обращения"]["cells"]
    assert appeals["D3"][0] == "=SUM(B3:C3)"
    assert appeals["A1"][2] is not None  # the merged title's anchor took C1 and B1
    assert appeals["F3"][2] is not None
    assert appeals["B9"][2] is not None
    assert shown["sheets"] == ["Замечания", "Паспорт", "Обращения", "Черновик"]
    assert shown["active"] == "Замечания"
    notes = shown["Замечания"]["cells"]
    assert any(state[0] == "=cmd|' /C calc'!A0" for state in notes.values())
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(patched) as after:
        untouched = [n for n in before.namelist() if n.endswith(("sheet1.xml", "sheet3.xml"))]
        assert untouched
        for name in untouched:  # sheets without a mark are copied as they were
            assert after.read(name) == before.read(name)


def test_a_real_submission_with_its_findings(tmp_path: Path) -> None:
    """A submission checked by the pipeline is annotated the same both ways."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    assert_same(*both(source, findings_of(source), tmp_path))
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings_of(source), target)
    with zipfile.ZipFile(target) as archive:  # made by editing, not by openpyxl
        assert "xl/worksheets/sverka1.xml" in archive.namelist()


def test_sheet_local_names_move_with_their_sheets_and_one_list_is_selected(
    tmp_path: Path,
) -> None:
    """A print area of the second sheet stays on it; a sheet selected before is not any more."""
    source = formula_book(tmp_path / "book.xlsx")
    wb = load_workbook(source)
    appeals = wb["Обращения"]
    assert isinstance(appeals, Worksheet)
    appeals.print_area = "A1:D4"
    appeals.defined_names["Итоги"] = DefinedName("Итоги", attr_text="Обращения!$D$3:$D$4")
    wb.active = 1
    appeals.sheet_view.tabSelected = True
    wb.save(source)
    findings = frame({"sheet": "Обращения", "cell": "D3", "rule": "total-row"})
    shown = assert_same(*both(source, findings, tmp_path))
    assert [t for t in shown["sheets"] if shown[t]["selected"]] == ["Замечания"]
    assert ("Итоги", "Обращения!$D$3:$D$4") in shown["Обращения"]["names"]
    assert shown["Обращения"]["area"] == "'Обращения'!$A$1:$D$4"


def test_a_chart_survives_the_edit(tmp_path: Path) -> None:
    """Parts openpyxl would not keep (a chart) are copied into the edited package."""
    source = formula_book(tmp_path / "book.xlsx")
    wb = load_workbook(source)
    draft = wb["Черновик"]
    assert isinstance(draft, Worksheet)
    chart = BarChart()
    chart.add_data(Reference(draft, min_col=1, min_row=1, max_row=1))
    draft.add_chart(chart, "D2")
    wb.save(source)
    with zipfile.ZipFile(source) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/")]
    assert charts
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Обращения", "cell": "D3", "rule": "total-row"}), target)
    with zipfile.ZipFile(target) as archive:
        assert set(charts) <= set(archive.namelist())
    assert load_workbook(target).sheetnames[0] == "Замечания"


def test_a_flagged_sheet_with_comments_of_its_own_goes_to_openpyxl(tmp_path: Path) -> None:
    """Comments already on a flagged sheet are left to openpyxl, which keeps them under ours."""
    source = formula_book(tmp_path / "book.xlsx")
    wb = load_workbook(source)
    wb["Обращения"]["B3"].comment = Comment("проверено бухгалтерией", "Иванова")
    wb.save(source)
    findings = frame({"sheet": "Обращения", "cell": "B3", "rule": "total-row"})
    with pytest.raises(UnsupportedPackageError):
        Patch(source.read_bytes()).mark("Обращения", "B3", "EAAE80", "x", (1, 1))
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    text = load_workbook(target)["Обращения"]["B3"].comment.text
    assert "total-row" in text
    assert "проверено бухгалтерией" in text


def test_every_part_is_typed_and_every_relationship_resolves(tmp_path: Path) -> None:
    """The edited package is well formed: each part has a content type, each target exists."""
    source = formula_book(tmp_path / "book.xlsx")
    findings = frame(
        {"sheet": "Обращения", "cell": "D3", "rule": "total-row"},
        {"sheet": "Черновик", "cell": "A1", "rule": "total-row"},
    )
    patched, _ = both(source, findings, tmp_path)
    with zipfile.ZipFile(patched) as archive:
        names = set(archive.namelist())
        types = archive.read("[Content_Types].xml").decode()
        for name in names - {"[Content_Types].xml"}:
            extension = name.rsplit(".", 1)[-1]
            assert f'PartName="/{name}"' in types or f'Extension="{extension}"' in types, name
        for rels in (n for n in names if n.endswith(".rels")):
            text = archive.read(rels).decode()
            for target in [p.split('"')[0] for p in text.split('Target="')[1:]]:
                if target.startswith("#") or "External" in text.split(target)[1][:40]:
                    continue
                folder = rels.rsplit("_rels/", 1)[0]
                resolved = target.lstrip("/") if target.startswith("/") else folder + target
                assert resolved in names, (rels, target)

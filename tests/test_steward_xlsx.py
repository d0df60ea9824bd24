"""The steward's Excel list (:mod:`checks.steward_xlsx`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from checks.steward_xlsx import write_findings
from tests.test_report import synthetic_findings


def written(tmp_path: Path, findings: pd.DataFrame, **kwargs: object) -> Worksheet:
    """Write the list of ``findings`` and return its sheet, read back."""
    path = tmp_path / "discrepancies.xlsx"
    write_findings(findings, path, **kwargs)  # type: ignore[arg-type]
    ws = load_workbook(path).worksheets[0]
    assert isinstance(ws, Worksheet)
    return ws


def column(ws: Worksheet, header: str) -> list[object]:
    """The values under a header."""
    index = [c.value for c in ws[1]].index(header) + 1
    return [ws.cell(row=r, column=index).value for r in range(2, ws.max_row + 1)]


def test_follow_ons_are_indented_and_waived_rows_muted(tmp_path: Path) -> None:
    """A finding with a cause is indented under the roots; a waived one is written in grey."""
    findings = synthetic_findings(3, organisations=1)
    findings["fingerprint"] = [f"{i:016x}" for i in range(3)]
    findings["status"] = ["open", "open", "waived"]
    findings["cause"] = ["", "0000000000000000", ""]
    ws = written(tmp_path, findings)
    assert column(ws, "Следует из (отпечаток)") == [None, "0000000000000000", None]
    assert [ws.cell(row=r, column=1).alignment.indent for r in (2, 3, 4)] == [0, 1, 0]
    assert column(ws, "Статус") == ["открыто", "открыто", "снято"]
    assert str(ws.cell(row=4, column=10).font.color.rgb).endswith("5B6470")


def test_without_a_cause_column_there_is_no_cause_header(tmp_path: Path) -> None:
    """A worklist without ``cause`` gets no empty cause column."""
    ws = written(tmp_path, synthetic_findings(2))
    headers = [c.value for c in ws[1]]
    assert "Следует из (отпечаток)" not in headers
    assert headers[:5] == ["Важность", "Организация", "Год", "Файл", "Лист"]


def test_submitted_formula_text_stays_text(tmp_path: Path) -> None:
    """A label that looks like a formula is written and read back as text."""
    findings = synthetic_findings(1)
    formula = '=HYPERLINK("http://example.invalid";"клик")'
    findings.loc[0, ["organisation", "actual", "message"]] = [formula, formula, formula]
    ws = written(tmp_path, findings, lang="en")
    assert column(ws, "Organisation") == [formula]
    assert column(ws, "Stated") == [formula]
    assert {ws.cell(row=2, column=c).data_type for c in range(1, ws.max_column + 1)} <= {"s", "n"}


def test_links_go_to_the_cell_where_the_sheet_is_known(tmp_path: Path) -> None:
    """A finding links to its cell in the annotated copy, or to the copy when no cell fits."""
    findings = synthetic_findings(3, organisations=1)
    findings.loc[1, "cell"] = ""
    findings.loc[2, "sheet"] = "Время"
    name = findings.loc[0, "submission"]
    ws = written(
        tmp_path,
        findings,
        links={name: f"annotated/{name}"},
        titles={name: {"Обращения": "Appeals"}},
    )
    index = [c.value for c in ws[1]].index("Ячейка") + 1
    links = [ws.cell(row=r, column=index).hyperlink for r in (2, 3, 4)]
    assert [(h.target, h.location) for h in links if h is not None] == [
        (f"annotated/{name}", f"'Appeals'!{findings.loc[0, 'cell']}"),
        (f"annotated/{name}", None),
        (f"annotated/{name}", None),
    ]
    assert ws.cell(row=3, column=index).value == "→"

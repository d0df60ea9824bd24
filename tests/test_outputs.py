"""Writing a run's outputs (:mod:`checks.outputs`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from checks.annotate import SEVERITY_FILLS
from checks.batch import validate
from checks.findings import CONTRACT_FIELDS
from checks.inbox import read_inbox
from checks.outputs import Written, write_outputs
from checks.present import texts

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """The sample inbox's outputs in one language."""

    lang: str
    out: Path
    written: Written
    rows: list[dict[str, str]]


@pytest.fixture(scope="module", params=["ru", "en"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The sample inbox written once per language."""
    lang: str = request.param
    out = tmp_path_factory.mktemp(f"out-{lang}")
    subs = read_inbox(ROOT / "inbox")
    written = write_outputs(validate(subs), out, {s.source.submission: s.path for s in subs}, lang)
    with written.worklist.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Run(lang, out, written, rows)


def steward_sheet(run: Run) -> tuple[Worksheet, dict[str, int]]:
    """The first sheet of ``discrepancies.xlsx`` and its columns by key."""
    ws = load_workbook(run.written.workbook).worksheets[0]
    heads = texts(run.lang)["xlsx"]
    by_header = {str(c.value): c.column for c in ws[1]}
    return ws, {key: by_header[head] for key, head in heads.items() if head in by_header}


def at(ws: Worksheet, row: int, column: int) -> Cell:
    """A cell of a sheet, typed."""
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)
    return cell


def test_outputs_in_the_language_asked_for(run: Run) -> None:
    """The worklist, the report page and the annotated copies speak the language asked for."""
    message_start = {"ru": "Всего 1 175 168 ≠ сумма каналов", "en": "All 1 175 168 ≠ sum of"}
    assert tuple(run.rows[0])[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    assert "message_en" not in run.rows[0]
    assert run.rows[0]["message"].startswith(message_start[run.lang])
    assert f'lang="{run.lang}"' in (run.out / "report.html").read_text(encoding="utf-8")
    annotated = load_workbook(run.out / run.written.annotated["seed-000-lugansk-2025.xlsx"])
    assert annotated.sheetnames[0] == {"ru": "Замечания", "en": "Findings"}[run.lang]
    assert sorted(p.name for p in (run.out / "validated").glob("*.parquet")) == [
        "measures.parquet",
        "resubmissions.parquet",
        "schedules.parquet",
        "submissions.parquet",
    ]


def test_worklist_csv_has_a_byte_order_mark_and_commas(run: Run) -> None:
    """``discrepancies.csv`` starts with the UTF-8 BOM and separates fields with commas."""
    data = run.written.worklist.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfsubmission,submission_sha256,rule,")
    assert len(run.rows) == sum(run.written.counts.values())


def test_xlsx_speaks_the_stewards_language(run: Run) -> None:
    """Headers, severities, statuses and families are in the run's language."""
    t = texts(run.lang)
    ws, columns = steward_sheet(run)
    assert ws.title == t["xlsx"]["sheet"]
    assert [c.value for c in ws[1]][:3] == [
        t["xlsx"]["severity"],
        t["xlsx"]["status"],
        t["xlsx"]["organisation"],
    ]
    column = {
        key: [at(ws, r, columns[key]).value for r in range(2, ws.max_row + 1)]
        for key in ("severity", "status", "family")
    }
    assert column["severity"] == [t["severity"][r["severity"]] for r in run.rows]
    assert column["status"] == [t["status"][r["status"]] for r in run.rows]
    assert column["family"] == [t["family"][r["family"]] for r in run.rows]


def test_xlsx_has_numbers_links_filter_header_and_fills(run: Run) -> None:
    """Counts are numbers, each cell links into the annotated copy, the header stays and filters."""
    ws, columns = steward_sheet(run)
    assert ws.freeze_panes == "A2"
    last = ws.cell(row=1, column=ws.max_column).column_letter
    assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    totals = [(i, r) for i, r in enumerate(run.rows, start=2) if r["family"] == "total"]
    assert totals
    for number, row in totals:
        expected = at(ws, number, columns["expected"])
        assert expected.value == int(row["expected"])
        assert expected.number_format == "#,##0"
    sheets = {
        name: load_workbook(run.out / copy, read_only=True).sheetnames
        for name, copy in run.written.annotated.items()
    }
    for number, row in enumerate(run.rows, start=2):
        fill = at(ws, number, 1).fill.start_color.rgb
        assert str(fill).endswith(SEVERITY_FILLS[row["severity"]])
        link = at(ws, number, columns["cell"]).hyperlink
        copy = run.written.annotated[row["submission"]]
        assert link is not None
        assert link.target == copy
        if row["cell"]:
            title, ref = str(link.location).rsplit("!", 1)
            assert ref == row["cell"]
            assert title.strip("'") in sheets[row["submission"]]

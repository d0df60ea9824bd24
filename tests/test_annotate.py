"""The steward's annotated copies: ``checks.annotate``."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet

from checks.annotate import SEVERITY_FILLS, annotate, annotate_all
from checks.batch import validate
from checks.findings import CONTRACT_FIELDS
from checks.reader import read_submission
from checks.workbook import a1
from tests.builders import PASSPORT, submission, write_workbook

CYRILLIC = re.compile("[\u0400-\u04ff]")
APPEALS_OFF: list[list[Any]] = [
    ["Канал", "Север", "Юг", "Итого"],
    ["Контакт-центр", 1, 2, 4],
    ["Всего", 1, 2, 4],
]


def findings_of(*paths: Path) -> pd.DataFrame:
    """Validate the workbooks as one batch and return their findings."""
    return validate([read_submission(p) for p in paths]).findings


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """Build a findings table with the contract's columns from partial rows."""
    defaults = dict.fromkeys(CONTRACT_FIELDS, "")
    defaults |= {"submission": "book.xlsx", "family": "total", "severity": "error"}
    return pd.DataFrame([defaults | row for row in rows], columns=list(CONTRACT_FIELDS))


def sha256(path: Path) -> str:
    """Return the hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet(wb: Workbook, title: str) -> Worksheet:
    """Return a worksheet of a loaded workbook, typed."""
    ws = wb[title]
    assert isinstance(ws, Worksheet)
    return ws


def at(ws: Worksheet, ref: str) -> Cell:
    """Return a cell of a worksheet, typed."""
    cell = ws[ref]
    assert isinstance(cell, Cell)
    return cell


def fill_of(cell: Cell) -> str:
    """Return the RGB of a cell's solid fill, without the alpha byte."""
    return str(cell.fill.fgColor.rgb)[-6:]


def comment_of(cell: Cell) -> Comment:
    """Return a cell's comment, asserting it has one."""
    assert cell.comment is not None
    return cell.comment


def comment_heights(path: Path) -> dict[str, int]:
    """Return the height in pixels of each comment box of a workbook, by A1 reference."""
    with zipfile.ZipFile(path) as archive:
        vml = "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/drawings/") and name.endswith(".vml")
        )
    shapes = re.findall(r"height:(\d+)px.*?Row>(\d+)<.*?Column>(\d+)<", vml, flags=re.DOTALL)
    return {a1(int(row) + 1, int(col) + 1): int(height) for height, row, col in shapes}


def formula_book(path: Path) -> Path:
    """Write a workbook with a merged title, formulas, a number format and an extra sheet."""
    wb = Workbook()
    passport = wb.active
    assert isinstance(passport, Worksheet)
    passport.title = "Паспорт"
    for row in PASSPORT:
        passport.append(list(row))
    appeals = wb.create_sheet("Обращения")
    appeals.append(["Обращения за 2025 год"])
    appeals.merge_cells("A1:D1")
    appeals.append(["Канал", "Север", "Юг", "Итого"])
    appeals.append(["Контакт-центр", 1000, 2000, "=SUM(B3:C3)"])
    appeals.append(["Всего", "=B3", "=C3", "=SUM(B4:C4)"])
    appeals["B3"].number_format = "#,##0"
    draft = wb.create_sheet("Черновик")
    draft["A1"] = "=Обращения!D3*2"
    draft.merge_cells("A3:B4")
    wb.save(path)
    return path


def test_formulas_merges_and_sheets_survive(tmp_path: Path) -> None:
    """The copy keeps formulas, number formats, merged cells and every sheet, the list first."""
    source = formula_book(tmp_path / "book.xlsx")
    target = tmp_path / "out" / "book.xlsx"
    annotate(source, frame({"sheet": "Обращения", "cell": "D3", "rule": "total-row"}), target)
    wb = load_workbook(target)
    assert wb.sheetnames == ["Замечания", "Паспорт", "Обращения", "Черновик"]
    appeals = sheet(wb, "Обращения")
    assert at(appeals, "D3").value == "=SUM(B3:C3)"
    assert at(appeals, "D4").value == "=SUM(B4:C4)"
    assert at(appeals, "B3").number_format == "#,##0"
    assert [str(r) for r in appeals.merged_cells.ranges] == ["A1:D1"]
    draft = sheet(wb, "Черновик")
    assert at(draft, "A1").value == "=Обращения!D3*2"
    assert [str(r) for r in draft.merged_cells.ranges] == ["A3:B4"]
    assert wb.active is not None
    assert wb.active.title == "Замечания"


def test_cell_inside_merge_is_annotated_on_its_top_left(tmp_path: Path) -> None:
    """A finding inside a merged range marks the range's top-left cell, the one Excel shows."""
    source = formula_book(tmp_path / "book.xlsx")
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Обращения", "cell": "C1", "rule": "label-unknown"}), target)
    appeals = sheet(load_workbook(target), "Обращения")
    assert "label-unknown" in comment_of(at(appeals, "A1")).text
    assert fill_of(at(appeals, "A1")) == SEVERITY_FILLS["error"]


def test_flagged_cell_has_error_fill_and_comment(tmp_path: Path) -> None:
    """A cell with an error finding gets the error fill and a comment with the rule and message."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    findings = findings_of(source)
    row = findings[(findings["rule"] == "total-row") & (findings["cell"] == "D2")].iloc[0]
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    cell = at(sheet(load_workbook(target), "Обращения"), "D2")
    assert fill_of(cell) == SEVERITY_FILLS["error"]
    comment = comment_of(cell)
    assert comment.author == "sverka"
    assert "total-row" in comment.text
    assert str(row["message"]) in comment.text
    assert f"ожидалось: {row['expected']} / указано: {row['actual']}" in comment.text


def test_original_file_is_not_changed(tmp_path: Path) -> None:
    """Annotating leaves the submitted file's bytes as they were."""
    source = formula_book(tmp_path / "book.xlsx")
    before = sha256(source)
    annotate(
        source,
        frame({"sheet": "Обращения", "cell": "D3"}, {"sheet": "Паспорт", "cell": "B2"}),
        tmp_path / "annotated.xlsx",
    )
    assert sha256(source) == before


def test_links_point_at_each_findings_cell(tmp_path: Path) -> None:
    """Each listed finding with a cell links to that cell of its sheet; the others have no link."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    findings = findings_of(source)
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    notes = sheet(load_workbook(target), "Замечания")
    rows = list(notes.iter_rows(min_row=2))
    assert len(rows) == len(findings)
    linked = []
    for row in rows:
        title, ref, link = row[1].value, row[2].value, row[2].hyperlink
        if ref is None:
            assert link is None
            continue
        assert link is not None
        assert link.target == f"#'{title}'!{ref}"
        linked.append((title, ref, row[3].value))
    expected = findings[findings["cell"] != ""]
    assert linked == list(zip(expected["sheet"], expected["cell"], expected["rule"], strict=True))
    assert ("Обращения", "D2", "total-row") in linked


@pytest.mark.parametrize("title", ["appeals", " Обращения ", "ОБРАЩЕНИЯ", "Appeals"])
def test_sheet_under_another_spelling_is_annotated(tmp_path: Path, title: str) -> None:
    """A sheet titled by an alias or in another case still gets its cells annotated and linked."""
    source = write_workbook(tmp_path / "book.xlsx", {"Паспорт": PASSPORT, title: APPEALS_OFF})
    findings = findings_of(source)
    assert "Обращения" in set(findings["sheet"])
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    wb = load_workbook(target)
    assert "total-row" in comment_of(at(sheet(wb, title), "D2")).text
    links = [c.hyperlink.target for c in sheet(wb, "Замечания")["C"] if c.hyperlink is not None]
    assert f"#'{title}'!D2" in links


def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    """annotate_all skips a file openpyxl cannot open and annotates the others."""
    good = submission(tmp_path / "good.xlsx", appeals=APPEALS_OFF)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    findings = findings_of(good, broken)
    assert "file-unreadable" in set(findings[findings["submission"] == "broken.xlsx"]["rule"])
    out = tmp_path / "out"
    written = annotate_all({"good.xlsx": good, "broken.xlsx": broken}, findings, out)
    assert written == {"good.xlsx": out / "annotated" / "good.xlsx"}
    assert not (out / "annotated" / "broken.xlsx").exists()
    assert load_workbook(written["good.xlsx"]).sheetnames[0] == "Замечания"


def test_severities_get_distinct_fills(tmp_path: Path) -> None:
    """Errors, warnings and infos get three different fills; a cell takes its most severe."""
    source = formula_book(tmp_path / "book.xlsx")
    target = tmp_path / "annotated.xlsx"
    findings = frame(
        {"sheet": "Обращения", "cell": "B3", "severity": "error", "rule": "total-column"},
        {"sheet": "Обращения", "cell": "C3", "severity": "warning", "rule": "share-truncated"},
        {"sheet": "Обращения", "cell": "A3", "severity": "info", "rule": "sheet-extra"},
        {"sheet": "Обращения", "cell": "D3", "severity": "warning", "rule": "share-truncated"},
        {"sheet": "Обращения", "cell": "D3", "severity": "error", "rule": "total-row"},
    )
    annotate(source, findings, target)
    appeals = sheet(load_workbook(target), "Обращения")
    fills = [fill_of(at(appeals, ref)) for ref in ("B3", "C3", "A3")]
    assert fills == [SEVERITY_FILLS[s] for s in ("error", "warning", "info")]
    assert len(set(fills)) == 3
    both = at(appeals, "D3")
    assert fill_of(both) == SEVERITY_FILLS["error"]
    text = comment_of(both).text
    assert text.index("total-row") < text.index("share-truncated")
    heights = comment_heights(target)
    assert heights["D3"] > heights["B3"]


def test_list_has_russian_labels_filter_and_frozen_header(tmp_path: Path) -> None:
    """The list names severities in Russian, has a bold filtered frozen header, and no-cell rows."""
    source = formula_book(tmp_path / "book.xlsx")
    target = tmp_path / "annotated.xlsx"
    findings = frame(
        {"sheet": "Обращения", "cell": "D3", "severity": "error", "expected": "3000"},
        {"sheet": "Время", "severity": "info", "rule": "sheet-missing"},
        {"sheet": "", "severity": "warning", "rule": "file-note"},
    )
    annotate(source, findings, target)
    notes = sheet(load_workbook(target), "Замечания")
    header = [c.value for c in notes[1]]
    assert header == ["Важность", "Лист", "Ячейка", "Правило", "Ожидалось", "Указано", "Сообщение"]
    assert all(c.font.bold for c in notes[1])
    assert notes.auto_filter.ref == "A1:G4"
    assert notes.freeze_panes == "A2"
    assert [c.value for c in notes["A"][1:]] == ["ошибка", "предупреждение", "сведения"]
    assert [c.hyperlink is None for c in notes["C"][1:]] == [False, True, True]
    assert at(notes, "B4").value == "Время"


def test_submitters_own_comment_is_kept(tmp_path: Path) -> None:
    """A flagged cell that already had a comment keeps its text below ours."""
    source = tmp_path / "book.xlsx"
    formula_book(source)
    wb = load_workbook(source)
    at(sheet(wb, "Обращения"), "D3").comment = Comment("проверено бухгалтерией", "Иванова")
    wb.save(source)
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Обращения", "cell": "D3", "rule": "total-row"}), target)
    text = comment_of(at(sheet(load_workbook(target), "Обращения"), "D3")).text
    assert text.index("total-row") < text.index("Иванова")
    assert "проверено бухгалтерией" in text


def test_existing_notes_sheet_is_kept(tmp_path: Path) -> None:
    """A workbook with its own ``Замечания`` keeps it; ours is ``Замечания sverka``, first."""
    source = write_workbook(
        tmp_path / "book.xlsx",
        {"Паспорт": PASSPORT, "Замечания": [["наше"]], "Замечания sverka": [["тоже"]]},
    )
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Паспорт", "cell": "B1"}), target)
    wb = load_workbook(target)
    assert wb.sheetnames == [
        "Замечания sverka 2",
        "Паспорт",
        "Замечания",
        "Замечания sverka",
    ]
    assert at(sheet(wb, "Замечания"), "A1").value == "наше"


def test_stated_text_starting_with_equals_stays_text(tmp_path: Path) -> None:
    """A stated value that looks like a formula is written to the list as text."""
    source = formula_book(tmp_path / "book.xlsx")
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Обращения", "cell": "D3", "actual": "=1+1"}), target)
    cell = at(sheet(load_workbook(target), "Замечания"), "F2")
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_only_open_findings_are_annotated(tmp_path: Path) -> None:
    """With a status column, waived findings are left out and a file with none open is skipped."""
    first = formula_book(tmp_path / "first.xlsx")
    second = formula_book(tmp_path / "second.xlsx")
    findings = frame(
        {"submission": "first.xlsx", "sheet": "Обращения", "cell": "D3", "rule": "total-row"},
        {"submission": "first.xlsx", "sheet": "Обращения", "cell": "B3", "rule": "total-column"},
        {"submission": "second.xlsx", "sheet": "Обращения", "cell": "D3", "rule": "total-row"},
    )
    findings["status"] = ["open", "waived", "waived"]
    findings["fingerprint"] = ["a", "b", "c"]
    out = tmp_path / "out"
    written = annotate_all({"first.xlsx": first, "second.xlsx": second}, findings, out)
    assert set(written) == {"first.xlsx"}
    wb = load_workbook(written["first.xlsx"])
    appeals = sheet(wb, "Обращения")
    assert at(appeals, "D3").comment is not None
    assert at(appeals, "B3").comment is None
    assert sheet(wb, "Замечания").max_row == 2


def test_subfolder_submission_keeps_its_path(tmp_path: Path) -> None:
    """A submission from an inbox subfolder is written under the same relative path."""
    inbox = tmp_path / "inbox"
    (inbox / "north").mkdir(parents=True)
    source = submission(inbox / "north" / "report.xlsx", appeals=APPEALS_OFF)
    findings = findings_of(source)
    findings["submission"] = "north/report.xlsx"
    out = tmp_path / "out"
    written = annotate_all({"north/report.xlsx": source}, findings, out)
    assert written == {"north/report.xlsx": out / "annotated" / "north" / "report.xlsx"}
    assert written["north/report.xlsx"].is_file()


def test_macro_workbook_keeps_its_type(tmp_path: Path) -> None:
    """A ``.xlsm`` submission is annotated as a ``.xlsm`` that opens as a macro workbook."""
    source = submission(tmp_path / "book.xlsm", appeals=APPEALS_OFF)
    findings = findings_of(source)
    written = annotate_all({"book.xlsm": source}, findings, tmp_path / "out")
    target = written["book.xlsm"]
    assert target.name == "book.xlsm"
    with zipfile.ZipFile(target) as archive:
        assert "macroEnabled" in archive.read("[Content_Types].xml").decode()
    assert "total-row" in comment_of(at(sheet(load_workbook(target), "Обращения"), "D2")).text


def english_book(path: Path) -> Path:
    """Write a workbook with English sheet titles and a comment of its own on ``Appeals!D2``."""
    write_workbook(path, {"Passport": PASSPORT, "Appeals": APPEALS_OFF})
    wb = load_workbook(path)
    at(sheet(wb, "Appeals"), "D2").comment = Comment("checked by accounts", "Ivanova")
    wb.save(path)
    return path


def test_english_copy_has_no_russian_text(tmp_path: Path) -> None:
    """With ``lang="en"`` and ASCII findings, the list and the comments carry no Cyrillic."""
    source = english_book(tmp_path / "book.xlsx")
    findings = frame(
        {
            "sheet": "Appeals",
            "cell": "D2",
            "severity": "error",
            "rule": "total-row",
            "expected": "3",
            "actual": "4",
            "message": "Row total 4 != sum 3",
        },
        {"sheet": "Appeals", "cell": "D2", "severity": "warning", "rule": "share-truncated"},
        {"sheet": "Appeals", "cell": "B2", "severity": "info", "rule": "sheet-extra"},
        {"sheet": "Time", "severity": "info", "rule": "sheet-missing"},
    )
    out = tmp_path / "out"
    written = annotate_all({"book.xlsx": source}, findings, out, lang="en")
    wb = load_workbook(written["book.xlsx"])
    assert wb.sheetnames == ["Findings", "Passport", "Appeals"]
    notes = sheet(wb, "Findings")
    header = [c.value for c in notes[1]]
    assert header == ["Severity", "Sheet", "Cell", "Rule", "Expected", "Stated", "Message"]
    assert [c.value for c in notes["A"][1:]] == ["error", "warning", "info", "info"]
    texts = [str(c.value) for row in notes.iter_rows() for c in row if c.value is not None]
    comments = [comment_of(at(sheet(wb, "Appeals"), ref)).text for ref in ("D2", "B2")]
    assert [t for t in texts + comments if CYRILLIC.search(t)] == []
    both = comments[0]
    assert "error · total-row" in both
    assert "expected: 3 / stated: 4" in both
    assert "Note in the file (Ivanova):\nchecked by accounts" in both


def test_english_notes_sheet_name_is_deduplicated(tmp_path: Path) -> None:
    """A workbook with its own ``Findings`` keeps it; the English list is ``Findings sverka``."""
    source = write_workbook(tmp_path / "book.xlsx", {"Паспорт": PASSPORT, "findings": [["ours"]]})
    target = tmp_path / "annotated.xlsx"
    annotate(source, frame({"sheet": "Паспорт", "cell": "B1"}), target, lang="en")
    wb = load_workbook(target)
    assert wb.sheetnames == ["Findings sverka", "Паспорт", "findings"]
    assert at(sheet(wb, "findings"), "A1").value == "ours"


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    """A language without texts is an error, raised before any file is written."""
    source = formula_book(tmp_path / "book.xlsx")
    findings = frame({"sheet": "Обращения", "cell": "D3"})
    with pytest.raises(ValueError, match="unknown language"):
        annotate(source, findings, tmp_path / "annotated.xlsx", lang="de")
    with pytest.raises(ValueError, match="unknown language"):
        annotate_all({"book.xlsx": source}, findings, tmp_path / "out", lang="de")
    assert not (tmp_path / "annotated.xlsx").exists()
    assert not (tmp_path / "out").exists()


def test_list_is_ordered_by_severity_then_sheet_roots_first(tmp_path: Path) -> None:
    """The list gives roots before follow-ons, each by severity, then sheet in workbook order."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    findings = frame(
        {"sheet": "Время", "cell": "C2", "severity": "warning", "rule": "w-times"},
        {"sheet": "Обращения", "cell": "D3", "severity": "warning", "rule": "w-appeals"},
        {"sheet": "Обращения", "cell": "D2", "severity": "error", "rule": "follow"},
        {"sheet": "Паспорт", "cell": "B2", "severity": "info", "rule": "i-passport"},
        {"sheet": "Обращения", "cell": "B9", "severity": "error", "rule": "e-appeals"},
    )
    findings["fingerprint"] = [f"{i:016x}" for i in range(len(findings))]
    findings["cause"] = ["", "", findings.loc[1, "fingerprint"], "", ""]
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    notes = sheet(load_workbook(target), "Замечания")
    assert [(r[0].value, r[3].value) for r in notes.iter_rows(min_row=2)] == [
        ("ошибка", "e-appeals"),
        ("предупреждение", "w-appeals"),
        ("предупреждение", "w-times"),
        ("сведения", "i-passport"),
        ("ошибка, следствие", "follow"),
    ]


def test_list_wraps_fits_rows_and_prints_landscape_to_width(tmp_path: Path) -> None:
    """Long messages wrap in rows tall enough; the sheet prints landscape, one page wide."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    long = "Итого заочные 1 195 866 ≠ сумма каналов 1 271 849: " * 6
    findings = frame(
        {"sheet": "Обращения", "cell": "D3", "message": long},
        {"sheet": "Обращения", "cell": "D2", "message": "Коротко."},
    )
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    notes = sheet(load_workbook(target), "Замечания")
    width = notes.column_dimensions["G"].width
    assert all(c.alignment.wrap_text for c in notes["G"])
    row = {c.value: c.row for c in notes["G"]}
    tall, short = (notes.row_dimensions[row[m]].height for m in (long, "Коротко."))
    assert tall is not None
    assert short is not None
    # the long message needs len/width lines of 15 points; the short one a single line
    assert tall >= 15 * (len(long) / width)
    assert short < 20
    assert notes.page_setup.orientation == "landscape"
    assert notes.page_setup.fitToWidth == 1
    assert notes.page_setup.fitToHeight == 0
    assert notes.sheet_properties.pageSetUpPr.fitToPage is True


def test_counts_are_numbers_in_the_list_and_grouped_in_comments(tmp_path: Path) -> None:
    """A count is an Excel number in the list and written with grouped digits in the comment."""
    source = submission(tmp_path / "book.xlsx", appeals=APPEALS_OFF)
    findings = frame(
        {"sheet": "Обращения", "cell": "D3", "expected": "1271849", "actual": "1195866"},
        {"sheet": "Обращения", "cell": "D2", "family": "passport", "expected": "2025"},
    )
    target = tmp_path / "annotated.xlsx"
    annotate(source, findings, target)
    wb = load_workbook(target)
    notes = sheet(wb, "Замечания")
    by_cell = {r[2].value: (r[4], r[5]) for r in notes.iter_rows(min_row=2)}
    expected, actual = by_cell["D3"]
    assert (expected.value, actual.value) == (1271849, 1195866)
    assert expected.number_format == "#,##0"
    assert by_cell["D2"][0].value == "2025"
    thin = "\u202f"
    assert f"ожидалось: 1{thin}271{thin}849 / указано: 1{thin}195{thin}866" in (
        comment_of(at(sheet(wb, "Обращения"), "D3")).text
    )

"""Opening submitted files: ``checks.workbook``, ``checks.reader`` and ``checks.inbox``."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path
from typing import IO, Any

import pytest
from openpyxl import Workbook

from checks.findings import Finding
from checks.inbox import discover, read_inbox
from checks.limits import Limits
from checks.reader import contract_sheets, read_submission
from checks.workbook import UnreadableWorkbookError, a1, read_workbook
from tests.builders import PASSPORT, submission, write_workbook
from tests.hostile import billion_laughs, encrypted, far_cell, replace_part, sheet_part

APPEALS = [
    ["Канал", "Итого"],
    ["Контакт-центр", 100],
    ["Письменные обращения", 20],
    ["Всего", 120],
]
COMPLAINTS = [["Канал", "Итого"], ["Претензии и жалобы", 1]]
TIMES = [["Период", "Канал", "Ожидание"], ["Январь", "Контакт-центр", "0:01:00"]]
SCHEDULE = [["Канал", "Режим работы"], ["Контакт-центр", "Круглосуточно"]]
MEASURES = [["Раздел", "Мероприятие", "Срок"], ["Обучение", "Обучение операторов", "1 квартал"]]
#: Every contract sheet, with a header and one row each.
ALL_SHEETS: dict[str, list[list[Any]]] = {
    "Паспорт": [list(row) for row in PASSPORT],
    "Обращения": APPEALS,
    "Жалобы": COMPLAINTS,
    "Время": TIMES,
    "Режим работы": SCHEDULE,
    "Мероприятия": MEASURES,
}

XLS_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
BROKEN_ZIP_BYTES = b"PK\x03\x04" + b"\x8f\x13 not a zip at all \xff\xfe" * 20
CSV_BYTES = "Канал;Итого\nКонтакт-центр;100\n".encode()
TXT_BYTES = "Отчёт будет позже.\n".encode()


def zip_without_workbook() -> bytes:
    """Return a valid zip archive that holds no workbook parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "не книга")
    return buffer.getvalue()


#: id → (file name, bytes, what the reason says).
BAD_FILE_CASES = {
    "old-xls": ("report.xls", XLS_BYTES, "старого формата"),
    "csv": ("report.csv", CSV_BYTES, "CSV"),
    "broken-zip": ("report.xlsx", BROKEN_ZIP_BYTES, "повреждён"),
    "zip-without-workbook": ("report.xlsx", zip_without_workbook(), "повреждён"),
    "empty": ("report.xlsx", b"", "пустой"),
    "txt": ("report.txt", TXT_BYTES, "не является книгой Excel"),
}
BAD_FILES = [pytest.param(*case, id=key) for key, case in BAD_FILE_CASES.items()]


def sha256(path: Path) -> str:
    """Return the hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, str]:
    """Map every path under ``root`` to its digest (``dir`` for folders)."""
    return {
        p.relative_to(root).as_posix(): sha256(p) if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def flat(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    """Flatten findings to ``(rule, family, severity, sheet)``."""
    return [(f.rule, f.family, f.severity, f.sheet) for f in findings]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES)
def test_read_workbook_raises_on_a_file_that_is_not_a_workbook(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    """Bytes that are not an .xlsx raise ``UnreadableWorkbookError`` saying why, in Russian."""
    path = tmp_path / name
    with pytest.raises(UnreadableWorkbookError, match=reason):
        read_workbook(data, path)


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES)
def test_bad_file_is_one_file_unreadable_finding(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    """A file that is not a workbook becomes one ``file-unreadable`` error naming it."""
    path = tmp_path / name
    path.write_bytes(data)
    sub = read_submission(path)
    assert [
        (f.submission, f.submission_sha256, f.rule, f.family, f.severity) for f in sub.findings
    ] == [(name, hashlib.sha256(data).hexdigest(), "file-unreadable", "structure", "error")]
    assert reason in sub.findings[0].message
    assert (sub.figures, sub.sheets) == ([], set())


def test_bad_files_do_not_stop_the_run(tmp_path: Path) -> None:
    """Each bad file in an inbox is one finding, and the good submission beside them is read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [f"{key}-{name}" for key, (name, _, _) in BAD_FILE_CASES.items()]
    for file_name, (_, data, _) in zip(names, BAD_FILE_CASES.values(), strict=True):
        (inbox / file_name).write_bytes(data)
    submission(inbox / "good.xlsx", appeals=APPEALS)
    subs = read_inbox(inbox)
    unreadable = [
        (f.submission, f.rule) for s in subs for f in s.findings if f.rule == "file-unreadable"
    ]
    assert unreadable == [(n, "file-unreadable") for n in sorted(names)]
    good = next(s for s in subs if s.source.submission == "good.xlsx")
    assert (good.source.organisation, good.source.year) == ("АО «Тест-Энергосбыт»", 2025)
    assert [f["value"] for f in good.figures] == [100.0, 20.0, 120.0]


def test_missing_passport_is_an_error_and_other_sheets_are_read(tmp_path: Path) -> None:
    """A workbook without ``Паспорт`` is a ``passport-missing`` error; its other sheets are read."""
    path = write_workbook(tmp_path / "report.xlsx", {"Обращения": APPEALS})
    sub = read_submission(path)
    assert [f for f in flat(sub.findings) if f[2] == "error"] == [
        ("passport-missing", "structure", "error", "Паспорт")
    ]
    assert sub.sheets == {"Обращения"}
    assert [(f["label"], f["territory"], f["value"], f["cell"]) for f in sub.figures] == [
        ("Контакт-центр", "Итого", 100.0, "B2"),
        ("Письменные обращения", "Итого", 20.0, "B3"),
        ("Всего", "Итого", 120.0, "B4"),
    ]


@pytest.mark.parametrize(
    ("title", "canonical"),
    [
        pytest.param("passport", "Паспорт", id="passport-alias-lower"),
        pytest.param("PASSPORT", "Паспорт", id="passport-alias-upper"),
        pytest.param(" Паспорт ", "Паспорт", id="passport-padded"),
        pytest.param("паспорт", "Паспорт", id="passport-lower"),
        pytest.param(" Обращения ", "Обращения", id="appeals-padded"),
        pytest.param("APPEALS", "Обращения", id="appeals-alias-upper"),
        pytest.param("ОБРАЩЕНИЯ", "Обращения", id="appeals-upper"),
        pytest.param("complaints", "Жалобы", id="complaints-alias"),
        pytest.param("Times", "Время", id="times-alias"),
        pytest.param("режим  работы", "Режим работы", id="schedule-spaces"),
        pytest.param("SCHEDULE", "Режим работы", id="schedule-alias"),
        pytest.param("Measures", "Мероприятия", id="measures-alias"),
    ],
)
def test_sheet_name_variants_are_matched(tmp_path: Path, title: str, canonical: str) -> None:
    """A sheet named with other case, spacing or in English is read as its contract sheet."""
    sheets = {(title if k == canonical else k): v for k, v in ALL_SHEETS.items()}
    sub = read_submission(write_workbook(tmp_path / "report.xlsx", sheets))
    assert sub.sheets == set(ALL_SHEETS)
    assert flat(sub.findings) == []


def test_passport_read_from_a_sheet_named_in_english(tmp_path: Path) -> None:
    """A passport on a sheet named ``passport`` gives the organisation and the year."""
    path = write_workbook(tmp_path / "report.xlsx", {"passport": PASSPORT, "APPEALS": APPEALS})
    sub = read_submission(path)
    assert (sub.source.organisation, sub.source.year) == ("АО «Тест-Энергосбыт»", 2025)
    assert [f["value"] for f in sub.figures] == [100.0, 20.0, 120.0]


def test_passport_key_with_yo_is_matched(tmp_path: Path) -> None:
    """A passport key written with ``ё`` (``Отчётный год``) gives the year."""
    passport = [["Организация", "АО «Тест-Энергосбыт»"], ["Отчётный год", 2025]]
    sub = read_submission(submission(tmp_path / "report.xlsx", passport=passport))
    assert sub.source.year == 2025


def test_extra_sheet_is_info(tmp_path: Path) -> None:
    """A sheet outside the contract is one ``sheet-extra`` info naming it, and is not read."""
    sheets = {**ALL_SHEETS, "Примечания": [["Канал", "Итого"], ["Контакт-центр", 5]]}
    sub = read_submission(write_workbook(tmp_path / "report.xlsx", sheets))
    assert flat(sub.findings) == [("sheet-extra", "structure", "info", "")]
    assert "«Примечания»" in sub.findings[0].message
    assert sub.sheets == set(ALL_SHEETS)
    assert [f["value"] for f in sub.figures if f["sheet"] == "Обращения"] == [100.0, 20.0, 120.0]


@pytest.mark.parametrize(
    ("titles", "chosen"),
    [
        pytest.param(["Паспорт", "Обращения"], [0, 1], id="contract"),
        pytest.param(["Примечания", "passport", "Лист1"], [1], id="extra-around"),
        pytest.param(["Паспорт", " ПАСПОРТ ", "Passport"], [0], id="given-thrice"),
        pytest.param(["Times", "Время", "Complaints"], [0, 2], id="alias-first"),
        pytest.param([], [], id="none"),
    ],
)
def test_contract_sheets_are_the_first_of_each(titles: list[str], chosen: list[int]) -> None:
    """The reader reads the first sheet standing for each contract sheet, and no other."""
    assert contract_sheets(titles) == chosen


def test_sheet_given_twice_is_extra_and_unread(tmp_path: Path) -> None:
    """A second sheet for the same contract sheet is a ``sheet-extra``; its figures are not read."""
    sheets = {**ALL_SHEETS, "APPEALS": [["Канал", "Итого"], ["Контакт-центр", 999]]}
    path = write_workbook(tmp_path / "report.xlsx", sheets)
    sub = read_submission(path)
    assert flat(sub.findings) == [("sheet-extra", "structure", "info", "")]
    assert "«APPEALS»" in sub.findings[0].message
    assert 999.0 not in [f["value"] for f in sub.figures]
    read = read_workbook(path.read_bytes(), path, select=contract_sheets)
    assert [(s.title, bool(s.cells)) for s in read][-1] == ("APPEALS", False)


@pytest.mark.parametrize("missing", ["Обращения", "Жалобы", "Время", "Режим работы", "Мероприятия"])
def test_absent_optional_sheet_is_info(tmp_path: Path, missing: str) -> None:
    """An absent sheet other than ``Паспорт`` is one ``sheet-missing`` info, never an error."""
    sheets = {k: v for k, v in ALL_SHEETS.items() if k != missing}
    sub = read_submission(write_workbook(tmp_path / "report.xlsx", sheets))
    assert flat(sub.findings) == [("sheet-missing", "structure", "info", missing)]
    assert sub.sheets == set(ALL_SHEETS) - {missing}


def test_complete_submission_has_no_structure_finding(tmp_path: Path) -> None:
    """A workbook with every contract sheet in its canonical spelling reads without findings."""
    sub = read_submission(write_workbook(tmp_path / "report.xlsx", ALL_SHEETS))
    assert flat(sub.findings) == []
    assert sub.source.sha256 == sha256(tmp_path / "report.xlsx")


def test_stray_far_cell_reads_as_two_cells(tmp_path: Path) -> None:
    """A sheet with A1 and one stray value at ``XFD1048576`` reads as exactly those two cells."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Обращения"
    ws["A1"] = "Канал"
    ws["XFD1048576"] = "x"
    path = tmp_path / "report.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(path.read_bytes(), path)
    assert {k: c.value for k, c in sheet.cells.items()} == {(1, 1): "Канал", (1048576, 16384): "x"}
    assert not sheet.truncated


def test_sheet_past_the_cell_cap_is_cut_and_reported(tmp_path: Path) -> None:
    """A sheet with more filled cells than the cap is read only in part, and says so."""
    limits = Limits(cells_per_sheet=10)
    rows = [["Канал", "Итого"], *([["Контакт-центр", n] for n in range(30)])]
    path = submission(tmp_path / "report.xlsx", appeals=rows)
    sheets = {s.title: s for s in read_workbook(path.read_bytes(), path, limits)}
    assert sheets["Обращения"].truncated
    assert 10 <= len(sheets["Обращения"].cells) < 62
    assert ("sheet-too-large", "structure", "error", "Обращения") in flat(
        read_submission(path, limits=limits).findings
    )


def test_cells_keep_their_number_format(tmp_path: Path) -> None:
    """A cell is read with its value and its Excel number format (``General`` if none)."""
    path = write_workbook(
        tmp_path / "report.xlsx", {"Жалобы": [[0.0019, 0.19]]}, {("Жалобы", "A1"): "0.00%"}
    )
    (sheet,) = read_workbook(path.read_bytes(), path)
    assert {k: (c.value, c.number_format) for k, c in sheet.cells.items()} == {
        (1, 1): (0.0019, "0.00%"),
        (1, 2): (0.19, "General"),
    }


def test_percent_formatted_share_reads_as_percent(tmp_path: Path) -> None:
    """A share stored as ``0.0019`` under a ``0.00%`` format reads as 0.19 % with 2 decimals."""
    complaints = [
        ["Канал", "Итого"],
        ["Претензии и жалобы", 1],
        ["Доля претензий и жалоб, %", 0.0019],
    ]
    path = tmp_path / "report.xlsx"
    write_workbook(
        path,
        {"Паспорт": PASSPORT, "Обращения": APPEALS, "Жалобы": complaints},
        {("Жалобы", "B3"): "0.00%"},
    )
    (share,) = [f for f in read_submission(path).figures if f["metric"] == "complaint_share"]
    assert (share["value"], share["decimals"], share["form"], share["cell"]) == (
        pytest.approx(0.19),
        2,
        "percent-format",
        "B3",
    )


@pytest.mark.parametrize(
    ("stored", "number_format", "seconds"),
    [
        pytest.param(264 / 86400, "h:mm:ss", 264.0, id="clock-time"),
        pytest.param(264 / 86400, "[mm]:ss", 264.0, id="elapsed-minutes"),
        pytest.param(1 + 1 / 24, "[h]:mm:ss", 90000.0, id="elapsed-hours-over-a-day"),
        pytest.param(1 + 1 / 24, "h:mm:ss", 90000.0, id="clock-format-over-a-day"),
    ],
)
def test_excel_duration_reads_as_the_stored_time(
    tmp_path: Path, stored: float, number_format: str, seconds: float
) -> None:
    """An Excel time cell reads as the duration it stores, whatever its time format."""
    times = [["Период", "Канал", "Ожидание"], ["Январь", "Контакт-центр", stored]]
    path = tmp_path / "report.xlsx"
    write_workbook(path, {"Паспорт": PASSPORT, "Время": times}, {("Время", "C2"): number_format})
    (waiting,) = [f for f in read_submission(path).figures if f["metric"] == "waiting_time"]
    assert (waiting["value"], waiting["form"]) == (pytest.approx(seconds, abs=0.5), "excel")


@pytest.mark.parametrize(
    ("row", "column", "reference"),
    [
        pytest.param(7, 2, "B7", id="small"),
        pytest.param(1, 27, "AA1", id="two-letters"),
        pytest.param(1048576, 16384, "XFD1048576", id="last-cell"),
    ],
)
def test_a1_reference(row: int, column: int, reference: str) -> None:
    """A (row, column) pair is named by its A1 reference, as Excel shows it."""
    assert a1(row, column) == reference


def test_discover_skips_lock_and_hidden_files(tmp_path: Path) -> None:
    """Excel lock files and hidden files are not submissions; subfolders are searched."""
    submission(tmp_path / "a.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"\x00" * 165)
    (tmp_path / ".gitkeep").write_bytes(b"")
    (tmp_path / "org1").mkdir()
    submission(tmp_path / "org1" / "report.xlsx")
    (tmp_path / "org1" / "~$report.xlsx").write_bytes(b"\x00" * 165)
    (tmp_path / ".hidden").mkdir()
    submission(tmp_path / ".hidden" / "report.xlsx")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.xlsx", "org1/report.xlsx"]


def test_read_inbox_names_files_by_relative_path(tmp_path: Path) -> None:
    """Submissions in subfolders are named by their path in the inbox, in findings too."""
    submission(tmp_path / "report.xlsx")
    (tmp_path / "north").mkdir()
    submission(tmp_path / "north" / "report.xlsx")
    (tmp_path / "south").mkdir()
    (tmp_path / "south" / "report.xlsx").write_bytes(BROKEN_ZIP_BYTES)
    subs = read_inbox(tmp_path)
    assert [s.source.submission for s in subs] == [
        "north/report.xlsx",
        "report.xlsx",
        "south/report.xlsx",
    ]
    assert [(f.submission, f.rule) for f in subs[2].findings] == [
        ("south/report.xlsx", "file-unreadable")
    ]


def test_xlsm_reads_like_xlsx(tmp_path: Path) -> None:
    """A macro-enabled ``.xlsm`` submission is read like an ``.xlsx``."""
    path = submission(tmp_path / "report.xlsm", appeals=APPEALS)
    sub = read_submission(path)
    assert "file-unreadable" not in [f.rule for f in sub.findings]
    assert [f["value"] for f in sub.figures] == [100.0, 20.0, 120.0]


def test_read_inbox_leaves_the_inbox_unchanged(tmp_path: Path) -> None:
    """Reading an inbox changes no byte of any file in it and adds nothing to it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    submission(inbox / "a.xlsx", appeals=APPEALS)
    (inbox / "~$a.xlsx").write_bytes(b"\x00" * 165)
    (inbox / ".gitkeep").write_bytes(b"")
    (inbox / "old.xls").write_bytes(XLS_BYTES)
    (inbox / "broken.xlsx").write_bytes(BROKEN_ZIP_BYTES)
    (inbox / "org1").mkdir()
    write_workbook(inbox / "org1" / "report.xlsx", {"Обращения": APPEALS})
    before = snapshot(inbox)
    read_inbox(inbox)
    assert snapshot(inbox) == before


def sheet_xml(path: Path, title: str, cells: str) -> Path:
    """Replace the sheet ``title`` of a workbook with one row of raw ``<c>`` XML in row 2."""
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>Канал</t></is></c>'
    head += '<c r="B1" t="inlineStr"><is><t>Итого</t></is></c></row>'
    body = f'<sheetData>{head}<row r="2">{cells}</row></sheetData>'
    return replace_part(path, sheet_part(path, title), lambda handle: handle.write(body.encode()))


@pytest.mark.parametrize(
    ("cells", "uncomputed"),
    [
        pytest.param("<c r='B2'><f>SUM(B3:B4)</f></c>", [(2, 2, "SUM(B3:B4)")], id="no-value"),
        pytest.param("<c r='B2'><f>SUM(B3:B4)</f><v/></c>", [(2, 2, "SUM(B3:B4)")], id="empty-v"),
        pytest.param("<c r='B2'><f t='shared' si='0'/></c>", [(2, 2, "")], id="shared"),
        pytest.param("<c r='B2'><f>SUM(B3:B4)</f><v>7</v></c>", [], id="computed"),
        pytest.param("<c r='B2' t='str'><f>\"\"</f><v></v></c>", [], id="computed-empty-text"),
        pytest.param("<c r='B2'><v>7</v></c>", [], id="plain-number"),
        pytest.param("<c r='B2'/>", [], id="empty-cell"),
    ],
)
def test_formula_without_a_computed_value_is_noted(
    tmp_path: Path, cells: str, uncomputed: list[tuple[int, int, str]]
) -> None:
    """A formula cell with no cached value is noted with its formula; computed ones are not."""
    path = sheet_xml(submission(tmp_path / "report.xlsx", appeals=APPEALS), "Обращения", cells)
    sheets = {s.title: s for s in read_workbook(path.read_bytes(), path)}
    assert sheets["Обращения"].uncomputed == uncomputed


def test_uncomputed_formula_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    """Openpyxl's own formulas (never computed) are warnings at their cells, saying what to do."""
    appeals = [["Канал", "Итого"], ["Контакт-центр", 100], ["Всего", "=SUM(B2:B2)"]]
    sheets = {"Паспорт": PASSPORT, "Обращения": appeals, "Примечания": [["=1+1"]]}
    sub = read_submission(write_workbook(tmp_path / "report.xlsx", sheets))
    found = [(f.rule, f.severity, f.sheet, f.cell, f.actual) for f in sub.findings]
    assert [f for f in found if f[0] == "formula-uncomputed"] == [
        ("formula-uncomputed", "warning", "Обращения", "B3", "=SUM(B2:B2)")
    ]
    (warning,) = [f for f in sub.findings if f.rule == "formula-uncomputed"]
    assert warning.message == (
        "В ячейке B3 формула «=SUM(B2:B2)» без вычисленного значения: эта цифра не проверена. "
        "Откройте файл в Excel или LibreOffice и один раз сохраните его — значения формул будут "
        "вычислены."
    )
    assert [f["cell"] for f in sub.figures] == ["B2", "B3"]
    assert sub.figures[1]["form"] == "empty"


def test_rows_past_the_row_cap_stop_the_sheet(tmp_path: Path) -> None:
    """Empty rows without ``r`` count against the row cap; the rows before it are read."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    rows = '<row><c t="inlineStr"><is><t>Канал</t></is></c></row>' + '<row spans="1:2"/>' * 60

    def write(handle: IO[bytes]) -> None:
        handle.write(f"<sheetData>{rows}</sheetData>".encode())

    replace_part(path, sheet_part(path, "Обращения"), write)
    limits = Limits(rows_per_sheet=50)
    sheets = {s.title: s for s in read_workbook(path.read_bytes(), path, limits)}
    assert sheets["Обращения"].rows_truncated
    assert {k: c.value for k, c in sheets["Обращения"].cells.items()} == {(1, 1): "Канал"}
    sub = read_submission(path, limits=limits)
    (finding,) = [f for f in sub.findings if f.rule == "sheet-too-many-rows"]
    assert (finding.severity, finding.sheet) == ("error", "Обращения")
    assert finding.message == (
        "На листе «Обращения» больше 50 строк (вместе с пустыми): прочитаны только первые."
    )


def test_far_cell_is_not_a_row_past_the_cap(tmp_path: Path) -> None:
    """A stray cell at ``XFD1048576`` is one ``<row>`` element, far below the row cap."""
    path = far_cell(tmp_path / "report.xlsx")
    sheets = {s.title: s for s in read_workbook(path.read_bytes(), path, Limits(rows_per_sheet=10))}
    assert not sheets["Обращения"].rows_truncated
    assert sheets["Обращения"].value(1048576, 16384) == "x"
    assert len(sheets["Обращения"].cells) == 9


def test_password_protected_workbook_is_reported_as_such(tmp_path: Path) -> None:
    """An encrypted workbook (an OLE file, like .xls) says it is protected by a password."""
    path = encrypted(tmp_path / "report.xlsx")
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    sub = read_submission(path)
    assert [(f.rule, f.severity) for f in sub.findings] == [("file-unreadable", "error")]
    assert sub.findings[0].message.startswith(
        "Файл не прочитан: книга защищена паролем на открытие; пришлите её без пароля"
    )
    assert "protected by a password" in sub.findings[0].message_en


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    """A sheet declaring nested XML entities is unreadable, quickly and without expanding them."""
    path = billion_laughs(tmp_path / "report.xlsx")
    started = time.monotonic()
    sub = read_submission(path)
    assert time.monotonic() - started < 10
    assert [f.rule for f in sub.findings] == ["file-unreadable"]
    assert "объявлены XML-сущности, которые раскрываются" in sub.findings[0].message

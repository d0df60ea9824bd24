"""The two engines of ``checks.workbook``: python-calamine and openpyxl read alike."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks import workbook
from checks.limits import Limits
from checks.reader import contract_sheets
from checks.workbook import RawSheet, UnreadableWorkbookError, _read_part, read_workbook
from tests.builders import PASSPORT, submission, write_workbook
from tests.hostile import (
    APPEALS,
    billion_laughs,
    encrypted,
    far_cell,
    replace_part,
    sheet_part,
    truncated,
    zip_bomb,
)

REPOSITORY = Path(__file__).resolve().parent.parent
INBOX = sorted((REPOSITORY / "inbox").glob("*.xlsx"))


def both(path: Path, limits: Limits | None = None) -> tuple[list[RawSheet], list[RawSheet]]:
    """Read a workbook with each engine: (auto, openpyxl)."""
    data = path.read_bytes()
    return (
        read_workbook(data, path, limits),
        read_workbook(data, path, limits, engine="openpyxl"),
    )


def engines(sheets: list[RawSheet]) -> dict[str, str]:
    """Map each sheet's title to the engine that read it."""
    return {sheet.title: sheet.read_by for sheet in sheets}


def with_sheet(path: Path, body: str) -> Path:
    """Write a submission whose ``Обращения`` is the given ``<sheetData>`` (and siblings)."""
    submission(path, appeals=APPEALS)

    def write(handle: IO[bytes]) -> None:
        handle.write(body.encode())

    return replace_part(path, sheet_part(path, "Обращения"), write)


@pytest.mark.parametrize("path", INBOX, ids=[p.name for p in INBOX])
def test_engines_agree_on_the_sample_inbox(path: Path) -> None:
    """Every sheet of the repository's sample submissions reads the same, and by calamine."""
    fast, careful = both(path)
    assert fast == careful
    assert set(engines(fast).values()) == {"calamine"}
    assert set(engines(careful).values()) == {"openpyxl"}


#: id → (sheets, number formats): workbooks as the builders write them.
BUILT: dict[str, tuple[dict[str, list[list[Any]]], dict[tuple[str, str], str]]] = {
    "every-type": (
        {
            "Паспорт": [
                *[list(row) for row in PASSPORT],
                ["Дата представления", dt.datetime(2026, 3, 1)],
            ],
            "Обращения": [
                ["Канал", "Итого", "Доля"],
                ["Контакт-центр", 100, 0.5],
                ["Письменные обращения", -20, 123456789012345],
                ["Всего", 100.0, True],
                ["  с пробелами  ", "796 601", False],
            ],
        },
        {("Паспорт", "B4"): "DD.MM.YYYY"},
    ),
    "percent-formats": (
        {"Жалобы": [["Доля", 0.0019, 0.0012, 0.19, 12]]},
        {
            ("Жалобы", "B1"): "0.00%",
            ("Жалобы", "C1"): "0.0%",
            ("Жалобы", "D1"): '0.00" %"',
            ("Жалобы", "E1"): "0",
        },
    ),
    "time-formats": (
        {
            "Время": [
                ["Ожидание", 264 / 86400, 264 / 86400, 1 + 1 / 24, 1 + 1 / 24, 45000.5],
                ["Иначе", dt.time(0, 4, 24), dt.timedelta(hours=25), dt.datetime(2025, 3, 1)],
            ]
        },
        {
            ("Время", "B1"): "h:mm:ss",
            ("Время", "C1"): "[mm]:ss",
            ("Время", "D1"): "[h]:mm:ss",
            ("Время", "E1"): "h:mm:ss",
            ("Время", "F1"): "dd.mm.yyyy hh:mm",
        },
    ),
    "text-format": ({"Мероприятия": [["Срок", "1 квартал", 7]]}, {("Мероприятия", "B1"): "@"}),
    "extra-sheets": (
        {
            "Паспорт": [list(row) for row in PASSPORT],
            "Примечания": [["Канал", "Итого"], ["Контакт-центр", 5]],
            "passport": [["Организация", "другая"]],
        },
        {},
    ),
}


@pytest.mark.parametrize(("sheets", "formats"), list(BUILT.values()), ids=list(BUILT))
def test_engines_agree_on_built_workbooks(
    tmp_path: Path,
    sheets: dict[str, list[list[Any]]],
    formats: dict[tuple[str, str], str],
) -> None:
    """Values, number formats and flags read the same by both engines; calamine reads them."""
    path = write_workbook(tmp_path / "report.xlsx", sheets, formats)
    fast, careful = both(path)
    assert fast == careful
    assert set(engines(fast).values()) == {"calamine"}


def test_formatted_cells_keep_openpyxl_values_and_formats(tmp_path: Path) -> None:
    """A percent keeps its format, a time its openpyxl type, a whole number stays an int."""
    sheets, formats = BUILT["time-formats"]
    path = write_workbook(tmp_path / "report.xlsx", sheets, formats)
    (sheet,) = read_workbook(path.read_bytes(), path)
    assert sheet.read_by == "calamine"
    assert {k: (c.value, c.number_format) for k, c in sheet.cells.items() if k[0] == 1} == {
        (1, 1): ("Ожидание", "General"),
        (1, 2): (dt.time(0, 4, 24), "h:mm:ss"),
        (1, 3): (dt.timedelta(seconds=264), "[mm]:ss"),
        (1, 4): (dt.timedelta(days=1, seconds=3600), "[h]:mm:ss"),
        (1, 5): (dt.datetime(1900, 1, 1, 1, 0), "h:mm:ss"),
        (1, 6): (dt.datetime(2023, 3, 15, 12, 0), "dd.mm.yyyy hh:mm"),
    }


HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>Канал</t></is></c></row>'


def row2(cells: str) -> str:
    """Return a ``<sheetData>`` with the header row and the given cells in row 2."""
    return f'<sheetData>{HEAD}<row r="2">{cells}</row></sheetData>'


#: id → (sheet XML, the engine that must read it). calamine would read the
#: ``openpyxl`` ones otherwise (or not safely): the scan must send them on.
SHEETS = {
    "numbers": (row2('<c r="B2"><v>7</v></c><c r="C2"><v>-0.25</v></c>'), "calamine"),
    "computed-formula": (row2('<c r="B2"><f>SUM(B3:B4)</f><v>7</v></c>'), "calamine"),
    "shared-formula": (row2('<c r="B2"><f t="shared" si="0"/><v>7</v></c>'), "calamine"),
    "boolean": (row2('<c r="B2" t="b"><v>1</v></c><c r="C2" t="b"><v>0</v></c>'), "calamine"),
    "preserved-space": (
        row2('<c r="B2" t="inlineStr"><is><t xml:space="preserve">  x</t></is></c>'),
        "calamine",
    ),
    "cyrillic-references": (
        row2('<c r="B2" t="inlineStr"><is><t>&#1050;&#1072;</t></is></c>'),
        "calamine",
    ),
    "error": (row2('<c r="B2" t="e"><v>#DIV/0!</v></c>'), "openpyxl"),
    "iso-date": (row2('<c r="B2" t="d"><v>2025-03-01T00:00:00</v></c>'), "openpyxl"),
    "whole-float": (row2('<c r="B2"><v>100.0</v></c>'), "openpyxl"),
    "exponent": (row2('<c r="B2"><v>1E+20</v></c>'), "openpyxl"),
    "sixteen-digits": (row2('<c r="B2"><v>1234567890123456789</v></c>'), "openpyxl"),
    "string-formula": (row2('<c r="B2" t="str"><f>A1</f><v>x y</v></c>'), "openpyxl"),
    "uncomputed": (row2('<c r="B2"><f>SUM(B3:B4)</f></c>'), "openpyxl"),
    "leading-space": (row2('<c r="B2" t="inlineStr"><is><t>  x</t></is></c>'), "openpyxl"),
    "trailing-reference": (row2('<c r="B2" t="inlineStr"><is><t>x&#32;</t></is></c>'), "openpyxl"),
    "trailing-hex": (row2('<c r="B2" t="inlineStr"><is><t>x&#xA;</t></is></c>'), "openpyxl"),
    "escape": (row2('<c r="B2" t="inlineStr"><is><t>a_x000D_b</t></is></c>'), "openpyxl"),
    "carriage-return": (row2('<c r="B2" t="inlineStr"><is><t>a\r\nb</t></is></c>'), "openpyxl"),
    "single-quotes": (row2("<c r='B2'><v>5</v></c>"), "openpyxl"),
    "line-break-in-tag": (row2('<c r="B2"\n s="0"><v>5</v></c>'), "openpyxl"),
    "comment": (row2('<!-- x --><c r="B2"><v>5</v></c>'), "openpyxl"),
    "cell-without-reference": (row2("<c><v>5</v></c><c><v>6</v></c>"), "openpyxl"),
    "row-without-number": (
        f'<sheetData>{HEAD}<row><c r="B2"><v>5</v></c></row></sheetData>',
        "openpyxl",
    ),
    "lowercase-reference": (row2('<c r="b2"><v>5</v></c>'), "openpyxl"),
    "huge-dimension": (
        '<dimension ref="A1:XFD1048576"/>' + row2('<c r="B2"><v>5</v></c>'),
        "openpyxl",
    ),
}


@pytest.mark.parametrize(("body", "engine"), list(SHEETS.values()), ids=list(SHEETS))
def test_scan_sends_what_calamine_reads_otherwise_to_openpyxl(
    tmp_path: Path, body: str, engine: str
) -> None:
    """Each sheet reads the same by both engines, and by the engine the scan chooses."""
    path = with_sheet(tmp_path / "report.xlsx", body)
    fast, careful = both(path)
    assert fast == careful
    assert engines(fast) == {"Паспорт": "calamine", "Обращения": engine}


@pytest.mark.parametrize("engine", ["auto", "openpyxl"])
def test_a_style_missing_from_the_stylesheet_is_unreadable(tmp_path: Path, engine: str) -> None:
    """A cell naming a style the workbook lacks makes the sheet unreadable, in both engines."""
    path = with_sheet(tmp_path / "report.xlsx", row2('<c r="B2" s="99"><v>5</v></c>'))
    with pytest.raises(UnreadableWorkbookError, match=r"лист книги не читается \(IndexError"):
        read_workbook(path.read_bytes(), path, engine=engine)  # type: ignore[arg-type]


SST = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_shared_strings(path: Path, strings: list[str]) -> Path:
    """Write a submission whose ``Обращения`` takes its text from ``xl/sharedStrings.xml``.

    Args:
        path: Where to write it.
        strings: The ``<si>`` elements' content, one per string; cell A(n+1) shows string n.

    Returns:
        The path.
    """
    rows = "".join(
        f'<row r="{n + 1}"><c r="A{n + 1}" t="s"><v>{n}</v></c>'
        f'<c r="B{n + 1}" s="0"><v>{n}</v></c></row>'
        for n in range(len(strings))
    )
    with_sheet(path, f"<sheetData>{rows}</sheetData>")
    table = "".join(f"<si>{text}</si>" for text in strings)
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    part = f'{declaration}<sst xmlns="{SST}">{table}</sst>'
    staging = path.with_name("staging.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", part.encode(), zipfile.ZIP_DEFLATED)
    staging.replace(path)
    return path


#: id → (shared strings, the engine that must read the workbook).
STRINGS = {
    "plain": (["<t>Канал</t>", "<t>Контакт-центр</t>", "<t>a &amp; b</t>"], "calamine"),
    "rich-text": (
        ["<t>Канал</t>", "<r><rPr><b/></rPr><t>Кон</t></r><r><t>такт</t></r>"],
        "calamine",
    ),
    "preserved-space": (['<t xml:space="preserve">  Канал  </t>'], "calamine"),
    "multi-line": (["<t>пн-пт 8-17\nсб 9-14</t>"], "calamine"),
    "empty": (["<t/>", "<t>Канал</t>"], "calamine"),
    "leading-space": (["<t>  Канал</t>"], "openpyxl"),
    "trailing-line-break": (["<t>Канал\n</t>"], "openpyxl"),
    "escape": (["<t>a_x000D_b</t>"], "openpyxl"),
    "phonetic": (['<t>Канал</t><rPh sb="0" eb="1"><t>К</t></rPh>'], "openpyxl"),
}


@pytest.mark.parametrize(("strings", "engine"), list(STRINGS.values()), ids=list(STRINGS))
def test_engines_agree_on_shared_strings(tmp_path: Path, strings: list[str], engine: str) -> None:
    """Text from the shared-strings table (as Excel writes it) reads the same by both engines."""
    path = with_shared_strings(tmp_path / "report.xlsx", strings)
    fast, careful = both(path)
    assert fast == careful
    assert engines(fast) == {"Паспорт": engine, "Обращения": engine}
    assert len(fast[1].cells) > 0


def test_a_range_beyond_the_dense_limit_goes_to_openpyxl(tmp_path: Path) -> None:
    """A used range larger than ``dense_cells`` is read by openpyxl, with the same cells."""
    path = with_sheet(tmp_path / "report.xlsx", row2('<c r="Z2"><v>5</v></c>'))
    limits = Limits(dense_cells=20)
    fast, careful = both(path, limits)
    assert fast == careful
    assert engines(fast)["Обращения"] == "openpyxl"
    assert engines(read_workbook(path.read_bytes(), path))["Обращения"] == "calamine"


def test_unselected_sheets_are_listed_and_not_read(tmp_path: Path) -> None:
    """Sheets outside the selection come back by title, without cells, from either engine."""
    sheets, formats = BUILT["extra-sheets"]
    path = write_workbook(tmp_path / "report.xlsx", sheets, formats)
    data = path.read_bytes()
    for engine in ("auto", "openpyxl"):
        read = read_workbook(data, path, select=contract_sheets, engine=engine)  # type: ignore[arg-type]
        assert [(s.title, s.read_by != "", len(s.cells)) for s in read] == [
            ("Паспорт", True, 6),
            ("Примечания", False, 0),
            ("passport", False, 0),
        ]


def outcome(path: Path, engine: str, limits: Limits | None = None) -> object:
    """Return what reading gives: the sheets, or the error's type and message."""
    try:
        return read_workbook(path.read_bytes(), path, limits, engine=engine)  # type: ignore[arg-type]
    except Exception as error:  # the outcome compared is the error itself
        return (type(error).__name__, str(error))


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)


def laughing_strings(path: Path) -> Path:
    """Write a submission whose shared-strings table declares a billion laughs."""
    with_shared_strings(path, ["<t>Канал</t>"])
    bomb = f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="{SST}"><si><t>&lol9;</t></si></sst>'
    return replace_whole_part(path, "xl/sharedStrings.xml", bomb.encode())


def laughing_properties(path: Path) -> Path:
    """Write a submission whose document properties declare a billion laughs."""
    submission(path, appeals=APPEALS)
    core = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    bomb = f'<?xml version="1.0"?>{LAUGHS}<cp:coreProperties xmlns:cp="{core}">&lol9;'
    return replace_whole_part(path, "docProps/core.xml", f"{bomb}</cp:coreProperties>".encode())


def replace_whole_part(path: Path, part: str, content: bytes) -> Path:
    """Replace one part of a workbook's zip with the given bytes."""
    staging = path.with_name("staging.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            data = content if info.filename == part else source.read(info.filename)
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    staging.replace(path)
    return path


HOSTILE = {
    "billion-laughs": billion_laughs,
    "laughing-strings": laughing_strings,
    "laughing-properties": laughing_properties,
    "encrypted": encrypted,
    "truncated": truncated,
    "far-cell": far_cell,
}


@pytest.mark.parametrize("build", list(HOSTILE.values()), ids=list(HOSTILE))
def test_engines_agree_on_hostile_files(tmp_path: Path, build: Any) -> None:
    """A hostile file reads, or is refused, the same way by both engines."""
    path = build(tmp_path / "report.xlsx")
    assert outcome(path, "auto") == outcome(path, "openpyxl")


@pytest.mark.parametrize("build", [laughing_strings, laughing_properties], ids=["strings", "core"])
def test_entities_anywhere_are_refused_in_the_stewards_words(tmp_path: Path, build: Any) -> None:
    """XML entities in any part openpyxl parses make the file unreadable, saying why."""
    path = build(tmp_path / "report.xlsx")
    with pytest.raises(UnreadableWorkbookError, match="объявлены XML-сущности"):
        read_workbook(path.read_bytes(), path)


def test_engines_agree_on_rows_past_the_cap(tmp_path: Path) -> None:
    """Empty rows without ``r`` past the row cap stop the sheet the same way in both engines."""
    path = zip_bomb(tmp_path / "report.xlsx", rows=60)
    limits = Limits(rows_per_sheet=50)
    fast, careful = both(path, limits)
    assert fast == careful
    assert fast[1].rows_truncated


def test_engines_agree_on_cells_past_the_cap(tmp_path: Path) -> None:
    """A sheet past the cap on filled cells is cut the same way in both engines."""
    rows = [["Канал", "Итого"], *([["Контакт-центр", n] for n in range(30)])]
    path = submission(tmp_path / "report.xlsx", appeals=rows)
    fast, careful = both(path, Limits(cells_per_sheet=10))
    assert fast == careful
    assert fast[1].truncated


#: Sheets with a cell calamine would lay out a 17-billion-cell rectangle for.
FAR = {
    "stray-value": None,
    "lowercase-reference": '<c r="xfd1048576" t="inlineStr"><is><t>y</t></is></c>',
    "prefixed-cell": (
        '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'r="XFD1048576" t="inlineStr"><x:is><x:t>y</x:t></x:is></x:c>'
    ),
}


@pytest.mark.parametrize("far", list(FAR.values()), ids=list(FAR))
def test_far_cell_does_not_kill_the_process(tmp_path: Path, far: str | None) -> None:
    """A cell at XFD1048576 (however written) is read by openpyxl; the process survives."""
    path = tmp_path / "report.xlsx"
    if far is None:
        far_cell(path)
    else:
        with_sheet(path, f'<sheetData>{HEAD}<row r="1048576">{far}</row></sheetData>')
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from checks.workbook import read_workbook

        path = Path(sys.argv[1])
        for sheet in read_workbook(path.read_bytes(), path):
            print(sheet.title, sheet.read_by, len(sheet.cells))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPOSITORY,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "Обращения openpyxl" in done.stdout


class _Unseekable(io.RawIOBase):
    """A write-only stream without ``seek``: :mod:`zipfile` then writes data descriptors."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        return len(data)


def rezip(path: Path, how: str) -> bytes:
    """Return a workbook's bytes zipped again: ``stored``, or deflated with data descriptors."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    if how == "stored":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for name, content in parts:
                target.writestr(name, content)
        return out.getvalue()
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts:
            with target.open(name, "w") as handle:
                handle.write(content)
    return bytes(stream.buffer)


@pytest.mark.parametrize("how", ["as-written", "stored", "descriptors"])
def test_parts_are_read_as_zipfile_reads_them(tmp_path: Path, how: str) -> None:
    """Every part of a workbook, deflated, stored or with data descriptors, reads as zipfile's."""
    path = submission(tmp_path / "a.xlsx", appeals=APPEALS)
    data = path.read_bytes() if how == "as-written" else rezip(path, how)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert [_read_part(archive, data, n) for n in names] == [archive.read(n) for n in names]


def _damaged(data: bytes, name: str, how: str) -> bytes:
    """Damage one part of a zip: its compressed bytes, or the size its directory declares."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    if how == "bytes":
        at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    entry = data.index(b"PK\x01\x02")  # the central directory's entries, in turn
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    smaller = (info.file_size // 2).to_bytes(4, "little")  # the uncompressed size, at 24
    return data[: entry + 24] + smaller + data[entry + 28 :]


@pytest.mark.parametrize("how", ["bytes", "declared-size"])
def test_a_damaged_part_fails_as_zipfile_fails(tmp_path: Path, how: str) -> None:
    """A part with damaged bytes, or larger than its directory says, is refused as by zipfile."""
    path = submission(tmp_path / "a.xlsx", appeals=APPEALS)
    part = sheet_part(path, "Обращения")
    data = _damaged(path.read_bytes(), part, how)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with pytest.raises((zipfile.BadZipFile, zlib.error)) as expected:
            archive.read(part)
        with pytest.raises(type(expected.value)):
            _read_part(archive, data, part)


#: Pieces of sheet XML around what the scan's merged searches look for.
_PIECES = [
    *(b"<c", b' r="', b"A", b"AA", b"1", b"1234", b'"', b">", b"/", b" ", b"\t", b"\n"),
    *(b"<t", b'xml:space="preserve">', b"</t>", b"&#", b"9;", b"10;", b"13;", b"32;"),
    *(b"x", b"X", b"0", b"1072;", b"160;", b"12345;", b"0a;", b"F", b";", b"a"),
    *(b"<v", b"<v>", b"</v>", b"-", b".", b"5", b"E", b"e+3", b"123456789012345"),
]
_OLD_TRAILING = re.compile(
    rb";</t>(?:"
    + b"|".join(
        [rb"(?<=&#%s;</t>)" % n for n in (b"9", b"10", b"13", b"32")]
        + [rb"(?<=&#x%s;</t>)" % (rb"[0-9a-fA-F]" * k) for k in range(1, 7)]
        + [rb"(?<=&#X%s;</t>)" % (rb"[0-9a-fA-F]" * k) for k in range(1, 7)]
        + [rb"(?<=&#0%s;</t>)" % (rb"[0-9]" * k) for k in range(7)]
    )
    + rb")"
)
_OLD_LEADING = re.compile(rb"<t>(?:[ \t\n]|&#(?:[xX0]|9;|1[03];|32;))")
_OLD_T_ATTRIBUTES = re.compile(rb'<t (?!xml:space="preserve">)')


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join))
def test_the_scans_merged_searches_find_what_their_parts_find(xml: bytes) -> None:
    """Each search the scan merged finds something exactly when one of its parts would."""
    found = (
        bool(workbook._ODD_CELL.search(xml)),
        bool(workbook._T_START.search(xml)),
        bool(workbook._TRAILING_SPACE.search(xml)),
        [(tag, text) for tag, text in workbook._ODD_VALUES.findall(xml) if not tag],
        any(tag for tag, _ in workbook._ODD_VALUES.findall(xml)),
    )
    assert found == (
        bool(workbook._CELL_UNNUMBERED.search(xml) or workbook._FAR_CELL.search(xml)),
        bool(_OLD_T_ATTRIBUTES.search(xml) or _OLD_LEADING.search(xml)),
        bool(_OLD_TRAILING.search(xml)),
        [(b"", text) for text in workbook._ODD_VALUE.findall(xml)],
        bool(workbook._ODD_VALUE_TAG.search(xml)),
    )

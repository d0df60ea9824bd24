"""Opening a submitted file and reading its sheets as sparse grids of cells.

Two engines read a sheet, and give the same :class:`RawSheet`:

* python-calamine (``engine="auto"``, the default) parses a sheet in Rust, some
  fifty times faster than openpyxl. It is handed only sheets it is known to
  read exactly as openpyxl does, and safely: a cheap scan of the sheet's XML
  (byte searches and regular expressions, no parsing) bounds the sheet's used
  range, counts its ``<row>`` and ``<c>`` elements against the caps, finds
  formulas without a computed value and anything calamine reads otherwise
  (error cells, ISO dates, numbers written ``1.0`` or ``1E+20``, text it would
  trim, comments, unusual XML syntax). calamine lays a sheet out as a dense
  rectangle, so a stray value at ``XFD1048576`` would make it allocate 17
  billion cells and abort the process; such a sheet, and every sheet the scan
  has doubts about, goes to openpyxl. calamine reads every number as a float
  and applies its own date rules, so the number format of each styled cell
  comes from the workbook's ``xl/styles.xml`` (read with expat, once per
  distinct stylesheet) and a numeric cell with a format other than
  ``General`` is converted from its ``<v>`` text by openpyxl's own rules.
  A workbook whose description the fast path does not recognise (no
  ``xl/workbook.xml``, a chart sheet, the 1904 calendar written oddly, a DTD
  in any part) is read by openpyxl throughout, which also words the errors.
* openpyxl (``engine="openpyxl"``, and the fallback) in read-only mode, with
  its own sheet parser, one ``<row>`` element at a time, so that a stray cell
  at ``XFD1048576`` costs one cell (not a million empty rows up to it) and a
  sheet's rows can be counted as written: a ``<row>`` without its ``r``
  attribute takes the next number, so millions of empty ones would pass a cap
  on filled cells.

A caller that needs only some sheets (the reader needs the contract's; an
extra sheet only gives its title to a finding) passes ``select``: the other
sheets are listed by title and never parsed, by either engine.

The file is opened from bytes already read, so the submitted file is only
ever read, once. Before anything is parsed, the zip directory is judged
against the limits of :mod:`checks.limits`. XML entities (the billion-laughs
bomb) are stopped by expat itself: since 2.4.0 it refuses a document whose
entities amplify its input past a limit, and the reader words that refusal
for a steward (the fast path hands any part declaring a DTD to openpyxl).
defusedxml is not used: openpyxl would then parse with ElementTree's
pure-Python parser, about a fifth slower on every file, for a protection expat
already gives.

With ``data_only=True`` openpyxl gives ``None`` for a formula whose result was
never computed (``<c><f>SUM(B2:B5)</f></c>``, or ``<v/>`` left empty, as
programs that write formulas without an engine leave them). The parser notes
those cells while it reads each cell anyway: spotting them costs a lookup on
the cells that have no value, nothing on the others.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import olefile
from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from python_calamine import CalamineWorkbook, SheetTypeEnum

from checks.i18n import Bilingual
from checks.limits import MAX_CELLS_PER_SHEET, Limits, Refusal, check_archive, safe_parse
from checks.text import MEMO_SIZE

__all__ = [
    "MAX_CELLS_PER_SHEET",
    "Engine",
    "RawCell",
    "RawSheet",
    "RefusedWorkbookError",
    "Select",
    "UnreadableWorkbookError",
    "a1",
    "read_workbook",
]

#: Which engine reads the sheets: ``auto`` (python-calamine where it reads a
#: sheet exactly and safely, openpyxl elsewhere) or ``openpyxl`` alone.
Engine = Literal["auto", "openpyxl"]
#: Given the workbook's sheet titles in order, the indexes of the sheets to read.
Select = Callable[[Sequence[str]], Collection[int]]

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Streams of the OLE container Office writes for a password-protected .xlsx.
_ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")
_ENCRYPTED = Bilingual(
    "книга защищена паролем на открытие; пришлите её без пароля "
    "(в Excel: Файл → Сведения → Защита книги → Зашифровать с использованием пароля, "
    "очистить пароль и сохранить)",
    "the workbook is protected by a password to open; send it without the password "
    "(in Excel: File → Info → Protect Workbook → Encrypt with Password, clear it and save)",
)
_ENTITIES = Bilingual(
    "в книге объявлены XML-сущности, которые раскрываются в непомерно большой текст "
    "(так устроены «XML-бомбы»); Excel таких файлов не пишет",
    "the workbook declares XML entities that expand into an enormous text (as XML bombs "
    "do); Excel never writes such files",
)


class UnreadableWorkbookError(Exception):
    """The file is not a workbook openpyxl can read; the message says why, in Russian.

    Attributes:
        reason: Why, in Russian; or in both languages when the English is ours
            too (otherwise :func:`checks.i18n.en` translates the Russian).
    """

    def __init__(self, reason: str | Bilingual) -> None:
        """Keep the reason.

        Args:
            reason: Why the file does not read.
        """
        super().__init__(str(reason))
        self.reason = reason


class RefusedWorkbookError(Exception):
    """The file exceeds a limit of :mod:`checks.limits` and is not read.

    Attributes:
        refusal: Which limit, in words a steward understands.
    """

    def __init__(self, refusal: Refusal) -> None:
        """Keep the refusal.

        Args:
            refusal: Which limit, and by how much.
        """
        super().__init__(refusal.reason.ru)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class RawCell:
    """One non-empty cell as stored.

    Attributes:
        value: The cached value (numbers, text, Excel dates and times).
        number_format: The Excel number format, ``General`` if none.
    """

    value: Any
    number_format: str


@dataclass(slots=True)
class RawSheet:
    """The non-empty cells of one sheet.

    Attributes:
        title: The sheet name as written in the workbook.
        cells: (row, column), both 1-based → cell.
        truncated: Whether reading stopped at the cap on filled cells.
        rows_truncated: Whether reading stopped at the cap on ``<row>`` elements.
        uncomputed: Formula cells without a computed value: (row, column, formula
            as written, without ``=``; empty for a cell sharing another's formula).
        read_by: Which engine read the cells: ``calamine`` or ``openpyxl``;
            empty for a sheet left unread (outside the selection). Left out of
            comparisons: both engines read the same sheet.
    """

    title: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    truncated: bool = False
    rows_truncated: bool = False
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)
    read_by: str = field(default="", compare=False)

    def by_row(self) -> dict[int, dict[int, RawCell]]:
        """Return the cells grouped by row, rows and columns in order.

        Returns:
            Row number → (column number → cell), blank rows left out.
        """
        grouped: dict[int, dict[int, RawCell]] = {}
        cells = self.cells
        for key in sorted(cells):
            r = key[0]
            row = grouped.get(r)
            if row is None:
                row = grouped[r] = {}
            row[key[1]] = cells[key]
        return grouped

    def value(self, r: int, c: int) -> Any:
        """Return the value at (r, c), ``None`` when empty."""
        cell = self.cells.get((r, c))
        return None if cell is None else cell.value


@functools.lru_cache(maxsize=1 << 14)
def a1(row: int, column: int) -> str:
    """Return the A1 reference of a 1-based (row, column).

    Remembered: a run names the same few thousand cells over and over.

    Args:
        row: The row number.
        column: The column number.

    Returns:
        ``B7`` for (7, 2).
    """
    return f"{get_column_letter(column)}{row}"


def _is_encrypted(data: bytes) -> bool:
    """Tell whether OLE bytes are a password-protected Office Open XML package."""
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError, IndexError, TypeError):
        return False
    try:
        return all(ole.exists(stream) for stream in _ENCRYPTED_STREAMS)
    finally:
        ole.close()


def _describe_signature(data: bytes, path: Path) -> str | Bilingual:
    if data[:8] == _OLE_SIGNATURE:
        if _is_encrypted(data):
            return _ENCRYPTED
        return "файл старого формата Excel (.xls); нужен .xlsx"
    if not data:
        return "файл пустой"
    if data[:2] != b"PK":
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return "файл CSV, а не книга Excel (.xlsx)"
        return "файл не является книгой Excel (.xlsx)"
    return "файл повреждён: архив .xlsx не читается"


def _declares_entities(exc: BaseException) -> bool:
    """Tell whether expat (or lxml) refused the XML for its entities, wrapped by openpyxl or not."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ParseError | ExpatError) and "DTD" in str(seen):
            return True
        # openpyxl reads the document properties with lxml, whose refusal reads otherwise
        if type(seen).__name__ == "XMLSyntaxError" and "entity amplification" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser, noting formula cells that carry no computed value."""

    uncomputed: list[tuple[int, int, str]]

    def parse_cell(self, element: Any) -> dict[str, Any]:
        """Parse one ``<c>`` as openpyxl does; note it if it is an uncomputed formula.

        Args:
            element: The ``<c>`` element.

        Returns:
            openpyxl's cell record (``row``, ``column``, ``value``, ``data_type``, ``style_id``).
        """
        cell: dict[str, Any] = super().parse_cell(element)
        if cell["value"] is None:
            formula = element.find(FORMULA_TAG)
            if formula is not None:
                value = element.find(VALUE_TAG)
                # An empty <v/> of a string formula is a computed empty string.
                if value is None or (not value.text and element.get("t") != "str"):
                    self.uncomputed.append((cell["row"], cell["column"], formula.text or ""))
        return cell


def _read_sheet(ws: Any, limits: Limits) -> RawSheet:
    """Read one read-only worksheet within the caps on rows and filled cells."""
    sheet = RawSheet(title=str(ws.title), read_by="openpyxl")
    wb = ws.parent
    with ws._get_source() as source:
        parser = _SheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        parser.uncomputed = sheet.uncomputed
        for count, (_, row) in enumerate(parser.parse(), start=1):
            if count > limits.rows_per_sheet:
                sheet.rows_truncated = True
                break
            for record in row:
                value = record["value"]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                cell = ReadOnlyCell(ws, **record)
                sheet.cells[(record["row"], record["column"])] = RawCell(
                    value, str(cell.number_format or "General")
                )
            if len(sheet.cells) >= limits.cells_per_sheet:
                sheet.truncated = True
                break
    return sheet


def _unreadable(exc: BaseException, what: str) -> UnreadableWorkbookError:
    """Word an openpyxl failure for a steward: the entities refusal, or what failed."""
    if _declares_entities(exc):
        return UnreadableWorkbookError(_ENTITIES)
    return UnreadableWorkbookError(f"{what} ({type(exc).__name__}: {str(exc)[:120]})")


class _Openpyxl:
    """The openpyxl reading of one workbook, opened on first use."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        """Keep the bytes; nothing is parsed yet.

        Args:
            data: The file's bytes.
            limits: The caps on rows and filled cells.
        """
        self.data = data
        self.limits = limits
        self._wb: Any = None

    def worksheets(self) -> list[Any]:
        """Open the workbook (once) and return its worksheets, in order.

        Returns:
            openpyxl's read-only worksheets.

        Raises:
            UnreadableWorkbookError: openpyxl cannot open the workbook.
        """
        if self._wb is None:
            try:
                self._wb = load_workbook(
                    io.BytesIO(self.data), read_only=True, data_only=True, keep_links=False
                )
            except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
                if _declares_entities(exc):
                    raise UnreadableWorkbookError(_ENTITIES) from exc
                raise UnreadableWorkbookError(
                    f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
                ) from exc
            except MemoryError:
                raise
            except Exception as exc:  # openpyxl raises many types on malformed XML
                raise _unreadable(exc, "книга не читается") from exc
        return list(self._wb.worksheets)

    def sheet(self, index: int) -> RawSheet:
        """Read one worksheet, by its index among the worksheets.

        Args:
            index: 0-based.

        Returns:
            The sheet.

        Raises:
            UnreadableWorkbookError: The sheet's XML does not read.
        """
        ws = self.worksheets()[index]
        try:
            return _read_sheet(ws, self.limits)
        except MemoryError:
            raise
        except Exception as exc:  # a corrupt sheet part surfaces only while iterating
            raise _unreadable(exc, "лист книги не читается") from exc

    def close(self) -> None:
        """Close the workbook if it was opened."""
        if self._wb is not None:
            self._wb.close()


def _read_openpyxl(data: bytes, limits: Limits, select: Select | None) -> list[RawSheet]:
    """Read the selected worksheets with openpyxl alone."""
    book = _Openpyxl(data, limits)
    try:
        titles = [str(ws.title) for ws in book.worksheets()]
        chosen = set(range(len(titles))) if select is None else set(select(titles))
        return [book.sheet(i) if i in chosen else RawSheet(title) for i, title in enumerate(titles)]
    finally:
        book.close()


_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_STYLES = "xl/styles.xml"
_SHARED_STRINGS = "xl/sharedStrings.xml"
#: Parts openpyxl parses besides those above (calamine does not read them).
_PROPERTIES = ("docProps/core.xml", "docProps/custom.xml")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_WORKSHEET = _RELATIONSHIPS + "/worksheet"
#: Parts larger than this (a report's are kilobytes) are read by openpyxl:
#: calamine's memory is then no concern whatever the part holds.
_FAST_PART_BYTES = 4 * 1024 * 1024
#: Descriptions and stylesheets up to this size are remembered between workbooks.
_CACHED_PART_BYTES = 64 * 1024

#: The workbook part declared where openpyxl looks for it, with a workbook content type.
_WORKBOOK_TYPE = re.compile(
    rb'<Override PartName="/xl/workbook\.xml" ContentType="application/vnd\.'
    rb"(?:openxmlformats-officedocument\.spreadsheetml\.(?:sheet|template)"
    rb'|ms-excel\.(?:sheet|template)\.macroEnabled)\.main\+xml"\s*/>'
)
_ENCODING = re.compile(rb"""encoding=["']([^"']*)["']""")
_SPACE = re.compile(rb"[ \t\r\n]*")
#: Spreadsheet elements written with a namespace prefix (calamine matches them
#: by local name, the scan would not see them).
_PREFIXED = re.compile(rb":(?:c[\s/>]|row[\s/>]|v[\s/>]|f[\s/>]|is>|t[\s/>]|sheetData|dimension)")
#: A line break or a tab inside a tag (between attributes).
_BROKEN_TAG = re.compile(rb"<[^>]*[\t\n]")
#: Whitespace at either end of a ``<t>``: calamine trims it (openpyxl keeps it),
#: also when written as a character reference (decimal, hexadecimal or
#: zero-padded references are all taken as whitespace). The search for it at
#: the start also finds a ``<t>`` with attributes other than ``xml:space="preserve"``.
_T_START = re.compile(rb'<t(?: (?!xml:space="preserve">)|>(?:[ \t\n]|&#(?:[xX0]|9;|1[03];|32;)))')
_TRAILING_SPACE = re.compile(
    rb";</t>"
    # Text ending in a decimal reference of 3 to 5 digits, the first not 0 (as
    # Cyrillic written as references does), is none of those below: ruled out
    # at once, not tried against each of them.
    + rb"(?!(?<=&#[1-9][0-9][0-9];</t>)|(?<=&#[1-9][0-9][0-9][0-9];</t>)"
    + rb"|(?<=&#[1-9][0-9][0-9][0-9][0-9];</t>))"
    + rb"(?:"
    + b"|".join(
        [rb"(?<=&#%s;</t>)" % n for n in (b"9", b"10", b"13", b"32")]
        + [rb"(?<=&#x%s;</t>)" % (rb"[0-9a-fA-F]" * k) for k in range(1, 7)]
        + [rb"(?<=&#X%s;</t>)" % (rb"[0-9a-fA-F]" * k) for k in range(1, 7)]
        + [rb"(?<=&#0%s;</t>)" % (rb"[0-9]" * k) for k in range(7)]
    )
    + rb")"
)
_SPACE_BEFORE_END = re.compile(rb"<t>[^<]*[ \t\n]</t>")
_PHONETIC = re.compile(rb"<rPh")
_INLINE_STRING = re.compile(rb"<is>")
#: A ``<row>`` or a ``<c>`` whose first attribute is not its reference.
_ROW_UNNUMBERED = re.compile(rb'<row(?! r=")')
_CELL_UNNUMBERED = re.compile(rb'<c(?: (?!r=")|[/>])')
_DIMENSION_TAG = re.compile(rb"<dimension\b[^>]*>")
_BOOLEAN_TAG = re.compile(rb't="b"')
#: A cell reference beyond column Z or row 999, or written otherwise than
#: ``A1``: the references are then all checked, and the used range measured.
_FAR_CELL = re.compile(rb'<c r="(?:[A-Z]{2}|[A-Z][0-9]{4}|(?![A-Z][0-9]{1,3}"))')
#: Either of the two above, in one search: most sheets have neither.
_ODD_CELL = re.compile(rb'<c(?: (?!r=")|[/>]| r="(?:[A-Z]{2}|[A-Z][0-9]{4}|(?![A-Z][0-9]{1,3}")))')
#: The largest range of cells within ``Z999``.
_NEAR_AREA = 26 * 999
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_DIMENSION = re.compile(
    rb'<dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"\s*/>'
)
_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_FORMULA = rb"<f(?: [^>]*)?(?:/>|>[^<]*</f>)"
_COMPUTED = re.compile(_FORMULA + rb"<v>[^<]")
_ODD_VALUE_TAG = re.compile(rb"<v[^>/]")
#: A ``<v>`` other than a whole number of up to 15 digits (which a float holds exactly).
_ODD_VALUE = re.compile(rb"<v>(?!-?[0-9]{1,15}</v>)([^<]*)</v>")
#: Both above in one pass: the character after a ``<v`` other than ``<v>``, or
#: the text of an odd ``<v>``.
_ODD_VALUES = re.compile(rb"<v(?:(?=([^>/]))|>(?!-?[0-9]{1,15}</v>)([^<]*)</v>)")
_DECIMAL = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BOOLEAN = re.compile(rb't="b"(?: [^>]*)?>(?:' + _FORMULA + rb")?<v>[01]</v>")
_STYLE = re.compile(rb' s="([0-9]{1,9})"')
_STYLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?) s="([0-9]{1,9})"([^>]*?)(/?)>')
_TYPE = re.compile(rb' t="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


#: Flags of a zip entry :func:`_read_part` reads itself: the deflate options, a
#: data descriptor after the data, a UTF-8 name. Any other (encryption, patched
#: data) is left to :mod:`zipfile`.
_PLAIN_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800
_UTF8_FLAG = 0x0800


class _NotFastError(Exception):
    """The fast path cannot read this sheet or workbook exactly; openpyxl will."""


@dataclass(frozen=True, slots=True)
class _Styles:
    """What openpyxl derives from ``xl/styles.xml`` for reading values.

    Attributes:
        formats: Style index (a cell's ``s``) → number format, as openpyxl names it.
        dates: Style indexes openpyxl reads numbers of as dates or times.
        timedeltas: Style indexes openpyxl reads numbers of as durations.
    """

    formats: tuple[str, ...]
    dates: frozenset[int]
    timedeltas: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Book:
    """A workbook's description, as far as the fast path needs it.

    Attributes:
        titles: Sheet titles in workbook order.
        parts: Each sheet's part in the zip, in the same order.
        styles: The number formats of its cell styles.
        epoch: Day zero of its date serials.
    """

    titles: list[str]
    parts: list[str]
    styles: _Styles
    epoch: dt.datetime


def _body(xml: bytes) -> int:
    """Return where a part's content starts, after its XML declaration; check its markup.

    Raises:
        _NotFastError: The part is not UTF-8, or its markup is unusual (:func:`_markup`).
    """
    start = _declaration_end(xml)
    _markup(xml, start)
    return start


def _declaration_end(xml: bytes) -> int:
    """Return where a part's content starts, after its XML declaration.

    Raises:
        _NotFastError: The part is not UTF-8.
    """
    start = 3 if xml.startswith(b"\xef\xbb\xbf") else 0
    if xml.startswith(b"<?xml", start):
        end = xml.find(b"?>", start)
        if end < 0:
            raise _NotFastError
        encoding = _ENCODING.search(xml, start, end)
        if encoding is not None and encoding[1].lower() not in (b"utf-8", b"utf8"):
            raise _NotFastError
        start = end + 2
    start = _SPACE.match(xml, start).end()  # type: ignore[union-attr]
    if not xml.startswith(b"<", start):
        raise _NotFastError
    return start


def _markup(xml: bytes, start: int) -> None:
    """Refuse markup the scan cannot see through, or that calamine reads otherwise.

    The checks here and in :func:`_text_part` look for a rare byte first
    (``!``, ``'``, ``_``): a search for it costs a fraction of one for two bytes.

    Raises:
        _NotFastError: A DTD, a comment, CDATA or a carriage return (expat
            normalises line ends, calamine keeps them); single-quoted
            attributes or line breaks inside tags; spreadsheet elements written
            with a namespace prefix.
    """
    if (
        (xml.find(b"!", start) >= 0 and xml.find(b"<!", start) >= 0)
        or xml.find(b"\r", start) >= 0
        or (b"'" in xml and b"='" in xml)
        or ((xml.find(b"\n", start) >= 0 or b"\t" in xml) and _BROKEN_TAG.search(xml, start))
        or _PREFIXED.search(xml, start)
    ):
        raise _NotFastError


def _text_part(xml: bytes, start: int) -> None:
    """Refuse a part holding text that calamine would read otherwise than openpyxl.

    Args:
        xml: The part (shared strings, or a sheet with inline strings).
        start: Where its content starts.

    Raises:
        _NotFastError: ``_xHHHH_`` escapes (calamine decodes them, openpyxl keeps
            them), phonetic runs, ``<t>`` with attributes other than
            ``xml:space="preserve"``, text with whitespace at either end.
    """
    if (
        (b"_" in xml and b"_x" in xml)
        or _PHONETIC.search(xml, start)
        or _T_START.search(xml, start)
        # the precise searches are slow; most parts have nothing they look for
        or (
            (
                b" </t>" in xml
                or (b"\n" in xml and b"\n</t>" in xml)
                or (b"\t" in xml and b"\t</t>" in xml)
            )
            and _SPACE_BEFORE_END.search(xml, start)
        )
        or (b";</t>" in xml and _TRAILING_SPACE.search(xml, start))
    ):
        raise _NotFastError


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@functools.lru_cache(maxsize=32)
def _parse_styles(xml: bytes) -> _Styles:
    """Read the number format of each cell style as openpyxl does (``_normalise_numbers``).

    Submissions made from one template share their stylesheet, so it is parsed once.

    Raises:
        _NotFastError: The stylesheet is not one the fast path mirrors openpyxl on.
    """
    _body(xml)
    custom: dict[int, str] = {}
    xfs: list[int] = []
    stack: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        parent = stack[-1] if stack else ""
        if tag == _MAIN + "numFmt" and parent == _MAIN + "numFmts":
            custom[int(attrs["numFmtId"])] = attrs["formatCode"]
        elif tag == _MAIN + "xf" and parent == _MAIN + "cellXfs":
            xfs.append(int(attrs.get("numFmtId", "0")))
        stack.append(tag)

    def end(tag: str) -> None:
        stack.pop()

    try:
        safe_parse(xml, start, end)
    except (ValueError, KeyError, ExpatError) as exc:
        raise _NotFastError from exc
    if not xfs:
        raise _NotFastError  # openpyxl falls back on its own default styles
    formats: list[str] = []
    for number in xfs:
        if number in custom:
            formats.append(custom[number])
        elif number < BUILTIN_FORMATS_MAX_SIZE:
            formats.append(BUILTIN_FORMATS.get(number, "General"))
        else:
            raise _NotFastError  # openpyxl would take another style's format, or fail
    dates = frozenset(i for i, code in enumerate(formats) if is_date_format(code))
    timedeltas = frozenset(i for i, code in enumerate(formats) if is_timedelta_format(code))
    return _Styles(tuple(formats), dates, timedeltas)


@functools.lru_cache(maxsize=32)
def _describe(workbook: bytes, rels: bytes) -> tuple[tuple[tuple[str, str], ...], dt.datetime]:
    """Read the sheets (title, part) and the calendar from the workbook's description.

    Submissions made from one template often share it, so it is parsed once.

    Raises:
        _NotFastError: Anything openpyxl might read differently, or refuse.
    """
    sheets: list[tuple[str, str]] = []
    calendar: list[str] = []
    targets: dict[str, tuple[str, str, str]] = {}

    def on_workbook(tag: str, attrs: dict[str, str]) -> None:
        if tag == _MAIN + "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(_RELATIONSHIPS + " id", "")))
        elif tag == _MAIN + "workbookPr" and "date1904" in attrs:
            calendar.append(attrs["date1904"])

    def on_rel(tag: str, attrs: dict[str, str]) -> None:
        if tag == _PACKAGE_RELATIONSHIP:
            targets[attrs.get("Id", "")] = (
                attrs.get("Type", ""),
                attrs.get("Target", ""),
                attrs.get("TargetMode", ""),
            )

    try:
        for xml, handler in ((workbook, on_workbook), (rels, on_rel)):
            _body(xml)
            safe_parse(xml, handler)
    except (ValueError, ExpatError) as exc:
        raise _NotFastError from exc
    epoch = WINDOWS_EPOCH
    if calendar:
        if calendar not in (["0"], ["false"], ["1"], ["true"]):
            raise _NotFastError
        epoch = MAC_EPOCH if calendar[0] in ("1", "true") else WINDOWS_EPOCH
    described: list[tuple[str, str]] = []
    for title, rel in sheets:
        kind, target, mode = targets.get(rel, ("", "", ""))
        if kind != _WORKSHEET or mode or not target:
            raise _NotFastError
        part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if not title or INVALID_TITLE_REGEX.search(title):
            raise _NotFastError
        described.append((title, part))
    return tuple(described), epoch


def _read_part(archive: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """Return a part of the workbook as ``archive.read(name)`` does, for less.

    A plain stored or deflated part is inflated straight from the file's
    bytes, at most to the size its directory entry declares, and checked as
    :mod:`zipfile` checks it (the name in its local header, its length, its
    CRC); anything else, or any doubt, is left to ``archive.read``, which
    returns the part or raises as it always has.

    Args:
        archive: The workbook opened from ``data``.
        data: The file's bytes.
        name: The part.

    Returns:
        The part's bytes.

    Raises:
        KeyError: The workbook has no such part.
    """
    info = archive.getinfo(name)
    offset = info.header_offset
    if (
        info.flag_bits & ~_PLAIN_FLAGS
        or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)
        or data[offset : offset + 4] != b"PK\x03\x04"
        or len(data) < offset + 30
    ):
        return archive.read(info)
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    local_name = data[offset + 30 : offset + 30 + name_length]
    encoding = "utf-8" if info.flag_bits & _UTF8_FLAG else "cp437"
    packed = data[start : start + info.compress_size]
    if (
        local_name.decode(encoding, "replace") != info.orig_filename
        or len(packed) != info.compress_size
    ):
        return archive.read(info)
    if info.compress_type == zipfile.ZIP_STORED:
        content = packed
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        content = inflater.decompress(packed, info.file_size)
        if not inflater.eof:
            return archive.read(info)
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        return archive.read(info)
    return content


def _inspect_book(archive: zipfile.ZipFile, data: bytes) -> _Book:
    """Read the workbook's description as openpyxl would, for a plain workbook only.

    Raises:
        _NotFastError: Anything openpyxl might read differently, or refuse.
    """
    names = set(archive.namelist())
    if not {_CONTENT_TYPES, _WORKBOOK, _WORKBOOK_RELS, _STYLES} <= names:
        raise _NotFastError
    for part in (_CONTENT_TYPES, _WORKBOOK, _WORKBOOK_RELS, _STYLES, _SHARED_STRINGS, *_PROPERTIES):
        if part in names and archive.getinfo(part).file_size > _FAST_PART_BYTES:
            raise _NotFastError  # calamine holds what it parses in memory
    content_types = _read_part(archive, data, _CONTENT_TYPES)
    _body(content_types)
    if content_types.count(b'.main+xml"') != 1 or not _WORKBOOK_TYPE.search(content_types):
        raise _NotFastError
    for part in (*_PROPERTIES, _SHARED_STRINGS):
        if part in names:
            xml = _read_part(archive, data, part)
            start = _body(xml)
            if part == _SHARED_STRINGS:
                _text_part(xml, start)
    workbook, rels, styles = (
        _read_part(archive, data, p) for p in (_WORKBOOK, _WORKBOOK_RELS, _STYLES)
    )
    # the caches keep their keys: a large part is parsed each time instead
    small = max(len(workbook), len(rels), len(styles)) <= _CACHED_PART_BYTES
    describe = _describe if small else _describe.__wrapped__
    parse_styles = _parse_styles if small else _parse_styles.__wrapped__
    sheets, epoch = describe(workbook, rels)
    titles = [title for title, _ in sheets]
    parts = [part for _, part in sheets]
    if any(part not in names for part in parts):
        raise _NotFastError
    if not titles or len({t.lower() for t in titles}) != len(titles):
        raise _NotFastError  # openpyxl renames a repeated title
    return _Book(titles, parts, parse_styles(styles), epoch)


def _cast_number(text: bytes) -> int | float:
    """Convert a ``<v>`` number as openpyxl does."""
    if b"." in text or b"e" in text or b"E" in text:
        return float(text)
    return int(text)


def _scan(xml: bytes, start: int, limits: Limits, styles: int) -> None:
    """Check from a sheet's XML that calamine reads it exactly as openpyxl, and safely.

    Every check holds of several sheets' XML joined if it holds of each (a
    search finds nothing in any, counts add up, the range of all the cells
    bounds the range of each), so the sheets of a workbook are scanned once,
    together, and one by one only when that finds something.

    Args:
        xml: The sheet's XML (or several sheets' content, joined).
        start: Where the content starts, after the XML declaration.
        limits: The caps on rows and filled cells, and on the range calamine lays out.
        styles: How many cell styles the workbook defines.

    Raises:
        _NotFastError: openpyxl must read the sheet.
    """
    _markup(xml, start)
    if _INLINE_STRING.search(xml, start):
        _text_part(xml, start)
    odd_cell = _ODD_CELL.search(xml, start) is not None
    if _ROW_UNNUMBERED.search(xml, start) or (odd_cell and _CELL_UNNUMBERED.search(xml, start)):
        raise _NotFastError  # openpyxl numbers rows and cells written without their reference
    # openpyxl applies the caps as it reads; a part too short to hold that many
    # elements need not be counted
    if (len(xml) >= 4 * limits.rows_per_sheet and xml.count(b"<row") > limits.rows_per_sheet) or (
        len(xml) >= 3 * limits.cells_per_sheet and xml.count(b"<c ") >= limits.cells_per_sheet
    ):
        raise _NotFastError
    if limits.dense_cells < _NEAR_AREA or (odd_cell and _FAR_CELL.search(xml, start)):
        column_refs = _CELL_COLUMN.findall(xml)
        if len(column_refs) != xml.count(b"<c "):
            raise _NotFastError
        columns = {_column_number(c) for c in set(column_refs)}
        numbers = {int(r) for r in set(_CELL_ROW.findall(xml))}
        area = (max(numbers) - min(numbers) + 1) * (max(columns) - min(columns) + 1)
        if area > limits.dense_cells:
            raise _NotFastError
    for tag in _DIMENSION_TAG.findall(xml, start):
        dimension = _DIMENSION.fullmatch(tag)
        if dimension is None:
            raise _NotFastError
        first_col, first_row, last_col, last_row = dimension.groups()
        width = _column_number(last_col or first_col) - _column_number(first_col) + 1
        height = int(last_row or first_row) - int(first_row) + 1
        if width * height > limits.dense_cells:
            raise _NotFastError
    if _FORMULA_TAG.search(xml, start) and len(_FORMULA_TAG.findall(xml)) != len(
        _COMPUTED.findall(xml)
    ):
        raise _NotFastError  # a formula without its value: openpyxl notes it as uncomputed
    odd_values = _ODD_VALUES.findall(xml)
    if any(tag for tag, _ in odd_values) and _ODD_VALUE_TAG.search(xml, start):
        raise _NotFastError
    for tag, text in odd_values:
        if tag:
            continue  # a <v> with attributes before the content: not one of _ODD_VALUE's
        if not _DECIMAL.fullmatch(text) or float(text).is_integer():
            raise _NotFastError  # an error, an ISO date, text, or a whole number written as a float
    if _BOOLEAN_TAG.search(xml, start) and xml.count(b't="b"') != len(_BOOLEAN.findall(xml)):
        raise _NotFastError
    if any(int(style) >= styles for style in set(_STYLE.findall(xml))):
        raise _NotFastError  # openpyxl fails on it


#: Building a :class:`RawCell` without its frozen ``__init__`` (which sets each
#: field through ``object.__setattr__``) halves what a cell costs the fast path.
_new_cell = object.__new__
#: Cells of text already read, format ``General``: a :class:`RawCell` is
#: immutable, and submissions repeat the same labels and times.
_TEXT_CELLS: dict[str, RawCell] = {}
_set_value = vars(RawCell)["value"].__set__
_set_format = vars(RawCell)["number_format"].__set__


def _take_values(
    rows: list[list[Any]], start: tuple[int, int], found: dict[tuple[int, int], RawCell]
) -> list[tuple[int, int]]:
    """Keep calamine's values as openpyxl gives them, each cell with the format ``General``.

    Args:
        rows: calamine's rectangle of values, from ``start``.
        start: The 0-based (row, column) of its first cell.
        found: Where to put the cells, by 1-based (row, column).

    Returns:
        The cells calamine read as a date, a time or a duration: their format
        is not ``General``, and openpyxl's reading of them replaces calamine's.
    """
    dated: list[tuple[int, int]] = []
    general = "General"
    texts = _TEXT_CELLS
    first_column = start[1] + 1
    for r, values in enumerate(rows, start=start[0] + 1):
        for c, value in enumerate(values, start=first_column):
            kind = type(value)
            if kind is str:
                cell = texts.get(value)
                if cell is None:
                    if not value or value.isspace():
                        continue  # an empty cell of the rectangle, or blank text
                    cell = _new_cell(RawCell)
                    _set_value(cell, value)
                    _set_format(cell, general)
                    if len(texts) < MEMO_SIZE:
                        texts[value] = cell
                found[(r, c)] = cell
                continue
            kept = value
            if kind is float:
                if value.is_integer():
                    kept = int(value)  # openpyxl reads "100" as an int
            elif kind is not bool and kind is not int:
                dated.append((r, c))
            cell = _new_cell(RawCell)
            _set_value(cell, kept)
            _set_format(cell, general)
            found[(r, c)] = cell
    return dated


def _fast_sheet(
    calamine: CalamineWorkbook,
    index: int,
    *,
    title: str,
    xml: bytes,
    book: _Book,
    limits: Limits,
    scanned: bool,
) -> RawSheet:
    """Read one sheet with calamine, after checking from its XML that this is exact and safe.

    Args:
        calamine: The workbook opened by calamine, which reads a sheet (all of
            its range) only when asked for it: after the checks.
        index: The sheet's index.
        title: The sheet's title.
        xml: The sheet's XML.
        book: The workbook's description.
        limits: The caps on rows and filled cells, and on the range calamine lays out.
        scanned: Whether :func:`_scan` already passed this sheet (with others).

    Returns:
        The sheet, as openpyxl would read it.

    Raises:
        _NotFastError: openpyxl must read this sheet.
    """
    if len(xml) > _FAST_PART_BYTES:
        raise _NotFastError
    formats = book.styles.formats
    if not scanned:
        _scan(xml, _declaration_end(xml), limits, len(formats))
    special = {int(s) for s in set(_STYLE.findall(xml))}
    special = {style for style in special if formats[style] != "General"}

    raw = RawSheet(title=title, read_by="calamine")
    found = raw.cells
    sheet = calamine.get_sheet_by_index(index)
    origin = sheet.start
    dated = [] if origin is None else _take_values(sheet.to_python(), origin, found)
    if special:
        styles = book.styles
        formatted: set[tuple[int, int]] = set()
        for match in _STYLED_CELL.finditer(xml):
            style = int(match[4])
            if style not in special:
                continue
            key = (int(match[2]), _column_number(match[1]))
            formatted.add(key)
            code = formats[style]
            kind_attr = _TYPE.search(match[3] + match[5])
            if kind_attr is None or kind_attr[1] == b"n":
                value_text = None
                if not match[6]:
                    value_text = _VALUE.search(xml, match.end(), xml.find(b"</c>", match.end()))
                if value_text is None or not value_text[1]:
                    found.pop(key, None)
                    continue
                number = _cast_number(value_text[1])
                if style in styles.dates:
                    try:
                        found[key] = RawCell(
                            from_excel(number, book.epoch, timedelta=style in styles.timedeltas),
                            code,
                        )
                    except (OverflowError, ValueError) as exc:
                        raise _NotFastError from exc  # openpyxl warns and makes it #VALUE!
                else:
                    found[key] = RawCell(number, code)
            elif key in found:
                found[key] = RawCell(found[key].value, code)
        if any(key not in formatted for key in dated):
            raise _NotFastError
    elif dated:
        raise _NotFastError  # calamine saw a date where openpyxl sees a number
    return raw


def _scanned(contents: bytes, limits: Limits, styles: int) -> bool:
    """Scan the selected sheets' content joined: whether every one of them passes."""
    try:
        _scan(contents, 0, limits, styles)
    except _NotFastError:
        return False
    return True


def _read_fast(
    data: bytes, archive: zipfile.ZipFile, limits: Limits, select: Select | None
) -> list[RawSheet] | None:
    """Read the selected sheets with calamine where it is exact and safe, openpyxl elsewhere.

    Returns:
        The sheets, or ``None`` when openpyxl must read the whole workbook.

    Raises:
        UnreadableWorkbookError: openpyxl, reading a sheet calamine could not, failed.
    """
    try:
        book = _inspect_book(archive, data)
    except (_NotFastError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return None
    chosen = set(range(len(book.titles))) if select is None else set(select(book.titles))
    sources: dict[int, bytes] = {}
    contents: list[bytes] = []
    try:
        for index in sorted(chosen):
            xml = sources[index] = _read_part(archive, data, book.parts[index])
            contents.append(xml[_declaration_end(xml) :])
        scanned = _scanned(b"".join(contents), limits, len(book.styles.formats))
        calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit):
        raise
    except BaseException:  # a Rust panic arrives as a BaseException
        return None
    fallback = _Openpyxl(data, limits)
    try:
        metadata = calamine.sheets_metadata
        if [m.name for m in metadata] != book.titles or any(
            m.typ != SheetTypeEnum.WorkSheet for m in metadata
        ):
            return None
        sheets: list[RawSheet] = []
        for index, title in enumerate(book.titles):
            if index not in chosen:
                sheets.append(RawSheet(title))
                continue
            try:
                sheets.append(
                    _fast_sheet(
                        calamine,
                        index,
                        title=title,
                        xml=sources[index],
                        book=book,
                        limits=limits,
                        scanned=scanned,
                    )
                )
            except (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit):
                raise
            except BaseException:  # _NotFastError, a calamine error, a Rust panic
                sheets.append(fallback.sheet(index))
        return sheets
    finally:
        calamine.close()
        fallback.close()


def read_workbook(
    data: bytes,
    path: Path,
    limits: Limits | None = None,
    *,
    select: Select | None = None,
    engine: Engine = "auto",
) -> list[RawSheet]:
    """Read the worksheets of a workbook held in memory.

    Args:
        data: The file's bytes.
        path: The file's path, for the file type in messages.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).
        select: Which sheets to read, given their titles; every sheet by
            default. The others are returned by title only, with no cells.
        engine: ``auto`` (calamine where it reads a sheet exactly and safely,
            openpyxl elsewhere) or ``openpyxl``.

    Returns:
        The sheets in workbook order.

    Raises:
        UnreadableWorkbookError: The bytes are not a readable .xlsx/.xlsm.
        RefusedWorkbookError: The workbook exceeds a limit; nothing was parsed
            (the zip directory) or reading stopped (memory).
    """
    limits = limits or Limits()
    if data[:2] != b"PK":
        raise UnreadableWorkbookError(_describe_signature(data, path))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnreadableWorkbookError(
            f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
        ) from exc
    with archive:
        try:
            refusal = check_archive(archive, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise UnreadableWorkbookError(
                f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
            ) from exc
        if refusal is not None:
            raise RefusedWorkbookError(refusal)
        if engine == "auto":
            sheets = _read_fast(data, archive, limits, select)
            if sheets is not None:
                return sheets
    return _read_openpyxl(data, limits, select)

"""Opening a submitted file and reading its sheets as sparse grids of cells.

openpyxl is used in read-only mode because it sees number formats (a
percent-formatted ``0.0019`` is 0.19 %) and streams the sheet XML. Each sheet
is read with openpyxl's own sheet parser, one ``<row>`` element at a time, so
that a stray cell at ``XFD1048576`` costs one cell (not a million empty rows
up to it) and a sheet's rows can be counted as written: a ``<row>`` without
its ``r`` attribute takes the next number, so millions of empty ones would
pass a cap on filled cells. The file is opened from bytes already read, so the
submitted file is only ever read, once.

Before anything is parsed, the zip directory is judged against the limits of
:mod:`checks.limits`. XML entities (the billion-laughs bomb) are stopped by
expat itself: since 2.4.0 it refuses a document whose entities amplify its
input past a limit, and the reader words that refusal for a steward.
defusedxml is not used: openpyxl would then parse with ElementTree's pure-Python
parser, about a fifth slower on every file, for a protection expat already gives.

With ``data_only=True`` openpyxl gives ``None`` for a formula whose result was
never computed (``<c><f>SUM(B2:B5)</f></c>``, or ``<v/>`` left empty, as
programs that write formulas without an engine leave them). The parser notes
those cells while it reads each cell anyway: spotting them costs a lookup on
the cells that have no value, nothing on the others.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import olefile
from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from checks.i18n import Bilingual
from checks.limits import MAX_CELLS_PER_SHEET, Limits, Refusal, check_archive

__all__ = [
    "MAX_CELLS_PER_SHEET",
    "RawCell",
    "RawSheet",
    "RefusedWorkbookError",
    "UnreadableWorkbookError",
    "a1",
    "read_workbook",
]

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
    """

    title: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    truncated: bool = False
    rows_truncated: bool = False
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)

    def by_row(self) -> dict[int, dict[int, RawCell]]:
        """Return the cells grouped by row, rows and columns in order.

        Returns:
            Row number → (column number → cell), blank rows left out.
        """
        grouped: dict[int, dict[int, RawCell]] = {}
        for (r, c), cell in sorted(self.cells.items()):
            grouped.setdefault(r, {})[c] = cell
        return grouped

    def value(self, r: int, c: int) -> Any:
        """Return the value at (r, c), ``None`` when empty."""
        cell = self.cells.get((r, c))
        return None if cell is None else cell.value


def a1(row: int, column: int) -> str:
    """Return the A1 reference of a 1-based (row, column).

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
    """Tell whether expat refused the XML for its entities, openpyxl having wrapped it or not."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ParseError | ExpatError) and "DTD" in str(seen):
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
    sheet = RawSheet(title=str(ws.title))
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


def read_workbook(data: bytes, path: Path, limits: Limits | None = None) -> list[RawSheet]:
    """Read every worksheet of a workbook held in memory.

    Args:
        data: The file's bytes.
        path: The file's path, for the file type in messages.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).

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
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            refusal = check_archive(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnreadableWorkbookError(
            f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
        ) from exc
    if refusal is not None:
        raise RefusedWorkbookError(refusal)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        if _declares_entities(exc):
            raise UnreadableWorkbookError(_ENTITIES) from exc
        raise UnreadableWorkbookError(
            f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
        ) from exc
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many types on malformed XML
        if _declares_entities(exc):
            raise UnreadableWorkbookError(_ENTITIES) from exc
        raise UnreadableWorkbookError(
            f"книга не читается ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    try:
        return [_read_sheet(ws, limits) for ws in wb.worksheets]
    except MemoryError:
        raise
    except Exception as exc:  # a corrupt sheet part surfaces only while iterating
        if _declares_entities(exc):
            raise UnreadableWorkbookError(_ENTITIES) from exc
        raise UnreadableWorkbookError(
            f"лист книги не читается ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    finally:
        wb.close()

"""Opening a submitted file and reading its sheets as sparse grids of cells.

openpyxl is used in read-only mode because it sees number formats (a
percent-formatted ``0.0019`` is 0.19 %) and streams the sheet XML. We drop
the sheet's declared dimensions so that one stray cell at ``XFD1048576`` costs
one cell, not the dense rectangle up to it. The file is opened from bytes
already read, so the submitted file is only ever read, once.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

#: A cap on the non-empty cells read from one sheet: a contract sheet holds a
#: few hundred; past this the sheet is not a report and reading stops.
MAX_CELLS_PER_SHEET = 200_000


class UnreadableWorkbookError(Exception):
    """The file is not a workbook openpyxl can read; the message says why, in Russian."""


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
        truncated: Whether reading stopped at :data:`MAX_CELLS_PER_SHEET`.
    """

    title: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    truncated: bool = False

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


def _describe_signature(data: bytes, path: Path) -> str:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "файл старого формата Excel (.xls); нужен .xlsx"
    if not data:
        return "файл пустой"
    if data[:2] != b"PK":
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return "файл CSV, а не книга Excel (.xlsx)"
        return "файл не является книгой Excel (.xlsx)"
    return "файл повреждён: архив .xlsx не читается"


def read_workbook(data: bytes, path: Path) -> list[RawSheet]:
    """Read every worksheet of a workbook held in memory.

    Args:
        data: The file's bytes.
        path: The file's path, for the file type in messages.

    Returns:
        The sheets in workbook order.

    Raises:
        UnreadableWorkbookError: The bytes are not a readable .xlsx/.xlsm.
    """
    if data[:2] != b"PK":
        raise UnreadableWorkbookError(_describe_signature(data, path))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise UnreadableWorkbookError(
            f"файл повреждён или не является книгой Excel ({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # openpyxl raises many types on malformed XML
        raise UnreadableWorkbookError(
            f"книга не читается ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    sheets: list[RawSheet] = []
    try:
        for ws in wb.worksheets:
            sheet = RawSheet(title=str(ws.title))
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    if cell.row is None or cell.column is None:
                        continue
                    sheet.cells[(cell.row, cell.column)] = RawCell(
                        value, str(getattr(cell, "number_format", "General") or "General")
                    )
                if len(sheet.cells) >= MAX_CELLS_PER_SHEET:
                    sheet.truncated = True
                    break
            sheets.append(sheet)
    except Exception as exc:  # a corrupt sheet part surfaces only while iterating
        raise UnreadableWorkbookError(
            f"лист книги не читается ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    finally:
        wb.close()
    return sheets

"""Small helpers every Excel output shares: text kept as text, row heights, printing."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Hashable, Iterable

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

#: Points per line of Excel's default 11-pt Calibri.
LINE_POINTS = 15.0


def put_text(cell: Cell, value: str) -> None:
    """Write a text into a cell as text, whatever it starts with.

    openpyxl takes any string starting with ``=`` for a formula; a submitted
    label such as ``=HYPERLINK("http://…";"клик")`` must stay the text it is.

    Args:
        cell: The cell.
        value: The text.
    """
    cell.value = value
    cell.data_type = "s"


def lines_needed(text: str, width: float) -> int:
    """Estimate how many lines a wrapped text takes in a column.

    Args:
        text: The text (its own line breaks count).
        width: The column's width in Excel character units.

    Returns:
        At least 1.
    """
    # A column of width w holds about w digits of the default font; Cyrillic
    # letters are a little wider, so a line holds a few characters fewer.
    per_line = max(1, int(width * 0.95) - 1)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))


def row_height(cells: Iterable[tuple[float, str]]) -> float:
    """The height in points of a row whose wrapped cells hold these texts.

    Args:
        cells: (column width, text) of each wrapped cell of the row.

    Returns:
        Enough points for the tallest cell, at :data:`LINE_POINTS` a line.
    """
    lines = max((lines_needed(text, width) for width, text in cells), default=1)
    return lines * LINE_POINTS + 3


def print_landscape(ws: Worksheet) -> None:
    """Set a sheet to print landscape on A4, fit to the page's width, its header repeated.

    Args:
        ws: The sheet.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


class Styles:
    """Styles applied to many cells, each worked out once.

    openpyxl looks every font, fill and alignment up in the workbook's tables
    each time one is assigned (hashing it), which for a list of ten thousand
    findings took most of the writing time. A cell's style is in the end one
    small array of indices into those tables: the first cell given a style
    pays the lookups, the others get a copy of its array.
    """

    def __init__(self) -> None:
        """Start with no style worked out."""
        self._arrays: dict[Hashable, StyleArray] = {}

    def apply(self, cell: Cell, key: Hashable, setup: Callable[[Cell], None]) -> None:
        """Give a cell the style named ``key``, set up by ``setup`` the first time.

        Args:
            cell: The cell.
            key: Names the style: the same key must always mean the same set-up.
            setup: Sets the style's font, fill, alignment, number format on a cell.
        """
        array = self._arrays.get(key)
        if array is None:
            setup(cell)
            self._arrays[key] = copy.copy(cell._style)  # type: ignore[attr-defined]
        else:
            cell._style = copy.copy(array)  # type: ignore[attr-defined]

"""``discrepancies.xlsx``: the worklist as a steward opens it in Excel.

The same findings as ``discrepancies.csv``, but for a person: Russian headers
and values (severity, status and family by name; English with ``--lang en``),
the columns a steward reads first on the left, counts and shares stored as
numbers (``5178765`` shown ``5 178 765``, ``0.04`` stored as ``0.0004`` shown
``0,04%``), the cell of each finding a link to that cell in the submission's
annotated copy, an auto-filter, a frozen header, widths, wrapped messages
with rows tall enough, a fill by severity, landscape pages fit to width.

Every text is written as text: openpyxl would take a string starting with
``=`` for a formula, and a submitter's label ``=HYPERLINK(…)`` must not
become a live link on a steward's machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from checks.annotate import SEVERITY_FILLS, link_target, valid_ref
from checks.present import excel_value, root_indices, texts
from checks.sheetstyle import Styles, print_landscape, put_text, row_height
from checks.tables import is_missing, records

#: The steward's columns, in order, with their widths (Excel character units).
#: ``sheet_name`` is the record's ``sheet`` (``sheet`` is the texts' sheet title).
COLUMNS: tuple[tuple[str, float], ...] = (
    ("severity", 17),
    ("status", 10),
    ("organisation", 28),
    ("year", 7),
    ("submission", 28),
    ("sheet_name", 14),
    ("cell", 8),
    ("expected", 14),
    ("actual", 14),
    ("message", 70),
    ("family", 16),
    ("rule", 20),
    ("cause", 18),
    ("fingerprint", 18),
    ("waived_by", 16),
    ("waived_reason", 30),
    ("waived_until", 12),
    ("locus", 30),
    ("submission_sha256", 20),
)
_FIELD = {"sheet_name": "sheet"}
#: Columns whose text wraps (the row is made tall enough for them).
_WRAPPED = frozenset({"organisation", "submission", "message", "waived_reason", "locus"})
_HEADER_FILL = PatternFill(fill_type="solid", start_color="E4E8EE", end_color="E4E8EE")
_MUTED = Font(color="5B6470")


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _link(
    row: Mapping[str, Any], links: Mapping[str, str], titles: Mapping[str, Mapping[str, str]]
) -> Hyperlink | None:
    """A link from the list into the annotated copy: at the finding's cell where it can."""
    submission = _text(row.get("submission"))
    copy = links.get(submission)
    if copy is None:
        return None
    title = titles.get(submission, {}).get(_text(row.get("sheet")))
    cell = _text(row.get("cell")).replace("$", "").upper()
    if title is None or not valid_ref(cell):
        return Hyperlink(ref="", target=copy)
    return Hyperlink(ref="", target=copy, location=link_target(title, cell).removeprefix("#"))


_TOP = Alignment(vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _data_style(wrapped: bool, waived: bool, number_format: str | None) -> Callable[[Cell], None]:
    def setup(cell: Cell) -> None:
        cell.alignment = _WRAP if wrapped else _TOP
        if waived:
            cell.font = _MUTED
        if number_format:
            cell.number_format = number_format

    return setup


def _severity_style(severity: str, follow: bool, waived: bool) -> Callable[[Cell], None]:
    def setup(cell: Cell) -> None:
        colour = SEVERITY_FILLS.get(severity, SEVERITY_FILLS["info"])
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        # A follow-on is indented under the roots, as on the page.
        cell.alignment = Alignment(indent=1, vertical="top") if follow else _TOP
        if waived:
            cell.font = _MUTED

    return setup


def _link_style(cell: Cell) -> None:
    cell.style = "Hyperlink"
    cell.alignment = _TOP


def write_findings(
    frame: pd.DataFrame,
    path: Path,
    *,
    lang: str = "ru",
    links: Mapping[str, str] | None = None,
    titles: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write the findings as the steward's Excel list.

    Rows come in the order given (the worklist's: file, sheet, cell); the
    auto-filter sorts and narrows them in Excel.

    Args:
        frame: The worklist (the contract's columns, ``status``, ``waived_*``,
            ``organisation``, ``year``, ``cause`` where there); columns not
            listed in :data:`COLUMNS` follow under their own names.
        path: Where to write the workbook.
        lang: ``"ru"`` (default) or ``"en"``: headers and labels.
        links: Submission → its annotated copy, relative to the list's folder.
        titles: Submission → (canonical sheet → its title in the copy).

    Raises:
        ValueError: ``lang`` is not ``"ru"`` or ``"en"``.
    """
    t = texts(lang)
    heads = t["xlsx"]
    labels = {"severity": t["severity"], "status": t["status"], "family": t["family"]}
    shown = [(key, width) for key, width in COLUMNS if _FIELD.get(key, key) in frame.columns]
    known = {_FIELD.get(key, key) for key, _ in COLUMNS}
    shown += [(c, 16.0) for c in frame.columns if c not in known]
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = heads["sheet"]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (key, width) in enumerate(shown, start=1):
        header = ws.cell(row=1, column=column)
        assert isinstance(header, Cell)
        put_text(header, heads.get(key, key))
        header.font = bold
        header.fill = _HEADER_FILL
        header.alignment = wrap
        ws.column_dimensions[get_column_letter(column)].width = width
    plain = records(frame)
    causes = [_text(r.get("cause")) for r in plain]
    roots = root_indices([_text(r.get("fingerprint")) for r in plain], causes)
    styles = Styles()
    keys = [key for key, _ in shown]
    link_column = keys.index("cell") + 1 if "cell" in keys else None
    for number, (row, root) in enumerate(zip(plain, roots, strict=True), start=2):
        rule, family = _text(row.get("rule")), _text(row.get("family"))
        waived = _text(row.get("status")) == "waived"
        severity = _text(row.get("severity"))
        link = _link(row, links or {}, titles or {}) if link_column else None
        wrapped: list[tuple[float, str]] = []
        for column, (key, width) in enumerate(shown, start=1):
            cell = ws.cell(row=number, column=column)
            assert isinstance(cell, Cell)
            value = row.get(_FIELD.get(key, key))
            number_format = None
            if key in ("expected", "actual"):
                stored, number_format = excel_value(value, rule, family)
                if isinstance(stored, str):
                    put_text(cell, _text(stored))
                else:
                    cell.value = stored
            elif key == "year" and value is not None and not is_missing(value):
                cell.value = int(value)
            elif key in labels:
                put_text(cell, labels[key].get(_text(value), _text(value)))
            elif isinstance(value, int | float) and not is_missing(value) and key not in known:
                cell.value = value
            else:
                put_text(cell, _text(value))
            if key in _WRAPPED and cell.value:
                wrapped.append((width, str(cell.value)))
            if column == 1:
                style: tuple[object, ...] = ("severity", severity, root is not None, waived)
                styles.apply(cell, style, _severity_style(severity, root is not None, waived))
            elif column == link_column and link is not None:
                if not cell.value:
                    put_text(cell, "→")
                cell.hyperlink = link
                styles.apply(cell, ("link",), _link_style)
            else:
                style = ("data", key in _WRAPPED, waived, number_format)
                styles.apply(cell, style, _data_style(key in _WRAPPED, waived, number_format))
        ws.row_dimensions[number].height = row_height(wrapped)
    last = get_column_letter(len(shown))
    ws.auto_filter.ref = f"A1:{last}{max(len(plain) + 1, 2)}"
    ws.freeze_panes = "A2"
    print_landscape(ws)
    # On paper the columns a steward acts on, up to the message; the rest is for filtering.
    printed = get_column_letter(keys.index("message") + 1) if "message" in keys else last
    ws.print_area = f"A1:{printed}{max(len(plain) + 1, 2)}"
    wb.save(path)

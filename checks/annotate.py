"""The steward's annotated copies: each submitted workbook with its findings on it.

A copy of the submitted workbook gets a fill and an Excel comment on every
flagged cell, and a first sheet ``Замечания`` listing the findings, each
linked to its cell. The copy is made by editing the submitted package
(:mod:`checks.xlsxpatch`): only the styles, the workbook's sheet list and
the flagged sheets are rewritten, every other part (formulas, charts,
images, macros) is copied as it was; some 10 ms a copy. A package that
module does not edit (a flagged sheet that already has comments, a
template, unusual XML) is loaded and saved by openpyxl instead, as every
copy was before: formulas, number formats, merged cells and every other
sheet are kept as openpyxl reads them, but it drops charts and images, and
it takes some 60 ms. The submitted file itself is never written.

Fills are light tints of the Okabe–Ito palette, chosen for colour-blind
readers: an error is vermillion ``#D55E00`` at 50 % (``#EAAE80``), a warning
yellow ``#F0E442`` at 50 % (``#F8F2A0``), an info sky blue ``#56B4E9`` at 35 %
(``#C4E5F7``). Warning and info differ along the blue–yellow axis that
red–green colour blindness keeps; the error fill is also markedly darker
than both (relative luminance 0.49 against 0.86 and 0.75), so it stands out
in greyscale too. Black text keeps a contrast of at least 10:1 on each. The
severity is also written out in every comment and in the list, so nothing
depends on colour alone.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers.expat import ExpatError

import pandas as pd
from lxml import etree
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from checks import vocab, xlsxpatch
from checks.atomic import write_atomically
from checks.findings import SHEET_ORDER, cell_sort_key
from checks.limits import safe_parse
from checks.parallel import map_files
from checks.present import excel_value, root_indices, shown_value
from checks.reuse import Kept
from checks.sheetstyle import print_landscape, put_text, row_height
from checks.tables import is_missing, records
from checks.workbook import UnreadableWorkbookError, a1

AUTHOR = "sverka"
LANGUAGES = ("ru", "en")


@dataclass(frozen=True, slots=True)
class Texts:
    """Every fixed text of an annotated copy in one language."""

    #: The list's sheet; a workbook that already has one gets ``<sheet> sverka``.
    sheet: str
    #: The list's headers, in :data:`_WIDTHS` order.
    columns: tuple[str, str, str, str, str, str, str]
    severity: Mapping[str, str]
    expected: str
    actual: str
    #: Introduces a comment the cell already had.
    kept: str
    #: After the severity of a finding that follows from another one.
    follow: str


TEXTS: dict[str, Texts] = {
    "ru": Texts(
        sheet="Замечания",
        columns=("Важность", "Лист", "Ячейка", "Правило", "Ожидалось", "Указано", "Сообщение"),
        severity={"error": "ошибка", "warning": "предупреждение", "info": "сведения"},
        expected="ожидалось",
        actual="указано",
        kept="Примечание в файле",
        follow="следствие",
    ),
    "en": Texts(
        sheet="Findings",
        columns=("Severity", "Sheet", "Cell", "Rule", "Expected", "Stated", "Message"),
        severity={"error": "error", "warning": "warning", "info": "info"},
        expected="expected",
        actual="stated",
        kept="Note in the file",
        follow="follow-on",
    ),
}
# The Russian texts under their old names.
NOTES_SHEET = TEXTS["ru"].sheet
NOTES_COLUMNS = TEXTS["ru"].columns
SEVERITY_LABELS = TEXTS["ru"].severity

#: Severity → fill colour (see the module docstring for the choice).
SEVERITY_FILLS = {"error": "EAAE80", "warning": "F8F2A0", "info": "C4E5F7"}
#: Most severe first; an unknown severity ranks (and is filled) as info.
_RANK = {"error": 0, "warning": 1, "info": 2}

_WIDTHS = (16, 16, 8, 22, 16, 16, 80)

#: Comment box sizing, in pixels (openpyxl writes them into the VML shape):
#: about 6.5 px per character of Excel's default 8-pt Tahoma, 15 px a line.
_COMMENT_WIDTH = 360
_CHARS_PER_LINE = 52
_LINE_HEIGHT = 15
_COMMENT_PADDING = 14

_MAX_ROW = 1_048_576
_MAX_COLUMN = 16_384
_A1 = re.compile(r"^\$?[A-Za-z]{1,3}\$?[0-9]+$")
_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True, slots=True)
class _Note:
    """One finding as the annotated copy shows it."""

    severity: str
    sheet: str
    cell: str
    rule: str
    family: str
    expected: str
    actual: str
    message: str
    #: Whether it follows from another finding of the list (``cause``).
    follow: bool = False

    @property
    def rank(self) -> int:
        return _RANK.get(self.severity, _RANK["info"])


def _text(value: Any) -> str:
    """A table value as text; a whole float read back from CSV loses its ``.0``."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _open_only(findings: pd.DataFrame) -> pd.DataFrame:
    if "status" not in findings.columns:
        return findings
    return findings[findings["status"].map(_text) == "open"]


def _notes(findings: pd.DataFrame) -> list[_Note]:
    """The open findings as notes: roots first, then by severity, sheet (workbook order), cell."""
    rows = records(_open_only(findings))
    roots = root_indices(
        [_text(row.get("fingerprint")) for row in rows], [_text(row.get("cause")) for row in rows]
    )
    notes = [
        _Note(
            severity=_text(row.get("severity")),
            sheet=_text(row.get("sheet")),
            cell=_text(row.get("cell")).strip().replace("$", "").upper(),
            rule=_text(row.get("rule")),
            family=_text(row.get("family")),
            expected=_text(row.get("expected")),
            actual=_text(row.get("actual")),
            message=_text(row.get("message")),
            follow=root is not None,
        )
        for row, root in zip(rows, roots, strict=True)
    ]
    return sorted(
        notes,
        key=lambda n: (
            n.follow,
            n.rank,
            SHEET_ORDER.get(n.sheet, len(SHEET_ORDER)),
            n.sheet,
            cell_sort_key(n.cell),
        ),
    )


def _read(source: Path) -> bytes:
    """A submitted workbook's bytes; the file itself is only read."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise UnreadableWorkbookError(f"файл не открывается ({exc.strerror})") from exc
    if data[:2] != b"PK":
        raise UnreadableWorkbookError("файл не является книгой Excel (.xlsx)")
    return data


def _load(data: bytes, suffix: str) -> Workbook:
    """Open a workbook for editing with openpyxl."""
    try:
        return load_workbook(io.BytesIO(data), keep_vba=suffix.lower() == ".xlsm", keep_links=True)
    except Exception as exc:  # openpyxl raises many types on malformed parts
        raise UnreadableWorkbookError(
            f"книга не читается ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc


def _sheet_titles(worksheets: Iterable[str]) -> dict[str, str]:
    """Map canonical sheet names to the workbook's titles, the first one winning (as the reader)."""
    titles: dict[str, str] = {}
    for title in worksheets:
        canonical = vocab.lookup(vocab.SHEET_INDEX, title)
        if canonical is not None:
            titles.setdefault(canonical, title)
    return titles


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main sheet"
_REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_WORKSHEET_TYPE = "/worksheet"


def copy_titles(copy: Path) -> dict[str, str]:
    """Read which title each contract sheet has in an annotated copy (for links into it).

    Only the workbook's part list is read (``xl/workbook.xml`` and its
    relationships, with expat and no DTD), not the sheets: a thousand copies
    take a second, not fifteen.

    Args:
        copy: An annotated copy written by :func:`annotate` (openpyxl writes its
            parts at these fixed names).

    Returns:
        Canonical sheet name → the copy's title of it (``Обращения`` →
        ``Appeals`` when the submitter named it so); empty when the copy
        cannot be read.
    """
    sheets: list[tuple[str, str]] = []
    kinds: dict[str, str] = {}

    def sheet(tag: str, attributes: dict[str, str]) -> None:
        if tag == _MAIN:
            sheets.append((attributes.get("name", ""), attributes.get(_REL_ID, "")))

    def relationship(tag: str, attributes: dict[str, str]) -> None:
        if tag == _RELATIONSHIP:
            kinds[attributes.get("Id", "")] = attributes.get("Type", "")

    try:
        with zipfile.ZipFile(copy) as archive:
            safe_parse(archive.read("xl/workbook.xml"), sheet)
            safe_parse(archive.read("xl/_rels/workbook.xml.rels"), relationship)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ExpatError):
        return {}  # a copy that cannot be read simply gets no cell links
    titles: dict[str, str] = {}
    for title, rel in sheets:
        if not kinds.get(rel, "").endswith(_WORKSHEET_TYPE):
            continue  # a chart sheet
        canonical = vocab.lookup(vocab.SHEET_INDEX, title)
        if canonical is not None:
            titles.setdefault(canonical, title)
    return titles


def _resolve_sheet(sheet: str, titles: Mapping[str, str], own: frozenset[str]) -> str | None:
    if not sheet:
        return None
    canonical = vocab.lookup(vocab.SHEET_INDEX, sheet)
    if canonical is not None and canonical in titles:
        return titles[canonical]
    # A finding may name a non-contract sheet by its own title.
    return sheet if sheet in own else None


def valid_ref(ref: str) -> bool:
    """Tell whether a text is an A1 reference inside Excel's grid.

    Args:
        ref: The text (``B7``, ``$B$7``).

    Returns:
        ``True`` for a reference Excel can go to.
    """
    if not _A1.match(ref):
        return False
    row, column = coordinate_to_tuple(ref)
    return 1 <= row <= _MAX_ROW and 1 <= column <= _MAX_COLUMN


def _anchor(ws: Worksheet, ref: str) -> Cell:
    """The cell that carries a fill and a comment: a merged range's top-left cell."""
    row, column = coordinate_to_tuple(ref)
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            row, column = merged.min_row, merged.min_col
            break
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)
    return cell


def _fill(severity: str) -> PatternFill:
    colour = SEVERITY_FILLS.get(severity, SEVERITY_FILLS["info"])
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _label(severity: str, t: Texts) -> str:
    return t.severity.get(severity, severity)


def _shown(value: str, note: _Note) -> str:
    return shown_value(value, note.rule, note.family)


def _comment_text(notes: list[_Note], previous: Comment | None, t: Texts) -> str:
    parts = [f"{AUTHOR}:"]
    for note in sorted(notes, key=lambda n: n.rank):
        lines = [
            f"{_label(note.severity, t)} · {note.rule}",
            note.message,
            f"{t.expected}: {_shown(note.expected, note) or '—'} / "
            f"{t.actual}: {_shown(note.actual, note) or '—'}",
        ]
        parts.append("\n".join(line for line in lines if line))
    if previous is not None and previous.text:
        author = f" ({previous.author})" if previous.author else ""
        parts.append(f"{t.kept}{author}:\n{previous.text}")
    return "\n\n".join(parts)


def _comment_height(text: str) -> int:
    lines = sum(max(1, math.ceil(len(line) / _CHARS_PER_LINE)) for line in text.split("\n"))
    return lines * _LINE_HEIGHT + _COMMENT_PADDING


def _comment(text: str) -> Comment:
    return Comment(text, AUTHOR, height=_comment_height(text), width=_COMMENT_WIDTH)


def _notes_title(names: Iterable[str], name: str) -> str:
    # Excel compares sheet names without regard to case.
    taken = {title.casefold() for title in names}
    numbered = (f"{name} {AUTHOR} {n}" for n in itertools.count(2))
    candidates = itertools.chain((name, f"{name} {AUTHOR}"), numbered)
    return next(title for title in candidates if title.casefold() not in taken)


def _as_text(cell: Cell, value: str) -> None:
    """Write text that Excel must not take for a formula (a stated value may start with ``=``)."""
    if value:
        put_text(cell, value)


def link_target(title: str, ref: str) -> str:
    """Return an in-workbook link to a cell: ``#'Лист'!B7`` (quotes in the title doubled).

    Args:
        title: The sheet's title.
        ref: The cell's A1 reference.

    Returns:
        The link's target.
    """
    quoted = title.replace("'", "''")
    return f"#'{quoted}'!{ref}"


#: A finding placed in the workbook: the note, the title of its sheet there
#: (``None`` when the workbook lacks it), whether its cell can be linked to.
_Placed = tuple[_Note, str | None, bool]


def _listed(note: _Note, title: str | None, t: Texts) -> tuple[str, ...]:
    """A note's row of the list, as text, in :attr:`Texts.columns` order."""
    severity = _label(note.severity, t)
    return (
        f"{severity}, {t.follow}" if note.follow else severity,
        title or note.sheet,
        note.cell,
        note.rule,
        note.expected,
        note.actual,
        note.message,
    )


def _write_notes(wb: Workbook, placed: list[_Placed], t: Texts) -> None:
    ws = wb.create_sheet(_notes_title(wb.sheetnames, t.sheet), 0)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    bold = Font(bold=True)
    for column, name in enumerate(t.columns, start=1):
        header = ws.cell(row=1, column=column, value=name)
        header.font = bold
        header.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row, (note, title, linked) in enumerate(placed, start=2):
        values = _listed(note, title, t)
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            assert isinstance(cell, Cell)
            stored, number_format = (
                excel_value(value, note.rule, note.family) if column in (5, 6) else (value, None)
            )
            if isinstance(stored, str):
                _as_text(cell, stored)
            else:
                cell.value = stored
                cell.number_format = number_format or "General"
            cell.alignment = wrap
        ws.row_dimensions[row].height = row_height(zip(_WIDTHS, values, strict=True))
        ws.cell(row=row, column=1).fill = _fill(note.severity)
        if linked and title is not None:
            ref_cell = ws.cell(row=row, column=3)
            ref_cell.hyperlink = link_target(title, note.cell)
            ref_cell.style = "Hyperlink"
            ref_cell.alignment = top
    for column, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.auto_filter.ref = f"A1:{a1(len(placed) + 1, len(t.columns))}"
    ws.freeze_panes = "A2"
    print_landscape(ws)


def _texts(lang: str) -> Texts:
    if lang not in TEXTS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return TEXTS[lang]


def annotate(source: Path, findings: pd.DataFrame, target: Path, *, lang: str = "ru") -> None:
    """Write an annotated copy of a submitted workbook.

    Every flagged cell of the copy is filled by its most severe finding and
    carries one comment listing all its findings (severity, rule id, message,
    expected and stated values). A first sheet ``Замечания`` (``Findings`` in
    English) lists every finding, its cell linked. The findings name canonical sheets; they are
    found in the workbook however its titles are written (``Appeals``,
    `` ОБРАЩЕНИЯ ``). Findings without a cell, or about a sheet the workbook
    lacks, are listed without a link. With a ``status`` column, only ``open``
    findings are shown.

    Args:
        source: The submitted workbook; it is only read.
        findings: This submission's findings (the contract's columns).
        target: Where to write the copy (through a temporary file and a rename).
        lang: The language of the list and the comments, ``"ru"`` or ``"en"``;
            messages are shown as given, so pass them in that language.

    Raises:
        UnreadableWorkbookError: openpyxl cannot open ``source``.
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    t = _texts(lang)
    data = _read(source)
    notes = _notes(findings)
    try:
        made = _patched(data, source.suffix, notes, t)
    except (xlsxpatch.UnsupportedPackageError, ValueError, etree.LxmlError):
        made = None  # made with openpyxl below
    if made is not None:
        write_atomically(target, _writer(made))
        return
    _with_openpyxl(data, source.suffix, notes, target, t)


def _writer(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _place(
    notes: list[_Note], worksheets: list[str]
) -> tuple[list[_Placed], dict[tuple[str, str], list[_Note]]]:
    """Find each note's sheet in the workbook; group the notes that can be linked by cell."""
    titles = _sheet_titles(worksheets)
    own = frozenset(worksheets)
    placed: list[_Placed] = []
    by_cell: dict[tuple[str, str], list[_Note]] = {}
    for note in notes:
        title = _resolve_sheet(note.sheet, titles, own)
        linked = title is not None and valid_ref(note.cell)
        placed.append((note, title, linked))
        if linked and title is not None:
            by_cell.setdefault((title, note.cell), []).append(note)
    return placed, by_cell


def _worst(notes: list[_Note]) -> str:
    return min(notes, key=lambda n: n.rank).severity


def _patched(data: bytes, suffix: str, notes: list[_Note], t: Texts) -> bytes:
    """The annotated copy made by editing the package (:mod:`checks.xlsxpatch`).

    Raises:
        xlsxpatch.UnsupportedPackageError: The package is one to open with openpyxl instead.
    """
    book = xlsxpatch.Patch(data, macros=suffix.lower() == ".xlsm")
    placed, by_cell = _place(notes, book.titles)
    anchored: dict[tuple[str, str], list[_Note]] = {}
    for (title, ref), cell_notes in by_cell.items():
        anchored.setdefault((title, book.anchor(title, ref)), []).extend(cell_notes)
    for (title, ref), cell_notes in anchored.items():
        text = _comment_text(cell_notes, None, t)
        fill = SEVERITY_FILLS.get(_worst(cell_notes), SEVERITY_FILLS["info"])
        book.mark(title, ref, fill, text, (_COMMENT_WIDTH, _comment_height(text)))
    bold, plain = book.format(font="bold"), book.format()
    link = book.format(font="link", wrap=False)
    rows = [[xlsxpatch.ListCell(name, bold) for name in t.columns]]
    heights: list[float | None] = [None]
    for note, found, linked in placed:
        values = _listed(note, found, t)
        fill = SEVERITY_FILLS.get(note.severity, SEVERITY_FILLS["info"])
        row = [xlsxpatch.ListCell(values[0], book.format(fill=fill))]
        for column, value in enumerate(values[1:], start=2):
            if column == 3 and linked and found is not None:
                row.append(xlsxpatch.ListCell(value, link, link_target(found, note.cell)))
            elif column in (5, 6):
                stored, number_format = excel_value(value, note.rule, note.family)
                style = book.format(number_format=number_format) if number_format else plain
                row.append(xlsxpatch.ListCell(stored, style))
            else:
                row.append(xlsxpatch.ListCell(value, plain))
        rows.append(row)
        heights.append(row_height(zip(_WIDTHS, values, strict=True)))
    book.insert_first(_notes_title(book.names, t.sheet), rows, _WIDTHS, heights)
    return book.save()


def _with_openpyxl(data: bytes, suffix: str, notes: list[_Note], target: Path, t: Texts) -> None:
    """The annotated copy made with openpyxl (for packages :mod:`checks.xlsxpatch` leaves)."""
    wb = _load(data, suffix)
    # The output is a workbook to open, not a template to instantiate.
    wb.template = False
    placed, by_cell = _place(notes, [ws.title for ws in wb.worksheets])
    anchored: dict[tuple[str, str], list[_Note]] = {}
    for (title, ref), cell_notes in by_cell.items():
        anchor = _anchor(wb[title], ref)
        anchored.setdefault((title, anchor.coordinate), []).extend(cell_notes)
    for (title, ref), cell_notes in anchored.items():
        cell = wb[title][ref]
        assert isinstance(cell, Cell)
        cell.fill = _fill(_worst(cell_notes))
        cell.comment = _comment(_comment_text(cell_notes, cell.comment, t))
    _write_notes(wb, placed, t)
    write_atomically(target, wb.save)


def _target_name(name: str) -> PurePosixPath | None:
    """The copy's path under ``annotated/``; ``None`` for a name that would leave it."""
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts:
        return None
    if relative.suffix.lower() not in _WORKBOOK_SUFFIXES:
        relative = relative.with_name(relative.name + ".xlsx")
    return relative


def annotate_all(
    paths: Mapping[str, Path],
    findings: pd.DataFrame,
    out_dir: Path,
    *,
    lang: str = "ru",
    kept: Kept | None = None,
) -> dict[str, Path]:
    """Write an annotated copy of every submission that has findings.

    A submission gets ``out_dir/annotated/<submission name>`` (a name with
    ``/``, from an inbox subfolder, keeps its folders; a file whose name does
    not end in ``.xlsx``/``.xlsm`` gets ``.xlsx`` appended). A file openpyxl
    cannot open is skipped: the run already reports it as ``file-unreadable``.
    With a ``status`` column, only ``open`` findings count.

    Args:
        paths: Submission name → the submitted file.
        findings: The run's findings (the contract's columns, ``submission`` among them).
        out_dir: The run's output folder.
        lang: The copies' language, ``"ru"`` or ``"en"`` (see :func:`annotate`).
        kept: Copies made by earlier runs (:mod:`checks.reuse`): a copy whose file,
            findings and language are unchanged is copied from there, not made again.

    Returns:
        Submission name → the annotated copy written.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    _texts(lang)
    written: dict[str, Path] = {}
    shown = _open_only(findings)
    if shown.empty:
        return written
    jobs: list[tuple[Path, pd.DataFrame, Path, str]] = []
    keys: dict[Path, tuple[str, str]] = {}
    for name, part in shown.groupby(shown["submission"].map(_text), sort=True):
        submission = str(name)
        source = paths.get(submission)
        relative = _target_name(submission)
        if source is None or relative is None:
            continue
        target = out_dir / "annotated" / Path(*relative.parts)
        key = ""
        if kept is not None:
            digest = str(part["submission_sha256"].iloc[0]) if "submission_sha256" in part else ""
            key = kept.key(digest, lang, submission, part.to_csv(index=False)) if digest else ""
            if key and kept.fetch(key, target):
                written[submission] = target
                continue
        jobs.append((source, part, target, lang))
        keys[target] = (submission, key)
    for target, made in zip(keys, map_files(_annotate_job, jobs), strict=True):
        if not made:
            continue
        submission, key = keys[target]
        if kept is not None and key:
            kept.keep(key, target)
        written[submission] = target
    return dict(sorted(written.items()))


def _annotate_job(job: tuple[Path, pd.DataFrame, Path, str]) -> bool:
    """Make one annotated copy (in a worker process); ``False`` for a file openpyxl can't open."""
    source, findings, target, lang = job
    try:
        annotate(source, findings, target, lang=lang)
    except UnreadableWorkbookError:
        return False
    return True

"""Editing a submitted workbook's package in place: fills, comments and a new first sheet.

An annotated copy (:mod:`checks.annotate`) changes little of a workbook: a
fill and a comment on some cells, and a first sheet listing the findings.
openpyxl loads every sheet into Python objects and writes them all again,
some 60 ms of a core for a small workbook. :class:`Patch` edits the package
instead: the styles, the workbook's sheet list, and only the sheets that get
a mark are parsed (lxml, no DTD, no entities, no network); every other part
is copied still compressed (:mod:`checks.zipparts`), so charts, images,
macros and anything else openpyxl would drop stay as submitted.

What is written follows what openpyxl writes for the same changes (tests
compare the two): a solid fill as a new cell format cloned from the cell's
own (its number format, font, borders and alignment kept), comments as a
comments part with a VML drawing, the list as a worksheet of inline strings,
its links as relationships to ``#'Sheet'!A1`` targets.

A package this class does not handle raises :class:`UnsupportedPackageError` (a sheet to
mark that already has comments or form controls, a template, the strict
OOXML namespaces, cells without a reference, a DTD, duplicate parts…); the
caller then makes the copy with openpyxl, as before.
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, range_boundaries

from checks import zipparts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_RT = REL + "/"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORKSHEET_TYPE = _CT + "worksheet+xml"
COMMENTS_TYPE = _CT + "comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
PLAIN_TYPE = _CT + "sheet.main+xml"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_TEMPLATES = {_CT + "template.main+xml", "application/vnd.ms-excel.template.macroEnabled.main+xml"}

#: The worksheet's children that come after ``legacyDrawing`` (ECMA-376, CT_Worksheet).
_AFTER_LEGACY_DRAWING = frozenset(
    {
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
    }
)
#: The workbook's children ``definedNames`` comes after (CT_Workbook).
_BEFORE_DEFINED_NAMES = ("externalReferences", "functionGroups", "sheets")
#: Number formats every spreadsheet knows by id.
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)


class UnsupportedPackageError(Exception):
    """The package is one :class:`Patch` does not edit; the message says what."""


def _q(local: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{local}"


def _parse(data: bytes) -> Any:
    if b"<!DOCTYPE" in data[:4096].upper():
        raise UnsupportedPackageError("a part declares a DTD")
    return etree.fromstring(data, _PARSER)


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _join(base: str, target: str) -> str:
    """A relationship's target as a part name (no leading ``/``)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


@dataclass(frozen=True, slots=True)
class ListCell:
    """One cell of the new first sheet."""

    #: Text (stored as an inline string: never a formula) or a number.
    value: str | int | float
    #: The cell's format (:meth:`Patch.format`).
    style: int
    #: ``#'Sheet'!A1``: the cell links there.
    link: str = ""


@dataclass
class _Sheet:
    """A worksheet being marked: its parsed XML and the comments to add."""

    part: str
    root: Any
    rows: dict[int, Any]
    merged: list[tuple[int, int, int, int]]
    comments: list[tuple[str, str, int, int]] = field(default_factory=list)


class Patch:
    """A workbook package being edited; :meth:`save` returns the edited package.

    Args:
        data: The workbook's bytes (only read).
        macros: Whether the copy is a macro-enabled workbook (``.xlsm``): a
            workbook part typed plain gets the macro-enabled type, as openpyxl
            gives it; one typed macro-enabled in a copy without macros is refused.

    Raises:
        UnsupportedPackageError: The package is not one this class edits.
    """

    def __init__(self, data: bytes, *, macros: bool = False) -> None:
        """Read the package's parts list, content types, workbook and styles."""
        self._data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError) as exc:
            raise UnsupportedPackageError(f"not a zip archive ({exc})") from exc
        self._infos = self._zip.infolist()
        names = [info.filename for info in self._infos]
        if len(set(names)) != len(names):
            raise UnsupportedPackageError("duplicate parts")
        self._names = set(names)
        self._changed: dict[str, Any] = {}  # part → parsed XML to write back
        self._added: dict[str, bytes] = {}
        self._types = self._xml("[Content_Types].xml")
        if self._types.tag != _q("Types", TYPES):
            raise UnsupportedPackageError("no content types")
        workbook = next(
            (
                _join("", r.get("Target", ""))
                for r in self._xml("_rels/.rels")
                if r.get("Type") == _RT + "officeDocument"
            ),
            None,
        )
        if workbook is None or workbook not in self._names:
            raise UnsupportedPackageError("no workbook part")
        self._workbook_part = workbook
        self._workbook = self._xml(workbook)
        if self._workbook.tag != _q("workbook"):
            raise UnsupportedPackageError("not a transitional workbook")
        kind = self._content_type(workbook)
        if kind in _TEMPLATES:
            raise UnsupportedPackageError("a template")
        if kind == MACRO_TYPE and not macros:
            raise UnsupportedPackageError("macros in a workbook that is not to keep them")
        if kind == PLAIN_TYPE and macros:
            self._override(workbook, MACRO_TYPE)
        self._workbook_rels = self._xml(_rels_name(workbook))
        kinds = {r.get("Id"): r for r in self._workbook_rels}
        self._sheets_element = self._workbook.find(_q("sheets"))
        if self._sheets_element is None:
            raise UnsupportedPackageError("no sheets")
        #: Every sheet's title, in order; worksheets' titles → their parts.
        self.names: list[str] = []
        self._worksheets: dict[str, str] = {}
        self._sheet_parts: list[str] = []
        for sheet in self._sheets_element:
            name, rel = sheet.get("name", ""), kinds.get(sheet.get(_q("id", REL)))
            self.names.append(name)
            if rel is None or rel.get("TargetMode") == "External":
                continue
            part = _join(workbook, rel.get("Target", ""))
            self._sheet_parts.append(part)
            if rel.get("Type", "").endswith("/worksheet"):
                if part not in self._names:
                    raise UnsupportedPackageError(f"sheet {name!r} has no part")
                self._worksheets[name] = part
        styles = [
            _join(workbook, r.get("Target", ""))
            for r in self._workbook_rels
            if r.get("Type") == _RT + "styles"
        ]
        if not styles or styles[0] not in self._names:
            raise UnsupportedPackageError("no styles part")
        self._styles_part = styles[0]
        self._styles = self._xml(self._styles_part)
        self._xfs = self._styles.find(_q("cellXfs"))
        if self._xfs is None or not len(self._xfs):
            raise UnsupportedPackageError("no cell formats")
        self._sheets: dict[str, _Sheet] = {}
        self._formats: dict[Any, int] = {}

    @property
    def titles(self) -> list[str]:
        """The worksheets' titles, in the workbook's order (chart sheets left out)."""
        return list(self._worksheets)

    # -- reading ---------------------------------------------------------------

    def _xml(self, part: str) -> Any:
        if part in self._changed:
            return self._changed[part]
        try:
            return _parse(self._zip.read(part))
        except KeyError as exc:
            raise UnsupportedPackageError(f"no part {part}") from exc
        except etree.XMLSyntaxError as exc:
            raise UnsupportedPackageError(f"{part} is not well-formed ({exc})") from exc

    def _content_type(self, part: str) -> str:
        for override in self._types.iterfind(_q("Override", TYPES)):
            if override.get("PartName", "").lstrip("/") == part:
                return str(override.get("ContentType", ""))
        extension = part.rsplit(".", 1)[-1].lower()
        for default in self._types.iterfind(_q("Default", TYPES)):
            if default.get("Extension", "").lower() == extension:
                return str(default.get("ContentType", ""))
        return ""

    def _sheet(self, title: str) -> _Sheet:
        sheet = self._sheets.get(title)
        if sheet is not None:
            return sheet
        part = self._worksheets.get(title)
        if part is None:
            raise UnsupportedPackageError(f"no worksheet {title!r}")
        root = self._xml(part)
        if root.tag != _q("worksheet"):
            raise UnsupportedPackageError(f"{part} is not a transitional worksheet")
        if (
            root.find(_q("legacyDrawing")) is not None
            or root.find(_q("AlternateContent", MC)) is not None
        ):
            raise UnsupportedPackageError(f"{title!r} already has comments or controls")
        if _rels_name(part) in self._names:
            for rel in self._xml(_rels_name(part)):
                if rel.get("Type") in (_RT + "comments", _RT + "vmlDrawing"):
                    raise UnsupportedPackageError(f"{title!r} already has comments")
        data = root.find(_q("sheetData"))
        if data is None:
            raise UnsupportedPackageError(f"{title!r} has no cells")
        rows: dict[int, Any] = {}
        for row in data.iterfind(_q("row")):
            r = row.get("r")
            if r is None or not r.isdigit():
                raise UnsupportedPackageError(f"{title!r} has a row without its number")
            rows[int(r)] = row
            if any(c.get("r") is None for c in row.iterfind(_q("c"))):
                raise UnsupportedPackageError(f"{title!r} has a cell without its reference")
        merged: list[tuple[int, int, int, int]] = []
        for merge in root.iterfind(f"{_q('mergeCells')}/{_q('mergeCell')}"):
            try:
                bounds = range_boundaries(merge.get("ref", ""))
            except (ValueError, TypeError) as exc:
                raise UnsupportedPackageError(f"{title!r} has a bad merged range") from exc
            if None in bounds:
                raise UnsupportedPackageError(f"{title!r} merges whole rows or columns")
            merged.append(tuple(int(b or 0) for b in bounds))  # type: ignore[arg-type]
        sheet = self._sheets[title] = _Sheet(part, root, rows, merged)
        self._changed[part] = root
        return sheet

    # -- marking cells ---------------------------------------------------------

    def anchor(self, title: str, ref: str) -> str:
        """The cell that shows ``ref``: the top-left cell of a merged range holding it.

        Args:
            title: A worksheet's title (one of :attr:`titles`).
            ref: An A1 reference without ``$``.
        """
        row, column = coordinate_to_tuple(ref)
        for min_col, min_row, max_col, max_row in self._sheet(title).merged:
            if min_row <= row <= max_row and min_col <= column <= max_col:
                return f"{_letters(min_col)}{min_row}"
        return ref

    def mark(self, title: str, ref: str, fill: str, comment: str, size: tuple[int, int]) -> None:
        """Fill a cell and give it a comment (the cell is made if it holds nothing).

        Args:
            title: A worksheet's title.
            ref: The cell (:meth:`anchor` of the flagged one).
            fill: The fill's colour, ``RRGGBB``.
            comment: The comment's text (its author is ``sverka``).
            size: The comment box's width and height, in pixels.
        """
        sheet = self._sheet(title)
        cell = self._cell(sheet, ref)
        style = int(cell.get("s", "0") or 0)
        cell.set("s", str(self._filled(style, fill)))
        sheet.comments.append((ref, comment, *size))

    def _cell(self, sheet: _Sheet, ref: str) -> Any:
        number, column = coordinate_to_tuple(ref)
        row = sheet.rows.get(number)
        if row is None:
            data = sheet.root.find(_q("sheetData"))
            row = etree.Element(_q("row"), r=str(number))
            later = [r for n, r in sheet.rows.items() if n > number]
            if later:
                min(later, key=lambda r: int(r.get("r"))).addprevious(row)
            else:
                data.append(row)
            sheet.rows[number] = row
        for cell in row.iterfind(_q("c")):
            there = column_index_from_string(cell.get("r").lstrip("$").rstrip("0123456789$"))
            if there == column:
                return cell
            if there > column:
                made = etree.Element(_q("c"), r=ref)
                cell.addprevious(made)
                break
        else:
            made = etree.SubElement(row, _q("c"), r=ref)
        row.attrib.pop("spans", None)  # a hint of the row's first and last cells
        dimension = sheet.root.find(_q("dimension"))
        if dimension is not None:
            dimension.set("ref", _union(dimension.get("ref", ""), number, column))
        return made

    # -- formats ---------------------------------------------------------------

    def _append(self, parent_name: str, element: Any) -> int:
        parent = self._styles.find(_q(parent_name))
        if parent is None:
            raise UnsupportedPackageError(f"styles have no {parent_name}")
        parent.append(element)
        parent.set("count", str(len(parent)))
        self._changed[self._styles_part] = self._styles
        return len(parent) - 1

    def _fill(self, colour: str) -> int:
        key = ("fill", colour)
        if key not in self._formats:
            fill = etree.Element(_q("fill"))
            pattern = etree.SubElement(fill, _q("patternFill"), patternType="solid")
            etree.SubElement(pattern, _q("fgColor"), rgb="FF" + colour)
            etree.SubElement(pattern, _q("bgColor"), rgb="FF" + colour)
            self._formats[key] = self._append("fills", fill)
        return self._formats[key]

    def _filled(self, style: int, colour: str) -> int:
        key = ("filled", style, colour)
        if key not in self._formats:
            if not 0 <= style < len(self._xfs):
                style = 0
            xf = copy.deepcopy(self._xfs[style])
            xf.set("fillId", str(self._fill(colour)))
            xf.set("applyFill", "1")
            self._formats[key] = self._append("cellXfs", xf)
        return self._formats[key]

    def _font(self, kind: str) -> int:
        key = ("font", kind)
        if key not in self._formats:
            fonts = self._styles.find(_q("fonts"))
            if fonts is None or not len(fonts):
                raise UnsupportedPackageError("styles have no fonts")
            font = copy.deepcopy(fonts[0])
            if kind == "bold":
                for b in font.findall(_q("b")):
                    font.remove(b)
                font.insert(0, etree.Element(_q("b")))
            else:  # a link: underlined, in the theme's hyperlink colour
                for old in (*font.findall(_q("u")), *font.findall(_q("color"))):
                    font.remove(old)
                font.insert(0, etree.Element(_q("u")))
                font.insert(1, etree.Element(_q("color"), theme="10"))
            self._formats[key] = self._append("fonts", font)
        return self._formats[key]

    def _number_format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        formats = self._styles.find(_q("numFmts"))
        if formats is None:
            formats = etree.Element(_q("numFmts"))
            self._styles.insert(0, formats)
        for existing in formats:
            if existing.get("formatCode") == code:
                return int(existing.get("numFmtId", "0"))
        taken = [int(f.get("numFmtId", "0")) for f in formats if f.get("numFmtId", "").isdigit()]
        number = max([163, *taken]) + 1
        etree.SubElement(formats, _q("numFmt"), numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))
        self._changed[self._styles_part] = self._styles
        return number

    def format(
        self, *, font: str = "", fill: str = "", number_format: str = "General", wrap: bool = True
    ) -> int:
        """A cell format for the new sheet, made once (vertically at the top).

        Args:
            font: ``""`` (the workbook's default), ``"bold"`` or ``"link"``.
            fill: A solid fill's colour ``RRGGBB``, or none.
            number_format: The number format's code.
            wrap: Whether the text wraps.

        Returns:
            The format's index, for :class:`ListCell`.
        """
        key = ("format", font, fill, number_format, wrap)
        if key not in self._formats:
            xf = etree.Element(
                _q("xf"),
                numFmtId=str(self._number_format(number_format)),
                fontId=str(self._font(font)) if font else "0",
                fillId=str(self._fill(fill)) if fill else "0",
                borderId="0",
                xfId="0",
            )
            for flag, on in (
                ("applyNumberFormat", number_format != "General"),
                ("applyFont", font),
                ("applyFill", fill),
            ):
                if on:
                    xf.set(flag, "1")
            xf.set("applyAlignment", "1")
            alignment = etree.SubElement(xf, _q("alignment"), vertical="top")
            if wrap:
                alignment.set("wrapText", "1")
            self._formats[key] = self._append("cellXfs", xf)
        return self._formats[key]

    # -- the new first sheet ---------------------------------------------------

    def insert_first(
        self,
        title: str,
        rows: Sequence[Sequence[ListCell]],
        widths: Sequence[float],
        heights: Sequence[float | None],
    ) -> None:
        """Add a worksheet before all others, selected and shown first.

        Its first row is frozen, filtered, and repeated on every printed page;
        it prints landscape on A4, fit to the page's width.

        Args:
            title: Its title (not one of :attr:`names`, ignoring case).
            rows: Its rows, from the first; every row as wide as ``widths``.
            widths: Each column's width, in characters.
            heights: Each row's height in points, or ``None`` for the default.
        """
        part = self._free("xl/worksheets/sverka{}.xml")
        links: list[tuple[str, str]] = []
        out = [
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="A1:{_letters(len(widths))}{len(rows)}"/>',
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/><cols>',
        ]
        for i, width in enumerate(widths, start=1):
            out.append(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>')
        out.append("</cols><sheetData>")
        for r, (row, height) in enumerate(zip(rows, heights, strict=True), start=1):
            tall = f' ht="{height:g}" customHeight="1"' if height else ""
            out.append(f'<row r="{r}"{tall}>')
            for c, cell in enumerate(row, start=1):
                ref = f"{_letters(c)}{r}"
                if cell.link:
                    links.append((ref, cell.link))
                value = cell.value
                if isinstance(value, str):
                    text = f'<is><t xml:space="preserve">{escape(value)}</t></is>' if value else ""
                    kind = ' t="inlineStr"' if value else ""
                    out.append(f'<c r="{ref}" s="{cell.style}"{kind}>{text}</c>')
                else:
                    out.append(f'<c r="{ref}" s="{cell.style}"><v>{value!r}</v></c>')
            out.append("</row>")
        last = f"{_letters(len(widths))}{len(rows)}"
        out.append(f'</sheetData><autoFilter ref="A1:{last}"/>')
        rels = []
        if links:
            out.append("<hyperlinks>")
            for number, (ref, target) in enumerate(links, start=1):
                out.append(f'<hyperlink ref="{ref}" r:id="rId{number}"/>')
                rels.append(
                    f'<Relationship Id="rId{number}" Type="{_RT}hyperlink" '
                    f'Target={quoteattr(target)} TargetMode="External"/>'
                )
            out.append("</hyperlinks>")
        out.append(
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            "</worksheet>"
        )
        self._added[part] = "".join(out).encode()
        if rels:
            self._added[_rels_name(part)] = _relationships(rels)
        self._override(part, WORKSHEET_TYPE)
        rel = self._relate(self._workbook_rels, _RT + "worksheet", "/" + part)
        self._changed[_rels_name(self._workbook_part)] = self._workbook_rels
        ids = [
            int(s.get("sheetId")) for s in self._sheets_element if s.get("sheetId", "").isdigit()
        ]
        sheet = etree.Element(_q("sheet"), name=title, sheetId=str(max([0, *ids]) + 1))
        sheet.set(_q("id", REL), rel)
        self._sheets_element.insert(0, sheet)
        self._names_for(title, last)
        for view in self._workbook.iterfind(f"{_q('bookViews')}/{_q('workbookView')}"):
            view.set("activeTab", "0")
            view.set("firstSheet", "0")
        self._changed[self._workbook_part] = self._workbook
        for other in self._sheet_parts:
            if other not in self._names:
                continue
            if other in self._changed or b"tabSelected" in self._zip.read(other):
                root = self._xml(other)
                for view in root.iter(_q("sheetView")):
                    view.attrib.pop("tabSelected", None)
                self._changed[other] = root

    def _names_for(self, title: str, last: str) -> None:
        """Shift the sheet-local names by one sheet; name the list's filter and print titles."""
        names = self._workbook.find(_q("definedNames"))
        if names is None:
            names = etree.Element(_q("definedNames"))
            for before in _BEFORE_DEFINED_NAMES:
                found = self._workbook.find(_q(before))
                if found is not None:
                    found.addnext(names)
                    break
        for name in names:
            local = name.get("localSheetId")
            if local is not None and local.isdigit():
                name.set("localSheetId", str(int(local) + 1))
        quoted = "'" + title.replace("'", "''") + "'"
        column = last.rstrip("0123456789")
        row = last[len(column) :]
        made = [
            ("_xlnm._FilterDatabase", f"{quoted}!$A$1:${column}${row}", True),
            ("_xlnm.Print_Titles", f"{quoted}!$1:$1", False),
        ]
        for position, (name, text, hidden) in enumerate(made):
            element = etree.Element(_q("definedName"), name=name, localSheetId="0")
            if hidden:
                element.set("hidden", "1")
            element.text = text
            names.insert(position, element)

    # -- writing ---------------------------------------------------------------

    def _free(self, pattern: str) -> str:
        taken = {n.casefold() for n in (*self._names, *self._added)}
        number = 1
        while pattern.format(number).casefold() in taken:
            number += 1
        return pattern.format(number)

    def _override(self, part: str, content_type: str) -> None:
        """Give a part its content type (replacing the one it had by name)."""
        for override in self._types.iterfind(_q("Override", TYPES)):
            if override.get("PartName", "").lstrip("/") == part:
                self._types.remove(override)
        etree.SubElement(
            self._types, _q("Override", TYPES), PartName="/" + part, ContentType=content_type
        )
        self._changed["[Content_Types].xml"] = self._types

    def _relate(self, rels: Any, kind: str, target: str) -> str:
        taken = {r.get("Id") for r in rels}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        rel = f"rId{number}"
        etree.SubElement(rels, _q("Relationship", PKG_REL), Id=rel, Type=kind, Target=target)
        return rel

    def _write_comments(self, number: int, sheet: _Sheet) -> None:
        comments = self._free("xl/comments/sverka{}.xml")
        drawing = self._free("xl/drawings/sverka{}.vml")
        body = [f'<comments xmlns="{MAIN}"><authors><author>sverka</author></authors><commentList>']
        shapes = [_VML_HEAD.format(block=number)]
        for i, (ref, text, width, height) in enumerate(sheet.comments):
            body.append(
                f'<comment ref="{ref}" authorId="0"><text>'
                f'<t xml:space="preserve">{escape(text)}</t></text></comment>'
            )
            row, column = coordinate_to_tuple(ref)
            shapes.append(
                _VML_SHAPE.format(
                    id=1024 * number + i + 1, z=i + 1, width=width, height=height,
                    row=row - 1, column=column - 1,
                )
            )  # fmt: skip
        body.append("</commentList></comments>")
        shapes.append("</xml>")
        self._added[comments] = "".join(body).encode()
        self._added[drawing] = "".join(shapes).encode()
        self._override(comments, COMMENTS_TYPE)
        if not any(
            d.get("Extension", "").lower() == "vml"
            for d in self._types.iterfind(_q("Default", TYPES))
        ):
            default = etree.Element(_q("Default", TYPES), Extension="vml", ContentType=VML_TYPE)
            self._types.insert(0, default)
        rels_part = _rels_name(sheet.part)
        rels = (
            self._xml(rels_part)
            if rels_part in self._names
            else etree.Element(_q("Relationships", PKG_REL), nsmap={None: PKG_REL})
        )
        self._relate(rels, _RT + "comments", "/" + comments)
        legacy = self._relate(rels, _RT + "vmlDrawing", "/" + drawing)
        self._changed[rels_part] = rels
        element = etree.Element(_q("legacyDrawing"))
        element.set(_q("id", REL), legacy)
        later = [c for c in sheet.root if _local(c) in _AFTER_LEGACY_DRAWING]
        if later:
            later[0].addprevious(element)
        else:
            sheet.root.append(element)

    def save(self) -> bytes:
        """The edited package: changed parts written again, the others copied as they are.

        Raises:
            UnsupportedPackageError: A part cannot be copied (encrypted, cut short, zip64).
        """
        for number, sheet in enumerate(self._sheets.values(), start=1):
            if sheet.comments:
                self._write_comments(number, sheet)
        entries: list[zipparts.Entry] = []
        try:
            for info in self._infos:
                if info.filename in self._changed:
                    data = _serialize(self._changed[info.filename])
                    entries.append(zipparts.deflated(info.filename, data))
                else:
                    entries.append(zipparts.copied(self._data, info))
            for part, data in (*self._added.items(), *self._new_xml()):
                entries.append(zipparts.deflated(part, data))
            return zipparts.archive(entries)
        except ValueError as exc:
            raise UnsupportedPackageError(str(exc)) from exc

    def _new_xml(self) -> list[tuple[str, bytes]]:
        """Parts made as XML trees that the archive did not have (a sheet's new relationships)."""
        return [
            (part, _serialize(root))
            for part, root in self._changed.items()
            if part not in self._names and part not in self._added
        ]


_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
    '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
    ' path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;'
    " margin-left:59.25pt;margin-top:1.5pt;width:{width}px;height:{height}px;z-index:{z};"
    'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
    '<v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
    '<div style="text-align:left"/></v:textbox><x:ClientData ObjectType="Note">'
    "<x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>"
    "<x:Row>{row}</x:Row><x:Column>{column}</x:Column></x:ClientData></v:shape>"
)


def _relationships(items: list[str]) -> bytes:
    return (f'<Relationships xmlns="{PKG_REL}">' + "".join(items) + "</Relationships>").encode()


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _union(ref: str, row: int, column: int) -> str:
    """A range grown to hold a cell (``A1:D9`` and F12 → ``A1:F12``)."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return f"{_letters(column)}{row}"
    min_col, min_row = min(min_col or column, column), min(min_row or row, row)
    max_col, max_row = max(max_col or column, column), max(max_row or row, row)
    return f"{_letters(min_col)}{min_row}:{_letters(max_col)}{max_row}"

"""Letters to the organisations: each company's open root findings, as a Word document.

A submission whose current version has open errors or warnings gets a letter
``letters/<file name without its extension>.docx``, in Russian, addressed to
the organisation named in its passport, for its report year. The letter lists
each *root* finding (one whose ``cause`` is empty: a finding that only follows
from another one disappears with it, and is only counted) with its sheet,
cell, what is stated, what was expected and what to correct; grouped by sheet
(sheets with errors first, then in the workbook's order), errors before
warnings within a sheet. Infos and waived findings are left out.

The wording is a template stewards can change (``--letter-template``): Jinja2
text with a few line marks (see the default, ``checks/templates/letter.txt``,
and the README). Every value printed from ``{{ ... }}`` goes into the document
as text, after the template's lines are read: a submitted name that holds
``# ``, ``|``, ``**`` or ``<script>`` shows literally and can change nothing
of the letter's layout. The template itself runs in Jinja2's sandbox.

Kept letters. Laying a letter out with python-docx and saving it costs 15-35 ms;
a nightly run where 1 % of files are new would lay out again a thousand letters
that differ from last night's only by their date. So a run given a
:class:`~checks.reuse.Kept` folder (``<out>/.sverka/kept/letters``, beside the
kept annotated copies) keeps each letter in a *dateless form*: the template
is rendered as usual (cheap: a few hundred microseconds), and in the printed
values the date's text (``02.03.2026``) is replaced by a mark (a private-use
character, then ``date``, then another). The letter is laid out from those
lines and values, and the saved package is kept under the digest of the
rendered lines and values, the submission's name (the title falls back to
it), the template's text and the code (this module, Jinja2, python-docx,
lxml). A later run renders the letter the same way; when the digest names a
kept form, the letter is that form with the mark replaced by that day's date
in the parts python-docx writes values into (the text and the title). That
is exactly what laying the letter out afresh gives, whatever the template
does with the date (prints it, cuts it as ``date[-4:]``, tests it): whatever
it prints because of the date is in the digest. Only the values are searched
for the date, so the template's own text stays as written. A value that
happens to state the run's date (a submission date, say) gets the mark too,
which is still exact: that day it shows that date, and on a later day the
value no longer matches the day's date, the form differs, and the letter is
laid out again (and kept in its new form). A letter whose text already
holds the mark's first character is laid out each time, not kept. The
package is rewritten, not re-saved: the parts without the mark (the styles
alone are 800 kB) are copied still compressed, the others are compressed as
python-docx compresses them, and every entry takes the current time, as a
save gives it; python-docx writes no other timestamp
(the core properties' dates are the default template's, fixed). So a kept
letter dated for a day has the parts, byte for byte, of one laid out that
day. The kept forms a run did not use are pruned after its letters are
written, under the output folder's lock that the whole run holds.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime as dt
import functools
import html
import io
import json
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem  # python-docx is pinned: see _package
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from jinja2.sandbox import SandboxedEnvironment

from checks import zipparts
from checks.atomic import write_atomically
from checks.findings import SHEET_ORDER, cell_sort_key
from checks.parallel import map_files
from checks.reuse import Kept, source_digest
from checks.tables import is_missing

#: Severities a letter lists, in its order.
LISTED = ("error", "warning")
KIND = {"error": "Ошибка", "warning": "Предупреждение"}
FOLDER = "letters"
FONT = "Times New Roman"
TABLE_SIZE = 10
_TOKEN = re.compile("\ue000(\\d+)\ue001")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000\ue001]")
_WHOLE = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")
_NBSP = "\u00a0"
#: What a kept letter holds where the date goes; its first character is private
#: use, and a letter that holds it otherwise is not kept.
_MARK = "\ue002date\ue003"
#: The parts of a package python-docx writes values into: the text and the title.
_DATED_PARTS = frozenset({"word/document.xml", "docProps/core.xml"})


class LetterTemplateError(ValueError):
    """The letter template cannot be used; the message says why (``ru``, ``en`` apart).

    Attributes:
        ru: The reason in Russian.
        en: The reason in English.
    """

    def __init__(self, ru: str, en: str) -> None:
        """Keep the reason in both languages; ``str()`` gives the Russian one."""
        super().__init__(ru)
        self.ru = ru
        self.en = en


@dataclass(frozen=True, slots=True)
class LetterFinding:
    """One root finding as a letter shows it.

    Attributes:
        severity: ``error`` or ``warning``.
        kind: ``Ошибка`` or ``Предупреждение``.
        sheet: The canonical sheet name (empty for the file as a whole).
        cell: The A1 reference, empty where no one cell fits.
        stated: What the submission states, numbers written the Russian way.
        expected: What was expected, likewise.
        message: The finding's message (Russian).
        rule: The rule id.
        family: The rule's family.
        fingerprint: The finding's fingerprint.
    """

    severity: str
    kind: str
    sheet: str
    cell: str
    stated: str
    expected: str
    message: str
    rule: str
    family: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class SheetFindings:
    """A sheet's findings in a letter.

    Attributes:
        name: The canonical sheet name (empty for the file as a whole).
        errors: How many errors it lists.
        warnings: How many warnings it lists.
        findings: Errors first, then warnings, each by row and column.
    """

    name: str
    errors: int
    warnings: int
    findings: tuple[LetterFinding, ...]


@dataclass(frozen=True, slots=True)
class Letter:
    """What one letter says.

    Attributes:
        submission: The submitted file's name.
        organisation: The organisation named in the passport (may be empty).
        year: The report year (``None`` if the passport does not give it).
        inn: The INN as stated (may be empty).
        errors: Root errors listed.
        warnings: Root warnings listed.
        follow_ons: Open errors and warnings that follow from another finding (not listed).
        sheets: The findings by sheet.
        date: The letter's date.
    """

    submission: str
    organisation: str
    year: int | None
    inn: str
    errors: int
    warnings: int
    follow_ons: int
    sheets: tuple[SheetFindings, ...]
    date: dt.date


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def figure(text: str, family: str = "") -> str:
    """Write a machine figure (``expected``/``actual``) the way a Russian reader does.

    Whole numbers are grouped by three with no-break spaces, decimals take a
    comma, shares get ``%``; anything else (times, submitted text) is left as
    it is.

    Args:
        text: The figure as the worklist holds it (``5178765``, ``0.04``, ``0:00:31``).
        family: The finding's family (``share`` figures are percentages).

    Returns:
        ``5 178 765``, ``0,04 %``, ``0:00:31``.
    """
    stripped = text.strip()
    suffix = f"{_NBSP}%" if family == "share" else ""
    if _WHOLE.match(stripped):
        return f"{int(stripped):,}".replace(",", _NBSP) + suffix
    if _DECIMAL.match(stripped):
        whole, _, fraction = stripped.partition(".")
        return f"{int(whole):,}".replace(",", _NBSP) + "," + fraction + suffix
    return text


def _is_root(cause: Any) -> bool:
    return _text(cause).strip() == ""


def compose(findings: pd.DataFrame, submissions: pd.DataFrame, today: dt.date) -> list[Letter]:
    """Choose what each letter says: the open root errors and warnings of current submissions.

    Args:
        findings: The run's findings (``status`` and ``cause`` optional: without
            ``status`` all are open, without ``cause`` all are roots).
        submissions: The submissions table (``submission``, ``organisation``,
            ``year``, ``inn``, ``superseded_by``).
        today: The letters' date.

    Returns:
        One letter per current submission with an open root error or warning,
        by file name.
    """
    if findings.empty:
        return []
    status = findings["status"].map(_text) if "status" in findings else None
    open_ = findings if status is None else findings[status == "open"]
    listed = open_[open_["severity"].isin(LISTED)]
    has_cause = "cause" in findings.columns
    # .loc with a boolean mask: an empty object-typed mask would select columns instead.
    is_root = (
        listed["cause"].map(_is_root).astype(bool)
        if has_cause
        else pd.Series(True, index=listed.index)
    )
    # Each table is grouped by submission once: filtering it again for each
    # submission made a run with 10,000 files spend seconds here.
    roots: dict[Any, list[dict[Any, Any]]] = {}
    for record in listed.loc[is_root].to_dict("records"):
        roots.setdefault(record["submission"], []).append(record)
    follow = collections.Counter(listed.loc[~is_root, "submission"].tolist())
    letters = []
    for row in submissions.to_dict("records"):
        name = _text(row.get("submission"))
        if _text(row.get("superseded_by")):
            continue
        own = roots.get(name)
        if not own:
            continue
        follow_ons = follow[name]
        sheets = _by_sheet(own)
        year = _text(row.get("year"))
        letters.append(
            Letter(
                submission=name,
                organisation=_text(row.get("organisation")),
                year=int(year) if year.isdigit() else None,
                inn=_text(row.get("inn")),
                errors=sum(s.errors for s in sheets),
                warnings=sum(s.warnings for s in sheets),
                follow_ons=follow_ons,
                sheets=sheets,
                date=today,
            )
        )
    return sorted(letters, key=lambda letter: letter.submission)


def _by_sheet(findings: list[dict[Any, Any]]) -> tuple[SheetFindings, ...]:
    groups: dict[str, list[LetterFinding]] = {}
    for row in findings:
        family = _text(row.get("family"))
        item = LetterFinding(
            severity=_text(row["severity"]),
            kind=KIND[_text(row["severity"])],
            sheet=_text(row.get("sheet")),
            cell=_text(row.get("cell")),
            stated=figure(_text(row.get("actual")), family),
            expected=figure(_text(row.get("expected")), family),
            message=_text(row.get("message")),
            rule=_text(row.get("rule")),
            family=family,
            fingerprint=_text(row.get("fingerprint")),
        )
        groups.setdefault(item.sheet, []).append(item)
    sheets = []
    for name, items in groups.items():
        items.sort(key=lambda f: (LISTED.index(f.severity), cell_sort_key(f.cell), f.rule))
        errors = sum(f.severity == "error" for f in items)
        sheets.append(SheetFindings(name, errors, len(items) - errors, tuple(items)))
    sheets.sort(key=lambda s: (s.errors == 0, SHEET_ORDER.get(s.name, len(SHEET_ORDER)), s.name))
    return tuple(sheets)


def plural(count: int, one: str, few: str, many: str) -> str:
    """Put a count before the Russian form of a word that agrees with it.

    Args:
        count: The number.
        one: The form after 1, 21… (``ошибка``).
        few: The form after 2–4, 22–24… (``ошибки``).
        many: The form after 0, 5–20, 25… (``ошибок``).

    Returns:
        ``3 ошибки``, ``11 ошибок``, ``21 ошибка``.
    """
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        form = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        form = few
    else:
        form = many
    return f"{count} {form}"


def _environment(sink: list[list[str]]) -> SandboxedEnvironment:
    """A sandbox whose every printed value becomes a token standing for the text.

    The values go to ``sink[0]``, which each rendering replaces with its own list.
    """

    def finalize(value: Any) -> str:
        values = sink[0]
        values.append("" if value is None else str(value))
        return f"\ue000{len(values) - 1}\ue001"

    env = SandboxedEnvironment(
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["plural"] = plural
    env.filters["figure"] = figure
    return env


@functools.lru_cache(maxsize=8)
def _compiled(source: str) -> tuple[jinja2.Template, list[list[str]]]:
    """Compile a template once per run (compiling took a third of a letter's time)."""
    sink: list[list[str]] = [[]]
    return _environment(sink).from_string(source), sink


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    """A letter template read and checked.

    Attributes:
        source: The template's text.
        name: Where it came from, for messages.
    """

    source: str
    name: str

    def render(self, letter: Letter) -> tuple[list[str], list[str]]:
        """Render a letter's lines, the printed values kept apart as tokens.

        Args:
            letter: What the letter says.

        Returns:
            The rendered lines (values appear as tokens) and the values.

        Raises:
            LetterTemplateError: The template fails on this letter.
        """
        values: list[str] = []
        try:
            template, sink = _compiled(self.source)
            sink[0] = values
            text = template.render(_context(letter))
        except jinja2.TemplateError as exc:
            raise _template_error(self.name, exc) from exc
        return text.splitlines(), values


def _template_error(name: str, exc: jinja2.TemplateError) -> LetterTemplateError:
    line = getattr(exc, "lineno", None)
    where_ru = f", строка {line}" if line else ""
    where_en = f", line {line}" if line else ""
    return LetterTemplateError(
        f"шаблон письма {name}{where_ru} не работает: {exc.message or exc}",
        f"the letter template {name}{where_en} does not work: {exc.message or exc}",
    )


def _date_text(date: dt.date) -> str:
    return date.strftime("%d.%m.%Y")


def _context(letter: Letter) -> dict[str, Any]:
    return {
        "organisation": letter.organisation,
        "year": letter.year,
        "inn": letter.inn,
        "file": letter.submission,
        "errors": letter.errors,
        "warnings": letter.warnings,
        "follow_ons": letter.follow_ons,
        "sheets": letter.sheets,
        "findings": [f for sheet in letter.sheets for f in sheet.findings],
        "date": _date_text(letter.date),
    }


#: A made-up letter every template is tried on before a run uses it.
SAMPLE = Letter(
    submission="пример.xlsx",
    organisation="АО «Пример»",
    year=2025,
    inn="7707083893",
    errors=1,
    warnings=1,
    follow_ons=1,
    sheets=(
        SheetFindings(
            "Обращения",
            1,
            1,
            (
                LetterFinding(
                    "error", KIND["error"], "Обращения", "B5", "1", "2", "Всего 1 ≠ 2.",
                    "total-grand", "total", "0123456789abcdef",
                ),
                LetterFinding(
                    "warning", KIND["warning"], "Обращения", "C3", "", "", "Строка не из формы.",
                    "label-unknown", "structure", "fedcba9876543210",
                ),
            ),
        ),
    ),
    date=dt.date(2026, 1, 15),
)  # fmt: skip


def load_template(path: Path | None = None) -> LetterTemplate:
    """Read a letter template and try it on a sample letter; the default one if no path.

    Args:
        path: A UTF-8 text file of Jinja2 (see the module's docstring), or ``None``.

    Returns:
        The template, ready to render.

    Raises:
        LetterTemplateError: The file is missing or unreadable, or the template
            fails (a syntax error, an unknown name) on a sample letter.
    """
    if path is None:
        source = resources.files("checks").joinpath("templates", "letter.txt").read_text("utf-8")
        template = LetterTemplate(source, "letter.txt")
    else:
        try:
            source = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise LetterTemplateError(
                f"шаблон письма не найден: {path}", f"letter template not found: {path}"
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise LetterTemplateError(
                f"шаблон письма {path} не читается как текст UTF-8: {exc}",
                f"the letter template {path} does not read as UTF-8 text: {exc}",
            ) from exc
        template = LetterTemplate(source, path.name)
    template.render(SAMPLE)
    return template


def _clean(text: str) -> str:
    """Drop characters a Word document cannot hold (control characters)."""
    return _XML_ILLEGAL.sub("", text)


def _runs(
    paragraph: Paragraph, text: str, values: list[str], bold: bool = False, size: float = 0
) -> None:
    """Add the text's runs: ``**`` marks of the template toggle bold, tokens become values."""
    for i, part in enumerate(text.split("**")):
        if not part:
            continue
        filled = _TOKEN.sub(lambda m: values[int(m.group(1))], part)
        run = paragraph.add_run(_clean(filled))
        if bold or i % 2 == 1:
            run.bold = True
        if size:
            run.font.size = Pt(size)


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") else line


def _paragraph(doc: DocumentObject, style: str = "") -> Paragraph:
    """Add a paragraph in a style given by name.

    The style is set by its id, looked up once per process: python-docx's own
    ``add_paragraph(style=...)`` searches the styles part for the default
    style on every call, a few milliseconds each.
    """
    paragraph = doc.add_paragraph()
    if style:
        paragraph._p.style = _style_ids()[style]
    return paragraph


def _table(doc: DocumentObject, rows: list[str], values: list[str], width: int) -> None:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    weights: list[int] = []
    if len(cells) > 1 and _SEPARATOR.match(rows[1].strip()):
        weights = [max(1, c.count("-")) for c in cells[1]]
        del cells[1]
    columns = max(len(r) for r in cells)
    if len(weights) != columns:
        weights = [1] * columns
    table = doc.add_table(rows=len(cells), cols=columns)
    table._tbl.tblStyle_val = _style_ids()["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    unit = Twips(width // 635 // sum(weights))  # Word keeps widths in twips (635 EMU)
    widths = [Twips(unit.twips * w) for w in weights]
    for c, column_width in enumerate(widths):
        table.columns[c].width = column_width
    # Row by row: ``table.cell(r, c)`` lists every cell of the table on each call.
    for r, (row, table_row) in enumerate(zip(cells, table.rows, strict=True)):
        for c, cell in enumerate(table_row.cells):
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            _runs(paragraph, row[c] if c < len(row) else "", values, bold=r == 0, size=TABLE_SIZE)
    for row_ in table.rows:
        # A finding's row stays on one page; the header row repeats on each page.
        row_._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for cell in table.rows[0].cells:
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), "E7E6E6")
        cell._tc.get_or_add_tcPr().append(shade)


def _set_font(style: Any, size: float, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:cs"), FONT)


def _new_document(title: str) -> DocumentObject:
    # A copy of the styled empty letter, not a new one: opening python-docx's template
    # and styling it took some 29 ms a letter, a deep copy of the result takes half that.
    doc = copy.deepcopy(_base_document())
    doc.core_properties.title = title
    return doc


def _blank(title: str) -> DocumentObject:
    """This thread's letter, emptied, for a letter that is saved before the next one starts.

    The letter is laid out in the same document each time, its text reset to
    the empty letter's: a deep copy of the whole document (:func:`_new_document`)
    takes 13 ms, most of a letter's time. Laying a letter out changes only its
    text and its title (no style, section or other part): the test of
    :func:`_package` checks each saved letter against one laid out in a fresh copy.
    """
    made = getattr(_REUSED, "letter", None)
    if made is None:
        doc = copy.deepcopy(_base_document())
        made = _REUSED.letter = (doc, [copy.deepcopy(child) for child in doc.element.body])
    doc, empty = made
    doc.element.body[:] = [copy.deepcopy(child) for child in empty]
    doc.core_properties.title = title
    return doc


#: Each thread's reused letter and the text of an empty one (:func:`_blank`).
_REUSED = threading.local()


@functools.cache
def _base_document() -> DocumentObject:
    """The styled, empty document every letter is a copy of (made once per process)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    _set_font(normal, 12)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(6)
    for name, size, before, after in (("Heading 1", 14, 12, 12), ("Heading 2", 12, 12, 4)):
        heading = doc.styles[name]
        _set_font(heading, size, bold=True)
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(after)
        heading.paragraph_format.keep_with_next = True
    doc.core_properties.author = "sverka"
    doc.core_properties.comments = ""
    return doc


#: The styles a letter uses, by name.
_STYLES = ("Heading 1", "Heading 2", "List Bullet", "Table Grid")


@functools.cache
def _style_ids() -> dict[str, str]:
    """Each style of :data:`_STYLES`: name → its id in the letters' styles part."""
    styles = _base_document().styles
    return {name: styles[name].style_id for name in _STYLES}


def render_letter(letter: Letter, template: LetterTemplate) -> DocumentObject:
    """Build a letter's Word document from the template.

    Args:
        letter: What the letter says.
        template: The wording.

    Returns:
        The document (not saved).

    Raises:
        LetterTemplateError: The template fails on this letter.
    """
    lines, values = template.render(letter)
    return _build(lines, values, letter.submission, _new_document(letter.submission))


def _build(
    lines: list[str], values: list[str], submission: str, doc: DocumentObject
) -> DocumentObject:
    """Lay out a rendered letter: its lines (values as tokens), its values, the file it is about.

    ``doc`` is the empty letter to lay it out in (:func:`_new_document`, :func:`_blank`).
    """
    subject = ""
    section = doc.sections[0]
    assert section.page_width is not None
    assert section.left_margin is not None
    assert section.right_margin is not None
    width = section.page_width - section.left_margin - section.right_margin
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            continue
        if line.startswith("|"):
            rows = [line]
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i])
                i += 1
            _table(doc, rows, values, width)
            # Word joins two tables with nothing between them into one.
            spacer = doc.add_paragraph().paragraph_format
            spacer.space_after, spacer.line_spacing = Pt(0), Pt(6)
        elif line.startswith("## "):
            _runs(_paragraph(doc, "Heading 2"), line[3:].strip(), values)
        elif line.startswith("# "):
            heading = _paragraph(doc, "Heading 1")
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _runs(heading, line[2:].strip(), values)
            subject = subject or heading.text
        elif line.startswith("> "):
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.space_after = Pt(0)
            _runs(paragraph, line[2:].strip(), values)
        elif line.startswith("- "):
            _runs(_paragraph(doc, "List Bullet"), line[2:].strip(), values)
        else:
            _runs(doc.add_paragraph(), _unescape(line.strip()), values)
    doc.core_properties.title = _clean(subject or submission)
    return doc


def letter_name(submission: str, taken: set[str]) -> str | None:
    """The letter's path under ``letters/``: the submission's name with ``.docx``.

    A name from an inbox subfolder keeps its folders; when two files differ
    only by extension (``a.xlsx``, ``a.xlsm``), the second keeps its
    extension in the name (``a-xlsm.docx``).

    Args:
        submission: The submission's name (relative to the inbox).
        taken: Names already given in this run (updated).

    Returns:
        A relative POSIX path, or ``None`` for a name that would leave the folder.
    """
    relative = PurePosixPath(submission)
    if not submission or relative.is_absolute() or ".." in relative.parts:
        return None
    name = relative.with_suffix(".docx").as_posix()
    if name.casefold() in taken:
        suffix = relative.suffix.lstrip(".")
        name = relative.with_name(f"{relative.stem}-{suffix}.docx").as_posix()
    taken.add(name.casefold())
    return name


def write_letters(
    findings: pd.DataFrame,
    submissions: pd.DataFrame,
    out: Path,
    template: Path | None = None,
    today: dt.date | None = None,
    *,
    kept: Kept | None = None,
) -> dict[str, str]:
    """Write a letter to each organisation with open errors or warnings under ``out/letters/``.

    Letters of earlier runs that this run does not write again (the company
    has since corrected its report) are removed, so the folder never holds a
    letter that no longer applies.

    Args:
        findings: The run's findings (with the Russian ``message``).
        submissions: The submissions table.
        out: The output folder.
        template: The steward's letter template, or ``None`` for the default.
        today: The letters' date (today if not given).
        kept: Letters of earlier runs, kept without their date (see the
            module's docstring): a letter that says what a kept one says is
            dated from it, not laid out again. This function is the folder's
            only user and prunes what the run did not use. None kept if not given.

    Returns:
        Submission → its letter, relative to ``out``.

    Raises:
        LetterTemplateError: The template cannot be used.
    """
    wording = load_template(template)
    folder = out / FOLDER
    written: dict[str, str] = {}
    taken: set[str] = set()
    jobs: list[_Job] = []
    keys: list[str] = []
    for letter in compose(findings, submissions, today or dt.date.today()):
        name = letter_name(letter.submission, taken)
        if name is None:
            continue
        target = folder / Path(*PurePosixPath(name).parts)
        written[letter.submission] = target.relative_to(out).as_posix()
        form = _form(letter, wording) if kept is not None else None
        key = _key(letter, wording, form) if form is not None else ""
        place = kept.location(key) if kept is not None and key else None
        if kept is not None and place is not None and _reuse(letter, place, target):
            kept.mark(key, hit=True)
            continue
        jobs.append((letter, wording, target, form, place))
        keys.append(key)
    for key, keeps in zip(keys, map_files(_write_letter, jobs), strict=True):
        if keeps and kept is not None:
            kept.mark(key)
    _remove_stale(folder, {out / path for path in written.values()})
    if kept is not None:
        kept.prune()
    return written


#: A rendered letter's lines and values, the date's text in the values replaced by the mark.
_Form = tuple[list[str], list[str]]
#: A letter to write: what it says, its wording, its file, and if it is to be
#: kept, its form (:func:`_form`) and where to keep it.
_Job = tuple[Letter, LetterTemplate, Path, _Form | None, Path | None]


def _write_letter(job: _Job) -> bool:
    """Lay out and save one letter (in a worker process when there are many).

    Returns:
        Whether its form is now kept at the job's place.
    """
    letter, wording, target, form, place = job
    if form is None or place is None:
        lines, values = wording.render(letter)
        laid_out = _build(lines, values, letter.submission, _blank(letter.submission))
        write_atomically(target, _writer(_package(laid_out)))
        return False
    undated = _package(_build(*form, letter.submission, _blank(letter.submission)))
    write_atomically(target, _writer(_dated(undated, _date_text(letter.date))))
    try:
        write_atomically(place, _writer(undated))
    except OSError:
        return False  # keeping only saves time next run
    return True


def _writer(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    if not folder.is_dir():
        return
    for path in folder.rglob("*.docx"):
        if path not in keep and not path.name.startswith("."):
            path.unlink()


@functools.cache
def _code() -> str:
    """A digest of what lays a rendered letter out, and of the libraries that render it."""
    libraries = ("Jinja2", "python-docx", "lxml")
    return source_digest(["letters.py"], *(version(name).encode() for name in libraries))


def _form(letter: Letter, wording: LetterTemplate) -> _Form | None:
    """Render a letter, its date's text in every value replaced by the mark.

    Returns:
        The lines and values, or ``None`` for a letter that already holds the
        mark's first character (it is not kept).

    Raises:
        LetterTemplateError: The template fails on this letter.
    """
    lines, values = wording.render(letter)
    if any(_MARK[0] in text for text in (letter.submission, *lines, *values)):
        return None
    date = _date_text(letter.date)
    return lines, [value.replace(date, _MARK) for value in values]


def _key(letter: Letter, wording: LetterTemplate, form: _Form) -> str:
    """The digest of everything a letter's kept form is made from."""
    rendered = json.dumps(form, ensure_ascii=False)
    return Kept.key(_code(), wording.source, letter.submission, rendered)


def _reuse(letter: Letter, place: Path, target: Path) -> bool:
    """Write a letter from its kept form, if there is one that reads."""
    try:
        data = _dated(place.read_bytes(), _date_text(letter.date))
    except (OSError, ValueError, zipfile.BadZipFile, struct.error, zlib.error):
        return False  # none kept, or one that does not read: it is made again
    write_atomically(target, _writer(data))
    return True


def _dated(form: bytes, date: str) -> bytes:
    """Turn a kept dateless form into the letter: the date put in for the mark.

    The result is the package python-docx would save: the same parts in the
    same order, those that hold the mark (:data:`_DATED_PARTS`) compressed
    as it compresses them, every entry stamped with the current time as its
    save stamps them. The other parts are copied still compressed: the
    styles alone are 800 kB to deflate again.

    Args:
        form: The kept form (a ``.docx`` package).
        date: The date as the template gets it.

    Returns:
        The ``.docx`` package.

    Raises:
        ValueError: The form is not a package this function can copy.
        zipfile.BadZipFile: It is not a zip archive.
    """
    mark, text = _MARK.encode(), html.escape(date, quote=False).encode()
    entries: list[zipparts.Entry] = []
    with zipfile.ZipFile(io.BytesIO(form)) as package:
        for info in package.infolist():
            entry = zipparts.copied(form, info)
            if info.filename in _DATED_PARTS:
                data = package.read(info).replace(mark, text)
                if info.compress_type == zipfile.ZIP_DEFLATED:
                    body = zipparts.deflate(data)
                elif info.compress_type == zipfile.ZIP_STORED:
                    body = data
                else:
                    raise ValueError(f"unexpected compression in {info.filename}")
                entry = dataclasses.replace(entry, crc=zlib.crc32(data), size=len(data), body=body)
            entries.append(entry)
    return zipparts.archive(entries)


def _package(document: DocumentObject) -> bytes:
    """Save a letter: the package ``document.save`` writes, its unchanged parts compressed once.

    The parts come in python-docx's order (content types, the package's
    relationships, then each part and its relationships; see
    ``docx.opc.pkgwriter.PackageWriter``). A part whose bytes are those the
    previous letter of this process had under its name (the styles, the
    numbering, the theme: all but the text and the title) is not deflated
    again: its compressed bytes are reused. The saving is most of a save's
    15 ms.
    """
    package = document.part.package
    parts = list(package.iter_parts())
    items = [
        (CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob),  # type: ignore[no-untyped-call]
        (PACKAGE_URI.rels_uri.membername, package.rels.xml),
    ]
    for part in parts:
        items.append((part.partname.membername, part.blob))
        if len(part.rels):
            items.append((part.partname.rels_uri.membername, part.rels.xml))
    entries = [zipparts.deflated(name, data, **_compressed(name, data)) for name, data in items]
    return zipparts.archive(entries)


#: Part name → the bytes it last had in this process, their CRC and compressed bytes.
_LAST: dict[str, tuple[bytes, int, bytes]] = {}


def _compressed(name: str, data: bytes) -> dict[str, Any]:
    """A part's CRC and deflated bytes; those of the previous letter when it is the same."""
    last = _LAST.get(name)
    if last is None or last[0] != data:
        last = _LAST[name] = (data, zlib.crc32(data), zipparts.deflate(data))
    return {"crc": last[1], "body": last[2]}

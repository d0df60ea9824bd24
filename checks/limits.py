"""The limits a submitted file is read within, and the check of its zip directory.

A report is a few hundred cells; a file far larger than that is a mistake or
an attack, and must not cost the night's run for every other company. What
can be judged before parsing is judged from the zip's central directory: the
size each part declares once inflated, and how strongly it is compressed.
Python's :mod:`zipfile` never inflates a part past the size its directory
entry declares (it stops and reports a damaged archive), so the declared
sizes are a bound on what reading can cost, not a promise of the sender's.

The limits are module constants, gathered in :class:`Limits` so that a test
or an operator can read with other ones; every refusal is worded for a data
steward (:class:`Refusal`), in Russian and in English.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from checks.i18n import Bilingual

MIB = 1024 * 1024

#: The largest file read at all, as it lies in the inbox (compressed).
MAX_FILE_BYTES = 100 * MIB
#: The largest part of a workbook (a sheet's XML, the shared strings…) once inflated.
MAX_PART_BYTES = 50 * MIB
#: All parts of a workbook together, once inflated.
MAX_TOTAL_BYTES = 200 * MIB
#: The strongest compression a part may have: a real sheet inflates 5 to 30
#: times; hundreds of times is a sheet of nothing but repeated empty rows.
MAX_RATIO = 100
#: A part smaller than this once inflated is cheap whatever its ratio.
RATIO_FLOOR_BYTES = 1 * MIB
#: ``<row>`` elements read from one sheet: a report has a few hundred rows; a
#: row without its ``r`` attribute gets the next number, so millions of empty
#: rows would otherwise pass the cap on filled cells.
MAX_ROWS_PER_SHEET = 100_000
#: Filled cells read from one sheet (a contract sheet holds a few hundred).
MAX_CELLS_PER_SHEET = 200_000
#: Cells of a sheet's used range (the rectangle from its first to its last
#: cell, empty ones included) that python-calamine may lay out in memory: it
#: allocates the whole rectangle, so one stray value at ``XFD1048576`` would
#: ask for 17 billion cells and abort the process. A sheet with a larger range
#: is read by openpyxl, one written cell at a time.
MAX_DENSE_CELLS = 250_000
#: Wall time one file may take to read in its worker process. A report reads in
#: tens of milliseconds; a sheet at the cell cap took 53 s on a loaded machine.
MAX_SECONDS_PER_FILE = 120.0
#: Address space a worker may add to what it holds when it starts.
MAX_WORKER_MEMORY_BYTES = 512 * MIB

_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
#: Parts a steward knows by what they hold, with the verb agreeing in Russian.
_PART_NAMES = {
    "xl/sharedStrings.xml": Bilingual(
        "общие строки книги занимают", "the workbook's shared strings take"
    ),
    "xl/styles.xml": Bilingual("стили книги занимают", "the workbook's styles take"),
    _WORKBOOK: Bilingual("описание книги занимает", "the workbook's description takes"),
}


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits a run reads its files within (the module constants by default).

    Attributes:
        file_bytes: See :data:`MAX_FILE_BYTES`.
        part_bytes: See :data:`MAX_PART_BYTES`.
        total_bytes: See :data:`MAX_TOTAL_BYTES`.
        ratio: See :data:`MAX_RATIO`.
        ratio_floor_bytes: See :data:`RATIO_FLOOR_BYTES`.
        rows_per_sheet: See :data:`MAX_ROWS_PER_SHEET`.
        cells_per_sheet: See :data:`MAX_CELLS_PER_SHEET`.
        dense_cells: See :data:`MAX_DENSE_CELLS`.
        seconds_per_file: See :data:`MAX_SECONDS_PER_FILE` (worker processes only).
        worker_memory_bytes: See :data:`MAX_WORKER_MEMORY_BYTES` (worker processes only).
    """

    file_bytes: int = MAX_FILE_BYTES
    part_bytes: int = MAX_PART_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: float = MAX_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES
    rows_per_sheet: int = MAX_ROWS_PER_SHEET
    cells_per_sheet: int = MAX_CELLS_PER_SHEET
    dense_cells: int = MAX_DENSE_CELLS
    seconds_per_file: float = MAX_SECONDS_PER_FILE
    worker_memory_bytes: int = MAX_WORKER_MEMORY_BYTES


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a file is not read: the reason operand of a ``file-refused`` finding.

    Attributes:
        reason: The reason, in Russian and in English, without a final full stop.
    """

    reason: Bilingual


def megabytes(size: float) -> Bilingual:
    """Write a size in megabytes as a steward reads it (``0,7 МБ``, ``300 МБ``).

    Args:
        size: Bytes.

    Returns:
        The size in both languages, with one decimal below 10 MB.
    """
    value = size / MIB
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    if text in {"0.0", "0"}:
        text = "0.1"
    return Bilingual(f"{text.replace('.', ',')} МБ", f"{text} MB")


def safe_parse(
    data: bytes,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
) -> None:
    """Parse small XML with expat, refusing any DTD (entities cannot expand).

    Args:
        data: The XML.
        start: Called with each element's tag (``namespace localname``) and attributes.
        end: Called with each element's tag when it closes.

    Raises:
        ValueError: The XML declares a DTD.
        xml.parsers.expat.ExpatError: The XML is not well-formed.
    """
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_: object) -> None:
        raise ValueError("DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    parser.Parse(data, True)


def sheet_titles(archive: zipfile.ZipFile, limits: Limits = Limits()) -> dict[str, str]:
    """Map the workbook's sheet parts to their titles, as far as they can be read safely.

    Args:
        archive: The opened workbook.
        limits: Parts larger than ``limits.part_bytes`` are not parsed.

    Returns:
        Part name (``xl/worksheets/sheet1.xml``) → sheet title; empty when the
        workbook's description cannot be read.
    """
    members = {info.filename: info for info in archive.infolist()}
    for name in (_WORKBOOK, _WORKBOOK_RELS):
        if name not in members or members[name].file_size > limits.part_bytes:
            return {}
    sheets: dict[str, str] = {}
    targets: dict[str, str] = {}

    def on_sheet(tag: str, attrs: dict[str, str]) -> None:
        if tag.endswith(" sheet"):
            rel = next((v for k, v in attrs.items() if k.endswith(" id")), "")
            sheets[rel] = attrs.get("name", "")

    def on_rel(tag: str, attrs: dict[str, str]) -> None:
        if tag.endswith(" Relationship"):
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    try:
        safe_parse(archive.read(_WORKBOOK), on_sheet)
        safe_parse(archive.read(_WORKBOOK_RELS), on_rel)
    except (ValueError, expat.ExpatError, zipfile.BadZipFile, KeyError, OSError):
        return {}
    titles: dict[str, str] = {}
    for rel, title in sheets.items():
        target = targets.get(rel, "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        titles[posixpath.normpath(part)] = title
    return titles


def _part(name: str, titles: dict[str, str]) -> Bilingual:
    """Name a part the way a steward knows it, followed by the verb «takes»."""
    if name in titles:
        return Bilingual(f"лист «{titles[name]}» занимает", f"sheet «{titles[name]}» takes")
    if name in _PART_NAMES:
        return _PART_NAMES[name]
    return Bilingual(f"часть книги {name} занимает", f"the workbook's part {name} takes")


def check_archive(archive: zipfile.ZipFile, limits: Limits = Limits()) -> Refusal | None:
    """Judge a workbook from its zip directory alone, before anything is parsed.

    Args:
        archive: The opened workbook.
        limits: The limits to apply.

    Returns:
        Why the file must not be read, or ``None`` when it is within the limits.
    """
    infos = [info for info in archive.infolist() if not info.is_dir()]
    titles: dict[str, str] | None = None

    def name(part: str) -> Bilingual:
        nonlocal titles
        if titles is None:
            titles = sheet_titles(archive, limits)
        return _part(part, titles)

    limit = megabytes(limits.part_bytes)
    for info in sorted(infos, key=lambda i: i.file_size, reverse=True):
        if info.file_size > limits.part_bytes:
            part, size = name(info.filename), megabytes(info.file_size)
            return Refusal(
                Bilingual(
                    f"файл слишком велик после распаковки: {part.ru} {size.ru}, предел {limit.ru}",
                    f"the file is too large once unpacked: {part.en} {size.en}, "
                    f"the limit is {limit.en}",
                )
            )
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        size, limit = megabytes(total), megabytes(limits.total_bytes)
        return Refusal(
            Bilingual(
                f"файл слишком велик после распаковки: все части книги вместе занимают "
                f"{size.ru}, предел {limit.ru}",
                f"the file is too large once unpacked: its parts take {size.en} together, "
                f"the limit is {limit.en}",
            )
        )
    for info in infos:
        if info.file_size < limits.ratio_floor_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.ratio:
            part = name(info.filename)
            packed, size = megabytes(info.compress_size), megabytes(info.file_size)
            return Refusal(
                Bilingual(
                    f"файл сжат подозрительно сильно: {part.ru} {size.ru} при {packed.ru} "
                    f"в архиве (в {ratio:.0f} раз больше, предел — в {limits.ratio:.0f} раз); "
                    "так сжимаются только пустые строки",
                    f"the file is suspiciously compressed: {part.en} {size.en} from "
                    f"{packed.en} in the archive ({ratio:.0f} times more, the limit is "
                    f"{limits.ratio:.0f}); only empty rows compress like that",
                )
            )
    return None


def file_too_large(size: int, limits: Limits = Limits()) -> Refusal | None:
    """Judge a file by its size in the inbox, before it is read into memory.

    Args:
        size: The file's size in bytes.
        limits: The limits to apply.

    Returns:
        Why the file must not be read, or ``None``.
    """
    if size <= limits.file_bytes:
        return None
    got, limit = megabytes(size), megabytes(limits.file_bytes)
    return Refusal(
        Bilingual(
            f"файл слишком велик: {got.ru}, предел {limit.ru}",
            f"the file is too large: {got.en}, the limit is {limit.en}",
        )
    )

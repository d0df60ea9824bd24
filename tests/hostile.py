"""Building hostile files for tests: bombs, encrypted workbooks, formulas without values.

Each builder starts from a real workbook written by :mod:`tests.builders` and
changes only what makes it hostile, so the rest of the file is what Excel or
openpyxl would write.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tests.builders import submission

#: One empty row without its ``r`` attribute: 26 bytes of sheet XML.
EMPTY_ROW = b'<row spans="1:2" ht="15"/>'
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

APPEALS = [
    ["Канал", "Итого"],
    ["Контакт-центр", 100],
    ["Письменные обращения", 20],
    ["Всего", 120],
]


def sheet_part(path: Path, title: str) -> str:
    """Return the zip part name of the sheet titled ``title`` in a workbook openpyxl wrote.

    Args:
        path: The workbook.
        title: The sheet's title.

    Returns:
        ``xl/worksheets/sheetN.xml``.
    """
    from checks.limits import sheet_titles

    with zipfile.ZipFile(path) as archive:
        titles = sheet_titles(archive)
    return next(part for part, name in titles.items() if name == title)


def replace_part(path: Path, part: str, write: Callable[[IO[bytes]], None]) -> Path:
    """Rewrite one part of a workbook's zip in place, streaming the new content.

    Args:
        path: The workbook.
        part: The part to replace (``xl/worksheets/sheet2.xml``).
        write: Writes the new content to the open part.

    Returns:
        The path.
    """
    staging = path.with_name(path.name + ".rewrite")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            if info.filename == part:
                continue
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as handle:
            handle.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'.encode()
            )
            write(handle)
            handle.write(b"</worksheet>")
    shutil.move(staging, path)
    return path


def zip_bomb(path: Path, rows: int = 12_000_000) -> Path:
    """Write a small workbook whose ``Обращения`` inflates to ``rows`` empty rows without ``r``.

    With the default 12 million rows the sheet XML is about 300 MB, the file
    well under a megabyte.

    Args:
        path: Where to write it.
        rows: How many ``<row>`` elements.

    Returns:
        The path.
    """
    submission(path, appeals=APPEALS)
    block = EMPTY_ROW * 100_000

    def write(handle: IO[bytes]) -> None:
        first = '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Канал</t></is></c></row>'
        handle.write(first.encode())
        full, rest = divmod(rows, 100_000)
        for _ in range(full):
            handle.write(block)
        handle.write(EMPTY_ROW * rest)
        handle.write(b"</sheetData>")

    return replace_part(path, sheet_part(path, "Обращения"), write)


def billion_laughs(path: Path, levels: int = 9) -> Path:
    """Write a workbook whose ``Обращения`` declares entities that expand tenfold per level.

    Args:
        path: Where to write it.
        levels: Nesting depth: the last entity expands to ``3 * 10**levels`` characters.

    Returns:
        The path.
    """
    submission(path, appeals=APPEALS)
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)]
    part = sheet_part(path, "Обращения")
    staging = path.with_name(path.name + ".rewrite")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        target.writestr(
            part,
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f"<!DOCTYPE worksheet [{''.join(entities)}]>"
                f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">'
                f'<c r="A1" t="inlineStr"><is><t>&lol{levels};</t></is></c>'
                "</row></sheetData></worksheet>"
            ),
            zipfile.ZIP_DEFLATED,
        )
    shutil.move(staging, path)
    return path


def far_cell(path: Path) -> Path:
    """Write a submission whose ``Обращения`` also holds one stray value at ``XFD1048576``.

    Args:
        path: Where to write it.

    Returns:
        The path.
    """
    from openpyxl import load_workbook

    submission(path, appeals=APPEALS)
    wb = load_workbook(path)
    wb["Обращения"]["XFD1048576"] = "x"
    wb.save(path)
    return path


def encrypted(path: Path, password: str = "пароль") -> Path:  # noqa: S107 (a test's own)
    """Write a password-protected submission, encrypted as Excel does (agile encryption).

    Args:
        path: Where to write it.
        password: The password.

    Returns:
        The path.
    """
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = submission(path.with_name(path.name + ".plain.xlsx"), appeals=APPEALS)
    with plain.open("rb") as source:
        locked = io.BytesIO()
        OOXMLFile(source).encrypt(password, locked)
    plain.unlink()
    path.write_bytes(locked.getvalue())
    return path


def truncated(path: Path) -> Path:
    """Write a submission cut off in the middle, as an interrupted copy leaves it.

    Args:
        path: Where to write it.

    Returns:
        The path.
    """
    data = submission(path, appeals=APPEALS).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path

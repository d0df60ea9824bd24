"""Building contract workbooks for tests: rows as lists, written with openpyxl."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]

PASSPORT: Rows = [
    ["Организация", "АО «Тест-Энергосбыт»"],
    ["ИНН", "7707083893"],
    ["Отчетный год", 2025],
]


def write_workbook(
    path: Path,
    sheets: Mapping[str, Rows],
    formats: Mapping[tuple[str, str], str] | None = None,
) -> Path:
    """Write a workbook whose sheets hold the given rows from A1.

    Args:
        path: Where to write it.
        sheets: Sheet name → rows (``None`` leaves a cell empty).
        formats: (sheet, A1 cell) → Excel number format.

    Returns:
        The path written.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    for (sheet, cell), number_format in (formats or {}).items():
        wb[sheet][cell].number_format = number_format
    wb.save(path)
    return path


def submission(path: Path, **sheets: Rows) -> Path:
    """Write a submission with a valid passport plus the named sheets.

    Sheet keyword names use the English aliases: ``appeals``, ``complaints``,
    ``times``, ``schedule``, ``measures`` (``passport`` replaces the default).

    Args:
        path: Where to write it.
        **sheets: Alias → rows.

    Returns:
        The path written.
    """
    names = {
        "passport": "Паспорт",
        "appeals": "Обращения",
        "complaints": "Жалобы",
        "times": "Время",
        "schedule": "Режим работы",
        "measures": "Мероприятия",
    }
    content: dict[str, Rows] = {"Паспорт": sheets.pop("passport", PASSPORT)}
    for alias, rows in sheets.items():
        content[names[alias]] = rows
    return write_workbook(path, content)

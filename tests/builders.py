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


def check(*paths: Path) -> list[tuple[str, str, str]]:
    """Validate submissions as one batch; return ``(sheet, cell, rule)`` of each finding.

    Findings that a sheet is absent (``sheet-missing``) are left out: most
    cases build only the sheets they test.

    Args:
        *paths: The workbooks.

    Returns:
        The flattened findings, in the worklist's order.
    """
    from checks.batch import validate
    from checks.reader import read_submission

    result = validate([read_submission(p) for p in paths])
    f = result.findings
    f = f[f["rule"] != "sheet-missing"]
    return list(zip(f["sheet"], f["cell"], f["rule"], strict=True))


def messages(*paths: Path) -> list[str]:
    """Validate submissions as one batch and return the findings' messages.

    Args:
        *paths: The workbooks.

    Returns:
        The messages, ``sheet-missing`` left out.
    """
    from checks.batch import validate
    from checks.reader import read_submission

    f = validate([read_submission(p) for p in paths]).findings
    return list(f[f["rule"] != "sheet-missing"]["message"])

"""Writing a run's outputs: the worklist, the validated tables, the summary.

Every file is written to a temporary name in its folder and then renamed
over the old one, so a reader (a steward's Excel, a reporting team's loader)
never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from checks.batch import BatchResult
from checks.findings import CONTRACT_FIELDS
from checks.registry import FAMILIES, SEVERITIES
from checks.tables import is_missing, records

SEVERITY_RU = {"error": "ошибок", "warning": "предупреждений", "info": "сведений"}


@dataclass(frozen=True, slots=True)
class Written:
    """Where a run's outputs are.

    Attributes:
        worklist: ``discrepancies.csv``.
        workbook: ``discrepancies.xlsx``, the same list for Excel.
        validated: The folder of validated tables.
        counts: Severity → number of findings.
    """

    worklist: Path
    workbook: Path
    validated: Path
    counts: dict[str, int]


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary sibling and an atomic rename.

    Args:
        path: The file to (re)place.
        write: Writes the content to the path it is given.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def worklist(findings: pd.DataFrame) -> pd.DataFrame:
    """Order the discrepancy table's columns: the contract's fields first.

    Args:
        findings: The run's findings.

    Returns:
        The same rows with the contract's columns first.
    """
    rest = [c for c in findings.columns if c not in CONTRACT_FIELDS]
    return findings[[*CONTRACT_FIELDS, *rest]]


def _csv(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: frame.to_csv(p, index=False, encoding="utf-8")


def _parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: frame.to_parquet(p, index=False)


def _xlsx(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="Замечания")
            sheet = writer.sheets["Замечания"]
            sheet.auto_filter.ref = sheet.dimensions
            sheet.freeze_panes = "A2"
            widths = {"A": 32, "C": 26, "F": 14, "G": 8, "H": 14, "I": 14, "J": 110}
            for column, width in widths.items():
                sheet.column_dimensions[column].width = width

    return write


def write_outputs(result: BatchResult, out: Path) -> Written:
    """Write the worklist and the validated tables of a run under ``out``.

    Args:
        result: The batch result.
        out: The output folder (created if missing).

    Returns:
        Where things were written, and the counts by severity.
    """
    validated = out / "validated"
    table = worklist(result.findings)
    write_atomically(out / "discrepancies.csv", _csv(table))
    write_atomically(out / "discrepancies.xlsx", _xlsx(table))
    tables = {
        "figures": result.figures,
        "submissions": result.submissions,
        "schedules": result.schedules,
        "measures": result.measures,
    }
    for name, frame in tables.items():
        write_atomically(validated / f"{name}.csv", _csv(frame))
        write_atomically(validated / f"{name}.parquet", _parquet(frame))
    counts: dict[str, int] = {s: int((result.findings["severity"] == s).sum()) for s in SEVERITIES}
    return Written(out / "discrepancies.csv", out / "discrepancies.xlsx", validated, counts)


def summary_markdown(result: BatchResult, worst: int = 10) -> str:
    """Summarise a run for the Prefect artifact: severities, families, worst files.

    Args:
        result: The batch result.
        worst: How many submissions to list.

    Returns:
        Markdown in Russian.
    """
    f = result.findings
    lines = [
        "# Сверка отчётов",
        "",
        f"Файлов: {len(result.submissions)}, замечаний: {len(f)}.",
        "",
        "| семейство | ошибки | предупреждения | сведения |",
        "|---|---:|---:|---:|",
    ]
    for family in FAMILIES:
        part = f[f["family"] == family]
        if part.empty:
            continue
        counts = [int((part["severity"] == s).sum()) for s in SEVERITIES]
        lines.append(f"| {family} | {counts[0]} | {counts[1]} | {counts[2]} |")
    totals = [int((f["severity"] == s).sum()) for s in SEVERITIES]
    lines += [f"| **всего** | {totals[0]} | {totals[1]} | {totals[2]} |", ""]
    ranked = result.submissions.sort_values(
        ["errors", "warnings", "submission"], ascending=[False, False, True]
    ).head(worst)
    lines += [
        f"## {min(worst, len(ranked))} файлов с наибольшим числом замечаний",
        "",
        "| файл | организация | год | ошибки | предупреждения |",
        "|---|---|---:|---:|---:|",
    ]
    for row in records(ranked):
        year = "" if is_missing(row["year"]) else str(row["year"])
        cells = [row["submission"], row["organisation"], year, row["errors"], row["warnings"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"

"""Planted mistakes: how many things to fix the worklist shows per mistake made.

Writes consistent workbooks of the contract (random matrices, shares rounded
as the contract says, monthly times with a weighted yearly average), plants
one mistake of a known kind in each but a few, validates them all as one
batch and measures:

- root error or warning findings per planted mistake (follow-ons, those with
  a ``cause``, are not counted: they are consequences of a root);
- planted mistakes found (a root error or warning on the sheet of the mistake);
- clean files given an error (there should be none);
- single-cell changes inside a matrix whose culprit is named (a root finding
  at the changed cell).

``python scripts/planted.py --per-kind 4 --clean 4`` prints the figures and
the table per kind; ``--keep DIR`` leaves the workbooks there to look at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

APPEALS = "Обращения"
COMPLAINTS = "Жалобы"
TIMES = "Время"
PASSPORT = "Паспорт"
GROUPS = {
    "очные": ["Очное обслуживание"],
    "заочные": ["Контакт-центр", "Онлайн-ЦОК", "Письменные обращения", "Социальные сети"],
    "автоматизированные": ["IVR", "Автоматизированные сервисы"],
    "прочие": ["Прочее"],
}
TERRITORY_NAMES = ["Центр", "Север", "Юг", "Запад", "Восток", "Приморье"]
CONTACT = "Контакт-центр"
CONSULT = "Очное — консультация"
CASH = "Очное — кассовая операция"
COMBINED = "Очное — консультация и кассовая операция"
MONTHS = range(1, 13)


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class Report:
    """One consistent report and where its figures are.

    Attributes:
        sheets: Sheet name → rows (lists of cell values from A1).
        formats: (sheet, A1) → Excel number format.
        appeal_rows: Row label → 1-based row in ``Обращения``.
        complaint_rows: Row label → 1-based row in ``Жалобы``.
        columns: Territory names and ``Итого`` → column letter in both matrices.
        time_rows: (period, channel) → 1-based row in ``Время``.
        subtotals: The subtotal rows present.
        channels: The channel rows present.
    """

    sheets: dict[str, list[list[Any]]]
    formats: dict[tuple[str, str], str] = field(default_factory=dict)
    appeal_rows: dict[str, int] = field(default_factory=dict)
    complaint_rows: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    time_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    subtotals: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)

    def get(self, sheet: str, cell: str) -> Any:
        """Return the value at ``cell`` of ``sheet``."""
        row, col = _split(cell)
        return self.sheets[sheet][row - 1][col - 1]

    def put(self, sheet: str, cell: str, value: Any) -> None:
        """Set the value at ``cell`` of ``sheet``."""
        row, col = _split(cell)
        self.sheets[sheet][row - 1][col - 1] = value


def _split(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(cell[len(letters) :]), column


def _share(complaints: int, appeals: int, decimals: int) -> Decimal:
    exact = Fraction(100 * complaints, appeals)
    quantum = Decimal(1).scaleb(-decimals)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def clean_report(rng: random.Random, index: int) -> Report:
    """Draw a report whose every figure agrees with the others.

    Args:
        rng: The random source.
        index: Its number, for the organisation's name.

    Returns:
        The report.
    """
    territories = rng.sample(TERRITORY_NAMES, rng.randint(2, 4))
    header = ["Канал", *territories, "Итого"]
    report = Report(sheets={})
    report.columns = {t: get_column_letter(i + 2) for i, t in enumerate([*territories, "Итого"])}
    rows: list[list[Any]] = [header]
    by_column = dict.fromkeys(territories, 0)
    for group, members in GROUPS.items():
        chosen = [m for m in members if rng.random() < 0.6] or [members[0]]
        group_sum = dict.fromkeys(territories, 0)
        for channel in chosen:
            counts = {t: rng.randint(1, 60000) for t in territories}
            rows.append([channel, *counts.values(), sum(counts.values())])
            report.appeal_rows[channel] = len(rows)
            report.channels.append(channel)
            for t in territories:
                group_sum[t] += counts[t]
                by_column[t] += counts[t]
        if rng.random() < 0.7:
            label = f"Итого {group}"
            rows.append([label, *group_sum.values(), sum(group_sum.values())])
            report.appeal_rows[label] = len(rows)
            report.subtotals.append(label)
    rows.append(["Всего", *by_column.values(), sum(by_column.values())])
    report.appeal_rows["Всего"] = len(rows)
    report.sheets[APPEALS] = rows

    complaints = {t: rng.randint(0, max(1, by_column[t] // 40)) for t in territories}
    legal = {t: rng.randint(0, complaints[t]) for t in territories}
    complaints["Итого"] = sum(complaints.values())
    legal["Итого"] = sum(legal.values())
    by_column["Итого"] = sum(by_column[t] for t in territories)
    decimals = rng.choice([1, 2])
    form = rng.choice(["number", "text", "percent"])
    share_row: list[Any] = ["Доля претензий и жалоб, %"]
    for t in [*territories, "Итого"]:
        share = _share(complaints[t], by_column[t], decimals)
        if form == "number":
            share_row.append(float(share))
        elif form == "text":
            share_row.append(f"{share} %".replace(".", ","))
        else:
            share_row.append(float(share / 100))
            report.formats[(COMPLAINTS, f"{report.columns[t]}4")] = "0." + "0" * decimals + "%"
    report.sheets[COMPLAINTS] = [
        header,
        ["Претензии и жалобы", *complaints.values()],
        ["в т.ч. от юридических лиц", *legal.values()],
        share_row,
    ]
    report.complaint_rows = {"Претензии и жалобы": 2, "в т.ч. от юридических лиц": 3, "Доля": 4}

    times: list[list[Any]] = [["Период", "Канал", "Ожидание", "Обслуживание", "Обращений"]]
    weighted: dict[str, list[tuple[int, int, int]]] = {"wait": [], "serve": []}
    for month in MONTHS:
        count = rng.randint(100, 5000)
        wait, serve = rng.randint(30, 500), rng.randint(60, 600)
        weighted["wait"].append((count, wait, 0))
        weighted["serve"].append((count, serve, 0))
        times.append([month, CONTACT, _clock(wait), _clock(serve), count])
        report.time_rows[(str(month), CONTACT)] = len(times)
        office = rng.randint(100, 5000)
        parts = {
            CONSULT: (rng.randint(60, 800), rng.randint(60, 700)),
            CASH: (rng.randint(30, 600), rng.randint(60, 500)),
        }
        parts[COMBINED] = (
            parts[CONSULT][0] + parts[CASH][0],
            parts[CONSULT][1] + parts[CASH][1],
        )
        for channel, (w, s) in parts.items():
            times.append([month, channel, _clock(w), _clock(s), office])
            report.time_rows[(str(month), channel)] = len(times)
    total = sum(c for c, _, _ in weighted["wait"])
    yearly = [
        round(sum(Fraction(c * v) for c, v, _ in weighted[m]) / total) for m in ("wait", "serve")
    ]
    times.append(["Год", CONTACT, _clock(yearly[0]), _clock(yearly[1]), total])
    report.time_rows[("Год", CONTACT)] = len(times)
    report.sheets[TIMES] = times
    report.sheets[PASSPORT] = [
        ["Организация", f"АО «Проба-{index:03d}»"],
        ["ИНН", "7707083893"],
        ["Отчетный год", 2025],
        ["Дата представления", dt.date(2026, 3, 1)],
    ]
    return report


Planter = Callable[[Report, random.Random], tuple[str, str]]


def _change(report: Report, sheet: str, cell: str, rng: random.Random) -> tuple[str, str]:
    value = int(report.get(sheet, cell))
    delta = rng.choice([-1, 1]) * rng.randint(1, 900)
    if value + delta < 0:
        delta = -delta
    report.put(sheet, cell, value + delta)
    return sheet, cell


def _territory(report: Report, rng: random.Random) -> str:
    return rng.choice([t for t in report.columns if t != "Итого"])


def _misspelt_label(report: Report, rng: random.Random) -> tuple[str, str]:
    channel = rng.choice(report.channels)
    row = report.appeal_rows[channel]
    report.put(APPEALS, f"A{row}", channel[:-1] + "ы" + channel[-1])
    return APPEALS, f"A{row}"


def _appeal_cell(report: Report, rng: random.Random) -> tuple[str, str]:
    channel = rng.choice(report.channels)
    cell = f"{report.columns[_territory(report, rng)]}{report.appeal_rows[channel]}"
    return _change(report, APPEALS, cell, rng)


def _row_total(report: Report, rng: random.Random) -> tuple[str, str]:
    channel = rng.choice(report.channels)
    return _change(report, APPEALS, f"{report.columns['Итого']}{report.appeal_rows[channel]}", rng)


def _subtotal(report: Report, rng: random.Random) -> tuple[str, str]:
    label = rng.choice(report.subtotals)
    column = rng.choice(list(report.columns.values()))
    return _change(report, APPEALS, f"{column}{report.appeal_rows[label]}", rng)


def _column_total(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = f"{report.columns[_territory(report, rng)]}{report.appeal_rows['Всего']}"
    return _change(report, APPEALS, cell, rng)


def _grand_total(report: Report, rng: random.Random) -> tuple[str, str]:
    return _change(report, APPEALS, f"{report.columns['Итого']}{report.appeal_rows['Всего']}", rng)


def _complaint_cell(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = f"{report.columns[_territory(report, rng)]}2"
    report.put(COMPLAINTS, cell, int(report.get(COMPLAINTS, cell)) + rng.randint(50, 400))
    return COMPLAINTS, cell


def _share_cell(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = f"{report.columns[_territory(report, rng)]}4"
    value = report.get(COMPLAINTS, cell)
    percent_format = (COMPLAINTS, cell) in report.formats
    if isinstance(value, str):
        number = Decimal(value.removesuffix(" %").replace(",", "."))
        decimals = -int(number.as_tuple().exponent)  # type: ignore[operator]
        number += Decimal(rng.randint(3, 9)).scaleb(-decimals)
        report.put(COMPLAINTS, cell, f"{number} %".replace(".", ","))
    else:
        number_format = report.formats.get((COMPLAINTS, cell), "")
        decimals = len(number_format.split(".")[1].rstrip("%")) if percent_format else 2
        unit = 10.0**-decimals / (100 if percent_format else 1)
        report.put(COMPLAINTS, cell, round(float(value) + unit * rng.randint(3, 9), 8))
    return COMPLAINTS, cell


def _time_cell(report: Report, month: str, channel: str) -> str:
    return f"C{report.time_rows[(month, channel)]}"


def _time_garbage(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = _time_cell(report, str(rng.choice(MONTHS)), CONTACT)
    report.put(TIMES, cell, "о" + str(report.get(TIMES, cell))[1:])
    return TIMES, cell


def _time_impossible(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = _time_cell(report, str(rng.choice(MONTHS)), CONTACT)
    report.put(TIMES, cell, "25" + str(report.get(TIMES, cell))[1:])
    return TIMES, cell


def _shift_time(report: Report, cell: str, rng: random.Random) -> None:
    h, m, s = (int(x) for x in str(report.get(TIMES, cell)).split(":"))
    report.put(TIMES, cell, _clock(h * 3600 + m * 60 + s + rng.randint(60, 240)))


def _time_combined(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = _time_cell(report, str(rng.choice(MONTHS)), COMBINED)
    _shift_time(report, cell, rng)
    return TIMES, cell


def _time_part(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = _time_cell(report, str(rng.choice(MONTHS)), rng.choice([CONSULT, CASH]))
    _shift_time(report, cell, rng)
    return TIMES, cell


def _yearly_average(report: Report, rng: random.Random) -> tuple[str, str]:
    cell = _time_cell(report, "Год", CONTACT)
    _shift_time(report, cell, rng)
    return TIMES, cell


def _two_part_column(report: Report, rng: random.Random) -> tuple[str, str]:
    del rng
    cells = [_time_cell(report, str(m), CONTACT) for m in MONTHS]
    for cell in cells:
        h, m, s = (int(x) for x in str(report.get(TIMES, cell)).split(":"))
        report.put(TIMES, cell, f"{h * 60 + m}:{s:02d}")
    return TIMES, cells[0]


def _passport_marker(report: Report, rng: random.Random) -> tuple[str, str]:
    del rng
    report.put(PASSPORT, "B1", "—")
    return PASSPORT, "B1"


#: Kind → (planter, whether it is a single-cell change inside a count matrix).
KINDS: dict[str, tuple[Planter, bool]] = {
    "misspelt-label": (_misspelt_label, False),
    "appeal-cell": (_appeal_cell, True),
    "row-total": (_row_total, True),
    "subtotal": (_subtotal, True),
    "column-total": (_column_total, True),
    "grand-total": (_grand_total, True),
    "complaint-cell": (_complaint_cell, False),  # Жалобы sums along rows only
    "share": (_share_cell, False),
    "time-garbage": (_time_garbage, False),
    "time-impossible": (_time_impossible, False),
    "time-combined": (_time_combined, False),
    "time-part": (_time_part, False),
    "yearly-average": (_yearly_average, False),
    "two-part-column": (_two_part_column, False),
    "passport-marker": (_passport_marker, False),
}


def write(report: Report, path: Path) -> Path:
    """Write a report as a workbook.

    Args:
        report: The report.
        path: Where to write it.

    Returns:
        The path.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name in (PASSPORT, APPEALS, COMPLAINTS, TIMES):
        ws = wb.create_sheet(name)
        for row in report.sheets[name]:
            ws.append(list(row))
    for (sheet, cell), number_format in report.formats.items():
        wb[sheet][cell].number_format = number_format
    wb.save(path)
    return path


@dataclass(frozen=True)
class Planted:
    """One workbook of the measurement.

    Attributes:
        name: Its file name.
        kind: The kind of mistake planted, ``clean`` for none.
        sheet: The sheet of the mistake.
        cell: The cell changed.
        matrix: Whether it is a single-cell change inside a count matrix.
    """

    name: str
    kind: str
    sheet: str = ""
    cell: str = ""
    matrix: bool = False


def generate(folder: Path, per_kind: int, clean: int, seed: int) -> list[Planted]:
    """Write ``per_kind`` workbooks of each kind of mistake and ``clean`` without.

    Args:
        folder: Where to write them.
        per_kind: Workbooks per kind of mistake.
        clean: Workbooks with no mistake.
        seed: The random seed.

    Returns:
        What was written.
    """
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    planted: list[Planted] = []
    index = 0
    for i in range(clean):
        name = f"clean-{i:03d}.xlsx"
        write(clean_report(rng, index), folder / name)
        planted.append(Planted(name, "clean"))
        index += 1
    for kind, (planter, matrix) in KINDS.items():
        for i in range(per_kind):
            report = clean_report(rng, index)
            while kind == "subtotal" and not report.subtotals:
                report = clean_report(rng, index)
            sheet, cell = planter(report, rng)
            name = f"{kind}-{i:03d}.xlsx"
            write(report, folder / name)
            planted.append(Planted(name, kind, sheet, cell, matrix))
            index += 1
    return planted


@dataclass
class Figures:
    """The measurement's figures.

    Attributes:
        mistakes: Planted mistakes.
        roots: Root error or warning findings in the planted files.
        findings: All error or warning findings in the planted files.
        found: Mistakes with a root error or warning on their sheet.
        clean: Clean files.
        clean_with_error: Clean files with any error.
        matrix: Single-cell matrix changes.
        culprit: Of those, with a root finding at the changed cell.
        by_kind: Kind → (files, roots, findings, found, at the cell).
    """

    mistakes: int = 0
    roots: int = 0
    findings: int = 0
    found: int = 0
    clean: int = 0
    clean_with_error: int = 0
    matrix: int = 0
    culprit: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def roots_per_mistake(self) -> float:
        """Root error or warning findings per planted mistake."""
        return self.roots / self.mistakes if self.mistakes else 0.0

    @property
    def findings_per_mistake(self) -> float:
        """All error or warning findings per planted mistake."""
        return self.findings / self.mistakes if self.mistakes else 0.0


def measure(folder: Path, planted: Sequence[Planted]) -> Figures:
    """Validate the workbooks as one batch and measure the worklist against the plan.

    Args:
        folder: Where the workbooks are.
        planted: What was planted in each.

    Returns:
        The figures.
    """
    from checks.batch import validate
    from checks.reader import read_submission

    result = validate([read_submission(folder / p.name) for p in planted])
    f = result.findings
    cause = f["cause"] if "cause" in f else f["rule"].map(lambda _: "")
    f = f.assign(root=cause == "")
    figures = Figures()
    for p in planted:
        mine = f[f["submission"] == p.name]
        serious = mine[mine["severity"].isin(["error", "warning"])]
        roots = serious[serious["root"]]
        if p.kind == "clean":
            figures.clean += 1
            figures.clean_with_error += int((mine["severity"] == "error").any())
            continue
        found = bool((roots["sheet"] == p.sheet).any())
        at_cell = bool(((roots["sheet"] == p.sheet) & (roots["cell"] == p.cell)).any())
        figures.mistakes += 1
        figures.roots += len(roots)
        figures.findings += len(serious)
        figures.found += found
        if p.matrix:
            figures.matrix += 1
            figures.culprit += at_cell
        row = figures.by_kind.setdefault(p.kind, [0, 0, 0, 0, 0])
        for i, add in enumerate((1, len(roots), len(serious), found, at_cell)):
            row[i] += int(add)
    return figures


def report_text(figures: Figures) -> str:
    """Render the figures as a short text table.

    Args:
        figures: The measurement.

    Returns:
        Plain text.
    """
    lines = [
        f"planted mistakes: {figures.mistakes}",
        f"root error/warning findings per mistake: {figures.roots_per_mistake:.2f}"
        f" (all error/warning findings: {figures.findings_per_mistake:.2f})",
        f"mistakes found: {figures.found} of {figures.mistakes}",
        f"clean files with an error: {figures.clean_with_error} of {figures.clean}",
        f"culprit named (single-cell matrix changes): {figures.culprit} of {figures.matrix}",
        "",
        f"{'kind':<18} {'files':>5} {'roots':>5} {'all':>5} {'found':>5} {'at cell':>7}",
    ]
    for kind, (files, roots, every, found, at_cell) in figures.by_kind.items():
        lines.append(f"{kind:<18} {files:>5} {roots:>5} {every:>5} {found:>5} {at_cell:>7}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, validate and measure; print the figures.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--per-kind", type=int, default=4)
    parser.add_argument("--clean", type=int, default=4)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="write the workbooks here and keep them")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        planted = generate(folder, args.per_kind, args.clean, args.seed)
        figures = measure(folder, planted)
    if args.json:
        print(
            json.dumps(
                {
                    "mistakes": figures.mistakes,
                    "roots_per_mistake": round(figures.roots_per_mistake, 3),
                    "findings_per_mistake": round(figures.findings_per_mistake, 3),
                    "found": figures.found,
                    "clean": figures.clean,
                    "clean_with_error": figures.clean_with_error,
                    "matrix": figures.matrix,
                    "culprit": figures.culprit,
                    "by_kind": figures.by_kind,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(report_text(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the pipeline on a large synthetic inbox, and check what it finds.

What it measures. Each measured run is ONE fresh subprocess, so interpreter
start-up, imports and memory are counted as a user would pay them:

* ``pipeline``: the pure logic, ``checks.inbox.read_inbox`` →
  ``checks.batch.validate`` → ``checks.outputs.write_outputs``, each stage timed
  on its own (``import`` is the time to import those three modules; Great
  Expectations is imported lazily inside ``validate`` and counts there), with
  the process's peak resident memory (``ru_maxrss``);
* ``sverka run``: the whole command line (the Prefect flow, with its temporary
  server), wall time only, with ``PREFECT_HOME`` pointed at
  ``<workdir>/prefect-home`` and every other ``PREFECT_*`` variable removed,
  so the user's Prefect is never touched. Its peak memory is the largest
  resident set of the process tree, as ``wait4`` reports it.

Both run on the synthetic inbox ``<workdir>/inbox`` and on the repository's
sample inbox ``inbox/`` (four real reports). ``wall`` is seen from outside the
subprocess and includes interpreter start-up; ``total`` is the sum of the
in-process stages.

How the files are generated. ``--files`` workbooks, laid out like the
contract's example submission, are written with openpyxl in write-only mode,
deterministically for ``--seed``: a master ``random.Random(seed)`` draws each
file's own seed and whether the file is corrupted. Every workbook has
``Паспорт`` (organisation ``Бенчмарк N``, a 10-digit INN with a valid check
digit, reporting year 2025), ``Обращения`` (3–6 territories, several channels,
``Итого заочные`` and ``Всего``), ``Жалобы`` (counts, and shares rounded to
two decimals in cells formatted ``0.00``), ``Время`` (12 months of
``Контакт-центр`` with ``Обращений`` and of the three ``Очное`` rows, the
combined row being the sum of the other two, and a ``Год`` row for
``Контакт-центр`` equal to the weighted mean), ``Режим работы`` and
``Мероприятия``. About 10 % of the files get exactly one injected
inconsistency: a total off by a random amount (a channel's ``Итого``, a
territory's ``Всего``, a group subtotal or the grand total), a share off by
at least 0.02 points, or a combined in-person time off by 10 seconds. The
generator records, per file, the findings the contract says that injection
must produce (a total takes part in two sums, so it is flagged by both; a
changed ``Всего`` also moves the shares computed from it), and after the
pipeline run the script prints expected against found for every file.

The inbox is regenerated only when ``<workdir>/manifest.json`` does not
describe the same number of files, seed and generator version as the files
present, so repeated runs measure the pipeline, not the generator.
``<workdir>`` (``bench/`` by default, git-ignored) belongs to the benchmark:
its ``inbox`` folder is emptied before a regeneration.

Usage::

    python scripts/bench.py [--files 1000] [--workdir bench] [--seed 1] [--profile]

Run it with the project's interpreter (``.venv/bin/python``, as ``make bench``
does): the measured subprocesses use the same interpreter and the ``sverka``
script next to it. The exit status is 0 when every measured run completed,
whatever the pipeline found, and 1 if one of them failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE_INBOX = REPO / "inbox"
GENERATOR_VERSION = 1
MANIFEST = "manifest.json"
RESULT_PREFIX = "BENCH-RESULT "
CORRUPTED_SHARE = 0.10
SEVERITIES = ("error", "warning", "info")

# Sheet and row names, as the contract writes them.
PASSPORT, APPEALS, COMPLAINTS, TIMES = "Паспорт", "Обращения", "Жалобы", "Время"
SCHEDULE, MEASURES = "Режим работы", "Мероприятия"
TOTAL, GRAND, REMOTE_TOTAL = "Итого", "Всего", "Итого заочные"
IN_PERSON = "Очное обслуживание"
CONTACT = "Контакт-центр"
REMOTE_OTHERS = ("Онлайн-ЦОК", "Письменные обращения", "Интерактивные сервисы", "Социальные сети")
AUTOMATED = ("IVR", "Автоматизированные сервисы")
OTHER = "Прочее"
CONSULT = "Очное — консультация"
CASH = "Очное — кассовая операция"
COMBINED = "Очное — консультация и кассовая операция"
MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip
TERRITORIES = (
    "Северный филиал", "Южный филиал", "Восточный филиал", "Западный филиал",
    "Центральный филиал", "Город", "Пригородный участок", "Горный участок",
)  # fmt: skip
WHEN = ("1 квартал", "2 квартал", "3 квартал", "4 квартал", "1-2 кварталы", "ежемесячно")
INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
SHARE_FORMAT = "0.00"
SHARE_DECIMALS = 2
TIME_SUM_OFFSET_S = 10
#: Rows of ``Время`` per month: contact centre, consultation, cash, combined.
TIME_ROWS_PER_MONTH = 4

Expected = tuple[str, str, str, str]  # severity, rule, sheet, cell


@dataclass(frozen=True, slots=True)
class Styled:
    """A cell value written with an explicit Excel number format.

    Attributes:
        value: The stored value.
        number_format: The Excel number format.
    """

    value: Any
    number_format: str


Grid = list[list[Any]]


@dataclass(slots=True)
class Generated:
    """What the generator wrote into one file and what the pipeline must find.

    Attributes:
        name: The file name in the inbox.
        injection: What was corrupted, empty for a consistent file.
        expected: The findings the contract requires for the injection.
    """

    name: str
    injection: str = ""
    expected: list[Expected] = field(default_factory=list)


@dataclass(slots=True)
class Measured:
    """One measured subprocess.

    Attributes:
        label: What ran on which inbox.
        files: How many files the inbox holds.
        wall: Seconds from start to exit, seen by the parent.
        peak_rss_mb: Peak resident memory in MiB.
        stages: Stage → seconds, measured inside the process (pipeline only).
        counts: Severity → findings in ``discrepancies.csv``.
        ok: Whether the process exited with status 0.
        log: Where its standard output and error were saved.
    """

    label: str
    files: int
    wall: float
    peak_rss_mb: float
    stages: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    ok: bool = True
    log: str = ""


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


def col_letter(column: int) -> str:
    """Return the letters of a 1-based column number (1 → ``A``).

    Args:
        column: The column number.

    Returns:
        The column's letters.
    """
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def a1(row: int, column: int) -> str:
    """Return the A1 reference of a 1-based (row, column).

    Args:
        row: The row number.
        column: The column number.

    Returns:
        The reference, e.g. ``C8``.
    """
    return f"{col_letter(column)}{row}"


def valid_inn(rng: random.Random) -> str:
    """Draw a 10-digit INN of an organisation with a valid check digit.

    Args:
        rng: The file's random generator.

    Returns:
        The INN as text.
    """
    digits = [rng.randint(1, 9), *(rng.randint(0, 9) for _ in range(8))]
    control = sum(d * w for d, w in zip(digits, INN_WEIGHTS, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(control)


def hms(seconds: int) -> str:
    """Write seconds as ``ч:мм:сс`` text, as the example submission does.

    Args:
        seconds: A non-negative whole number of seconds.

    Returns:
        The text, e.g. ``0:05:30``.
    """
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def share_verdict(complaints: int, appeals: int, stated: float) -> tuple[str, str] | None:
    """Apply the contract's share rule to a share stated with two decimals.

    Args:
        complaints: The column's complaints.
        appeals: The column's stated ``Всего`` of ``Обращения``.
        stated: The stated share, in percent.

    Returns:
        ``(severity, rule)`` of the finding the contract requires, ``None``
        when the share is consistent.
    """
    computed = 100 * complaints / appeals
    unit = 10.0**-SHARE_DECIMALS
    if abs(computed - stated) <= unit / 2 + 1e-9:
        return None
    if 0 < computed - stated < unit:
        return ("warning", "share-truncated")
    return ("error", "share-mismatch")


@dataclass(slots=True)
class Layout:
    """The sheets of one synthetic workbook and where its figures are.

    Attributes:
        sheets: Sheet name → rows, each a list of cell values (``None`` empty).
        territories: The territory headers of ``Обращения`` and ``Жалобы``.
        appeal_rows: Row label of ``Обращения`` → 1-based row number.
        remote: The channels of the ``заочные`` group present.
    """

    sheets: dict[str, Grid]
    territories: list[str]
    appeal_rows: dict[str, int]
    remote: list[str]

    @property
    def total_column(self) -> int:
        """The 1-based column of ``Итого`` in the matrices."""
        return len(self.territories) + 2

    def columns(self) -> list[int]:
        """The 1-based figure columns of the matrices: territories, then ``Итого``."""
        return list(range(2, self.total_column + 1))

    def get(self, sheet: str, row: int, column: int) -> Any:
        """Return the value at a 1-based (row, column) of a sheet."""
        return self.sheets[sheet][row - 1][column - 1]

    def put(self, sheet: str, row: int, column: int, value: Any) -> None:
        """Set the value at a 1-based (row, column) of a sheet."""
        self.sheets[sheet][row - 1][column - 1] = value


def build_layout(number: int, rng: random.Random) -> Layout:
    """Draw one consistent workbook.

    Args:
        number: The organisation's number (``Бенчмарк N``).
        rng: The file's random generator.

    Returns:
        The workbook's sheets and the positions the injections need.
    """
    territories = rng.sample(TERRITORIES, rng.randint(3, 6))
    remote = [CONTACT] + [c for c in REMOTE_OTHERS if rng.random() < 0.6]
    automated = [c for c in AUTOMATED if rng.random() < 0.5]
    other = [OTHER] if rng.random() < 0.3 else []

    def counts(low: int, high: int) -> list[int]:
        values = [rng.randint(low, high) for _ in territories]
        return [*values, sum(values)]

    channel_values = {IN_PERSON: counts(2_000, 90_000)}
    channel_values.update({c: counts(1_000, 90_000) for c in remote})
    remote_total = [sum(col) for col in zip(*(channel_values[c] for c in remote), strict=True)]
    channel_values.update({c: counts(500, 60_000) for c in automated})
    channel_values.update({c: counts(0, 3_000) for c in other})
    grand = [sum(col) for col in zip(*channel_values.values(), strict=True)]
    appeals: Grid = [["Канал", *territories, TOTAL]]
    rows = [IN_PERSON, *remote, REMOTE_TOTAL, *automated, *other, GRAND]
    for label in rows:
        values = {REMOTE_TOTAL: remote_total, GRAND: grand}.get(label) or channel_values[label]
        appeals.append([label, *values])

    complaints = [rng.randint(0, max(1, a // 400)) for a in grand[:-1]]
    complaints.append(sum(complaints))
    legal = [rng.randint(0, c) for c in complaints[:-1]]
    legal.append(sum(legal))
    shares = [
        Styled(round(100 * c / a, SHARE_DECIMALS), SHARE_FORMAT)
        for c, a in zip(complaints, grand, strict=True)
    ]
    complaint_grid: Grid = [
        ["Показатель", *territories, TOTAL],
        ["Претензии и жалобы", *complaints],
        ["в т.ч. от юридических лиц", *legal],
        ["Доля претензий и жалоб, %", *shares],
    ]

    times: Grid = [["Период", "Канал", "Территория", "Ожидание", "Обслуживание", "Обращений"]]
    cc: list[tuple[int, int, int]] = []
    for month in MONTHS:
        wait, serve, n = rng.randint(20, 360), rng.randint(60, 420), rng.randint(1_000, 50_000)
        cc.append((wait, serve, n))
        consult = (rng.randint(30, 540), rng.randint(60, 600))
        cash = (rng.randint(20, 360), rng.randint(30, 300))
        times += [
            [month, CONTACT, None, hms(wait), hms(serve), n],
            [month, CONSULT, None, hms(consult[0]), hms(consult[1]), None],
            [month, CASH, None, hms(cash[0]), hms(cash[1]), None],
            [month, COMBINED, None, hms(consult[0] + cash[0]), hms(consult[1] + cash[1]), None],
        ]
    weight = sum(n for _, _, n in cc)
    year_wait = round(sum(w * n for w, _, n in cc) / weight)
    year_serve = round(sum(s * n for _, s, n in cc) / weight)
    times.append(["Год", CONTACT, None, hms(year_wait), hms(year_serve), weight])

    schedule: Grid = [
        ["Канал", "Режим работы"],
        [
            CONTACT,
            rng.choice(("Круглосуточно", "пн-пт с 08:00 до 20:00, сб-вс с 09:00 до 18:00")),
        ],
        [IN_PERSON, "пн-чт с 08:00 до 17:00, пт с 08:00 до 16:00, сб с 10:00 до 16:00"],
    ]
    measures: Grid = [
        ["Раздел", "Мероприятие", "Срок"],
        ["Обслуживание", "Обновлены центры обслуживания", rng.choice(WHEN)],
        ["Контакт-центр", "Расширен штат операторов", rng.choice(WHEN)],
        ["Дистанционные сервисы", "Доработан личный кабинет", "в течение года"],
    ]
    passport: Grid = [
        ["Организация", f"Бенчмарк {number}"],
        ["ИНН", valid_inn(rng)],
        ["Отчетный год", 2025],
        ["Дата представления", Styled(date(2026, 2, rng.randint(1, 28)), "DD.MM.YYYY")],
        ["Исполнитель", f"Сотрудник {number}, +7 000 000-00-00"],
    ]
    return Layout(
        sheets={
            PASSPORT: passport,
            APPEALS: appeals,
            COMPLAINTS: complaint_grid,
            TIMES: times,
            SCHEDULE: schedule,
            MEASURES: measures,
        },
        territories=territories,
        appeal_rows={label: r for r, label in enumerate(rows, start=2)},
        remote=remote,
    )


def _offset(rng: random.Random, value: int) -> int:
    """Draw a non-zero change of a count that keeps it non-negative (at most ±5000)."""
    magnitude = rng.randint(1, max(1, min(5_000, value // 2)))
    sign = rng.choice((-1, 1))
    return magnitude if value - magnitude < 0 else sign * magnitude


def _shares_after(layout: Layout, column: int) -> list[Expected]:
    """Return the share findings the contract requires for one matrix column."""
    complaints = int(layout.get(COMPLAINTS, 2, column))
    appeals = int(layout.get(APPEALS, layout.appeal_rows[GRAND], column))
    stated = float(layout.get(COMPLAINTS, 4, column).value)
    verdict = share_verdict(complaints, appeals, stated)
    return [] if verdict is None else [(*verdict, COMPLAINTS, a1(4, column))]


def inject(layout: Layout, rng: random.Random) -> tuple[str, list[Expected]]:
    """Corrupt one figure of a consistent workbook.

    Args:
        layout: The workbook, changed in place.
        rng: The file's random generator.

    Returns:
        A description of the injection and the findings it must produce.
    """
    kind = rng.choice(("total", "share", "time-sum"))
    tc = layout.total_column
    rows = layout.appeal_rows
    if kind == "total":
        target = rng.choice(("row", "column", "group", "grand"))
        if target == "row":
            label = rng.choice([lb for lb in rows if lb not in (REMOTE_TOTAL, GRAND)])
            row, column = rows[label], tc
        elif target == "column":
            row, column = rows[GRAND], rng.randint(2, tc - 1)
        elif target == "group":
            row, column = rows[REMOTE_TOTAL], rng.randint(2, tc - 1)
        else:
            row, column = rows[GRAND], tc
        before = int(layout.get(APPEALS, row, column))
        delta = _offset(rng, before)
        layout.put(APPEALS, row, column, before + delta)
        cell = a1(row, column)
        grand_cell = a1(rows[GRAND], tc)
        expected: list[Expected]
        if target == "row":
            expected = [("error", "total-row", APPEALS, cell)]
            expected.append(("error", "total-grand", APPEALS, grand_cell))
            if label in layout.remote:
                expected.append(("error", "total-group", APPEALS, a1(rows[REMOTE_TOTAL], tc)))
        elif target == "column":
            expected = [
                ("error", "total-column", APPEALS, cell),
                ("error", "total-grand-territories", APPEALS, grand_cell),
                *_shares_after(layout, column),
            ]
        elif target == "group":
            expected = [
                ("error", "total-group", APPEALS, cell),
                ("error", "total-row", APPEALS, a1(rows[REMOTE_TOTAL], tc)),
            ]
        else:
            expected = [
                ("error", "total-grand", APPEALS, cell),
                ("error", "total-grand-territories", APPEALS, cell),
                *_shares_after(layout, column),
            ]
        return f"total {APPEALS}!{cell} {before} → {before + delta}", expected
    if kind == "share":
        column = rng.choice(layout.columns())
        share: Styled = layout.get(COMPLAINTS, 4, column)
        steps = rng.randint(2, 30)
        if share.value - steps / 100 < 0 or rng.random() < 0.5:
            changed = round(share.value + steps / 100, SHARE_DECIMALS)
        else:
            changed = round(share.value - steps / 100, SHARE_DECIMALS)
        layout.put(COMPLAINTS, 4, column, Styled(changed, SHARE_FORMAT))
        cell = a1(4, column)
        return (
            f"share {COMPLAINTS}!{cell} {share.value:.2f} → {changed:.2f}",
            _shares_after(layout, column),
        )
    month = rng.randrange(len(MONTHS))
    row = 2 + TIME_ROWS_PER_MONTH * month + 3  # the combined row of that month
    column = rng.choice((4, 5))  # Ожидание or Обслуживание
    before_text = str(layout.get(TIMES, row, column))
    h, m, s = (int(part) for part in before_text.split(":"))
    seconds = h * 3600 + m * 60 + s
    changed_s = seconds + rng.choice((-TIME_SUM_OFFSET_S, TIME_SUM_OFFSET_S))
    layout.put(TIMES, row, column, hms(changed_s))
    cell = a1(row, column)
    return (
        f"time-sum {TIMES}!{cell} {before_text} → {hms(changed_s)}",
        [("error", "time-sum-mismatch", TIMES, cell)],
    )


def write_workbook(path: Path, sheets: dict[str, Grid]) -> None:
    """Write the sheets with openpyxl in write-only mode.

    Args:
        path: The ``.xlsx`` file to write.
        sheets: Sheet name → rows; :class:`Styled` values carry a number format.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, Styled):
                    cell = WriteOnlyCell(ws, value=value.value)
                    cell.number_format = value.number_format
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
    wb.save(path)


def generate(inbox: Path, files: int, seed: int) -> list[Generated]:
    """Write ``files`` synthetic workbooks into ``inbox``.

    Args:
        inbox: The folder to fill (emptied first).
        files: How many workbooks.
        seed: The master seed.

    Returns:
        What each file holds and what the pipeline must find in it.
    """
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    master = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    width = max(4, len(str(files)))
    generated: list[Generated] = []
    for number in range(1, files + 1):
        rng = random.Random(master.getrandbits(64))  # noqa: S311
        corrupted = master.random() < CORRUPTED_SHARE
        layout = build_layout(number, rng)
        item = Generated(name=f"bench-{number:0{width}d}.xlsx")
        if corrupted:
            item.injection, item.expected = inject(layout, rng)
        write_workbook(inbox / item.name, layout.sheets)
        generated.append(item)
    return generated


def ensure_inbox(workdir: Path, files: int, seed: int) -> tuple[list[Generated], float | None]:
    """Reuse the synthetic inbox if it matches, or regenerate it.

    Args:
        workdir: The benchmark's folder.
        files: How many workbooks are wanted.
        seed: The master seed.

    Returns:
        The manifest of the inbox, and the generation time in seconds
        (``None`` when the inbox was reused).
    """
    inbox, manifest = workdir / "inbox", workdir / MANIFEST
    if manifest.is_file() and inbox.is_dir():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        present = sorted(p.name for p in inbox.iterdir())
        listed = [item["name"] for item in data.get("submissions", [])]
        if (
            data.get("version") == GENERATOR_VERSION
            and data.get("seed") == seed
            and data.get("files") == files
            and present == sorted(listed)
        ):
            return [
                Generated(
                    name=item["name"],
                    injection=item["injection"],
                    expected=[tuple(e) for e in item["expected"]],
                )
                for item in data["submissions"]
            ], None
    manifest.unlink(missing_ok=True)
    start = time.perf_counter()
    generated = generate(inbox, files, seed)
    elapsed = time.perf_counter() - start
    workdir.mkdir(parents=True, exist_ok=True)
    manifest.write_text(
        json.dumps(
            {
                "version": GENERATOR_VERSION,
                "seed": seed,
                "files": files,
                "submissions": [asdict(g) for g in generated],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return generated, elapsed


# ---------------------------------------------------------------------------
# Measuring (the child side)
# ---------------------------------------------------------------------------


def peak_rss_mb(maxrss: float) -> float:
    """Convert ``ru_maxrss`` to MiB (kilobytes on Linux, bytes on macOS).

    Args:
        maxrss: The ``ru_maxrss`` field.

    Returns:
        Mebibytes.
    """
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def measure_pipeline(inbox: Path, out: Path, profile: Path | None = None) -> None:
    """Run read → validate → write in this process and print the timings as JSON.

    Meant to run in a fresh subprocess (``--measure-pipeline``).

    Args:
        inbox: The inbox to read.
        out: The output folder.
        profile: If given, run the stages under cProfile and dump the
            statistics there.
    """
    start = time.perf_counter()
    from checks.batch import validate
    from checks.inbox import read_inbox
    from checks.outputs import write_outputs

    imported = time.perf_counter()
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    submissions = read_inbox(inbox)
    read = time.perf_counter()
    result = validate(submissions)
    validated = time.perf_counter()
    write_outputs(result, out)
    written = time.perf_counter()
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    stages = {
        "import": imported - start,
        "read": read - imported,
        "validate": validated - read,
        "write": written - validated,
    }
    rss = peak_rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(RESULT_PREFIX + json.dumps({"stages": stages, "peak_rss_mb": rss}))


# ---------------------------------------------------------------------------
# Measuring (the parent side)
# ---------------------------------------------------------------------------


def severity_counts(worklist: Path) -> dict[str, int]:
    """Count the findings of a ``discrepancies.csv`` by severity.

    Args:
        worklist: The CSV file.

    Returns:
        Severity → number of findings (every severity present, 0 if none).
    """
    with worklist.open(encoding="utf-8-sig", newline="") as f:
        counted = Counter(row["severity"] for row in csv.DictReader(f))
    return {s: counted.get(s, 0) for s in SEVERITIES} | {
        s: n for s, n in counted.items() if s not in SEVERITIES
    }


def read_worklist(worklist: Path) -> list[dict[str, str]]:
    """Read a ``discrepancies.csv``.

    Args:
        worklist: The CSV file.

    Returns:
        Its rows.
    """
    with worklist.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def run_child(label: str, command: list[str], env: dict[str, str], logs: Path) -> Measured:
    """Run one measured subprocess, its output saved under ``logs``.

    Args:
        label: The run's name (also the log files' stem).
        command: The command.
        env: Its environment.
        logs: The folder for ``<label>.stdout`` and ``<label>.stderr``.

    Returns:
        Wall time and peak memory (from ``wait4``), and whether it succeeded.
    """
    logs.mkdir(parents=True, exist_ok=True)
    stem = label.replace(" ", "-")
    out_path, err_path = logs / f"{stem}.stdout", logs / f"{stem}.stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)  # noqa: S603
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        label=label,
        files=0,
        wall=wall,
        peak_rss_mb=peak_rss_mb(usage.ru_maxrss),
        ok=proc.returncode == 0,
        log=str(err_path),
    )


def child_env(workdir: Path) -> dict[str, str]:
    """Return the environment of the measured runs: Prefect kept inside ``workdir``.

    Args:
        workdir: The benchmark's folder.

    Returns:
        The environment, without the user's ``PREFECT_*`` settings.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str((workdir / "prefect-home").resolve())
    env["PYTHONUNBUFFERED"] = "1"
    return env


def measure(inbox: Path, out: Path, name: str, workdir: Path) -> tuple[Measured, Measured]:
    """Measure the pure pipeline, then the command line, on one inbox.

    Args:
        inbox: The inbox.
        out: The output folder both runs write to.
        name: The inbox's name in labels.
        workdir: The benchmark's folder.

    Returns:
        The pipeline's and the command line's measurements.
    """
    env = child_env(workdir)
    logs = workdir / "logs"
    files = sum(1 for p in inbox.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    pipeline_cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure-pipeline",
        str(inbox.resolve()),
        str(out.resolve()),
    ]
    pipeline = run_child(f"pipeline {name}", pipeline_cmd, env, logs)
    pipeline.files = files
    if pipeline.ok:
        stdout = (logs / f"pipeline-{name}.stdout").read_text(encoding="utf-8")
        line = next(ln for ln in stdout.splitlines() if ln.startswith(RESULT_PREFIX))
        data = json.loads(line.removeprefix(RESULT_PREFIX))
        pipeline.stages = data["stages"]
        pipeline.peak_rss_mb = data["peak_rss_mb"]
        pipeline.counts = severity_counts(out / "discrepancies.csv")
    sverka = Path(sys.executable).parent / "sverka"
    cli_cmd = [
        str(sverka) if sverka.exists() else "sverka",
        "run",
        "--inbox",
        str(inbox.resolve()),
        "--out",
        str(out.resolve()),
    ]
    cli = run_child(f"sverka-run {name}", cli_cmd, env, logs)
    cli.files = files
    if cli.ok:
        cli.counts = severity_counts(out / "discrepancies.csv")
    return pipeline, cli


def profile_pipeline(inbox: Path, workdir: Path, top: int = 25) -> None:
    """Run the pipeline once more under cProfile and print the top functions.

    Args:
        inbox: The inbox.
        workdir: The benchmark's folder (the statistics go to ``pipeline.prof``).
        top: How many functions to list per ordering.
    """
    import pstats

    stats_path = workdir / "pipeline.prof"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure-pipeline",
        str(inbox.resolve()),
        str((workdir / "outputs-profile").resolve()),
        "--profile-to",
        str(stats_path.resolve()),
    ]
    run = run_child("pipeline-profiled", command, child_env(workdir), workdir / "logs")
    if not run.ok:
        print(f"profiled run failed, see {run.log}")
        return
    for order in ("cumulative", "tottime"):
        print(f"\n--- cProfile, top {top} by {order} ({stats_path}) ---")
        pstats.Stats(str(stats_path)).strip_dirs().sort_stats(order).print_stats(top)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def print_table(runs: Sequence[Measured]) -> None:
    """Print the measurements as a plain table.

    Args:
        runs: The measured runs.
    """
    header = [
        "run",
        "files",
        "import s",
        "read s",
        "validate s",
        "write s",
        "total s",
        "wall s",
        "peak RSS MB",
        "errors",
        "warnings",
        "infos",
    ]
    table = [header]
    for run in runs:
        stages = [run.stages.get(s) for s in ("import", "read", "validate", "write")]
        total = sum(s for s in stages if s is not None) if run.stages else None
        table.append(
            [
                run.label + ("" if run.ok else " FAILED"),
                str(run.files),
                *("-" if s is None else f"{s:.2f}" for s in [*stages, total]),
                f"{run.wall:.2f}",
                f"{run.peak_rss_mb:.0f}",
                *(str(run.counts.get(s, "-")) for s in SEVERITIES),
            ]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def check_findings(generated: Sequence[Generated], rows: Sequence[dict[str, str]]) -> bool:
    """Compare the findings with what the generator injected, file by file.

    Prints one line per corrupted file, and one per consistent file that has
    findings.

    Args:
        generated: The manifest of the synthetic inbox.
        rows: The rows of ``discrepancies.csv``.

    Returns:
        Whether exactly the expected findings were found, and nothing else.
    """
    found: dict[str, set[Expected]] = {}
    for row in rows:
        key = (row["severity"], row["rule"], row["sheet"], row["cell"])
        found.setdefault(row["submission"], set()).add(key)
    known = {g.name for g in generated}
    exact, clean_quiet, false_neg, false_pos, other = 0, 0, 0, 0, 0
    print("\nExpected against found (severity rule sheet!cell):")
    for g in generated:
        expected, got = set(g.expected), found.get(g.name, set())
        missing, extra = expected - got, got - expected
        extra_errors = {e for e in extra if e[0] == "error"}
        false_neg += len(missing)
        false_pos += len(extra_errors)
        other += len(extra) - len(extra_errors)
        if not missing and not extra:
            exact += bool(g.injection)
            clean_quiet += not g.injection
            if g.injection:
                shown = ", ".join(f"{s} {r} {sh}!{c}" for s, r, sh, c in sorted(expected))
                print(f"  ok   {g.name}  {g.injection}:  {shown}")
            continue
        print(f"  DIFF {g.name}  {g.injection or 'consistent'}")
        for s, r, sh, c in sorted(missing):
            print(f"         missing  {s} {r} {sh}!{c}")
        for s, r, sh, c in sorted(extra):
            print(f"         extra    {s} {r} {sh}!{c}")
    corrupted = sum(1 for g in generated if g.injection)
    unknown = sorted(set(found) - known)
    print(
        f"\nCorrupted files: {corrupted}, found exactly as injected: {exact}. "
        f"Consistent files: {len(generated) - corrupted}, without any finding: {clean_quiet}."
    )
    print(
        f"Missing findings (false negatives): {false_neg}; unexpected errors (false positives): "
        f"{false_pos}; unexpected warnings/infos: {other}."
    )
    if unknown:
        print(f"Findings for files the generator did not write: {', '.join(unknown)}")
    return false_neg == 0 and false_pos == 0 and other == 0 and not unknown


def code_version() -> str:
    """Name the code being measured: ``git describe --always --dirty`` of the repository.

    Returns:
        The commit (``-dirty`` when the working tree has changes), or ``unknown``.
    """
    git = shutil.which("git")
    if git is None:
        return "unknown"
    described = subprocess.run(  # noqa: S603 (a fixed git command)
        [git, "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return described.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (if needed), measure, and report.

    Args:
        argv: The arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 0 if every measured run completed.
    """
    parser = argparse.ArgumentParser(
        description="Benchmark the sverka pipeline on synthetic submissions."
    )
    parser.add_argument("--files", type=int, default=1000, help="synthetic workbooks (1000)")
    parser.add_argument(
        "--workdir", type=Path, default=REPO / "bench", help="benchmark folder (bench/)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run the pipeline once under cProfile and print the top functions",
    )
    parser.add_argument(
        "--measure-pipeline", nargs=2, metavar=("INBOX", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_pipeline:
        inbox, out = (Path(p) for p in args.measure_pipeline)
        measure_pipeline(inbox, out, args.profile_to)
        return 0
    if args.files < 1:
        parser.error("--files must be at least 1")
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    print(f"Code: {code_version()}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs.")
    generated, elapsed = ensure_inbox(workdir, args.files, args.seed)
    if elapsed is None:
        print(f"Inbox {workdir / 'inbox'}: {args.files} files of seed {args.seed} reused.")
    else:
        print(
            f"Generated {args.files} files (seed {args.seed}) into {workdir / 'inbox'} "
            f"in {elapsed:.1f} s ({1000 * elapsed / args.files:.1f} ms a file)."
        )
    fresh_prefect = not (workdir / "prefect-home").exists()
    runs: list[Measured] = []
    bench_out = workdir / "outputs"
    pipeline, cli = measure(workdir / "inbox", bench_out, "bench", workdir)
    bench_rows = read_worklist(bench_out / "discrepancies.csv") if pipeline.ok else []
    cli_rows = read_worklist(bench_out / "discrepancies.csv") if cli.ok else []
    runs += [pipeline, cli]
    runs += measure(SAMPLE_INBOX, workdir / "outputs-sample", "sample", workdir)

    print()
    print_table(runs)
    print(
        "\nimport/read/validate/write: seconds inside the process (validate includes the lazy "
        "import of Great Expectations); wall: seen from outside, with interpreter start-up."
    )
    if fresh_prefect:
        print(
            "The first sverka run created the Prefect database in "
            f"{workdir / 'prefect-home'}: its wall time includes that."
        )
    for run in runs:
        if not run.ok:
            print(f"{run.label} failed; its standard error is in {run.log}")
    if pipeline.ok:
        check_findings(generated, bench_rows)
    if pipeline.ok and cli.ok:

        def key(row: dict[str, str]) -> tuple[str, ...]:
            return tuple(row[k] for k in sorted(row))

        same = sorted(map(key, bench_rows)) == sorted(map(key, cli_rows))
        print(f"sverka run wrote the same findings as the pure pipeline: {'yes' if same else 'NO'}")
    if args.profile:
        profile_pipeline(workdir / "inbox", workdir)
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

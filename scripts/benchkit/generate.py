"""Deterministic synthetic workbooks, and the findings each one must produce.

Each workbook is laid out like the contract's example submission and written
with openpyxl in write-only mode. Every workbook has ``Паспорт``
(organisation ``Бенчмарк N``, a 10-digit INN with a valid check digit,
reporting year 2025), ``Обращения`` (3–6 territories, several channels,
``Итого заочные`` and ``Всего``), ``Жалобы`` (counts, and shares rounded to
two decimals in cells formatted ``0.00``), ``Время`` (12 months of
``Контакт-центр`` with ``Обращений`` and of the three ``Очное`` rows, the
combined row being the sum of the other two, and a ``Год`` row for
``Контакт-центр`` equal to the weighted mean), ``Режим работы`` and
``Мероприятия``.

A master ``random.Random(seed)`` draws, file after file, each file's own seed
and whether the file is corrupted (:data:`CORRUPTED_SHARE` of them, about
10 %). A corrupted file gets exactly one planted inconsistency: a total off by
a random amount (a channel's ``Итого``, a territory's ``Всего``, a group
subtotal or the grand total), a share off by at least 0.02 points, or a
combined in-person time off by 10 seconds. The generator records the findings
the contract says that mistake must produce (a total takes part in two sums,
so it is flagged by both, and the changed cell is named as the likely culprit,
``total-culprit``; a changed ``Всего`` also moves the shares computed from it);
:mod:`oracle` compares them with what the pipeline found.

File ``N`` is the same whatever the number of files asked for, so the first
1,000 files of a 10,000-file pool are the 1,000-file sample. The pool
(:func:`ensure_pool`) is regenerated only when its manifest does not describe
the same seed and :data:`GENERATOR_VERSION` as the files present, and is
extended, not rewritten, when more files are needed. The files are written by
several processes at once; the seeds are drawn beforehand in one process, so
the output does not depend on how many.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: Bump when a file's content, name or expected findings change for the same seed
#: and number: every cached pool is then regenerated. 2: six-digit names, one pool
#: for every size, ``total-culprit`` expected for a changed total.
GENERATOR_VERSION = 2
CORRUPTED_SHARE = 0.10
MANIFEST = "pool.json"
POOL = "pool"
#: File names carry the number on six digits (``bench-000042.xlsx``).
NAME_WIDTH = 6
#: Files a generating process writes per task.
CHUNK = 50

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
        # One cell off by one amount breaks at least two sums and settles them all when
        # put back: checks/causes.py names it as the likely culprit.
        expected.append(("error", "total-culprit", APPEALS, cell))
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


@dataclass(frozen=True, slots=True)
class Plan:
    """What one file will be, drawn by the master generator before any is written.

    Attributes:
        number: The organisation's number, also in the file's name.
        seed: The file's own seed.
        corrupted: Whether a mistake is planted.
    """

    number: int
    seed: int
    corrupted: bool


def file_name(number: int) -> str:
    """Return the name of file ``number`` (``bench-000042.xlsx``).

    Args:
        number: The organisation's number.

    Returns:
        The file name.
    """
    return f"bench-{number:0{NAME_WIDTH}d}.xlsx"


def plan(seed: int, count: int, corrupted_share: float = CORRUPTED_SHARE) -> list[Plan]:
    """Draw the seeds of files 1 to ``count`` from the master seed.

    Args:
        seed: The master seed.
        count: How many files.
        corrupted_share: The chance that a file gets a planted mistake.

    Returns:
        One plan per file, numbers 1 to ``count``.
    """
    master = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    plans = []
    for number in range(1, count + 1):
        file_seed = master.getrandbits(64)
        plans.append(Plan(number, file_seed, master.random() < corrupted_share))
    return plans


def write_one(folder: Path, item: Plan) -> Generated:
    """Write one planned workbook into ``folder``.

    Args:
        folder: Where to write it.
        item: The file's plan.

    Returns:
        What the file holds and what the pipeline must find in it.
    """
    rng = random.Random(item.seed)  # noqa: S311
    layout = build_layout(item.number, rng)
    generated = Generated(name=file_name(item.number))
    if item.corrupted:
        generated.injection, generated.expected = inject(layout, rng)
    write_workbook(folder / generated.name, layout.sheets)
    return generated


def _write_chunk(folder: Path, items: Sequence[Plan]) -> list[Generated]:
    """Write several planned workbooks (one task of a generating process)."""
    return [write_one(folder, item) for item in items]


def write_files(folder: Path, plans: Sequence[Plan], jobs: int = 1) -> list[Generated]:
    """Write planned workbooks, in ``jobs`` processes at once.

    Args:
        folder: Where to write them (created if missing).
        plans: The files to write.
        jobs: How many processes write (1: this process only).

    Returns:
        What each file holds, in the order of ``plans``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if jobs <= 1 or len(plans) <= CHUNK:
        return _write_chunk(folder, plans)
    chunks = [plans[i : i + CHUNK] for i in range(0, len(plans), CHUNK)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = pool.map(_write_chunk, [folder] * len(chunks), chunks)
        return [g for chunk in done for g in chunk]


def write_sample(
    folder: Path, count: int, seed: int, corrupted_share: float = CORRUPTED_SHARE
) -> list[Generated]:
    """Write files 1 to ``count`` of ``seed`` into ``folder``, in this process.

    For a small sample (the tests): a higher ``corrupted_share`` plants more
    mistakes in fewer files.

    Args:
        folder: Where to write them.
        count: How many files.
        seed: The master seed.
        corrupted_share: The chance that a file gets a planted mistake.

    Returns:
        What each file holds and what the pipeline must find in it.
    """
    return write_files(folder, plan(seed, count, corrupted_share))


@dataclass(slots=True)
class Pool:
    """The cached synthetic files of one seed, numbered from 1.

    Attributes:
        folder: Where the files are (``<workdir>/pool``).
        generated: What each file holds, in number order.
        written: How many files this call wrote (0 when all were reused).
        seconds: How long writing them took.
    """

    folder: Path
    generated: list[Generated]
    written: int = 0
    seconds: float = 0.0

    def first(self, count: int) -> list[Generated]:
        """The files numbered 1 to ``count``."""
        return self.generated[:count]


def _load_manifest(workdir: Path, seed: int) -> list[Generated]:
    """Return the files the manifest lists, if it matches ``seed`` and the version.

    Args:
        workdir: The benchmark's folder.
        seed: The master seed wanted.

    Returns:
        The listed files still present, in number order; empty when the
        manifest is missing, of another seed or version, or lists a missing file.
    """
    manifest, folder = workdir / MANIFEST, workdir / POOL
    if not manifest.is_file() or not folder.is_dir():
        return []
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("version") != GENERATOR_VERSION or data.get("seed") != seed:
        return []
    listed = [
        Generated(
            name=item["name"],
            injection=item["injection"],
            expected=[(e[0], e[1], e[2], e[3]) for e in item["expected"]],
        )
        for item in data.get("submissions", [])
    ]
    present = {p.name for p in folder.iterdir()}
    if any(g.name not in present for g in listed):
        return []
    return listed


def ensure_pool(workdir: Path, count: int, seed: int, jobs: int | None = None) -> Pool:
    """Make sure ``<workdir>/pool`` holds files 1 to ``count`` of ``seed``.

    Reuses what the manifest ``<workdir>/pool.json`` lists, writes only the
    missing numbers, and removes any other file of the folder (the pool
    belongs to the benchmark). The manifest is written after the files, so an
    interrupted generation is redone, never trusted.

    Args:
        workdir: The benchmark's folder.
        count: How many files are needed.
        seed: The master seed.
        jobs: Generating processes (the machine's processors by default).

    Returns:
        The pool, with at least ``count`` files.
    """
    folder = workdir / POOL
    known = _load_manifest(workdir, seed)
    (workdir / MANIFEST).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    keep = {g.name for g in known}
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink()
    plans = plan(seed, count)[len(known) :]
    start = time.perf_counter()
    written = write_files(folder, plans, jobs or os.cpu_count() or 1)
    seconds = time.perf_counter() - start
    generated = known + written
    manifest = {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "files": len(generated),
        "submissions": [asdict(g) for g in generated],
    }
    partial = workdir / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(workdir / MANIFEST)
    return Pool(folder, generated, len(written), seconds)

"""Family ``total``: stated totals against the sums of their parts (exact).

Rules: ``total-row`` (a row's ``Итого`` against its territory cells),
``total-column`` (a territory's ``Всего`` against its channel rows),
``total-group`` (a group subtotal against its channels), ``total-grand``
(the grand total against all channels) and ``total-grand-territories`` (the
grand total against the territories' ``Всего``). A group given only by its
subtotal, in a column, counts in that column's total through the subtotal.
A sum is checked only where the stated figure and at least one part are
reported, and not where a part is unreadable (``count-invalid`` says so).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pandas as pd

from checks import vocab
from checks.engines import ROW_ID, Suite
from checks.findings import Finding, make
from checks.reader import METRIC_SHARE, ROW_CHANNEL, ROW_GROUP, UNIT_COUNT
from checks.tables import Tables, records
from checks.text import fmt_number, fmt_stated, plain_number

TABLE = "total"
#: The Great Expectations table's column of the stated total with its sign changed.
NEGATED = "stated_negated"
#: What each rule of the family means, for the expectations' descriptions.
MEANINGS = {
    "total-row": "«Итого» строки равно сумме её ячеек по территориям",
    "total-column": "«Всего» территории равно сумме строк каналов её столбца "
    "(группа без строк каналов — своим «Итого …»)",
    "total-group": "промежуточный итог группы («Итого очные» и др.) равен сумме строк её каналов",
    "total-grand": "«Всего» в столбце «Итого» равно сумме всех строк каналов "
    "(группа без строк каналов — своим «Итого …»)",
    "total-grand-territories": "«Всего» в столбце «Итого» равно сумме «Всего» территорий",
}
MAX_PARTS_SHOWN = 12

Cell = tuple[float | None, str, str, str]  # value (None if unreadable), A1, form, as written
#: Columns of the comparison table (``parts_cells``: the parts' A1 references, space-separated).
COLUMNS = (
    ROW_ID,
    "submission",
    "sheet",
    "cell",
    "rule",
    "stated",
    "computed",
    "parts",
    "label",
    "column",
    "stated_text",
    "parts_cells",
)


def _parts_text(parts: list[tuple[str, float, str]]) -> str:
    shown = " + ".join(
        f"{name} {fmt_stated(value, text)}" for name, value, text in parts[:MAX_PARTS_SHOWN]
    )
    if len(parts) > MAX_PARTS_SHOWN:
        shown += f" + … ещё {len(parts) - MAX_PARTS_SHOWN}"
    return shown


def _signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + fmt_number(abs(value))


def signed(value: float) -> str:
    """Format a difference with its sign, the way the total messages do: ``−4 003 597``.

    Args:
        value: The difference.

    Returns:
        The signed, grouped number.
    """
    return _signed(value)


def _compare(
    rows: list[dict[str, Any]],
    *,
    submission: str,
    sheet: str,
    rule_id: str,
    stated: Cell | None,
    parts: list[tuple[str, Cell]],
    label: str,
    column: str,
) -> None:
    if stated is None or stated[0] is None or not parts:
        return
    if any(cell[0] is None for _, cell in parts):
        return
    values = [(name, float(cell[0]), cell[3]) for name, cell in parts if cell[0] is not None]
    rows.append(
        {
            ROW_ID: len(rows),
            "submission": submission,
            "sheet": sheet,
            "cell": stated[1],
            "rule": rule_id,
            "stated": float(stated[0]),
            "computed": float(sum(v for _, v, _ in values)),
            "parts": _parts_text(values),
            "label": label,
            "column": column,
            "stated_text": stated[3],
            "parts_cells": " ".join(cell[1] for _, cell in parts),
        }
    )


def _matrix(frame: pd.DataFrame) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for label, territory, value, cell, form, stated in zip(
        frame["label"],
        frame["territory"],
        frame["value"],
        frame["cell"],
        frame["form"],
        frame["stated"],
        strict=True,
    ):
        if form == "empty":
            continue
        value_read = None if pd.isna(value) else float(value)
        cells[(label, territory)] = (value_read, cell, form, str(stated))
    return cells


def comparisons(tables: Tables) -> pd.DataFrame:
    """Build the comparison table of every total the batch states.

    Args:
        tables: The batch.

    Returns:
        One row per checkable total: ``stated``, ``computed``, the cell, the
        rule id, and the parts as text for the message.
    """
    figures = tables.figures
    relevant = figures[
        figures["sheet"].isin([vocab.APPEALS, vocab.COMPLAINTS])
        & figures["known"]
        & (figures["unit"] == UNIT_COUNT)
        & (figures["metric"] != METRIC_SHARE)
    ]
    rows: list[dict[str, Any]] = []
    for keys, frame in relevant.groupby(["submission", "sheet"], sort=False):
        submission, sheet = str(keys[0]), str(keys[1])
        cells = _matrix(frame)
        kinds = dict(zip(frame["label"], frame["row_kind"], strict=True))
        groups = dict(zip(frame["label"], frame["group"], strict=True))
        territories = [t for t in dict.fromkeys(frame["territory"]) if t != vocab.TOTAL_COLUMN]
        labels = list(dict.fromkeys(kinds))
        for label in labels:
            if label == vocab.GRAND_TOTAL:
                continue  # its Итого against the territories is total-grand-territories
            row_parts = [(t, cells[(label, t)]) for t in territories if (label, t) in cells]
            _compare(
                rows,
                submission=submission,
                sheet=sheet,
                rule_id="total-row",
                stated=cells.get((label, vocab.TOTAL_COLUMN)),
                parts=row_parts,
                label=label,
                column=vocab.TOTAL_COLUMN,
            )
        if sheet != vocab.APPEALS:
            continue
        channels = [lb for lb in labels if kinds[lb] == ROW_CHANNEL]
        subtotal_rows = [lb for lb in labels if kinds[lb] == ROW_GROUP]
        for column in [*territories, vocab.TOTAL_COLUMN]:
            by_group: dict[str, list[tuple[str, Cell]]] = defaultdict(list)
            for channel in channels:
                if (channel, column) in cells:
                    by_group[groups[channel]].append((channel, cells[(channel, column)]))
            grand_parts = [part for group_parts in by_group.values() for part in group_parts]
            for subtotal in subtotal_rows:
                group = groups[subtotal]
                stated = cells.get((subtotal, column))
                _compare(
                    rows,
                    submission=submission,
                    sheet=sheet,
                    rule_id="total-group",
                    stated=stated,
                    parts=by_group.get(group, []),
                    label=subtotal,
                    column=column,
                )
                if not by_group.get(group) and stated is not None:
                    grand_parts.append((subtotal, stated))
            grand = cells.get((vocab.GRAND_TOTAL, column))
            rule_id = "total-grand" if column == vocab.TOTAL_COLUMN else "total-column"
            _compare(
                rows,
                submission=submission,
                sheet=sheet,
                rule_id=rule_id,
                stated=grand,
                parts=grand_parts,
                label=vocab.GRAND_TOTAL,
                column=column,
            )
        territory_totals = [
            (t, cells[(vocab.GRAND_TOTAL, t)])
            for t in territories
            if (vocab.GRAND_TOTAL, t) in cells
        ]
        _compare(
            rows,
            submission=submission,
            sheet=sheet,
            rule_id="total-grand-territories",
            stated=cells.get((vocab.GRAND_TOTAL, vocab.TOTAL_COLUMN)),
            parts=territory_totals,
            label=vocab.GRAND_TOTAL,
            column=vocab.TOTAL_COLUMN,
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def expectations(parts: Sequence[str]) -> list[Any]:
    """Return the suite: per rule, the parts minus the stated total sum to zero, exactly.

    Great Expectations adds the parts up itself, row by row (one expectation
    per rule, on that rule's rows); a failing row is a total that does not
    add up. Failures are read under ``total``.

    Args:
        parts: The part columns of the table :func:`suite` builds.

    Returns:
        The Great Expectations expectations, each tagged with its rule id.
    """
    import great_expectations as gx

    from checks.engines import described, where_rule

    columns = [*parts, NEGATED]
    return [
        gx.expectations.ExpectMulticolumnSumToEqual(
            column_list=columns,
            sum_total=0,
            row_condition=where_rule(rule_id),
            description=described(
                rule_id,
                f"{meaning}: слагаемые ({parts[0]}…{parts[-1]}, недостающие — 0) "
                f"и указанный итог со знаком минус ({NEGATED}) в сумме дают 0.",
            ),
            meta={"rule": rule_id, "key": TABLE},
        )
        for rule_id, meaning in MEANINGS.items()
    ]


def findings(table: pd.DataFrame, failed: dict[str, set[int]], tables: Tables) -> list[Finding]:
    """Turn the failing comparison rows into findings at the stated figure's cell.

    Args:
        table: The comparison table.
        failed: Rule id → failing row ids, from the engine.
        tables: The batch, for the submissions' sources.

    Returns:
        One finding per total that does not add up.
    """
    out: list[Finding] = []
    bad = table[table[ROW_ID].isin(failed.get("total", set()))]
    for row in records(bad):
        out.append(
            make(
                row["rule"],
                tables.sources[row["submission"]],
                sheet=row["sheet"],
                cell=row["cell"],
                expected=plain_number(row["computed"]),
                actual=plain_number(row["stated"]),
                label=row["label"],
                column=row["column"],
                stated=fmt_stated(row["stated"], row["stated_text"]),
                computed=fmt_number(row["computed"]),
                parts=row["parts"],
                difference=_signed(row["stated"] - row["computed"]),
                locus=(row["label"], row["column"]),
            )
        )
    return out


class _Matrix:
    """One sheet of one submission: its cells, row kinds, groups and territories."""

    __slots__ = ("cells", "groups", "kinds", "seen")

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], tuple[float | None, str, str]] = {}
        self.kinds: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        self.seen: dict[str, None] = {}

    def add(
        self, label: str, territory: str, figure: tuple[Any, str, str], row: tuple[str, str]
    ) -> None:
        """Add one figure, as :func:`_matrix` reads it (empty cells left out)."""
        value, cell, form = figure
        self.kinds[label], self.groups[label] = row
        self.seen.setdefault(territory)
        if form != "empty":
            self.cells[(label, territory)] = (None if pd.isna(value) else float(value), cell, form)

    @property
    def territories(self) -> list[str]:
        """The territory columns, in sheet order."""
        return [t for t in self.seen if t != vocab.TOTAL_COLUMN]

    @property
    def channels(self) -> list[str]:
        """The channel rows, in sheet order."""
        return [lb for lb, kind in self.kinds.items() if kind == ROW_CHANNEL]

    def parts(self, rule_id: str, label: str, column: str) -> list[float]:
        """Return the values of a total's parts, as :func:`comparisons` chooses them."""
        cells, groups = self.cells, self.groups
        if rule_id == "total-row":
            keys = [(label, t) for t in self.territories]
        elif rule_id == "total-grand-territories":
            keys = [(vocab.GRAND_TOTAL, t) for t in self.territories]
        elif rule_id == "total-group":
            keys = [(c, column) for c in self.channels if groups[c] == groups[label]]
        else:  # total-column, total-grand: the channels, and groups given by subtotal only
            present = {groups[c] for c in self.channels if (c, column) in cells}
            subtotals = [
                lb
                for lb, kind in self.kinds.items()
                if kind == ROW_GROUP and groups[lb] not in present
            ]
            keys = [(c, column) for c in self.channels] + [(s, column) for s in subtotals]
        return [float(cells[k][0] or 0.0) for k in keys if k in cells]


def suite(table: pd.DataFrame, tables: Tables) -> Suite:
    """Build the Great Expectations table of the totals: each total beside its parts.

    One row per row of the comparison table: its ``row_id``, ``submission``,
    ``sheet``, ``cell``, ``rule``, ``label`` and ``column``, the stated total,
    then the parts' stated values in ``part_01``… (0 where a total has fewer
    parts than the widest) and the stated total negated, so that the
    expectation sums the stated figures itself.

    Args:
        table: The comparison table of :func:`comparisons`.
        tables: The batch, for the parts' values.

    Returns:
        The suite of the family.
    """
    figures = tables.figures
    relevant = figures[
        figures["sheet"].isin([vocab.APPEALS, vocab.COMPLAINTS])
        & figures["known"]
        & (figures["unit"] == UNIT_COUNT)
        & (figures["metric"] != METRIC_SHARE)
    ]
    used = set(zip(table["submission"], table["sheet"], strict=True))
    matrices: dict[tuple[str, str], _Matrix] = {}
    columns = ["submission", "sheet", "label", "territory", "value", "cell", "form"]
    for sub, sheet, label, territory, value, cell, form, kind, group in zip(
        *(relevant[c].tolist() for c in [*columns, "row_kind", "group"]), strict=True
    ):
        if (sub, sheet) in used:
            matrix = matrices.setdefault((sub, sheet), _Matrix())
            matrix.add(label, territory, (value, cell, form), (kind, group))
    values = [
        matrices[(s, sh)].parts(r, lb, c)
        for r, lb, c, s, sh in zip(
            table["rule"],
            table["label"],
            table["column"],
            table["submission"],
            table["sheet"],
            strict=True,
        )
    ]
    width = max((len(v) for v in values), default=1)
    parts = [f"part_{i + 1:02d}" for i in range(width)]
    wide = pd.DataFrame(
        [v + [0.0] * (width - len(v)) for v in values],
        columns=parts,
        index=table.index,
        dtype=float,
    )
    frame = pd.concat(
        [table[[ROW_ID, "submission", "sheet", "cell", "rule", "label", "column", "stated"]], wide],
        axis=1,
    ).assign(**{NEGATED: -table["stated"].astype(float)})
    return Suite(
        TABLE,
        frame,
        expectations(parts),
        title="Итоги: указанный итог и его слагаемые (листы «Обращения», «Жалобы»)",
    )

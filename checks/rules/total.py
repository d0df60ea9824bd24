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

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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

#: Columns of the comparison table (``parts_cells``: the parts' A1 references, space-separated).
COLUMNS = (
    ROW_ID,
    "submission",
    "sheet",
    "cell",
    "rule",
    "stated",
    "computed",
    "label",
    "column",
    "stated_text",
    "parts_cells",
)
#: What identifies a total within a batch: a sheet's row label and column, and the rule.
KEY = ["submission", "sheet", "rule", "label", "column"]
#: The figures' columns a matrix is laid out from.
_MATRIX_COLUMNS = (
    "submission",
    "sheet",
    "label",
    "territory",
    "value",
    "cell",
    "stated",
    "form",
    "row_kind",
    "group",
)
#: Sorts after every rank within a matrix (the ``Итого`` column, a column's grand total).
_LAST = np.iinfo(np.int64).max


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


def relevant(figures: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the figures the totals are made of: the counts of ``Обращения`` and ``Жалобы``.

    Args:
        figures: The batch's figures.
        columns: The columns wanted (all of them if ``None``).

    Returns:
        The known count figures of the two matrix sheets, shares left out.
    """
    mask = (
        figures["sheet"].isin([vocab.APPEALS, vocab.COMPLAINTS])
        & figures["known"]
        & (figures["unit"] == UNIT_COUNT)
        & (figures["metric"] != METRIC_SHARE)
    )
    return figures.loc[mask, list(columns) if columns is not None else figures.columns]


@dataclass(frozen=True, slots=True)
class Layout:
    """Every total a batch could state, and its parts, worked out for all matrices at once.

    A matrix is one sheet of one submission. Its rows and columns are ranked
    in sheet order (``lab``, ``ter``: the first appearance of a label, of a
    territory); a label's kind and group are those of its last row, and of a
    row label and column given twice the last non-empty cell counts, as a
    steward reading the sheet top to bottom would overwrite them.

    Attributes:
        heads: One row per candidate total (a stated cell with a rule): the
            ``KEY`` columns, ``cell``, ``stated``, ``stated_text``, ``head``
            (its row number here) and ``order`` (the table's order).
        parts: One row per part of a candidate: ``head``, ``name`` (the
            territory or row label the message shows), ``value``, ``cell``,
            ``stated_text``, and two orders: ``cmp`` (the order the sum and
            the message take them in), ``suite`` (the order of the engine's
            part columns).
    """

    heads: pd.DataFrame
    parts: pd.DataFrame


#: The last layout built, by the figures it was built from (the comparisons and the
#: Great Expectations suite of one part use the same; only one is held).
_LAID: dict[int, tuple[weakref.ref[pd.DataFrame], Layout]] = {}


def laid_out(figures: pd.DataFrame) -> Layout:
    """Return :func:`layout` of these figures, built once for the same frame object.

    Args:
        figures: A batch's figures (not changed after it was first laid out).

    Returns:
        Their layout.
    """
    hit = _LAID.get(id(figures))
    if hit is not None and hit[0]() is figures:
        return hit[1]
    lay = layout(figures)
    _LAID.clear()
    _LAID[id(figures)] = (weakref.ref(figures), lay)
    return lay


def layout(figures: pd.DataFrame) -> Layout:
    """Lay out the candidate totals of every matrix in the figures, vectorised.

    The rules, per matrix: ``total-row`` (each row's ``Итого`` over its
    territory cells); on ``Обращения`` only, per column in sheet order with
    ``Итого`` last, ``total-group`` (each subtotal over its group's channels)
    then ``total-column``/``total-grand`` (``Всего`` over the channels, by
    group in order of the group's first channel, then the subtotals of the
    groups without channel cells there); last ``total-grand-territories``
    (``Всего``/``Итого`` over the territories' ``Всего``).

    Args:
        figures: The batch's figures (all of them, or those of some submissions).

    Returns:
        The candidates and their parts; a candidate is checked only where
        :func:`comparisons` finds its stated figure and all its parts readable.
    """
    r = relevant(figures, _MATRIX_COLUMNS)
    stated_text = r["stated"]
    frame = pd.DataFrame(
        {
            "submission": r["submission"].to_numpy(),
            "sheet": r["sheet"].to_numpy(),
            "label": r["label"].to_numpy(),
            "territory": r["territory"].to_numpy(),
            "value": r["value"].to_numpy(dtype=float),
            "cell": r["cell"].to_numpy(),
            # As the cell was kept for the message: its text, ``nan`` where none was read.
            "stated_text": (
                stated_text.astype(object).map(str) if stated_text.hasnans else stated_text
            ).to_numpy(),
            "empty": (r["form"] == "empty").to_numpy(),
            "kind": r["row_kind"].to_numpy(),
            "group": r["group"].to_numpy(),
        }
    )
    frame["g"] = frame.groupby(["submission", "sheet"], sort=False, dropna=False).ngroup()
    frame["lab"] = frame.groupby(["g", "label"], sort=False, dropna=False).ngroup()
    frame["ter"] = frame.groupby(["g", "territory"], sort=False, dropna=False).ngroup()
    last = frame.drop_duplicates(["g", "label"], keep="last")[["g", "label", "kind", "group"]]
    cells = (
        frame[~frame["empty"]]
        .drop(columns=["kind", "group", "empty"])
        .drop_duplicates(["g", "label", "territory"], keep="last")
        .merge(last, on=["g", "label"], how="left")
    )
    cells["is_total"] = cells["territory"] == vocab.TOTAL_COLUMN
    cells["col"] = np.where(cells["is_total"], _LAST, cells["ter"])
    grand = cells["label"] == vocab.GRAND_TOTAL
    appeals = cells[cells["sheet"] == vocab.APPEALS]
    channels = appeals[appeals["kind"] == ROW_CHANNEL]
    channels = channels.assign(
        first=channels.groupby(["g", "territory", "group"], dropna=False)["lab"].transform("min")
    )
    subtotals = appeals[appeals["kind"] == ROW_GROUP]
    grands = appeals[appeals["label"] == vocab.GRAND_TOTAL]
    not_total = cells[~cells["is_total"]]
    present = channels[["g", "territory", "group"]].drop_duplicates()
    alone = subtotals.merge(present, on=["g", "territory", "group"], how="left", indicator=True)
    alone = alone[(alone["_merge"] == "left_only").to_numpy()].assign(first=0)

    head_columns = [
        "g",
        "submission",
        "sheet",
        "label",
        "territory",
        "group",
        "cell",
        "value",
        "stated_text",
    ]
    every = pd.concat(
        [
            cells[cells["is_total"] & ~grand][head_columns].assign(
                rule="total-row", phase=0, col=0, item=cells["lab"]
            ),
            subtotals[head_columns].assign(
                rule="total-group", phase=1, col=subtotals["col"], item=subtotals["lab"]
            ),
            grands[head_columns].assign(
                rule=np.where(grands["is_total"], "total-grand", "total-column"),
                phase=1,
                col=grands["col"],
                item=_LAST,
            ),
            grands[grands["is_total"]][head_columns].assign(
                rule="total-grand-territories", phase=2, col=0, item=0
            ),
        ],
        ignore_index=True,
    )
    every = every.sort_values(["g", "phase", "col", "item"], kind="stable", ignore_index=True)
    every["head"] = np.arange(len(every))
    every = every.rename(columns={"territory": "column", "value": "stated"})

    def parts(rules: list[str], candidates: pd.DataFrame, on: list[str], name: str) -> pd.DataFrame:
        mine = every[every["rule"].isin(rules)].rename(columns={"column": "territory"})
        mine = mine[["head", *on]]
        joined = mine.merge(
            candidates[[*on, name, "value", "cell", "stated_text", "lab", "ter", "first"]].rename(
                columns={name: "name"}
            ),
            on=on,
        )
        return joined[["head", "name", "value", "cell", "stated_text", "lab", "ter", "first"]]

    on_row = ["g", "label"]
    row_parts = parts(["total-row"], not_total.assign(first=0), on_row, "territory")
    territory_parts = parts(
        ["total-grand-territories"], not_total.assign(first=0), on_row, "territory"
    )
    group_parts = parts(["total-group"], channels, ["g", "territory", "group"], "label")
    grand_rules = ["total-column", "total-grand"]
    channel_parts = parts(grand_rules, channels, ["g", "territory"], "label")
    alone_parts = parts(grand_rules, alone, ["g", "territory"], "label")
    by_territory = pd.concat([row_parts, territory_parts], ignore_index=True)
    by_label = group_parts
    # The sum takes a column's channels group by group (in the order each group's first
    # channel comes), the engine's columns in sheet order; groups given by subtotal only last.
    all_parts = pd.concat(
        [
            by_territory.assign(cmp_1=0, cmp_2=by_territory["ter"], cmp_3=0),
            by_label.assign(cmp_1=0, cmp_2=by_label["lab"], cmp_3=0),
            channel_parts.assign(cmp_1=0, cmp_2=channel_parts["first"], cmp_3=channel_parts["lab"]),
            alone_parts.assign(cmp_1=1, cmp_2=alone_parts["lab"], cmp_3=0),
        ],
        ignore_index=True,
    )
    all_parts["suite_1"] = all_parts["cmp_1"]
    all_parts["suite_2"] = np.where(
        all_parts["head"].isin(every["head"][every["rule"].isin(grand_rules)]),
        all_parts["lab"],
        all_parts["cmp_2"],
    )
    return Layout(
        heads=every.drop(columns=["group", "phase", "col", "item"]),
        parts=all_parts.drop(columns=["lab", "ter", "first"]),
    )


def _wide(
    parts: pd.DataFrame, heads: np.ndarray, order: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Spread the parts of the given heads into one row per head, in ``order``.

    Args:
        parts: The layout's parts.
        heads: The heads wanted, one per output row.
        order: The part columns that order a head's parts.

    Returns:
        The values (0 where a head has fewer parts than the widest) and the
        cells (``""`` there), one row per head.
    """
    row_of = pd.Series(np.arange(len(heads)), index=heads)
    mine = parts[parts["head"].isin(row_of.index)].sort_values(["head", *order], kind="stable")
    at = row_of.loc[mine["head"].to_numpy()].to_numpy()
    position = mine.groupby("head", sort=False).cumcount().to_numpy()
    width = int(position.max()) + 1 if len(position) else 0
    values = np.zeros((len(heads), width))
    values[at, position] = mine["value"].to_numpy(dtype=float)
    cells = np.full((len(heads), width), "", dtype=object)
    cells[at, position] = mine["cell"].to_numpy(dtype=object)
    return values, cells


def comparisons(tables: Tables) -> pd.DataFrame:
    """Build the comparison table of every total the batch states.

    A total is checked where its stated figure reads and it has at least one
    part, none of them unreadable. The sum is taken part by part, left to
    right, as the steward would add them up.

    Args:
        tables: The batch.

    Returns:
        One row per checkable total: ``stated``, ``computed``, the cell, the
        rule id, and the parts' cells.
    """
    lay = laid_out(tables.figures)
    heads, parts = lay.heads, lay.parts
    n = len(heads)
    part_heads = parts["head"].to_numpy()
    count = np.bincount(part_heads, minlength=n)
    unreadable = np.bincount(part_heads, weights=parts["value"].isna().to_numpy(), minlength=n)
    chosen = heads[heads["stated"].notna().to_numpy() & (count > 0) & (unreadable == 0)]
    values, cells = _wide(parts, chosen["head"].to_numpy(), ["cmp_1", "cmp_2", "cmp_3"])
    computed = np.zeros(len(chosen))
    joined = cells[:, 0] if cells.shape[1] else np.full(len(chosen), "", dtype=object)
    for j in range(cells.shape[1]):
        computed = computed + values[:, j]
        if j:
            joined = np.where(cells[:, j] != "", joined + " " + cells[:, j], joined)
    return pd.DataFrame(
        {
            ROW_ID: np.arange(len(chosen)),
            "submission": chosen["submission"].to_numpy(),
            "sheet": chosen["sheet"].to_numpy(),
            "cell": chosen["cell"].to_numpy(),
            "rule": chosen["rule"].to_numpy(),
            "stated": chosen["stated"].to_numpy(dtype=float),
            "computed": computed,
            "label": chosen["label"].to_numpy(),
            "column": chosen["column"].to_numpy(),
            "stated_text": chosen["stated_text"].to_numpy(),
            "parts_cells": joined,
        },
        columns=list(COLUMNS),
    )


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
    if bad.empty:
        return out
    figures = tables.figures
    lay = layout(figures[figures["submission"].isin(set(bad["submission"]))])
    heads = bad[KEY].merge(lay.heads[[*KEY, "head"]], on=KEY, how="left")["head"].to_numpy()
    ranked = lay.parts.sort_values(["head", "cmp_1", "cmp_2", "cmp_3"], kind="stable")
    shown: dict[int, list[tuple[str, float, str]]] = {int(h): [] for h in heads}
    for head, name, value, text in zip(
        ranked["head"], ranked["name"], ranked["value"], ranked["stated_text"], strict=True
    ):
        if head in shown:
            shown[head].append((str(name), float(value), str(text)))
    for row, head in zip(records(bad), heads, strict=True):
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
                parts=_parts_text(shown[int(head)]),
                difference=_signed(row["stated"] - row["computed"]),
                locus=(row["label"], row["column"]),
            )
        )
    return out


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
    lay = laid_out(tables.figures)
    heads = table[KEY].merge(lay.heads[[*KEY, "head"]], on=KEY, how="left")["head"]
    values, _ = _wide(lay.parts, heads.to_numpy(), ["suite_1", "suite_2"])
    width = max(values.shape[1], 1)
    parts = [f"part_{i + 1:02d}" for i in range(width)]
    wide = pd.DataFrame(
        # A missing part is 0, and so is -0 (the parts are added as ``value or 0``).
        np.where(values == 0, 0.0, values) if values.shape[1] else np.zeros((len(table), 1)),
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

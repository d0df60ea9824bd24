"""Family ``structure``, the part that needs the whole table: counts and territories.

The reader reports what it cannot place (files, sheets, headers, labels);
here are the rules on the values it placed: ``count-invalid`` (a count must
be a whole non-negative number) and ``territory-unknown`` (a territory in
``Время`` that ``Обращения`` does not name).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.findings import Finding, make
from checks.reader import UNIT_COUNT
from checks.tables import Tables
from checks.text import normalize
from checks.values import INVALID


class CountFigures(pa.DataFrameModel):
    """Counts: readable, whole and non-negative."""

    value: Series[float] = pa.Field(nullable=True)
    form: Series[str]

    @pa.dataframe_check(name="count-invalid")
    def count_invalid(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """A count is a whole number from zero up."""
        value = df["value"]
        whole = value.isna() | ((value >= 0) & (value % 1 == 0))
        return (df["form"] != INVALID) & whole


def select(tables: Tables) -> pd.DataFrame:
    """Return the batch's counts (the rows :class:`CountFigures` validates)."""
    f = tables.figures
    return f[(f["unit"] == UNIT_COUNT) & f["known"]]


def findings(frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables) -> list[Finding]:
    """Report invalid counts, then territories of ``Время`` unknown to ``Обращения``.

    Args:
        frame: The validated counts.
        failed: Check name → failing index labels.
        tables: The batch.

    Returns:
        The findings.
    """
    out: list[Finding] = []
    for idx in sorted(failed.get("count-invalid", set())):
        row = frame.loc[idx]
        if row["form"] == INVALID:
            why = f" ({row['reason']})"
        elif row["value"] < 0:
            why = " (указано отрицательное)"
        else:
            why = " (указано дробное)"
        out.append(
            make(
                "count-invalid",
                tables.sources[row["submission"]],
                sheet=row["sheet"],
                cell=row["cell"],
                actual=row["stated"],
                stated=row["stated"],
                why=why,
                locus=(row["label"], row["territory"], row["metric"], row["month"]),
            )
        )
    return out + territory_unknown(tables)


def territory_unknown(tables: Tables) -> list[Finding]:
    """Report each territory named in ``Время`` but absent from ``Обращения``'s header.

    Args:
        tables: The batch.

    Returns:
        One warning per row naming such a territory.
    """
    rows = tables.time_rows
    rows = rows[rows["territory"] != ""]
    with_appeals = [sub for sub, sheets in tables.sheets.items() if vocab.APPEALS in sheets]
    rows = rows[rows["submission"].isin(with_appeals)]
    if rows.empty:
        return []
    names = pd.Series(rows["territory"].unique())
    keys = pd.Series(names.map(normalize).to_numpy(), index=names.to_numpy())
    headers = pd.DataFrame(
        [
            (sub, normalize(t))
            for sub in rows["submission"].unique()
            for t in tables.territories.get(sub, [])
        ],
        columns=["submission", "key"],
    ).drop_duplicates()
    named = pd.DataFrame(
        {
            "submission": rows["submission"].to_numpy(),
            "key": keys.loc[rows["territory"].to_numpy()].to_numpy(),
        }
    ).merge(headers, on=["submission", "key"], how="left", indicator=True)
    unknown = rows[(named["_merge"] == "left_only").to_numpy()]
    return [
        make(
            "territory-unknown",
            tables.sources[sub],
            sheet=vocab.TIMES,
            cell=cell,
            actual=territory,
            territory=territory,
            locus=(territory, cell),
        )
        for sub, territory, cell in zip(
            unknown["submission"], unknown["territory"], unknown["territory_cell"], strict=True
        )
    ]

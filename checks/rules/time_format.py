"""Family ``time-format``: every duration reads, and is plausible for its channel.

Rules: ``time-unparsed`` (a duration that does not read), ``time-out-of-range``
(below zero, or a day or more where a person serves the customer on the
spot: written and interactive channels answer in days) and ``time-two-part``
(``м:сс`` text in a column that elsewhere holds ``ч:мм:сс``: the steward should
know it was read as minutes and seconds).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.findings import Finding, cell_sort_key, make
from checks.reader import METRIC_SERVICE, METRIC_WAITING, UNIT_SECONDS
from checks.tables import Tables
from checks.text import fmt_seconds
from checks.values import HMS, INVALID, MS

DAY = 86400.0
MAX_CELLS_SHOWN = 12
METRIC_NAMES = {METRIC_WAITING: "Ожидание", METRIC_SERVICE: "Обслуживание"}


class DurationFigures(pa.DataFrameModel):
    """Durations of ``Время``: readable, non-negative, under a day on the spot."""

    value: Series[float] = pa.Field(nullable=True)
    value_max: Series[float] = pa.Field(nullable=True)
    form: Series[str]
    channel: Series[str]

    @pa.dataframe_check(name="time-unparsed")
    def time_unparsed(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """A duration reads in one of the contract's forms."""
        return df["form"] != INVALID

    @pa.dataframe_check(name="time-out-of-range")
    def time_out_of_range(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """No duration is negative; none on a spot channel reaches 24 hours."""
        return plausible(df)

    @pa.dataframe_check(name="time-two-part")
    def time_two_part(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """Two-part text is not mixed into a column of three-part text."""
        has_hms = (df["form"] == HMS).groupby([df["submission"], df["metric"]]).transform("any")
        return ~((df["form"] == MS) & has_hms)


def plausible(durations: pd.DataFrame) -> pd.Series:
    """Mark the durations that can be right: not negative, under a day on the spot.

    Args:
        durations: Rows with ``value``, ``value_max`` and ``channel``.

    Returns:
        ``True`` where the duration is plausible for its channel.
    """
    negative = durations["value"] < 0
    on_spot = durations["channel"].isin(vocab.ON_THE_SPOT) & (durations["value_max"] >= DAY)
    return ~(negative | on_spot)


def select(tables: Tables) -> pd.DataFrame:
    """Return the batch's durations (the rows :class:`DurationFigures` validates)."""
    f = tables.figures
    return f[(f["unit"] == UNIT_SECONDS) & f["known"]]


def findings(frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables) -> list[Finding]:
    """Turn duration failures into findings at their cells.

    Args:
        frame: The validated durations.
        failed: Check name → failing index labels.
        tables: The batch.

    Returns:
        One finding per failing cell and rule.
    """
    out: list[Finding] = []
    for rule_id in ("time-unparsed", "time-out-of-range"):
        for idx in sorted(failed.get(rule_id, set())):
            row = frame.loc[idx]
            value = row["value"]
            if rule_id == "time-out-of-range":
                why = (
                    "меньше нуля"
                    if value < 0
                    else "не меньше суток, а на этом канале клиента обслуживают сразу"
                )
                expected = "от 0:00:00 до 23:59:59"
            else:
                why = str(row["reason"])
                expected = ""
            out.append(
                make(
                    rule_id,
                    tables.sources[row["submission"]],
                    sheet=vocab.TIMES,
                    cell=row["cell"],
                    expected=expected,
                    actual=row["stated"],
                    metric=METRIC_NAMES.get(row["metric"], row["metric"]),
                    stated=row["stated"],
                    channel=row["channel"],
                    why=why,
                    seconds=fmt_seconds(value) if not pd.isna(value) else "",
                    locus=(row["channel"], row["territory"], row["month"], row["metric"]),
                )
            )
    return out + two_part_findings(frame, failed.get("time-two-part", set()), tables)


def two_part_findings(frame: pd.DataFrame, failed: set[Any], tables: Tables) -> list[Finding]:
    """Report two-part times once per column of a submission, listing the cells.

    One warning says what the steward needs (these cells were read as
    minutes:seconds), at the column's first such cell; a warning per cell
    would repeat it (24 times in the Donetsk seed).

    Args:
        frame: The validated durations.
        failed: Index labels of the two-part cells in three-part columns.
        tables: The batch.

    Returns:
        One ``time-two-part`` warning per submission and column.
    """
    out: list[Finding] = []
    if not failed:
        return out
    rows = frame.loc[sorted(failed)]
    for (sub, metric), column in rows.groupby(["submission", "metric"], sort=False):
        ordered = column.assign(_order=column["cell"].map(cell_sort_key)).sort_values("_order")
        first = ordered.iloc[0]
        cells = list(ordered["cell"])
        shown = ", ".join(cells[:MAX_CELLS_SHOWN])
        if len(cells) > MAX_CELLS_SHOWN:
            shown += f" … +{len(cells) - MAX_CELLS_SHOWN}"
        out.append(
            make(
                "time-two-part",
                tables.sources[str(sub)],
                sheet=vocab.TIMES,
                cell=str(first["cell"]),
                expected=fmt_seconds(first["value"]),
                actual=str(first["stated"]),
                metric=METRIC_NAMES.get(str(metric), str(metric)),
                count=len(cells),
                cells=shown,
                stated=first["stated"],
                seconds=fmt_seconds(first["value"]),
                locus=(metric,),
            )
        )
    return out

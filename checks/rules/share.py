"""Family ``share``: complaint percentages against the counts they come from.

The stated share S, given with d decimals (as written, or as the percent
format shows it), is checked against C = 100 × complaints / appeals of the
same column (appeals: that column's ``Всего`` in ``Обращения``).
|C − S| ≤ ½·10⁻ᵈ is consistent (rounded); 0 < C − S < 10⁻ᵈ is consistent
with a figure cut rather than rounded (``share-truncated``, a warning);
anything else is ``share-mismatch``. Both together say S must lie in
(C − 10⁻ᵈ, C + ½·10⁻ᵈ]: the comparison table carries those bounds, and the
suite checks them. Where the appeals total is not reported the share cannot
be checked, and ``share-unverifiable`` says so. Complaints may not exceed
appeals, nor legal-entity complaints the complaints.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.engines import ROW_ID, Suite
from checks.findings import Finding, make
from checks.reader import METRIC_APPEALS, METRIC_COMPLAINTS, METRIC_LEGAL, METRIC_SHARE
from checks.tables import Tables, is_missing, records
from checks.text import fmt_decimal, fmt_int, normalize, plain_number
from checks.values import INVALID

SHARES = "share"
BOUNDS = "share_bounds"
#: Float slack so that a share exactly on a rounding boundary is not flagged.
EPSILON = 1e-9


class ShareFigures(pa.DataFrameModel):
    """Stated shares: readable, and a percent between 0 and 100."""

    value: Series[float] = pa.Field(nullable=True)
    form: Series[str]

    @pa.dataframe_check(name="share-invalid")
    def share_invalid(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805 (pandera's classmethod)
        """A share reads as a number from 0 to 100 %."""
        readable = df["form"] != INVALID
        in_range = df["value"].isna() | df["value"].between(0, 100)
        return readable & in_range


def select(tables: Tables) -> pd.DataFrame:
    """Return the stated shares of the batch (the rows :class:`ShareFigures` validates)."""
    f = tables.figures
    return f[(f["metric"] == METRIC_SHARE) & f["known"]]


def domain_findings(
    frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables
) -> list[Finding]:
    """Turn ``share-invalid`` failures into findings.

    Args:
        frame: The validated share figures.
        failed: Check name → failing index labels.
        tables: The batch.

    Returns:
        One finding per unreadable or out-of-range share.
    """
    out = []
    for idx in sorted(failed.get("share-invalid", set())):
        row = frame.loc[idx]
        why = f": {row['reason']}" if row["form"] == INVALID else ": доля должна быть от 0 до 100 %"
        out.append(
            make(
                "share-invalid",
                tables.sources[row["submission"]],
                sheet=vocab.COMPLAINTS,
                cell=row["cell"],
                actual=row["stated"],
                stated=row["stated"],
                why=why,
                locus=(row["territory"], row["metric"]),
            )
        )
    return out


class _Cell:
    """One matrix figure: value (``None`` if unreadable), cell, form, column, decimals."""

    __slots__ = ("cell", "column", "decimals", "form", "value")

    def __init__(self, value: Any, cell: str, form: str, column: str, decimals: Any) -> None:
        self.value = None if is_missing(value) else float(value)
        self.cell = cell
        self.form = form
        self.column = column
        self.decimals = 0 if is_missing(decimals) else int(decimals)


def _index(frame: pd.DataFrame) -> dict[tuple[str, str, str], _Cell]:
    return {
        (sub, metric, normalize(territory)): _Cell(v, cell, form, territory, d)
        for sub, metric, territory, v, cell, form, d in zip(
            frame["submission"],
            frame["metric"],
            frame["territory"],
            frame["value"],
            frame["cell"],
            frame["form"],
            frame["decimals"],
            strict=True,
        )
    }


def _why_unverifiable(
    tables: Tables, sub: str, column: str, appeals: _Cell | None, complaints: _Cell | None
) -> str:
    if vocab.APPEALS not in tables.sheets.get(sub, set()):
        return "в книге нет листа «Обращения», число обращений неизвестно"
    if appeals is None or appeals.value is None:
        return f"на листе «Обращения» не указано «Всего» в столбце «{column}»"
    if appeals.value == 0:
        return f"на листе «Обращения» «Всего» в столбце «{column}» равно 0"
    if complaints is None or complaints.value is None:
        return "не указано число претензий и жалоб"
    return ""


def comparisons(tables: Tables) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """Build the share and bound comparison tables, and the unverifiable shares.

    Args:
        tables: The batch.

    Returns:
        (table name → comparison table, ``share-unverifiable`` findings).
    """
    f = tables.figures
    complaints = f[(f["sheet"] == vocab.COMPLAINTS) & f["known"] & (f["form"] != "empty")]
    appeals = f[
        (f["sheet"] == vocab.APPEALS)
        & f["known"]
        & (f["metric"] == METRIC_APPEALS)
        & (f["label"] == vocab.GRAND_TOTAL)
        & (f["form"] != "empty")
    ]
    figures = _index(complaints)
    totals = {(sub, t): cell for (sub, _, t), cell in _index(appeals).items()}
    shares: list[dict[str, Any]] = []
    bounds: list[dict[str, Any]] = []
    unverifiable: list[Finding] = []
    for (sub, metric, key), fig in figures.items():
        appeals_cell = totals.get((sub, key))
        complaints_cell = figures.get((sub, METRIC_COMPLAINTS, key))
        upper = {
            METRIC_COMPLAINTS: (appeals_cell, "share-complaints-exceed-appeals"),
            METRIC_LEGAL: (complaints_cell, "share-legal-exceed-complaints"),
        }.get(metric)
        if upper and fig.value is not None and upper[0] and upper[0].value is not None:
            bounds.append(
                {
                    ROW_ID: len(bounds),
                    "submission": sub,
                    "cell": fig.cell,
                    "rule": upper[1],
                    "stated": fig.value,
                    "bound": upper[0].value,
                    "column": fig.column,
                }
            )
        if metric != METRIC_SHARE or fig.value is None or fig.form == INVALID:
            continue
        if not 0 <= fig.value <= 100:
            continue  # share-invalid says so; a comparison would only repeat it
        why = _why_unverifiable(tables, sub, fig.column, appeals_cell, complaints_cell)
        if why or appeals_cell is None or complaints_cell is None:
            unverifiable.append(
                make(
                    "share-unverifiable",
                    tables.sources[sub],
                    sheet=vocab.COMPLAINTS,
                    cell=fig.cell,
                    actual=plain_number(fig.value),
                    column=fig.column,
                    stated=fmt_decimal(fig.value, fig.decimals),
                    why=why,
                    locus=(fig.column, metric),
                )
            )
            continue
        computed = 100 * (complaints_cell.value or 0.0) / (appeals_cell.value or 1.0)
        unit = 10.0**-fig.decimals
        shares.append(
            {
                ROW_ID: len(shares),
                "submission": sub,
                "cell": fig.cell,
                "column": fig.column,
                "stated": fig.value,
                "computed": computed,
                "decimals": fig.decimals,
                "complaints": complaints_cell.value,
                "appeals": appeals_cell.value,
                "cut_low": computed - unit + EPSILON,
                "round_low": computed - unit / 2 - EPSILON,
                "round_high": computed + unit / 2 + EPSILON,
            }
        )
    share_columns = [
        ROW_ID,
        "submission",
        "cell",
        "column",
        "stated",
        "computed",
        "decimals",
        "complaints",
        "appeals",
        "cut_low",
        "round_low",
        "round_high",
    ]
    bound_columns = [ROW_ID, "submission", "cell", "rule", "stated", "bound", "column"]
    return (
        {
            SHARES: pd.DataFrame(shares, columns=share_columns),
            BOUNDS: pd.DataFrame(bounds, columns=bound_columns),
        },
        unverifiable,
    )


def expectations() -> dict[str, list[Any]]:
    """Return the suites: the share within its bounds, the parts within their totals.

    The share's bounds come from a division the family makes (C = 100 ×
    complaints / appeals); the counts' bounds are stated figures, compared
    as they are. Bound failures are read under ``share-bound``.

    Returns:
        Table name → expectations tagged with their rule ids.
    """
    import great_expectations as gx

    from checks.engines import described, where_rule

    pair = gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB
    mismatch = (
        "доля претензий и жалоб S, указанная с d знаками, сходится с C = 100 × complaints / "
        "appeals того же столбца: округлена (|C − S| ≤ ½·10⁻ᵈ) или усечена (0 < C − S < 10⁻ᵈ)"
    )
    return {
        SHARES: [
            pair(
                column_A="stated",
                column_B="cut_low",
                or_equal=True,
                description=described(
                    "share-mismatch", f"{mismatch}: S не меньше cut_low = C − 10⁻ᵈ."
                ),
                meta={"rule": "share-mismatch"},
            ),
            pair(
                column_A="round_high",
                column_B="stated",
                or_equal=True,
                description=described(
                    "share-mismatch", f"{mismatch}: S не больше round_high = C + ½·10⁻ᵈ."
                ),
                meta={"rule": "share-mismatch"},
            ),
            pair(
                column_A="stated",
                column_B="round_low",
                or_equal=True,
                description=described(
                    "share-truncated",
                    "доля S округлена, а не усечена: S не меньше round_low = C − ½·10⁻ᵈ "
                    "(строка, не прошедшая и share-mismatch, — ошибка share-mismatch).",
                ),
                meta={"rule": "share-truncated"},
            ),
        ],
        BOUNDS: [
            pair(
                column_A="bound",
                column_B="stated",
                or_equal=True,
                row_condition=where_rule(rule_id),
                description=described(rule_id, meaning),
                meta={"rule": rule_id, "key": "share-bound"},
            )
            for rule_id, meaning in (
                (
                    "share-complaints-exceed-appeals",
                    "претензий и жалоб (stated) не больше, чем обращений «Всего» "
                    "того же столбца на листе «Обращения» (bound).",
                ),
                (
                    "share-legal-exceed-complaints",
                    "претензий и жалоб от юридических лиц (stated) не больше, "
                    "чем всех претензий и жалоб того же столбца (bound).",
                ),
            )
        ],
    }


def findings(
    tables_cmp: dict[str, pd.DataFrame], failed: dict[str, dict[str, set[int]]], tables: Tables
) -> list[Finding]:
    """Turn the failing share and bound rows into findings.

    Args:
        tables_cmp: The comparison tables.
        failed: Table name → rule id → failing row ids.
        tables: The batch.

    Returns:
        ``share-mismatch`` errors, ``share-truncated`` warnings and bound errors.
    """
    out: list[Finding] = []
    share_failed = failed.get(SHARES, {})
    mismatch = share_failed.get("share-mismatch", set())
    truncated = share_failed.get("share-truncated", set()) - mismatch
    table = tables_cmp[SHARES]
    for rule_id, ids in (("share-mismatch", mismatch), ("share-truncated", truncated)):
        for row in records(table[table[ROW_ID].isin(ids)]):
            d = int(row["decimals"])
            out.append(
                make(
                    rule_id,
                    tables.sources[row["submission"]],
                    sheet=vocab.COMPLAINTS,
                    cell=row["cell"],
                    expected=f"{row['computed']:.{d}f}",
                    actual=plain_number(row["stated"]),
                    column=row["column"],
                    stated=fmt_decimal(row["stated"], d),
                    computed=fmt_decimal(row["computed"], max(d + 2, 2)),
                    complaints=fmt_int(row["complaints"]),
                    appeals=fmt_int(row["appeals"]),
                    tolerance=fmt_decimal(0.5 * 10.0**-d, d + 1),
                    decimals=d,
                    locus=(row["column"],),
                )
            )
    bounds = tables_cmp[BOUNDS]
    bound_failed = failed.get(BOUNDS, {}).get("share-bound", set())
    for row in records(bounds[bounds[ROW_ID].isin(bound_failed)]):
        out.append(
            make(
                row["rule"],
                tables.sources[row["submission"]],
                sheet=vocab.COMPLAINTS,
                cell=row["cell"],
                expected=f"≤ {plain_number(row['bound'])}",
                actual=plain_number(row["stated"]),
                column=row["column"],
                stated=fmt_int(row["stated"]),
                bound=fmt_int(row["bound"]),
                locus=(row["column"], row["rule"]),
            )
        )
    return out


def suites(tables_cmp: dict[str, pd.DataFrame]) -> list[Suite]:
    """Build the Great Expectations tables of the family: shares and bounds.

    Args:
        tables_cmp: The comparison tables of :func:`comparisons`.

    Returns:
        The two suites, each table with ``sheet`` added (all on ``Жалобы``).
    """
    suites = expectations()
    titles = {
        SHARES: "Жалобы: указанная доля и доля, вычисленная по числам",
        BOUNDS: "Жалобы: число и его предел (обращения, все жалобы)",
    }
    return [
        Suite(name, tables_cmp[name].assign(sheet=vocab.COMPLAINTS), suites[name], titles[name])
        for name in (SHARES, BOUNDS)
    ]

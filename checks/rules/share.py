"""Family ``share``: complaint percentages against the counts they come from.

The stated share S, given with d decimals (as written, or as the percent
format shows it), is checked against C = 100 × complaints / appeals of the
same column (appeals: that column's ``Всего`` in ``Обращения``).
|C − S| ≤ ½·10⁻ᵈ is consistent (rounded); 0 < C − S < 10⁻ᵈ is consistent
with a figure cut rather than rounded (``share-truncated``, a warning);
anything else is ``share-mismatch``. Both together say S must lie in
(C − 10⁻ᵈ, C + ½·10⁻ᵈ]: the comparison table carries those bounds, and the
suite checks them. S is the decimal as written or as Excel shows it, and the
bounds are worked out exactly (fractions, not binary floats); each bound
column holds the float nearest the exact bound that orders against the
stated float as the exact bound orders against S, so the engine's float
comparison gives the exact verdict, even on a boundary. Where the appeals
total is not reported the share cannot be checked, and
``share-unverifiable`` says so. Complaints may not exceed
appeals, nor legal-entity complaints the complaints.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.engines import ROW_ID, Suite
from checks.findings import Finding, make
from checks.i18n import Bilingual, en
from checks.reader import METRIC_APPEALS, METRIC_COMPLAINTS, METRIC_LEGAL, METRIC_SHARE
from checks.tables import Tables, is_missing, records
from checks.text import fmt_decimal, fmt_number, normalize, plain_number
from checks.values import INVALID

SHARES = "share"
BOUNDS = "share_bounds"
OK = "ok"
TRUNCATED = "truncated"
MISMATCH = "mismatch"


def exact(value: float) -> Fraction:
    """Return the decimal a float was read from, as a fraction (0.1 is 1/10, not 0.1000…0555).

    Args:
        value: A figure read from a cell (a share as shown, a count).

    Returns:
        Its shortest decimal representation, exactly.
    """
    return Fraction(Decimal(repr(float(value))))


def share_verdict(complaints: Fraction, appeals: Fraction, stated: Fraction, decimals: int) -> str:
    """Judge a stated share against the counts it comes from, exactly.

    Args:
        complaints: The complaints of the column.
        appeals: The appeals of the column (not zero).
        stated: The share S as written or shown, in percent.
        decimals: The decimals d it is given with.

    Returns:
        ``ok`` when |C − S| ≤ ½·10⁻ᵈ, ``truncated`` when 0 < C − S < 10⁻ᵈ
        otherwise, ``mismatch`` for anything else (C = 100 × complaints / appeals).
    """
    computed = 100 * complaints / appeals
    unit = Fraction(1, 10**decimals)
    if abs(computed - stated) <= unit / 2:
        return OK
    if 0 < computed - stated < unit:
        return TRUNCATED
    return MISMATCH


def _float_bound(bound: Fraction, stated: Fraction, upper: bool) -> float:
    """The float of ``bound`` that orders against ``float(stated)`` as ``bound`` does against S.

    Args:
        bound: The exact bound.
        stated: The exact stated share.
        upper: ``True`` for an upper bound (S ≤ bound holds), else a lower one (S ≥ bound).

    Returns:
        ``float(bound)``, or the stated float itself (or its neighbour) where
        binary rounding would put them on the wrong side of each other.
    """
    value, near = float(bound), float(stated)
    holds = stated <= bound if upper else stated >= bound
    if upper:
        if holds and value < near:
            return near
        if not holds and value >= near:
            return math.nextafter(near, -math.inf)
    else:
        if holds and value > near:
            return near
        if not holds and value <= near:
            return math.nextafter(near, math.inf)
    return value


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
        if row["form"] == INVALID:
            why = Bilingual(
                f"не читается как процент: {row['reason']}",
                f"does not read as a percentage: {en(str(row['reason']))}",
            )
        else:
            read = fmt_decimal(row["value"], 0 if is_missing(row["decimals"]) else row["decimals"])
            why = Bilingual(
                f"читается как {read} %, а доля должна быть от 0 до 100 %",
                f"reads as {read} %, but a share must be from 0 to 100 %",
            )
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


def share_bounds(
    complaints: Fraction, appeals: Fraction, stated: Fraction, decimals: int
) -> dict[str, Any]:
    """Return the comparison row's bound columns and the exact verdict.

    The suite passes a share when ``stated ≥ cut_low`` and ``round_high ≥
    stated`` (else ``share-mismatch``) and, of those, flags ``stated <
    round_low`` as ``share-truncated``. Compared as floats, these columns
    give exactly :func:`share_verdict`'s answer.

    Args:
        complaints: The complaints of the column.
        appeals: The appeals of the column (not zero).
        stated: The share S as written or shown.
        decimals: The decimals d it is given with.

    Returns:
        ``cut_low``, ``round_low``, ``round_high`` (floats) and ``verdict``.
    """
    computed = 100 * complaints / appeals
    unit = Fraction(1, 10**decimals)
    near = float(stated)
    # S > C − 10⁻ᵈ is strict: on the bound itself the float just above it is the limit.
    cut_low = (
        math.nextafter(near, math.inf)
        if stated == computed - unit
        else _float_bound(computed - unit, stated, upper=False)
    )
    return {
        "cut_low": cut_low,
        "round_low": _float_bound(computed - unit / 2, stated, upper=False),
        "round_high": _float_bound(computed + unit / 2, stated, upper=True),
        "verdict": share_verdict(complaints, appeals, stated, decimals),
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
            bound_sheet = vocab.APPEALS if metric == METRIC_COMPLAINTS else vocab.COMPLAINTS
            bounds.append(
                {
                    ROW_ID: len(bounds),
                    "submission": sub,
                    "cell": fig.cell,
                    "rule": upper[1],
                    "stated": fig.value,
                    "bound": upper[0].value,
                    "column": fig.column,
                    "bound_sheet": bound_sheet,
                    "bound_cell": upper[0].cell,
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
        complaints_n = exact(complaints_cell.value or 0.0)
        appeals_n = exact(appeals_cell.value or 1.0)
        shares.append(
            {
                ROW_ID: len(shares),
                "submission": sub,
                "cell": fig.cell,
                "column": fig.column,
                "stated": fig.value,
                "computed": float(100 * complaints_n / appeals_n),
                "decimals": fig.decimals,
                "complaints": complaints_cell.value,
                "appeals": appeals_cell.value,
                **share_bounds(complaints_n, appeals_n, exact(fig.value), fig.decimals),
                "complaints_cell": complaints_cell.cell,
                "appeals_cell": appeals_cell.cell,
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
        "verdict",
        "complaints_cell",
        "appeals_cell",
    ]
    bound_columns = [
        ROW_ID,
        "submission",
        "cell",
        "rule",
        "stated",
        "bound",
        "column",
        "bound_sheet",
        "bound_cell",
    ]
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
                    complaints=fmt_number(row["complaints"]),
                    appeals=fmt_number(row["appeals"]),
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
                stated=fmt_number(row["stated"]),
                bound=fmt_number(row["bound"]),
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

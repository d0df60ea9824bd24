"""Family ``passport``: who submitted, for which year.

Rules: ``passport-required`` (``Организация`` and ``Отчетный год`` are
given), ``passport-year`` (a whole year, 2000–2100), ``passport-inn`` (10 or
12 digits with valid check digits) and ``passport-date`` (the submission
date reads as a date). A workbook without ``Паспорт`` gets the
``structure`` finding ``passport-missing`` from the reader instead.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.findings import Finding, make
from checks.tables import Tables

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _control(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_problem(inn: str) -> str:
    """Say what is wrong with an INN, or return ``""`` when it is valid.

    Args:
        inn: The INN as text.

    Returns:
        The problem in Russian, or the empty string.
    """
    if not inn.isdigit() or len(inn) not in (10, 12):
        return "нужно 10 цифр (организация) или 12 цифр (предприниматель)"
    if len(inn) == 10 and _control(inn, _W10) != int(inn[9]):
        return "не сходится контрольная цифра"
    if len(inn) == 12 and (
        _control(inn, _W11) != int(inn[10]) or _control(inn, _W12) != int(inn[11])
    ):
        return "не сходятся контрольные цифры"
    return ""


class Passports(pa.DataFrameModel):
    """One row per submission that has a ``Паспорт`` sheet."""

    organisation: Series[str]
    year_stated: Series[str]

    @pa.check("organisation", "year_stated", name="passport-required")
    def passport_required(cls, column: pd.Series) -> pd.Series:  # noqa: N805
        """The organisation and the reporting year are given."""
        return column.str.strip() != ""

    @pa.dataframe_check(name="passport-year")
    def passport_year(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """A stated year is a whole year from 2000 to 2100."""
        stated = df["year_stated"].str.strip() != ""
        return ~stated | df["year"].between(2000, 2100)

    @pa.dataframe_check(name="passport-inn")
    def passport_inn(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """A stated INN has valid length and check digits."""
        inns = pd.Series(df["inn"].unique())
        valid = pd.Series([inn == "" or inn_problem(inn) == "" for inn in inns], index=inns)
        return pd.Series(valid.reindex(df["inn"].to_numpy()).to_numpy(), index=df.index)

    @pa.dataframe_check(name="passport-date")
    def passport_date(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """A stated submission date reads as a date."""
        return (df["date_stated"] == "") | df["date_ok"]


def select(tables: Tables) -> pd.DataFrame:
    """Return the passports of the submissions that have one."""
    p = tables.passports
    return p[p["has_passport"]]


def findings(frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables) -> list[Finding]:
    """Turn passport failures into findings at the value's cell.

    Args:
        frame: The validated passports.
        failed: Check name (``rule@column`` for column checks) → failing labels.
        tables: The batch.

    Returns:
        The passport findings.
    """
    out: list[Finding] = []
    required = (
        ("passport-required@organisation", vocab.KEY_ORGANISATION, "organisation_cell"),
        ("passport-required@year_stated", vocab.KEY_YEAR, "year_cell"),
    )
    for check, key, cell_column in required:
        for idx in sorted(failed.get(check, set())):
            row = frame.loc[idx]
            out.append(
                make(
                    "passport-required",
                    tables.sources[row["submission"]],
                    sheet=vocab.PASSPORT,
                    cell=row[cell_column],
                    key=key,
                    locus=(key,),
                )
            )
    for rule_id, stated_column, cell_column in (
        ("passport-year", "year_stated", "year_cell"),
        ("passport-inn", "inn", "inn_cell"),
        ("passport-date", "date_stated", "date_cell"),
    ):
        for idx in sorted(failed.get(rule_id, set())):
            row = frame.loc[idx]
            stated = str(row[stated_column])
            out.append(
                make(
                    rule_id,
                    tables.sources[row["submission"]],
                    sheet=vocab.PASSPORT,
                    cell=row[cell_column],
                    actual=stated,
                    stated=stated,
                    why=inn_problem(stated) if rule_id == "passport-inn" else "",
                    locus=(stated_column,),
                )
            )
    return out

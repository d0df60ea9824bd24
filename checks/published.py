"""The published contract of ``validated/``: what the reporting teams may rely on.

Before a run publishes its validated tables, they are validated as a Great
Expectations suite of their own (one ephemeral context, every table at once):
the columns, their types, their domains, one row per submission, sheet and
cell in ``figures``, the statuses. A breach means the pipeline built a table
the reporting teams would load wrongly: the publication stops with
:class:`PublicationRefusedError`, whose Russian message lists every breach.
The contract is written out in the README (section "The published contract").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from checks import vocab
from checks.batch import SUBMISSION_COLUMNS, BatchResult
from checks.engines import ROW_KEYS, Outcome, Suite, described, run_suites
from checks.reader import (
    METRIC_APPEALS,
    METRIC_COMPLAINTS,
    METRIC_LEGAL,
    METRIC_SERVICE,
    METRIC_SHARE,
    METRIC_TIME_APPEALS,
    METRIC_WAITING,
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_SECONDS,
)
from checks.registry import RULES

#: The columns of ``validated/figures``, in order.
FIGURES_COLUMNS = (
    "submission",
    "organisation",
    "year",
    "territory",
    "channel",
    "label",
    "period",
    "month",
    "metric",
    "value",
    "value_max",
    "unit",
    "sheet",
    "cell",
    "stated",
    "form",
    "decimals",
    "reason",
    "row_kind",
    "known",
    "rules",
    "status",
)
STATUSES = ("ok", "flagged")
METRICS = (
    METRIC_APPEALS,
    METRIC_COMPLAINTS,
    METRIC_LEGAL,
    METRIC_SHARE,
    METRIC_WAITING,
    METRIC_SERVICE,
    METRIC_TIME_APPEALS,
)
UNITS = (UNIT_COUNT, UNIT_PERCENT, UNIT_SECONDS)
FIGURE_SHEETS = (vocab.APPEALS, vocab.COMPLAINTS, vocab.TIMES)
#: An A1 reference: column letters, then a row number from 1.
CELL_PATTERN = r"^[A-Z]{1,3}[1-9][0-9]*$"
#: ``YYYY`` for a year, ``YYYY-MM`` for a month, ``????-MM`` without a year; or empty.
PERIOD_PATTERN = r"^(?:(?:[0-9]{4}|\?{4})(?:-(?:0[1-9]|1[0-2]))?)?$"
#: The years the reader keeps from a passport (``passport-year`` flags those outside 2000–2100).
YEARS = (1900, 9999)
SHA256_PATTERN = r"^[0-9a-f]{64}$"
COUNT_COLUMNS = ("errors", "warnings", "infos", "waived")


class PublicationRefusedError(RuntimeError):
    """The validated tables breach their published contract: nothing is published.

    Attributes:
        breaches: One Russian line per breach.
    """

    def __init__(self, breaches: Sequence[str]) -> None:
        """Build the message from the breaches.

        Args:
            breaches: One Russian line per breach.
        """
        self.breaches = list(breaches)
        super().__init__(
            "Публикация validated/ остановлена: таблицы не соответствуют договору "
            "для отчётных групп (README, «The published contract»). Нарушения:\n"
            + "\n".join(f"— {line}" for line in self.breaches)
        )


def _rules_pattern() -> str:
    ids = "|".join(re.escape(r) for r in sorted(RULES, key=len, reverse=True))
    return rf"^(?:(?:{ids})(?:,(?:{ids}))*)?$"


def _expect(kind: str, rule: str, meaning: str, **kwargs: Any) -> Any:
    import great_expectations as gx

    cls = getattr(gx.expectations, kind)
    return cls(**kwargs, description=described(rule, meaning), meta={"rule": rule})


def _column_types(types: dict[str, list[str]], rule: str) -> list[Any]:
    return [
        _expect(
            "ExpectColumnValuesToBeInTypeList",
            rule,
            f"столбец {column} — {' или '.join(kinds)}",
            column=column,
            type_list=kinds,
        )
        for column, kinds in types.items()
    ]


def figures_expectations(submissions: Iterable[str]) -> list[Any]:
    """Return the contract of ``validated/figures``.

    Args:
        submissions: The files of ``validated/submissions`` (every figure's file is one).

    Returns:
        The expectations, each tagged ``published-figures``.
    """
    rule = "published-figures"
    whole = ["Int64Dtype"]
    return [
        _expect(
            "ExpectTableColumnsToMatchOrderedList",
            rule,
            "столбцы и их порядок: " + ", ".join(FIGURES_COLUMNS),
            column_list=list(FIGURES_COLUMNS),
        ),
        *_column_types(
            {
                "value": ["float64"],
                "value_max": ["float64"],
                "year": whole,
                "month": whole,
                "decimals": whole,
                "known": ["bool"],
            },
            rule,
        ),
        *[
            _expect(
                "ExpectColumnValuesToNotBeNull",
                rule,
                f"{column} указан в каждой строке",
                column=column,
            )
            for column in ("submission", "sheet", "cell", "metric", "unit", "status", "rules")
        ],
        _expect(
            "ExpectCompoundColumnsToBeUnique",
            rule,
            "одна строка на файл, лист и ячейку (submission, sheet, cell)",
            column_list=["submission", "sheet", "cell"],
        ),
        _expect(
            "ExpectColumnValuesToBeInSet",
            rule,
            "статус — ok или flagged",
            column="status",
            value_set=list(STATUSES),
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "rules — пусто или идентификаторы правил из checks/registry.py через запятую",
            column="rules",
            regex=_rules_pattern(),
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "у статуса ok нет правил (rules пусто)",
            column="rules",
            regex=r"^$",
            row_condition=_where("status", "ok"),
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "у статуса flagged есть хотя бы одно правило",
            column="rules",
            regex=r"^.+$",
            row_condition=_where("status", "flagged"),
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "cell — адрес A1 ячейки (буквы столбца, номер строки)",
            column="cell",
            regex=CELL_PATTERN,
        ),
        _expect(
            "ExpectColumnValuesToBeInSet",
            rule,
            "лист — «Обращения», «Жалобы» или «Время»",
            column="sheet",
            value_set=list(FIGURE_SHEETS),
        ),
        _expect(
            "ExpectColumnValuesToBeInSet",
            rule,
            "показатель — один из: " + ", ".join(METRICS),
            column="metric",
            value_set=list(METRICS),
        ),
        _expect(
            "ExpectColumnValuesToBeInSet",
            rule,
            "единица — count, percent или s",
            column="unit",
            value_set=list(UNITS),
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "период — ГГГГ для года, ГГГГ-ММ для месяца, ????-ММ без года (или пусто)",
            column="period",
            regex=PERIOD_PATTERN,
        ),
        _expect(
            "ExpectColumnValuesToBeBetween",
            rule,
            "отчётный год от 1900 до 9999, как в паспорте (или пусто)",
            column="year",
            min_value=YEARS[0],
            max_value=YEARS[1],
        ),
        _expect(
            "ExpectColumnValuesToBeBetween",
            rule,
            "месяц от 1 до 12 (пусто — годовое значение)",
            column="month",
            min_value=1,
            max_value=12,
        ),
        _expect(
            "ExpectColumnValuesToBeInSet",
            rule,
            "файл каждого числа есть в validated/submissions",
            column="submission",
            value_set=sorted(set(submissions)),
        ),
    ]


def submissions_expectations() -> list[Any]:
    """Return the contract of ``validated/submissions``.

    Returns:
        The expectations, each tagged ``published-submissions``.
    """
    rule = "published-submissions"
    return [
        _expect(
            "ExpectTableColumnsToMatchOrderedList",
            rule,
            "столбцы и их порядок: " + ", ".join(SUBMISSION_COLUMNS),
            column_list=list(SUBMISSION_COLUMNS),
        ),
        _expect(
            "ExpectColumnValuesToBeUnique",
            rule,
            "одна строка на файл",
            column="submission",
        ),
        _expect(
            "ExpectColumnValuesToNotBeNull",
            rule,
            "файл указан в каждой строке",
            column="submission",
        ),
        _expect(
            "ExpectColumnValuesToMatchRegex",
            rule,
            "sha256 — 64 шестнадцатеричные цифры",
            column="sha256",
            regex=SHA256_PATTERN,
        ),
        *[
            _expect(
                "ExpectColumnValuesToBeBetween",
                rule,
                f"{column} — целое число не меньше 0",
                column=column,
                min_value=0,
            )
            for column in COUNT_COLUMNS
        ],
        *_column_types({c: ["int64"] for c in COUNT_COLUMNS}, rule),
        _expect(
            "ExpectColumnValuesToBeBetween",
            rule,
            "отчётный год от 1900 до 9999, как в паспорте (или пусто)",
            column="year",
            min_value=YEARS[0],
            max_value=YEARS[1],
        ),
    ]


def _where(column: str, value: str) -> Any:
    from great_expectations.expectations.row_conditions import Column

    return Column(name=column) == value


def suites(result: BatchResult) -> list[Suite]:
    """Build the published contract's suites over a run's validated tables (all in memory).

    Args:
        result: The run's result, before publication.

    Returns:
        The ``figures`` and ``submissions`` suites.
    """
    return [figures_suite(result, result.figures), submissions_suite(result)]


def figures_suite(result: BatchResult, figures: pd.DataFrame, part: str = "") -> Suite:
    """Build the contract's suite over some of a run's validated figures.

    Args:
        result: The run's result, before publication.
        figures: The figures (a part's, or all).
        part: Which check of the run (``3``), named in the suite's name and title; ``""`` for all.

    Returns:
        The ``figures`` suite.
    """
    # Only this part's files: the same rule (every figure's file is in validated/submissions),
    # without a value set of the whole run in every part's expectation (its size made each
    # part's check grow with the run: 1.6 s instead of 0.5 s a part at 10,000 files).
    known = {str(n) for n in result.submissions.get("submission", [])}
    present = set(figures["submission"].dropna().astype(str)) if "submission" in figures else set()
    names = sorted(known & present) or sorted(known)
    suffix = f".{part.replace('/', '-of-')}" if part else ""
    return Suite(
        f"published_figures{suffix}",
        figures,
        figures_expectations(names),
        title="validated/figures: одно число на строку" + (f" (часть {part})" if part else ""),
        index=ROW_KEYS,
    )


def submissions_suite(result: BatchResult) -> Suite:
    """Build the contract's suite over a run's submissions table.

    Args:
        result: The run's result, before publication.

    Returns:
        The ``submissions`` suite.
    """
    return Suite(
        "published_submissions",
        result.submissions,
        submissions_expectations(),
        title="validated/submissions: один файл на строку",
        index=("submission",),
    )


def _example(row: dict[str, Any], index: Sequence[str]) -> str:
    where = ", ".join(str(row[c]) for c in index if c in row)
    values = ", ".join(f"{c} = {v}" for c, v in row.items() if c not in index)
    return f"{where}: {values}" if values else where


def breaches(outcomes: Sequence[Outcome], index: Mapping[str, Sequence[str]]) -> list[str]:
    """Describe each failed expectation in one Russian line, with examples.

    Args:
        outcomes: What the published contract's expectations found.
        index: Suite name → the columns that identify a row.

    Returns:
        One line per breach: the table, what the contract says, what was found.
    """
    lines = []
    for o in outcomes:
        if o.success:
            continue
        table = o.suite.removeprefix("published_").split(".", 1)[0]
        meaning = o.description.split(": ", 1)[-1]
        if o.rows is None:
            lines.append(f"{table}: {meaning}; получено: {o.observed}")
            continue
        examples = "; ".join(_example(row, index[o.suite]) for row in o.failing[:3])
        more = f" и ещё {len(o.failing) - 3}" if len(o.failing) > 3 else ""
        lines.append(
            f"{table}: {meaning}; не подходят строк: {len(o.failing)} из {o.rows} "
            f"(например: {examples}{more})"
        )
    return lines


def check_published(
    result: BatchResult, data_docs: Path | None = None, *, figures: bool = True
) -> None:
    """Validate the run's tables against the published contract before they are written.

    Args:
        result: The run's result.
        data_docs: Where to add the contract's results to the Data Docs, if anywhere.
        figures: Check the figures too, all at once (in memory); a run that
            writes its figures part by part checks each part with
            :func:`check_figures` instead.

    Raises:
        PublicationRefusedError: A table breaches the contract; its message lists
            every breach in Russian.
    """
    contract = suites(result) if figures else [submissions_suite(result)]
    outcomes = run_suites(contract, "published", data_docs, strict=False)
    if data_docs is not None:
        from checks.datadocs import write_index

        counts = result.findings.groupby("rule").size() if len(result.findings) else pd.Series()
        write_index(data_docs, {str(k): int(v) for k, v in counts.items()})
    found = breaches(outcomes, {s.name: s.index for s in contract})
    if found:
        raise PublicationRefusedError(found)


def check_figures(
    result: BatchResult, figures: pd.DataFrame, part: str = "", data_docs: Path | None = None
) -> list[str]:
    """Validate one part of the run's figures against the published contract.

    Args:
        result: The run's result.
        figures: The part's validated figures.
        part: Which check of the run (``3``); ``""`` when the run has one.
        data_docs: Where to add the results to the Data Docs, if anywhere.

    Returns:
        The breaches found, one Russian line each (none: the part may be published).
    """
    contract = [figures_suite(result, figures, part)]
    # Always with every detail: BOOLEAN_ONLY would save some 0.4 s per 100,000 rows,
    # but Great Expectations then fails to render the page of the column-list check
    # (KeyError 'observed_value', logged as an ERROR on the console) and the auditors'
    # pages lose their row counts.
    outcomes = run_suites(contract, "published", data_docs, strict=False)
    return breaches(outcomes, {s.name: s.index for s in contract})

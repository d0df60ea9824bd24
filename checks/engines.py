"""The two validation engines, run once per batch of submissions.

pandera validates the shape and domain of the tidy tables (lazily, so every
failure is collected). Great Expectations validates one table per rule family
in which each row is one check placed at a cell: where the rule is a sum or a
bound of stated figures it evaluates the rule itself (a multicolumn sum of the
parts and the negated total, a figure against its bound); where the rule
needs a division, a mean or a tolerance, it checks the stated figure against
what the family derived. Every expectation carries a ``description`` (its
rule id and what it means, in Russian) and ``meta`` naming the rule, and the
failing rows come back identified by ``submission``, ``sheet`` and ``cell``
(and the table's ``row_id``). Both engines return the failing rows keyed by
rule; the rule families turn those rows into findings.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

ROW_ID = "row_id"
#: The columns that name a failing row to an auditor: the file, its sheet, the cell.
ROW_KEYS = ("submission", "sheet", "cell")
#: The Data Docs site's name in the Great Expectations context.
SITE = "sverka"


def pandera_failures(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> dict[str, set[Any]]:
    """Validate ``frame`` lazily and return the failing index labels per check.

    Every check of our models is named after the rule id it implements, so
    the result is keyed by rule id (for column checks, ``rule@column``).

    Args:
        model: The pandera model.
        frame: The table to validate.

    Returns:
        Rule id (or ``rule@column``) → index labels of the failing rows.

    Raises:
        RuntimeError: A failure that is not one of our named checks (a wrong
            dtype or a missing column): a bug in the table building, not bad data.
    """
    if frame.empty:
        return {}
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return {}
    failed: dict[str, set[Any]] = defaultdict(set)
    column_checks = {
        name: {getattr(c, "name", None) for c in field.checks}
        for name, field in model.to_schema().columns.items()
    }
    for check, column, index in zip(cases["check"], cases["column"], cases["index"], strict=True):
        name = str(check)
        if name in column_checks.get(str(column), set()):
            failed[f"{name}@{column}"].add(index)
        elif name.startswith(("dtype", "column_in", "not_nullable", "coerce")) or index is None:
            raise RuntimeError(f"table does not fit {model.__name__}: {check} on {column}")
        else:
            failed[name].add(index)
    return dict(failed)


@dataclass(frozen=True, slots=True)
class Suite:
    """One table for Great Expectations and the expectations it must meet.

    Attributes:
        name: The suite's name; results are keyed by it.
        table: The rows to validate; every column of ``index`` is among its columns.
        expectations: Expectations, each with a ``description`` and
            ``meta={"rule": id}`` (and ``"key"`` when the family reads its
            failures under another name than the rule id).
        title: What the table is, in Russian, for the Data Docs index.
        index: The columns that identify a failing row in the results.
    """

    name: str
    table: pd.DataFrame
    expectations: Sequence[Any]
    title: str = ""
    index: tuple[str, ...] = (*ROW_KEYS, ROW_ID)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one expectation found.

    Attributes:
        suite: The suite's name.
        rule: The rule id in the expectation's ``meta``.
        key: The name the rule family reads the failures under.
        description: The expectation's description.
        success: Whether every row met it.
        rows: How many rows it was evaluated on (``None`` for a table-level one).
        failing: The failing rows, as values of the suite's index columns.
        observed: The observed value of a table-level expectation.
    """

    suite: str
    rule: str
    key: str
    description: str
    success: bool
    rows: int | None
    failing: list[dict[str, Any]] = field(default_factory=list)
    observed: Any = None


def run_suites(
    suites: Sequence[Suite], phase: str, data_docs: Path | None = None, *, strict: bool = True
) -> list[Outcome]:
    """Validate every suite in one ephemeral Great Expectations context.

    Args:
        suites: The tables and their expectations; an empty table is not run
            (the Data Docs index says it had no rows).
        phase: The phase's name in the Data Docs index (``rules``, ``published``).
        data_docs: Where to build the Data Docs (for auditors): Great
            Expectations' pages of this phase's results, and our own index
            page (see :mod:`checks.datadocs`); none are built if ``None``.
        strict: Raise when an expectation cannot be evaluated; otherwise it
            fails, its observed value saying why (a missing column is then a
            finding about the table, not a bug).

    Returns:
        One outcome per expectation of every suite run.

    Raises:
        RuntimeError: With ``strict``, an expectation could not be evaluated
            (a missing column, a wrong type): a bug in the table building.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for noisy in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs is not None:
        context.add_data_docs_site(
            site_name=SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    source = context.data_sources.add_pandas(SITE)
    run_id = RunIdentifier(run_name=f"sverka-{phase}", run_time=dt.datetime.now(dt.UTC))
    outcomes: list[Outcome] = []
    for spec in suites:
        if spec.table.empty:
            continue
        asset = source.add_dataframe_asset(spec.name)
        batch = asset.add_batch_definition_whole_dataframe(f"{spec.name}-batch")
        # Given at creation, not one by one: each add_expectation stores the whole suite
        # again. Copies, since a suite takes its expectations over (it gives them an id).
        expectations = [copy.copy(e) for e in spec.expectations]
        suite = context.suites.add(gx.ExpectationSuite(name=spec.name, expectations=expectations))
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{spec.name}-validation", data=batch, suite=suite)
        )
        run = validation.run(
            batch_parameters={"dataframe": spec.table},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(spec.index),
                "return_unexpected_index_query": False,
            },
            run_id=run_id,
        )
        outcomes += [_outcome(spec.name, r, strict=strict) for r in run.results]
    if data_docs is not None:
        from checks import datadocs

        for spec in suites:
            datadocs.clear_pages(data_docs, spec.name)
        # No index from Great Expectations: it would delete the other phase's pages
        # (they are not in this context) and it needs the network; ours replaces it.
        context.build_data_docs(site_names=[SITE], build_index=False)
        datadocs.record(data_docs, phase, run_id.run_time, suites, outcomes)
        datadocs.write_index(data_docs)
    # Great Expectations keeps the last context as its current project, with the last
    # table validated: let it go (a 100,000-row part of the figures, some 15 MiB).
    from great_expectations.data_context.data_context.context_factory import project_manager

    project_manager.set_project(None)
    return outcomes


def _outcome(suite: str, result: Any, *, strict: bool) -> Outcome:
    config = result.expectation_config
    meta = dict(config.meta or {}) if config is not None else {}
    rule = str(meta.get("rule", "?"))
    info = result.exception_info or {}
    # Either flat, or one entry per metric that failed to compute.
    problems = [info, *(v for v in info.values() if isinstance(v, dict))]
    for problem in problems:
        message = problem.get("exception_message")
        if problem.get("raised_exception") or message:
            if strict:
                raise RuntimeError(f"expectation for {rule} in {suite} failed to run: {message}")
            return Outcome(
                suite=suite,
                rule=rule,
                key=str(meta.get("key", rule)),
                description=str(config.description or "") if config is not None else "",
                success=False,
                rows=None,
                observed=f"не удалось проверить: {message}",
            )
    details = result.result or {}
    return Outcome(
        suite=suite,
        rule=rule,
        key=str(meta.get("key", rule)),
        description=str(config.description or "") if config is not None else "",
        success=bool(result.success),
        rows=details.get("element_count"),
        failing=list(details.get("unexpected_index_list") or []),
        observed=details.get("observed_value"),
    )


def gx_failures(
    suites: Sequence[Suite], data_docs: Path | None = None
) -> dict[str, dict[str, set[int]]]:
    """Run the rule families' suites, all in one context, and collect the failing rows.

    Args:
        suites: One suite per rule family's table; every table has ``row_id``.
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.

    Returns:
        Suite name → key (``meta["key"]``, else the rule id) → row ids of
        the rows that fail. Every suite is present, empty when nothing failed.
    """
    result: dict[str, dict[str, set[int]]] = {spec.name: defaultdict(set) for spec in suites}
    for outcome in run_suites(suites, "rules", data_docs):
        for row in outcome.failing:
            result[outcome.suite][outcome.key].add(int(row[ROW_ID]))
    return {name: dict(rules) for name, rules in result.items()}


def described(rule_id: str, meaning: str) -> str:
    """Write an expectation's description: its rule id, then what it means.

    Args:
        rule_id: The rule id of :data:`checks.registry.RULES`.
        meaning: What the expectation checks, in plain Russian.

    Returns:
        ``rule-id: meaning``.
    """
    return f"{rule_id}: {meaning}"


def where_rule(rule_id: str) -> Any:
    """Return the row condition that keeps the rows of one rule (``rule == id``).

    Args:
        rule_id: The value of the table's ``rule`` column.

    Returns:
        A Great Expectations row condition.
    """
    from great_expectations.expectations.row_conditions import Column

    return Column(name="rule") == rule_id


def gap_within(
    rule_id: str, meaning: str, column: str, limit: float, *, key: str, only: bool = False
) -> Any:
    """Return the expectation that ``column`` lies within ``±limit``.

    Args:
        rule_id: The rule the failing rows belong to.
        meaning: What it means, in Russian.
        column: The column of signed gaps (stated minus derived).
        limit: The tolerance of the rule, in the column's unit.
        key: The name the rule family reads the failures under.
        only: Evaluate it on the rows whose ``rule`` is ``rule_id`` only.

    Returns:
        A Great Expectations expectation tagged with the rule id.
    """
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToBeBetween(
        column=column,
        min_value=-limit,
        max_value=limit,
        row_condition=where_rule(rule_id) if only else None,
        description=described(rule_id, meaning),
        meta={"rule": rule_id, "key": key},
    )

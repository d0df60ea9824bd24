"""The two validation engines, run once per batch of submissions.

pandera validates the shape and domain of the tidy tables (lazily, so every
failure is collected); Great Expectations validates the comparison tables
(stated against computed, with tolerance columns). Both return the failing
rows keyed by rule id; the rule families turn those rows into findings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

ROW_ID = "row_id"


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


def gx_failures(
    tables: Mapping[str, pd.DataFrame],
    suites: Mapping[str, Sequence[Any]],
    data_docs: Path | None = None,
) -> dict[str, dict[str, set[int]]]:
    """Run one Great Expectations suite per comparison table, all in one context.

    Args:
        tables: Table name → comparison table with a ``row_id`` column.
        suites: Table name → expectations; each carries ``meta={"rule": id}``.
        data_docs: Where to build Great Expectations Data Docs of the results
            (for auditors); none are built if ``None``.

    Returns:
        Table name → rule id → row ids of the rows that fail.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for noisy in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("sverka")
    actions: list[Any] = []
    if data_docs is not None:
        context.add_data_docs_site(
            site_name="sverka",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        actions.append(UpdateDataDocsAction(name="data-docs", site_names=["sverka"]))
    result: dict[str, dict[str, set[int]]] = {}
    for name, table in tables.items():
        result[name] = defaultdict(set)
        if table.empty:
            continue
        asset = source.add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe(f"{name}-batch")
        suite = context.suites.add(gx.ExpectationSuite(name=f"{name}-suite"))
        for expectation in suites[name]:
            suite.add_expectation(expectation)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{name}-validation", data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{name}-checkpoint",
                validation_definitions=[validation],
                actions=actions,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": [ROW_ID],
                    "return_unexpected_index_query": False,
                },
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": table})
        outcomes = [o for r in run.run_results.values() for o in r.results]
        for outcome in outcomes:
            if outcome.success:
                continue
            config = outcome.expectation_config
            rule_id = str(config.meta["rule"]) if config is not None and config.meta else "?"
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"expectation for {rule_id} failed to run: "
                    f"{outcome.exception_info.get('exception_message')}"
                )
            for row in outcome.result.get("unexpected_index_list") or []:
                result[name][rule_id].add(int(row[ROW_ID]))
    return {name: dict(rules) for name, rules in result.items()}


def within_tolerance(rule_id: str) -> Any:
    """Return the expectation that each row's ``abs_diff`` is at most its ``tolerance``.

    Args:
        rule_id: The rule the failing rows belong to.

    Returns:
        A Great Expectations expectation tagged with the rule id.
    """
    import great_expectations as gx

    return gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="tolerance", column_B="abs_diff", or_equal=True, meta={"rule": rule_id}
    )

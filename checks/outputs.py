"""Writing a run's outputs: the worklist, the validated tables, the summary.

Every file is written to a temporary name in its folder and then renamed
over the old one, so a reader (a steward's Excel, a reporting team's loader)
never sees half a file.

The validated figures (about 200 rows per workbook) are streamed, part by
part, into a Parquet dataset partitioned by reporting year,
``validated/figures/year=2025/part-0.parquet`` (``year=__HIVE_DEFAULT_PARTITION__``
for files whose year is unknown): ``pandas.read_parquet("validated/figures")``
or any Arrow/Spark/DuckDB reader takes the folder whole. A CSV copy,
``validated/figures.csv``, is written beside it for the reporting teams'
convenience while the run has at most :data:`FIGURES_CSV_MAX_ROWS` figures;
past that it is left out (Excel could not open it anyway) and the run's
summary says so. The other validated tables hold a row or a few per file
and stay single files, Parquet and CSV.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads

from checks.annotate import annotate_all, copy_titles
from checks.atomic import current_umask, file_mode, write_atomically
from checks.batch import BatchResult, part_labels
from checks.findings import CONTRACT_FIELDS
from checks.letters import write_letters
from checks.present import csv_safe
from checks.published import PublicationRefusedError, check_figures, check_published
from checks.registry import FAMILIES, SEVERITIES
from checks.report import render_report
from checks.reuse import Kept
from checks.steward_xlsx import write_findings
from checks.tables import is_missing, records

SEVERITY_RU = {
    "error": "ошибок",
    "warning": "предупреждений",
    "info": "сведений",
    "waived": "снято исключениями",
}
#: Our columns that follow the contract's fields in the worklist.
AFTER_CONTRACT = (
    "fingerprint",
    "status",
    "cause",
    "waived_by",
    "waived_reason",
    "waived_until",
    "locus",
    "organisation",
    "year",
)


@dataclass(frozen=True, slots=True)
class Written:
    """Where a run's outputs are.

    Attributes:
        worklist: ``discrepancies.csv``.
        workbook: ``discrepancies.xlsx``, the same list for Excel.
        validated: The folder of validated tables.
        counts: Severity → number of open findings; ``waived`` apart.
        annotated: Submission → its annotated copy, relative to the output folder.
        letters: Submission → its letter to the organisation, relative to the output folder.
    """

    worklist: Path
    workbook: Path
    validated: Path
    counts: dict[str, int]
    annotated: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)
    figures: int = 0
    figures_csv: bool = True


#: Past this many validated figures (about 5,000 workbooks, a CSV of ~190 MB)
#: ``validated/figures.csv`` is not written: the Parquet dataset is.
FIGURES_CSV_MAX_ROWS = 1_000_000

#: The Arrow types of ``validated/figures`` (its partition column ``year`` apart).
FIGURES_SCHEMA = pa.schema(
    [
        ("submission", pa.string()),
        ("organisation", pa.string()),
        ("year", pa.int64()),
        ("territory", pa.string()),
        ("channel", pa.string()),
        ("label", pa.string()),
        ("period", pa.string()),
        ("month", pa.int64()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("value_max", pa.float64()),
        ("unit", pa.string()),
        ("sheet", pa.string()),
        ("cell", pa.string()),
        ("stated", pa.string()),
        ("form", pa.string()),
        ("decimals", pa.int64()),
        ("reason", pa.string()),
        ("row_kind", pa.string()),
        ("known", pa.bool_()),
        ("rules", pa.string()),
        ("status", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class FiguresWritten:
    """What streaming the validated figures wrote.

    Attributes:
        rows: How many figures.
        csv: Whether ``validated/figures.csv`` was written (not past
            :data:`FIGURES_CSV_MAX_ROWS`).
    """

    rows: int
    csv: bool


def write_figures(
    parts: Iterable[pd.DataFrame],
    validated: Path,
    check: Callable[[pd.DataFrame, int], list[str]] | None = None,
    csv_max_rows: int = FIGURES_CSV_MAX_ROWS,
) -> FiguresWritten:
    """Stream the validated figures, part by part, into the dataset and the CSV copy.

    Args:
        parts: The figures, one frame per part (:class:`checks.batch.FigureParts`).
        validated: The ``validated`` folder (of a staging folder: the files are
            complete only when the run is published).
        check: Checks a part against the published contract before it is
            written ((frame, part number) → breaches).
        csv_max_rows: Past this many figures, no CSV copy.

    Returns:
        How many figures, and whether the CSV copy was written.

    Raises:
        PublicationRefusedError: A part breaches the published contract.
    """
    dataset = validated / "figures"
    csv = validated / "figures.csv"
    validated.mkdir(parents=True, exist_ok=True)
    state = {"rows": 0, "csv": True}
    refused: list[str] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for number, frame in enumerate(parts, start=1):
            if check is not None:
                refused.extend(check(frame, number))
            if refused:  # the publication is refused: check the rest, write nothing more
                continue
            table = pa.Table.from_pandas(
                frame[FIGURES_SCHEMA.names], schema=FIGURES_SCHEMA, preserve_index=False
            )
            if state["csv"]:
                if state["rows"] + len(frame) > csv_max_rows:
                    state["csv"] = False
                    csv.unlink(missing_ok=True)
                else:
                    header = not csv.exists()
                    frame[FIGURES_SCHEMA.names].to_csv(
                        csv, mode="a", header=header, index=False, encoding="utf-8"
                    )
            state["rows"] += len(frame)
            yield from table.to_batches()

    pads.write_dataset(
        batches(),
        dataset,
        schema=FIGURES_SCHEMA,
        format="parquet",
        partitioning=pads.partitioning(pa.schema([("year", pa.int64())]), flavor="hive"),
        basename_template="part-{i}.parquet",
        existing_data_behavior="delete_matching",
        create_dir=True,
    )
    if not dataset.exists():  # no figure at all: an empty dataset is still a dataset
        dataset.mkdir()
    if state["rows"] == 0:
        pd.DataFrame(columns=FIGURES_SCHEMA.names).to_csv(csv, index=False, encoding="utf-8")
    for path in [csv, *dataset.rglob("*")]:
        if path.exists():
            os.chmod(path, 0o777 & ~current_umask() if path.is_dir() else file_mode())
    if refused:  # nothing of a refused publication is left behind
        shutil.rmtree(dataset, ignore_errors=True)
        csv.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            validated.rmdir()
        raise PublicationRefusedError(refused)
    return FiguresWritten(int(state["rows"]), bool(state["csv"]) and csv.exists())


def worklist(findings: pd.DataFrame) -> pd.DataFrame:
    """Order the discrepancy table's columns: the contract's fields first.

    Args:
        findings: The run's findings.

    Returns:
        The same rows with the contract's columns first.
    """
    first = [*CONTRACT_FIELDS, *(c for c in AFTER_CONTRACT if c in findings.columns)]
    rest = [c for c in findings.columns if c not in first]
    return findings[[*first, *rest]]


def _csv(frame: pd.DataFrame, *, steward: bool = False) -> Callable[[Path], None]:
    """Write a table as comma-separated UTF-8.

    A steward's list (``steward=True``) gets a byte-order mark, so a Russian
    Excel reads it as UTF-8, and its text fields are neutralised against
    formula injection (:func:`checks.present.csv_safe`); numbers stay numbers.
    """
    if not steward:
        return lambda p: frame.to_csv(p, index=False, encoding="utf-8")
    texts = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.assign(**{c: frame[c].map(csv_safe) for c in texts})
    return lambda p: safe.to_csv(p, index=False, encoding="utf-8-sig")


def _parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: frame.to_parquet(p, index=False)


def _xlsx(
    frame: pd.DataFrame,
    lang: str = "ru",
    links: Mapping[str, str] | None = None,
    out: Path | None = None,
) -> Callable[[Path], None]:
    """Write the steward's list for Excel (see :func:`checks.steward_xlsx.write_findings`)."""
    titles = {
        name: copy_titles(out / relative) if out is not None else {}
        for name, relative in (links or {}).items()
    }
    return lambda p: write_findings(frame, p, lang=lang, links=links or {}, titles=titles)


def localized(findings: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the findings with ``message`` in the language asked for.

    Args:
        findings: Findings with ``message`` (Russian) and ``message_en``.
        lang: ``ru`` or ``en``.

    Returns:
        The findings with one ``message`` column.
    """
    if "message_en" not in findings:
        return findings
    if lang == "en":
        findings = findings.assign(message=findings["message_en"])
    return findings.drop(columns=["message_en"])


def write_outputs(
    result: BatchResult,
    out: Path,
    sources: Mapping[str, Path] | None = None,
    lang: str = "ru",
    *,
    run_label: str = "",
    letter_template: Path | None = None,
    kept: Kept | None = None,
) -> Written:
    """Write the worklist, the validated tables and the annotated copies under ``out``.

    Args:
        result: The batch result.
        out: The output folder (created if missing).
        sources: Submission → its file, for the annotated copies (none if not given).
        lang: The language of the messages, the report page and the comments.
        run_label: Which run this is, shown on the report page (the date and
            time of writing when empty).
        letter_template: The steward's letter template (the letters are Russian
            whatever ``lang``); the default template if not given.
        kept: Annotated copies of earlier runs to reuse where nothing changed
            (:mod:`checks.reuse`); none if not given.

    Returns:
        Where things were written, and the counts by severity.
    """
    data_docs = out / "data_docs"
    # Raise PublicationRefusedError on a breach; the figures are checked as they are written.
    check_published(result, data_docs, figures=False)
    validated = out / "validated"
    labels = part_labels(range(result.parts.count))

    def check(frame: pd.DataFrame, number: int) -> list[str]:
        label = labels[number - 1] if number <= len(labels) else str(number)
        return check_figures(result, frame, label, data_docs)

    figures = write_figures(result.parts, validated, check)
    findings = localized(result.findings, lang)
    table = worklist(findings)
    write_atomically(out / "discrepancies.csv", _csv(table, steward=True))
    tables = {
        validated / "submissions": result.submissions,
        validated / "schedules": result.schedules,
        validated / "measures": result.measures,
        validated / "resubmissions": result.changes,
        out / "history" / "findings": worklist(localized(result.history, lang)),
    }
    for stem, frame in tables.items():
        write_atomically(stem.with_suffix(".csv"), _csv(frame))
        write_atomically(stem.with_suffix(".parquet"), _parquet(frame))
    annotated = annotate_all(sources or {}, findings, out, lang=lang, kept=kept)
    links = {name: path.relative_to(out).as_posix() for name, path in annotated.items()}
    write_atomically(out / "discrepancies.xlsx", _xlsx(table, lang, links, out))
    docs = out / "data_docs" / "index.html"
    render_report(
        findings,
        result.submissions,
        out,
        links,
        data_docs="data_docs/index.html" if docs.exists() else None,
        run_label=run_label
        or dt.datetime.now().strftime(
            "Run of %d.%m.%Y %H:%M" if lang == "en" else "Запуск %d.%m.%Y %H:%M"
        ),
        changes=result.changes,
        lang=lang,
    )
    letters = write_letters(result.findings, result.submissions, out, letter_template)
    return Written(
        out / "discrepancies.csv",
        out / "discrepancies.xlsx",
        validated,
        counts(result.findings),
        links,
        letters,
        figures.rows,
        figures.csv,
    )


def _roots(findings: pd.DataFrame) -> pd.Series:
    """Tell which findings are roots (no ``cause``); all are when the column is absent."""
    if "cause" not in findings:
        return pd.Series(True, index=findings.index)
    return findings["cause"].fillna("") == ""


def counts(findings: pd.DataFrame) -> dict[str, int]:
    """Count the open root findings by severity, and the waived ones apart.

    A follow-on (a finding with a ``cause``) is one consequence of its root,
    not another thing to fix: it is counted with its root, not on its own.

    Args:
        findings: The run's findings (with ``status`` when waivers applied).

    Returns:
        ``error``, ``warning``, ``info`` (open roots only) and ``waived``.
    """
    status = findings["status"] if "status" in findings else pd.Series("open", findings.index)
    open_ = findings[(status == "open") & _roots(findings)]
    result: dict[str, int] = {s: int((open_["severity"] == s).sum()) for s in SEVERITIES}
    result["waived"] = int((status == "waived").sum())
    return result


def summary_markdown(result: BatchResult, worst: int = 10) -> str:
    """Summarise a run for the Prefect artifact: roots by family, follow-ons, worst files.

    Args:
        result: The batch result.
        worst: How many submissions to list.

    Returns:
        Markdown in Russian.
    """
    every = result.findings
    f = every[every["status"] == "open"] if "status" in every else every
    waived = len(every) - len(f)
    roots = f[_roots(f)]
    lines = [
        "# Сверка отчётов",
        "",
        f"Файлов: {len(result.submissions)}, открытых замечаний: {len(roots)} "
        f"(и следствий из них: {len(f) - len(roots)}), снято исключениями: {waived}.",
        "",
        "| семейство | ошибки | предупреждения | сведения | следствия |",
        "|---|---:|---:|---:|---:|",
    ]
    for family in FAMILIES:
        part = f[f["family"] == family]
        if part.empty:
            continue
        root_part = part[_roots(part)]
        numbers = [int((root_part["severity"] == s).sum()) for s in SEVERITIES]
        numbers.append(len(part) - len(root_part))
        lines.append(f"| {family} | " + " | ".join(str(c) for c in numbers) + " |")
    totals = [int((roots["severity"] == s).sum()) for s in SEVERITIES]
    totals.append(len(f) - len(roots))
    lines += ["| **всего** | " + " | ".join(str(c) for c in totals) + " |", ""]
    by_file = {
        severity: roots[roots["severity"] == severity].groupby("submission").size()
        for severity in ("error", "warning")
    }
    ranked = result.submissions.assign(
        errors=result.submissions["submission"].map(by_file["error"]).fillna(0).astype(int),
        warnings=result.submissions["submission"].map(by_file["warning"]).fillna(0).astype(int),
    )
    ranked = ranked.sort_values(
        ["errors", "warnings", "submission"], ascending=[False, False, True]
    ).head(worst)
    lines += [
        f"## {min(worst, len(ranked))} файлов с наибольшим числом замечаний",
        "",
        "| файл | организация | год | ошибки | предупреждения |",
        "|---|---|---:|---:|---:|",
    ]
    for row in records(ranked):
        year = "" if is_missing(row["year"]) else str(row["year"])
        cells = [row["submission"], row["organisation"], year, row["errors"], row["warnings"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def artifact_rows(findings: pd.DataFrame, limit: int = 5000) -> list[dict[str, str]]:
    """Return the open findings as rows for a Prefect table artifact, roots first.

    Each open root comes with its open follow-ons right after it, so the
    table reads one thing to fix at a time; follow-ons of a waived root come last.

    Args:
        findings: The run's findings.
        limit: At most this many rows (the artifact lives in Prefect's database).

    Returns:
        Rows of text: file, severity, rule, sheet, cell, message, fingerprint, cause.
    """
    status = findings["status"] if "status" in findings else pd.Series("open", findings.index)
    shown = findings[status == "open"].reset_index(drop=True)
    cause = shown["cause"].fillna("") if "cause" in shown else pd.Series("", shown.index)
    place = {fp: i for i, fp in enumerate(shown["fingerprint"])} if "fingerprint" in shown else {}
    order = sorted(
        range(len(shown)),
        key=lambda i: (place.get(cause[i], len(shown)), 1, i) if cause[i] else (i, 0, i),
    )
    shown = shown.iloc[order].head(limit)
    columns = ["submission", "severity", "rule", "sheet", "cell", "message", "fingerprint", "cause"]
    return [{c: str(row.get(c, "")) for c in columns} for row in records(shown)]

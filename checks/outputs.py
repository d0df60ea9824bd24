"""Writing a run's outputs: the worklist, the validated tables, the summary.

Every file is written to a temporary name in its folder and then renamed
over the old one, so a reader (a steward's Excel, a reporting team's loader)
never sees half a file.

The validated figures (about 200 rows per workbook) are written, part by
part, into a Parquet dataset partitioned by reporting year,
``validated/figures/year=2025/part-<key>.parquet`` (``year=__HIVE_DEFAULT_PARTITION__``
for files whose year is unknown; the key names what the part is made from,
and a part unchanged since the last run is linked from it, not written):
``pandas.read_parquet("validated/figures")`` or any Arrow/Spark/DuckDB reader
takes the folder whole. A CSV copy,
``validated/figures.csv``, is written beside it for the reporting teams'
convenience while the run has at most :data:`FIGURES_CSV_MAX_ROWS` figures;
past that it is left out (Excel could not open it anyway) and the run's
summary says so. The other validated tables hold a row or a few per file
and stay single files, Parquet and CSV.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from checks.annotate import annotate_all, copy_titles
from checks.atomic import current_umask, file_mode, write_atomically
from checks.batch import BatchResult
from checks.findings import CONTRACT_FIELDS
from checks.letters import write_letters
from checks.memory import release
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
        figures: How many validated figures.
        figures_csv: Whether ``validated/figures.csv`` was written.
        figures_taken: Parts of ``validated/figures`` linked from the run published before.
        letters_taken: Letters made from kept ones (the day's date put in), not laid out again.
    """

    worklist: Path
    workbook: Path
    validated: Path
    counts: dict[str, int]
    annotated: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)
    figures: int = 0
    figures_csv: bool = True
    figures_taken: int = 0
    letters_taken: int = 0


#: Built parts of the figures are checked against the published contract together
#: once they hold this many rows (about 420 workbooks): each check has a fixed cost
#: of about 0.3 s in Great Expectations, whatever its rows, but a check holds some
#: three copies of its rows at once (200,000 rows took the run's process from 630 to
#: 900 MiB at 10,000 files, its peak).
FIGURES_CHECK_ROWS = 100_000

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
        taken: How many parts were linked from the published run, not written.
    """

    rows: int
    csv: bool
    taken: int = 0


class Figures(Protocol):
    """The validated figures of a run, part by part (:class:`checks.batch.FigureParts`)."""

    def keyed(self) -> Iterator[tuple[str, Callable[[], pd.DataFrame]]]:
        """Yield each part's key (``""``: none) and a function building its figures."""
        ...


#: The name of a part's file in each year's folder of ``validated/figures``.
PART_FILE = "part-{}.parquet"


def earlier_parts(published: Path | None) -> dict[str, list[tuple[Path, str]]]:
    """Find the figures files of the published run that may be taken again, by part key.

    Only files whose size and SHA-256 match the run's ``manifest.json`` are offered:
    a file damaged since is written anew.

    Args:
        published: The folder of the published run (:func:`checks.publish.current_target`),
            ``None`` before the first publication.

    Returns:
        Part key → its files (path, year folder's name).
    """
    if published is None:
        return {}
    try:
        manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
        listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found: dict[str, list[tuple[Path, str]]] = {}
    for relative, (size, _) in listed.items():
        parts = relative.split("/")
        if len(parts) != 4 or parts[:2] != ["validated", "figures"]:
            continue
        name = parts[3]
        if not (name.startswith("part-") and name.endswith(".parquet")):
            continue
        key = name.removeprefix("part-").removesuffix(".parquet")
        path = published.joinpath(*parts)
        try:
            if path.stat().st_size != size:
                continue
        except OSError:
            continue
        found.setdefault(key, []).append((path, parts[2]))
    return {
        key: files
        for key, files in found.items()
        if all(
            _digest(path) == listed[path.relative_to(published).as_posix()][1] for path, _ in files
        )
    }


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _link(source: Path, target: Path) -> None:
    """Hard-link a file of the published run into this run's folder (copy where links fail)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _year_of(folder: str) -> int | None:
    value = folder.removeprefix("year=")
    return None if value == HIVE_NULL else int(value)


#: The folder of figures whose year is unknown (Hive's name for a null partition value).
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _csv_frame(table: pa.Table) -> pd.DataFrame:
    """The CSV copy's rows of a part: whole numbers stay whole where some are missing."""
    frame: pd.DataFrame = table.select(FIGURES_SCHEMA.names).to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype()}.get
    )
    return frame


def write_figures(
    parts: Figures,
    validated: Path,
    check: Callable[[pd.DataFrame, int], list[str]] | None = None,
    csv_max_rows: int = FIGURES_CSV_MAX_ROWS,
    earlier: Mapping[str, list[tuple[Path, str]]] | None = None,
) -> FiguresWritten:
    """Write the validated figures, part by part, into the dataset and the CSV copy.

    Each part is one file in each year's folder, ``year=2025/part-<key>.parquet``,
    named by the part's key (:meth:`checks.batch.FigureParts.keyed`). A part
    whose key names files of the published run (``earlier``) has the same
    figures: those files are linked, not built, checked and written again.

    Args:
        parts: The figures, part by part.
        validated: The ``validated`` folder (of a staging folder: the files are
            complete only when the run is published).
        check: Checks built parts against the published contract before they
            are written ((frame, check number; 0 for the run's only check) →
            breaches), several parts at once up to :data:`FIGURES_CHECK_ROWS`
            rows. A part taken from the published run passed it when it was
            written, with the same code.
        csv_max_rows: Past this many figures, no CSV copy.
        earlier: The published run's parts (:func:`earlier_parts`), if any.

    Returns:
        How many figures, whether the CSV copy was written, how many parts were taken.

    Raises:
        PublicationRefusedError: A part breaches the published contract.
    """
    dataset = validated / "figures"
    csv = validated / "figures.csv"
    dataset.mkdir(parents=True, exist_ok=True)
    earlier = earlier or {}
    written: list[tuple[Path, str]] = []  # every part's files, in order (for the CSV copy)
    pending: list[tuple[str, pd.DataFrame]] = []  # built parts waiting for their check
    refused: list[str] = []
    taken = checks = 0

    def flush(last: bool) -> None:
        nonlocal checks
        if not pending:
            return
        sizes = [(name, len(frame)) for name, frame in pending]
        frames = [frame for _, frame in pending]
        pending.clear()  # the parts live on in `whole` alone: one copy of them, not two
        whole = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        del frames
        if check is not None:
            checks += 1
            refused.extend(check(whole, 0 if last and checks == 1 else checks))
        if not refused:
            start = 0
            for name, size in sizes:
                written.extend(_write_part(whole.iloc[start : start + size], dataset, name))
                start += size
        del whole
        release()  # the checked frames are garbage now (checks.memory)

    for number, (key, build) in enumerate(parts.keyed(), start=1):
        name = PART_FILE.format(key or f"n{number}")
        if key in earlier and not refused:
            flush(last=False)  # the parts before it first: the dataset's files stay in order
            for source, folder in earlier[key]:
                _link(source, dataset / folder / name)
                written.append((dataset / folder / name, folder))
            taken += 1
            continue
        frame = build()
        if frame.empty:
            continue
        pending.append((name, frame))
        del frame  # held by `pending` alone, so a flush can let it go
        if sum(len(f) for _, f in pending) >= FIGURES_CHECK_ROWS:
            flush(last=False)
    flush(last=True)
    rows = sum(pq.ParquetFile(path).metadata.num_rows for path, _ in written)
    with_csv = not refused and rows <= csv_max_rows
    if with_csv:
        _write_csv(csv, written)
    for path in [csv, *dataset.rglob("*")]:
        if path.exists():
            os.chmod(path, 0o777 & ~current_umask() if path.is_dir() else file_mode())
    if refused:  # nothing of a refused publication is left behind
        shutil.rmtree(dataset, ignore_errors=True)
        csv.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            validated.rmdir()
        raise PublicationRefusedError(refused)
    return FiguresWritten(rows, with_csv, taken)


def _write_part(frame: pd.DataFrame, dataset: Path, name: str) -> list[tuple[Path, str]]:
    """Write one part's figures, a file per year's folder; return the files and folders."""
    # Without pandas' metadata: it would describe a year column the files do not hold.
    table = pa.Table.from_pandas(
        frame[FIGURES_SCHEMA.names], schema=FIGURES_SCHEMA, preserve_index=False
    ).replace_schema_metadata(None)
    years = table["year"]
    files = []
    for year in pc.unique(years).to_pylist():
        chosen = pc.is_null(years) if year is None else pc.equal(years, year)
        folder = f"year={HIVE_NULL if year is None else year}"
        target = dataset / folder / name
        target.parent.mkdir(exist_ok=True)
        pq.write_table(table.filter(chosen).drop_columns(["year"]), target)
        files.append((target, folder))
    return files


def _write_csv(csv: Path, files: Sequence[tuple[Path, str]]) -> None:
    """Write the CSV copy of the dataset from its files, in the dataset's order."""
    header = True
    with csv.open("w", encoding="utf-8", newline="") as handle:
        for path, folder in files:
            table = pq.read_table(path)
            year = pa.array([_year_of(folder)] * table.num_rows, pa.int64())
            _csv_frame(table.append_column("year", year)).to_csv(handle, header=header, index=False)
            header = False
        if header:  # no figure at all: the header alone
            pd.DataFrame(columns=FIGURES_SCHEMA.names).to_csv(handle, index=False)


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
    published: Path | None = None,
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
        published: The folder of the run published before this one
            (:func:`checks.publish.current_target`): its figures files are
            linked where a part is unchanged (:func:`write_figures`).

    Returns:
        Where things were written, and the counts by severity.
    """
    data_docs = out / "data_docs"
    # Raise PublicationRefusedError on a breach; the figures are checked as they are written.
    check_published(result, data_docs, figures=False)
    validated = out / "validated"

    def check(frame: pd.DataFrame, number: int) -> list[str]:
        return check_figures(result, frame, str(number) if number else "", data_docs)

    figures = write_figures(result.parts, validated, check, earlier=earlier_parts(published))
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
    letters_kept = kept.beside("letters") if kept is not None else None
    letters = write_letters(
        result.findings, result.submissions, out, letter_template, kept=letters_kept
    )
    return Written(
        out / "discrepancies.csv",
        out / "discrepancies.xlsx",
        validated,
        counts(result.findings),
        links,
        letters,
        figures.rows,
        figures.csv,
        figures.taken,
        letters_kept.hits if letters_kept is not None else 0,
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

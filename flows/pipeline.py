"""The Prefect flow: read the inbox, validate the batch, write the outputs.

The flow only sequences plain functions from :mod:`checks`; everything it
does can be called without Prefect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from checks.batch import BatchResult, WaiverInput, validate
from checks.inbox import openable, read_inbox
from checks.isolation import Progress
from checks.norms import load_mapping, load_standard
from checks.outputs import (
    SEVERITY_RU,
    Written,
    artifact_rows,
    summary_markdown,
    write_outputs,
)
from checks.reader import Submission
from checks.waivers import load as load_waivers

ARTIFACT_KEY = "sverka-summary"
TABLE_ARTIFACT_KEY = "sverka-findings"


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did, for the command line and the tests.

    Attributes:
        files: How many files were read.
        written: Where the outputs are, and the counts by severity.
    """

    files: int
    written: Written


@task(name="read-inbox", cache_policy=NO_CACHE)
def read_task(
    inbox: Path, settle_seconds: float = 0.0, progress: Progress | None = None
) -> list[Submission]:
    """Read every submission in the inbox, in worker processes; fresh files wait."""
    return read_inbox(inbox, settle_seconds=settle_seconds, progress=progress)


@task(name="validate-batch", cache_policy=NO_CACHE)
def validate_task(
    submissions: list[Submission],
    norms: str | None,
    norms_map: str | None,
    waivers: str | None,
    data_docs: Path,
) -> BatchResult:
    """Validate all submissions as one batch, against the chosen standards, with waivers."""
    default = load_standard(Path(norms)) if norms else None
    by_organisation = load_mapping(Path(norms_map)) if norms_map else None
    waiving = None
    if waivers:
        read, problems = load_waivers(Path(waivers))
        waiving = WaiverInput(read, problems, Path(waivers).name, dt.date.today())
    return validate(submissions, default, by_organisation, waiving, data_docs)


@task(name="write-outputs", cache_policy=NO_CACHE)
def write_task(result: BatchResult, out: Path, sources: dict[str, Path], lang: str) -> Written:
    """Write the worklist, the validated tables and the annotated copies."""
    return write_outputs(result, out, sources, lang)


@flow(name="sverka", log_prints=False)
def reconcile(
    inbox: str = "inbox",
    out: str = "outputs",
    *,
    norms: str | None = None,
    norms_map: str | None = None,
    waivers: str | None = None,
    lang: str = "ru",
    settle_seconds: float = 0.0,
) -> RunSummary:
    """Reconcile every submission in ``inbox`` and write the results to ``out``.

    Args:
        inbox: The folder of submitted workbooks (read only).
        out: The output folder.
        norms: A service standard's TOML file; the default standard if not given.
        norms_map: A TOML file choosing other standards per organisation.
        waivers: The stewards' waivers CSV (a missing file means no waivers).
        lang: ``ru`` (default) or ``en``: the language of messages, page and comments.
        settle_seconds: A file modified less than this long ago waits for the
            next run (listed as an info); 0 reads every file.

    Returns:
        How many files were read and where the results are.
    """
    logger = get_run_logger()
    inbox_path, out_path = Path(inbox), Path(out)
    submissions = read_task(inbox_path, settle_seconds)
    logger.info("Прочитано файлов: %d из %s", len(submissions), inbox_path)
    # quote(): Prefect would otherwise walk every figure of every submission to
    # track task inputs (4x the pipeline's own time on 1,000 files, bench.py).
    result = validate_task(quote(submissions), norms, norms_map, waivers, out_path / "data_docs")  # type: ignore[call-overload]
    sources = openable(submissions)
    written = write_task(quote(result), out_path, sources, lang)  # type: ignore[call-overload]
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=summary_markdown(result),
        description="Замечания сверки по важности и семействам правил",
    )
    create_table_artifact(
        key=TABLE_ARTIFACT_KEY,
        table=artifact_rows(result.findings),
        description="Открытые замечания сверки (первые 5 000)",
    )
    logger.info(
        "Список замечаний: %s (%s)",
        written.worklist,
        ", ".join(f"{SEVERITY_RU[s]}: {n}" for s, n in written.counts.items()),
    )
    return RunSummary(files=len(submissions), written=written)

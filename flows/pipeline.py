"""The Prefect flow: read the inbox, validate the batch, publish the outputs.

The flow only sequences plain functions from :mod:`checks`; everything it
does can be called without Prefect. A run is a transaction on its output
folder: it holds the folder's lock (:mod:`checks.runlock`), writes into a
staging folder and switches the complete set in at the end
(:mod:`checks.publish`), so the folder always holds exactly one run's
outputs, whatever overlaps or crashes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.utilities.annotations import quote

from checks import publish, runlock
from checks.batch import BatchResult, WaiverInput, validate
from checks.inbox import openable, read_inbox
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
from flows.progress import Phase

ARTIFACT_KEY = "sverka-summary"
TABLE_ARTIFACT_KEY = "sverka-findings"
#: A night's run that has not finished in this time is stopped (and leaves
#: the previous outputs in place): 50,000 workbooks take well under an hour.
FLOW_TIMEOUT_S = 6 * 3600
#: Writing to a shared folder fails transiently (a dropped SMB session, a
#: full disk being cleaned): the write is tried again after these delays.
WRITE_RETRY_DELAYS_S: list[float] = [10, 30, 60]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did, for the command line and the tests.

    Attributes:
        files: How many files were read (refused ones included: each has its finding).
        waiting: How many files were left for the next run (still arriving).
        written: Where the published outputs are, and the counts by severity.
        run_id: The run's id, as in ``manifest.json`` and on the report page.
        out: The output folder.
        waivers_file: The waivers file the run applied (``""``: none given).
    """

    files: int
    written: Written
    waiting: int = 0
    run_id: str = ""
    out: Path = Path()
    waivers_file: str = ""


@task(name="read-inbox", cache_policy=NO_CACHE)
def read_task(inbox: Path, settle_seconds: float = 0.0) -> list[Submission]:
    """Read every submission in the inbox, in worker processes; fresh files wait."""
    with Phase("чтение файлов", log=get_run_logger().info) as phase:

        def progress(done: int, total: int) -> None:
            phase.advance(done, total)

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
        waiving = WaiverInput(read, problems, Path(waivers).name, dt.date.today(), waivers)
    with Phase("проверка", log=get_run_logger().info):
        return validate(submissions, default, by_organisation, waiving, data_docs)


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what a shared folder does now and then (an OS error), not a refusal."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:  # a refusal or a bug: trying again changes nothing
        return False
    return False


#: How the writing tasks retry: after each delay, on an OS error only.
RETRYING: dict[str, Any] = {
    "cache_policy": NO_CACHE,
    "retries": len(WRITE_RETRY_DELAYS_S),
    "retry_delay_seconds": WRITE_RETRY_DELAYS_S,
    "retry_condition_fn": _transient,
}


@task(name="write-outputs", **RETRYING)
def write_task(
    result: BatchResult,
    staging: Path,
    sources: dict[str, Path],
    lang: str,
    run_label: str,
    *,
    letter_template: str | None = None,
) -> Written:
    """Write the worklist, the tables, the annotated copies and the letters into staging."""
    template = Path(letter_template) if letter_template else None
    with Phase("запись результатов", log=get_run_logger().info):
        return write_outputs(
            result, staging, sources, lang, run_label=run_label, letter_template=template
        )


@task(name="publish-outputs", **RETRYING)
def publish_task(out: Path, staging: Path, run: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest and switch the staged outputs in."""
    return publish.publish(out, staging, run)


def _version() -> str:
    try:
        return importlib.metadata.version("sverka")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _flow_run_id() -> str:
    try:
        context: Any = get_run_context()
        return str(context.flow_run.id)
    except Exception:  # outside a flow run there is none
        return ""


@flow(name="sverka", log_prints=False, timeout_seconds=FLOW_TIMEOUT_S)
def reconcile(
    inbox: str = "inbox",
    out: str = "outputs",
    *,
    norms: str | None = None,
    norms_map: str | None = None,
    waivers: str | None = None,
    lang: str = "ru",
    no_wait: bool = False,
    letter_template: str | None = None,
    settle_seconds: float = 0.0,
) -> RunSummary:
    """Reconcile every submission in ``inbox`` and publish the results in ``out``.

    Args:
        inbox: The folder of submitted workbooks (read only).
        out: The output folder.
        norms: A service standard's TOML file; the default standard if not given.
        norms_map: A TOML file choosing other standards per organisation.
        waivers: The stewards' waivers CSV (a missing file means no waivers).
        lang: ``ru`` (default) or ``en``: the language of messages, page and comments.
        no_wait: Fail at once (``OutputsBusyError``) when another run holds ``out``.
        letter_template: The steward's template of the letters to the organisations
            (the default template if not given).
        settle_seconds: A file modified less than this long ago waits for the
            next run (listed as an info); 0 reads every file.

    Returns:
        How many files were read and where the results are.
    """
    logger = get_run_logger()
    inbox_path, out_path = Path(inbox), Path(out)
    started = dt.datetime.now().astimezone()
    run_id = publish.new_run_id(started)

    def waiting(holder: runlock.Holder) -> None:
        logger.warning("Папка %s занята другой проверкой (%s): ждём.", out, holder.describe())

    with runlock.hold(out_path, wait=not no_wait, run=run_id, on_wait=waiting):
        removed = publish.clean_leftovers(out_path)
        if removed:
            logger.info("Удалены остатки прерванных запусков: %s", ", ".join(removed))
        staging = publish.begin(out_path, run_id)
        logger.info("Запуск %s: папка входящих %s", run_id, inbox_path)
        submissions = read_task(inbox_path, settle_seconds)
        arriving = sum(any(f.rule == "file-arriving" for f in s.findings) for s in submissions)
        logger.info(
            "Прочитано файлов: %d из %s; ждут следующего запуска: %d",
            len(submissions) - arriving,
            inbox_path,
            arriving,
        )
        # quote(): Prefect would otherwise walk every figure of every submission to
        # track task inputs (4x the pipeline's own time on 1,000 files, bench.py).
        result = validate_task(quote(submissions), norms, norms_map, waivers, staging / "data_docs")  # type: ignore[call-overload]
        sources = openable(submissions)
        label = f"Run {run_id}" if lang == "en" else f"Запуск {run_id}"
        staged = write_task(
            quote(result), staging, sources, lang, label, letter_template=letter_template
        )  # type: ignore[call-overload]
        waivers_file = Path(waivers) if waivers else None
        manifest = publish_task(
            out_path,
            staging,
            {
                "run_id": run_id,
                "prefect_flow_run_id": _flow_run_id(),
                "started": started.isoformat(timespec="seconds"),
                "inbox": str(inbox_path.resolve()),
                "version": _version(),
                "standard": sorted(set(result.submissions["standard"].astype(str))),
                "norms_file": norms,
                "norms_map_file": norms_map,
                "waivers_file": (
                    str(waivers_file.resolve())
                    if waivers_file is not None and waivers_file.exists()
                    else None
                ),
                "files_read": len(submissions) - arriving,
                "files_waiting": arriving,
                "counts": staged.counts,
            },
        )
    written = dataclasses.replace(
        staged,
        worklist=out_path / staged.worklist.relative_to(staging),
        workbook=out_path / staged.workbook.relative_to(staging),
        validated=out_path / staged.validated.relative_to(staging),
    )
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=f"Запуск `{run_id}`, {len(manifest['files'])} файлов результатов.\n\n"
        + summary_markdown(result),
        description="Замечания сверки по важности и семействам правил",
    )
    create_table_artifact(
        key=TABLE_ARTIFACT_KEY,
        table=artifact_rows(result.findings),
        description="Открытые замечания сверки (первые 5 000)",
    )
    logger.info(
        "Запуск %s опубликован: %s (%s)",
        run_id,
        written.worklist,
        ", ".join(f"{SEVERITY_RU[s]}: {n}" for s, n in written.counts.items()),
    )
    logger.info("Файл исключений: %s", result.waivers_file or "не задан")
    return RunSummary(
        files=len(submissions) - arriving,
        waiting=arriving,
        written=written,
        run_id=run_id,
        out=out_path,
        waivers_file=result.waivers_file,
    )

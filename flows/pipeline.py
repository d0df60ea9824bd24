"""The Prefect flow: read the inbox, validate the batch, publish the outputs.

The flow only sequences plain functions from :mod:`checks`; everything it
does can be called without Prefect. Reading and checking are split into
tasks over chunks of files and parts of the batch, run by the flow's task
runner: threads on this machine (each reading chunk in a worker process of
its own, so every core reads), or a Dask cluster with
``sverka run --dask-address`` (:func:`with_dask`). Files already read by an
earlier run are taken from the read cache (:mod:`checks.cache`), not opened.

A run is a transaction on its output folder: it holds the folder's lock
(:mod:`checks.runlock`), writes into a staging folder and switches the
complete set in at the end
(:mod:`checks.publish`), so the folder always holds exactly one run's
outputs, whatever overlaps or crashes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from checks import cache as read_cache
from checks import publish, runlock
from checks.batch import (
    BatchResult,
    CacheLoader,
    Loader,
    PartResult,
    WaiverInput,
    check_part,
    choose_standards,
    conclude,
    figure_parts,
    part_labels,
    start_checking,
)
from checks.inbox import ChunkRead, assemble, lookup, merge, openable, read_chunk, survey
from checks.isolation import stop_fork_server
from checks.memory import frozen
from checks.norms import Standard, load_mapping, load_standard
from checks.outputs import (
    SEVERITY_RU,
    Written,
    artifact_rows,
    summary_markdown,
    write_outputs,
)
from checks.reader import Submission
from checks.reuse import Checked, Kept
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
#: Files read by one task: enough that a task's overhead (tens of milliseconds
#: in Prefect, a worker process, a Dask round trip) is small beside reading them.
CHUNK_FILES = 100


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


@task(name="read-chunk", cache_policy=NO_CACHE)
def read_chunk_task(files: list[tuple[Path, str]], cache: Path) -> ChunkRead:
    """Read one chunk of files in a worker process, and keep what was read in the cache."""
    return read_chunk(files, cache=cache, workers=1)


def read_all(inbox: Path, out: Path, settle_seconds: float) -> tuple[list[Submission], CacheLoader]:
    """Read the inbox: the cache's files from the cache, the others in chunk tasks.

    Args:
        inbox: The inbox.
        out: The output folder (its read cache).
        settle_seconds: See :func:`reconcile`.

    Returns:
        Every submission (headers for those in the cache), and the loader of their tables.
    """
    logger = get_run_logger()
    cache = read_cache.root(out)
    found = survey(inbox, settle_seconds)
    index = read_cache.Index(cache)
    todo = lookup(found.ready, index)
    chunks = [todo.misses[i : i + CHUNK_FILES] for i in range(0, len(todo.misses), CHUNK_FILES)]
    read: dict[int, ChunkRead] = {}
    with Phase("чтение файлов", log=logger.info) as phase:
        total, done = len(todo.misses), 0
        phase.advance(0, total)
        futures = [read_chunk_task.submit(chunk, cache) for chunk in chunks]
        numbers = {id(future): n for n, future in enumerate(futures)}
        for future in as_completed(futures):
            number = numbers[id(future)]
            read[number] = future.result()
            done += len(chunks[number])
            phase.advance(done, total)
    for number in sorted(read):
        if read[number].cache_file:
            index.add(read[number].cache_file)
    fresh = [sub for number in sorted(read) for sub in read[number].submissions]
    subs = assemble(found, merge(todo, fresh))
    logger.info("Из кэша чтения: %d файлов; прочитано заново: %d", len(todo.hits), len(todo.misses))
    stop_fork_server()  # its memory is the run's until the letters need it again
    return subs, CacheLoader(cache, index.where(subs))


@task(name="check-part", cache_policy=NO_CACHE)
def check_part_task(
    part: list[Submission],
    standards: dict[str, Standard],
    load: Loader,
    data_docs: Path,
    label: str,
) -> PartResult:
    """Check one part of the batch (whole partitions: organisation and year)."""
    return check_part(part, standards, load, data_docs, label)


def validate_all(
    subs: list[Submission],
    load: Loader,
    *,
    norms: str | None,
    norms_map: str | None,
    waivers: str | None,
    data_docs: Path,
    kept: Checked | None = None,
) -> BatchResult:
    """Validate every submission, part by part, then conclude over the whole batch.

    On this machine the parts are checked one after the other (their pandas
    work holds the interpreter's lock; threads would not help); on a Dask
    cluster they run at once, on the workers.
    """
    default = load_standard(Path(norms)) if norms else None
    by_organisation = load_mapping(Path(norms_map)) if norms_map else None
    waiving = None
    if waivers:
        read, problems = load_waivers(Path(waivers))
        waiving = WaiverInput(read, problems, Path(waivers).name, dt.date.today(), waivers)
    standards = choose_standards(subs, default, by_organisation)
    checking = start_checking(subs, standards, kept)
    reused = len(checking.found)
    todo = checking.todo
    labels = part_labels(todo)
    runner: Any = getattr(get_run_context(), "task_runner", None)
    with Phase("проверка", log=get_run_logger().info) as phase:
        total = sum(len(part) for part in todo)
        phase.advance(0, total)
        if isinstance(runner, ThreadPoolTaskRunner):
            done = 0
            for part, label in zip(todo, labels, strict=True):
                result = check_part_task(
                    quote(part), quote(standards), quote(load), data_docs, label
                )  # type: ignore[call-overload]
                checking.take(part, result)
                done += len(part)
                phase.advance(done, total)
        else:
            # No quote() here: Dask would take the annotation (a tuple holding a callable)
            # for a task of its own. Headers are small; Prefect's walk over them is cheap.
            futures = [
                check_part_task.submit(part, standards, load, data_docs, label)
                for part, label in zip(todo, labels, strict=True)
            ]
            for part, future in zip(todo, futures, strict=True):
                checking.take(part, future.result())
            phase.advance(total, total)
        get_run_logger().info(
            "Проверено организаций и лет: %d; результаты %d взяты из прошлых запусков "
            "(их файлы не менялись)",
            len(checking.groups),
            reused,
        )
        parts = figure_parts(subs)
        return conclude(subs, parts, checking.results(), standards, waivers=waiving, load=load)


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
    kept: Kept | None = None,
    published: Path | None = None,
) -> Written:
    """Write the worklist, the tables, the annotated copies and the letters into staging."""
    template = Path(letter_template) if letter_template else None
    with Phase("запись результатов", log=get_run_logger().info):
        return write_outputs(
            result,
            staging,
            sources,
            lang,
            run_label=run_label,
            letter_template=template,
            kept=kept,
            published=published,
        )


@task(name="publish-outputs", **RETRYING)
def publish_task(out: Path, staging: Path, run: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest and switch the staged outputs in."""
    return publish.publish(out, staging, run)


def with_dask(flow_: Any, address: str | None) -> Any:
    """Return the flow set to run its tasks on an existing Dask cluster, if one is given.

    Args:
        flow_: The flow (:func:`reconcile`).
        address: The scheduler's address, ``tcp://HOST:PORT``; ``None`` or
            empty keeps the flow's threads on this machine.

    Returns:
        The flow, with prefect-dask's ``DaskTaskRunner`` when an address is given.
    """
    if not address:
        return flow_
    from prefect_dask import DaskTaskRunner

    return flow_.with_options(task_runner=DaskTaskRunner(address=address))


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


@flow(
    name="sverka",
    log_prints=False,
    timeout_seconds=FLOW_TIMEOUT_S,
    task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1),  # type: ignore[arg-type]
)
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
        submissions, loader = read_all(inbox_path, out_path, settle_seconds)
        checked = Checked(out_path / ".sverka" / "kept" / "checked")
        arriving = sum(any(f.rule == "file-arriving" for f in s.findings) for s in submissions)
        logger.info(
            "Прочитано файлов: %d из %s; ждут следующего запуска: %d",
            len(submissions) - arriving,
            inbox_path,
            arriving,
        )
        kept = Kept(out_path / ".sverka" / "kept" / "annotated")
        with frozen():  # the headers and imports stay: collections skip them (checks.memory)
            result = validate_all(
                submissions,
                loader,
                norms=norms,
                norms_map=norms_map,
                waivers=waivers,
                data_docs=staging / "data_docs",
                kept=checked,
            )
            sources = openable(submissions)
            label = f"Run {run_id}" if lang == "en" else f"Запуск {run_id}"
            staged = write_task(
                quote(result),
                staging,
                sources,
                lang,
                label,
                letter_template=letter_template,
                kept=kept,
                published=publish.current_target(out_path),
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
                "figures": staged.figures,
                "figures_csv": staged.figures_csv,
                "counts": staged.counts,
            },
        )
        pruned = read_cache.prune(out_path, {s.source.sha256 for s in submissions}, loader.files)
        if pruned:
            logger.info("Из кэша чтения удалено файлов, не нужных больше: %d", pruned)
        kept.prune()
        checked.prune()
        logger.info("Размеченных копий взято из прошлых запусков: %d", kept.hits)
        logger.info(
            "Писем взято из прошлых запусков (с сегодняшней датой): %d", staged.letters_taken
        )
        logger.info(
            "Частей validated/figures взято из прошлого запуска (их файлы не менялись): %d",
            staged.figures_taken,
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
    if not staged.figures_csv:
        logger.info(
            "validated/figures.csv не записан: %d чисел больше предела CSV; "
            "все числа в validated/figures/ (Parquet)",
            staged.figures,
        )
    return RunSummary(
        files=len(submissions) - arriving,
        waiting=arriving,
        written=written,
        run_id=run_id,
        out=out_path,
        waivers_file=result.waivers_file,
    )

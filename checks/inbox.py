"""Finding the submissions in an inbox folder, and reading them.

Every file under the inbox is a submission attempt, except hidden files and
Excel's lock files (``~$name.xlsx``, left behind while someone has the
workbook open in a shared folder): those are not submissions and are skipped.
A file that is not a workbook is still read, and becomes a ``structure``
finding. Nothing in the inbox is ever written, moved or deleted.

A file still arriving is not read: one modified less than ``settle_seconds``
ago (it may still be being copied), or named like a download or a copy in
progress (``*.part``, ``*.tmp``, ``*.crdownload``). It waits for the next run
and is listed as one ``file-arriving`` info. A modification time in the future
(a share whose clock runs ahead) counts as just modified while it is within
``settle_seconds`` of now, and as settled beyond that, so a wrong clock
cannot keep a file out of every run.

The files are read by :func:`checks.isolation.read_files`, each chunk in a
worker process of its own, within the limits of :mod:`checks.limits`. With a
read cache (:mod:`checks.cache`), a file whose digest is kept is not opened
again: its header comes from the cache, and its tables are loaded when its
partition is validated.

The work splits in three, so that a flow can spread the middle one over
processes or machines: :func:`survey` finds the files and those still
arriving, :func:`read_chunk` reads one chunk of the rest (any chunk, in any
process), :func:`assemble` puts the results back in the survey's order.
:func:`read_inbox` does the three in turn.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks import cache as read_cache
from checks.findings import Source, make
from checks.i18n import Bilingual
from checks.isolation import Progress, read_files
from checks.limits import Limits
from checks.reader import Submission, sha256_of

#: Names of files that are still being downloaded or copied.
ARRIVING_SUFFIXES = (".part", ".tmp", ".crdownload")


def is_skipped(relative: Path) -> bool:
    """Tell whether a path under the inbox is not a submission.

    Args:
        relative: The path relative to the inbox.

    Returns:
        ``True`` for hidden files and folders and Excel lock files.
    """
    return any(part.startswith((".", "~$")) for part in relative.parts)


def discover(inbox: Path) -> list[Path]:
    """List the submission files under ``inbox``, sorted by relative path.

    Args:
        inbox: The inbox folder.

    Returns:
        The files to read.
    """
    found = [p for p in inbox.rglob("*") if p.is_file() and not is_skipped(p.relative_to(inbox))]
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


def submission_name(inbox: Path, path: Path) -> str:
    r"""Name a submission by its path relative to the inbox, printable whatever its bytes.

    A file name that is not valid UTF-8 keeps its odd bytes as ``\\xNN``, so
    that the name can be written to every output and still tells files apart.

    Args:
        inbox: The inbox folder.
        path: A file under it.

    Returns:
        ``report.xlsx``, or ``north/report.xlsx`` for a file in a subfolder.
    """
    relative = path.relative_to(inbox).as_posix()
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def arriving(path: Path, settle_seconds: float, now: float) -> Bilingual | None:
    """Tell whether a file is still arriving, and why.

    Args:
        path: The file.
        settle_seconds: How long a file must have been left unchanged.
        now: The current time (seconds since the epoch).

    Returns:
        Why the file waits for the next run, or ``None`` when it is ready.
    """
    suffix = path.suffix.lower()
    if suffix in ARRIVING_SUFFIXES:
        return Bilingual(
            f"имя оканчивается на «{suffix}»: так называются файлы, которые ещё загружаются "
            "или копируются",
            f"its name ends in «{suffix}», as files still being downloaded or copied do",
        )
    if settle_seconds <= 0:
        return None
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return None  # the reader reports a file that cannot be opened
    if -settle_seconds < age < settle_seconds:
        shown, limit = f"{max(age, 0.0):.0f}", f"{settle_seconds:g}"
        return Bilingual(
            f"изменён {shown} с назад, меньше {limit} с: возможно, его ещё копируют",
            f"modified {shown} s ago, less than {limit} s: it may still be being copied",
        )
    return None


def arriving_submission(path: Path, name: str, why: Bilingual) -> Submission:
    """Return the submission of a file left for the next run: one ``file-arriving`` info.

    Args:
        path: The file (not opened).
        name: The submission's name.
        why: Why it waits.

    Returns:
        The submission, marked refused so that no later step opens the file.
    """
    sub = Submission(path=path, source=Source(name, ""), refused=True)
    sub.findings.append(make("file-arriving", sub.source, why=why))
    return sub


def openable(submissions: list[Submission]) -> dict[str, Path]:
    """Map each submission that later steps may open (the annotated copies) to its file.

    A file refused by a limit, or still arriving, is left out: opening it again
    in the run's own process would undo the isolation it was read in.

    Args:
        submissions: The run's submissions.

    Returns:
        Submission name → file.
    """
    return {sub.source.submission: sub.path for sub in submissions if not sub.refused}


#: Files in one chunk of reading: large enough that a task's overhead (a Prefect
#: task run, a worker process, a Dask round trip: tens of milliseconds) stays
#: small beside reading the chunk, small enough to keep every core busy.
CHUNK_FILES = 200


@dataclass(frozen=True, slots=True)
class Survey:
    """The files of an inbox, before reading.

    Attributes:
        found: (path, submission name) of every submission file, in order.
        waiting: Index in ``found`` → why that file waits for the next run.
    """

    found: list[tuple[Path, str]]
    waiting: dict[int, Bilingual] = field(default_factory=dict)

    @property
    def ready(self) -> list[tuple[Path, str]]:
        """The files to read now, in order."""
        return [item for index, item in enumerate(self.found) if index not in self.waiting]

    def chunks(self, size: int = CHUNK_FILES) -> list[list[tuple[Path, str]]]:
        """Split the files to read into chunks of at most ``size``, in order.

        Args:
            size: Most files in a chunk.

        Returns:
            The chunks (none for an inbox with nothing to read).
        """
        ready = self.ready
        return [ready[i : i + size] for i in range(0, len(ready), max(size, 1))]


def survey(inbox: Path, settle_seconds: float = 0.0) -> Survey:
    """Find the submission files of an inbox and those still arriving.

    Args:
        inbox: The inbox folder.
        settle_seconds: A file modified less than this long ago waits for the
            next run (0 reads every file, however fresh).

    Returns:
        The survey.
    """
    now = time.time()
    found = [(path, submission_name(inbox, path)) for path in discover(inbox)]
    waiting = {
        index: why
        for index, (path, _) in enumerate(found)
        if (why := arriving(path, settle_seconds, now)) is not None
    }
    return Survey(found, waiting)


@dataclass(frozen=True, slots=True)
class ChunkRead:
    """What reading one chunk gave.

    Attributes:
        submissions: One per file, in the chunk's order: a header when the
            file was kept in the read cache (its tables are there), whole otherwise.
        cache_file: The cache file the chunk was kept in (``""``: none).
    """

    submissions: list[Submission]
    cache_file: str = ""


def read_chunk(
    files: Sequence[tuple[Path, str]],
    *,
    cache: Path | None = None,
    limits: Limits | None = None,
    isolate: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ChunkRead:
    """Read a chunk of files and, with a cache, keep what was read in one cache file.

    Args:
        files: (path, submission name) of each file.
        cache: The read cache folder (:func:`checks.cache.root`), or ``None``
            to keep nothing.
        limits: The limits to read within.
        isolate: Read in worker processes (the default) or in this process.
        workers: How many worker processes at once.
        progress: Called with (files done, files in the chunk).

    Returns:
        The chunk's submissions, in order, and the cache file written.
    """
    if cache is None:
        subs = read_files(files, limits=limits, progress=progress, isolate=isolate, workers=workers)
        return ChunkRead(subs)
    subs = read_files(
        files,
        limits=limits,
        progress=progress,
        isolate=isolate,
        workers=workers,
        reader=read_cache.read_for_cache,
    )
    stored, kept = read_cache.store(cache, subs)
    return ChunkRead(
        [
            read_cache.strip(s) if s.source.sha256 in kept else read_cache.whole_figures(s)
            for s in subs
        ],
        stored,
    )


@dataclass(slots=True)
class Lookup:
    """Which files of a survey the cache holds.

    Attributes:
        hits: Index in :attr:`Survey.ready` → the file's header from the cache.
        misses: (path, name) of the files to read, in order.
        miss_positions: Their indexes in :attr:`Survey.ready`.
    """

    hits: dict[int, Submission]
    misses: list[tuple[Path, str]]
    miss_positions: list[int]


def lookup(files: Sequence[tuple[Path, str]], index: read_cache.Index | None) -> Lookup:
    """Hash each file and take the headers of those the cache holds.

    Args:
        files: (path, submission name) of the files to read.
        index: The cache's index, or ``None`` (every file is a miss).

    Returns:
        The hits and misses.
    """
    hits: dict[int, Submission] = {}
    misses: list[tuple[Path, str]] = []
    positions: list[int] = []
    for position, (path, name) in enumerate(files):
        kept = None
        if index is not None:
            digest = sha256_of(path)
            kept = index.header(digest, path, name) if digest else None
        if kept is None:
            misses.append((path, name))
            positions.append(position)
        else:
            hits[position] = kept
    return Lookup(hits, misses, positions)


def merge(found: Lookup, read: Sequence[Submission]) -> list[Submission]:
    """Put the files read among the cache's hits, in the order of the files looked up.

    Args:
        found: The lookup.
        read: The submissions of :attr:`Lookup.misses`, in order.

    Returns:
        One submission per file looked up.
    """
    every = dict(found.hits)
    every.update(zip(found.miss_positions, read, strict=True))
    return [every[i] for i in range(len(every))]


def assemble(found: Survey, read: Sequence[Submission]) -> list[Submission]:
    """Put the files read back among those still arriving, in the survey's order.

    Args:
        found: The survey.
        read: The submissions of :attr:`Survey.ready`, in order.

    Returns:
        One submission per file found.
    """
    it = iter(read)
    return [
        arriving_submission(path, name, found.waiting[index])
        if index in found.waiting
        else next(it)
        for index, (path, name) in enumerate(found.found)
    ]


def read_inbox(
    inbox: Path,
    *,
    settle_seconds: float = 0.0,
    progress: Progress | None = None,
    limits: Limits | None = None,
    isolate: bool = True,
    workers: int | None = None,
    cache: Path | None = None,
) -> list[Submission]:
    """Read every submission under ``inbox``.

    A submission is named by its path relative to the inbox (its file name
    when it lies at the top), so two companies' ``report.xlsx`` in separate
    folders stay apart.

    Args:
        inbox: The inbox folder.
        settle_seconds: A file modified less than this long ago waits for the
            next run (0 reads every file, however fresh).
        progress: Called after each file read with (files done, files to read);
            files still arriving are not counted.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).
        isolate: Read in worker processes (the default) or in this process.
        workers: How many worker processes at once (see :func:`checks.isolation.read_files`).
        cache: The read cache folder (:func:`checks.cache.root`): files it
            holds are not opened, and come back as headers (their tables are
            loaded by :func:`checks.cache.load`); ``None`` reads every file.

    Returns:
        One submission per file, in the order of :func:`discover`: unreadable,
        refused and still-arriving files included.
    """
    found = survey(inbox, settle_seconds)
    index = read_cache.Index(cache) if cache is not None else None
    todo = lookup(found.ready, index)
    read = read_chunk(
        todo.misses,
        cache=cache,
        limits=limits,
        isolate=isolate,
        workers=workers,
        progress=progress,
    )
    return assemble(found, merge(todo, read.submissions))

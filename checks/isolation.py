"""Reading files in worker processes, so that one file cannot take the run down with it.

Each chunk of files is read by a worker process of its own. Workers are
forked by a fork server (multiprocessing's ``forkserver`` context) that has
imported the reader once, so a worker starts in milliseconds and never
inherits the threads of the process that asked for it (Prefect runs several).
A worker limits its own address space (``RLIMIT_AS``), announces its first
file before reading it, and sends each :class:`~checks.reader.Submission`
back pickled, saying whether it goes on to the next file: one message per
file, so that the parent always knows which file is in progress. When a file
exhausts the worker's memory, runs past the time limit, or kills the parser
outright (even a hard abort), only that worker is lost:
the parent knows which file was in progress, records it as refused (one
``file-refused`` error naming the limit) and starts a new worker for the rest
of the chunk.

:func:`read_files` with ``isolate=False`` reads in the calling process, one
file after the other, for tests and debugging; the size limits of
:mod:`checks.limits` still apply there, the time and memory limits do not.
"""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, ForkServerProcess, set_spawning_popen
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from checks.i18n import Bilingual
from checks.limits import Limits, Refusal, megabytes
from checks.reader import Submission, read_submission, refused_submission, sha256_of

#: Reads one file: (path, submission name, limits) → submission. It must be a
#: module-level function: workers receive it pickled, by reference.
Reader = Callable[[Path, str, Limits], Submission]
#: Called in the parent after each file: (files done, files in all).
Progress = Callable[[int, int], None]

#: Most files one worker reads before it exits and a fresh one takes over. A
#: worker costs some 15 ms of processor time before its files read at full
#: speed (the fork, the pages it then copies, memos and caches filled again):
#: 0.6 ms a file over 25 files, under 0.1 ms over 250.
CHUNK_FILES = 250
#: Most workers at once: each may grow to ``Limits.worker_memory_bytes``.
MAX_WORKERS = 2
#: A worker that has not announced its first file by then is stuck starting.
STARTUP_SECONDS = 120.0
#: Workers that may fail before their first file before the read gives up:
#: that is the machine, not a file.
MAX_STARTUP_FAILURES = 3
#: Modules the fork server imports once, so that workers start ready.
PRELOAD = ["checks.isolation", "checks.cache", "checks.annotate", "checks.letters"]


class WorkerStartError(RuntimeError):
    """Worker processes keep failing before they read any file (the machine, not a file)."""


@dataclass(frozen=True, slots=True)
class Job:
    """One file to read.

    Attributes:
        index: Its place in the caller's list.
        path: The file.
        name: The submission's name.
    """

    index: int
    path: Path
    name: str


def _reason(ru: str, en: str) -> Refusal:
    return Refusal(Bilingual(ru, en))


def timed_out(limits: Limits) -> Refusal:
    """Return the refusal of a file that took longer than the time limit.

    Args:
        limits: The limits read within.

    Returns:
        The refusal.
    """
    seconds = f"{limits.seconds_per_file:g}"
    return _reason(
        f"чтение не уложилось в {seconds} с (предел на один файл)",
        f"reading took longer than {seconds} s (the limit per file)",
    )


def out_of_memory(limits: Limits) -> Refusal:
    """Return the refusal of a file whose reading ran out of the worker's memory.

    Args:
        limits: The limits read within.

    Returns:
        The refusal.
    """
    size = megabytes(limits.worker_memory_bytes)
    return _reason(
        f"для чтения не хватило памяти (предел {size.ru} на файл)",
        f"reading ran out of memory (the limit is {size.en} per file)",
    )


def crashed(exitcode: int | None) -> Refusal:
    """Return the refusal of a file on which the reading process died.

    Args:
        exitcode: The worker's exit code (``-N`` for signal N).

    Returns:
        The refusal.
    """
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"сигнал {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return _reason(
                f"процесс чтения остановлен системой на этом файле ({how}; обычно это "
                "нехватка памяти)",
                f"the reading process was stopped by the system on this file ({how}; usually "
                "for lack of memory)",
            )
        return _reason(
            f"процесс чтения аварийно завершился на этом файле ({how})",
            f"the reading process crashed on this file ({how})",
        )
    return _reason(
        f"процесс чтения завершился на этом файле (код {exitcode})",
        f"the reading process exited on this file (code {exitcode})",
    )


def failed(exc: BaseException) -> Refusal:
    """Return the refusal of a file on which the reader itself failed (a bug of ours).

    Args:
        exc: What the reader raised.

    Returns:
        The refusal.
    """
    what = f"{type(exc).__name__}: {str(exc)[:120]}"
    return _reason(
        f"ошибка программы сверки при чтении ({what}); сообщите администратору",
        f"the reconciliation program failed while reading ({what}); tell the administrator",
    )


def _limit_address_space(extra: int) -> None:
    """Let this process map at most ``extra`` bytes more than it has mapped now."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        return
    current = int(line.split()[1]) * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, ConnectionResetError):
        os._exit(0)  # the parent is gone: nobody waits for the rest


def work(conn: Connection, jobs: list[Job], reader: Reader, limits: Limits) -> None:
    """Read a chunk of files in this worker process, announcing each before reading it.

    Sends ``("start", index)`` before the first file, and ``("done", index,
    submission, more)`` after each: ``more`` says that the next file of the
    chunk is being read, so that the parent knows which file is in progress
    without a message of its own per file. A file that runs out of memory is
    reported and the worker exits (``more`` false), so that the rest of the
    chunk gets a fresh address space.

    Args:
        conn: The pipe to the parent.
        jobs: The chunk.
        reader: Reads one file.
        limits: The limits to read within.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _limit_address_space(limits.worker_memory_bytes)
    # Should the parent die, a file that hangs must not keep the worker forever.
    backstop = math.ceil(limits.seconds_per_file) + 30
    if jobs:
        _send(conn, ("start", jobs[0].index))
    for number, job in enumerate(jobs, start=1):
        signal.alarm(backstop)
        refusal: Refusal | None = None
        exhausted = False
        try:
            sub = reader(job.path, job.name, limits)
        except MemoryError:
            refusal, exhausted = out_of_memory(limits), True
        except Exception as exc:  # a bug of ours must not cost the other files
            refusal = failed(exc)
        signal.alarm(0)
        if refusal is not None:
            sub = refused_submission(job.path, job.name, refusal, sha256_of(job.path))
        try:
            _send(conn, ("done", job.index, sub, not exhausted and number < len(jobs)))
        except MemoryError:  # the submission itself is too large to send
            exhausted = True
            refusal = out_of_memory(limits)
            sub = refused_submission(job.path, job.name, refusal, sha256_of(job.path))
            _send(conn, ("done", job.index, sub, False))
        if exhausted:
            return
    conn.close()


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: deque[Job]
    since: float
    current: Job | None = None
    announced: bool = False
    closed: bool = False
    results: list[tuple[Job, Submission]] = field(default_factory=list)


class _Popen(popen_forkserver.Popen):
    """multiprocessing's fork-server launch, minus re-running the parent's ``__main__``.

    A worker needs nothing from the program that started it, and re-running
    an unguarded script (or ``<stdin>``) in every worker would fail. The body
    is CPython 3.11's ``popen_forkserver.Popen._launch`` with the two keys
    that name the main module dropped from the preparation data.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        fds: list[int] = getattr(self, "_fds")  # noqa: B009 (untyped in typeshed)
        self.sentinel, w = forkserver.connect_to_new_process(fds)
        parent_w = os.dup(w)
        close_fds = getattr(util, "close_fds")  # noqa: B009 (untyped in typeshed)
        self.finalizer = util.Finalize(self, close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(ForkServerProcess):
    """A fork-server process launched by :class:`_Popen`."""

    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:  # noqa: N802 (multiprocessing's name)
        return _Popen(process_obj)


class CleanForkServerContext(ForkServerContext):
    """multiprocessing's fork-server context whose processes skip the parent's ``__main__``.

    For a :class:`concurrent.futures.ProcessPoolExecutor` (``mp_context=``) run
    from any program, an unguarded script included (see :class:`_Popen`).
    """

    Process = _Process


class _ForkServerUsers:
    """How many readings and pools of this process are using the fork server."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.count += 1

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


_USERS = _ForkServerUsers()


@contextlib.contextmanager
def fork_server_in_use() -> Iterator[None]:
    """Keep :func:`stop_fork_server` from stopping the fork server meanwhile."""
    _USERS.enter()
    try:
        yield
    finally:
        _USERS.leave()


def stop_fork_server() -> bool:
    """Stop the fork server, until a process is started from it again.

    It holds the modules it preloads (:data:`PRELOAD`), some 95 MiB of a run's
    memory while the run checks and writes what it read; the next worker
    process (an annotated copy, a letter) starts it again, in about a second.
    A fork server that a reading or a pool of this process is using (another
    run in the same process) is left running. multiprocessing has no public way
    to stop it; ``_stop`` is the one its own tests use, and a Python without it
    keeps the server running.

    Returns:
        Whether it was stopped (or was not running).
    """
    stop = getattr(forkserver._forkserver, "_stop", None)
    with _USERS.lock:
        if _USERS.count or stop is None:
            return False
        stop()
        return True


def _context() -> ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _start(ctx: ForkServerContext, jobs: Sequence[Job], reader: Reader, limits: Limits) -> _Worker:
    parent, child = ctx.Pipe(duplex=False)
    process = _Process(
        target=work, args=(child, list(jobs), reader, limits), name="sverka-reader", daemon=True
    )
    process.start()
    child.close()
    return _Worker(process, parent, deque(jobs), time.monotonic())


def _take(worker: _Worker, message: tuple[Any, ...]) -> None:
    """Note one message of a worker: a file started, or a file done (and the next started)."""
    if message[0] == "start":
        worker.current = worker.jobs[0]
        worker.since = time.monotonic()
        worker.announced = True
    else:
        job = worker.jobs.popleft()
        worker.results.append((job, message[2]))
        worker.current = worker.jobs[0] if message[3] else None
        worker.since = time.monotonic()


def _receive(worker: _Worker) -> None:
    """Take the message a worker's pipe holds (it is ready), or note the pipe closed."""
    try:
        message = worker.conn.recv()
    except (EOFError, OSError):
        worker.closed = True
        return
    _take(worker, message)


def _drain(worker: _Worker) -> None:
    """Take every message the worker has sent so far."""
    while not worker.closed:
        try:
            if not worker.conn.poll():
                return
        except (EOFError, OSError):
            return
        _receive(worker)


def _late(worker: _Worker, limits: Limits) -> bool:
    """Tell whether a worker has spent too long on its file, or on starting."""
    if worker.current is not None:
        return time.monotonic() - worker.since > limits.seconds_per_file
    return not worker.announced and time.monotonic() - worker.since > STARTUP_SECONDS


def _chunks(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    size = max(1, min(CHUNK_FILES, math.ceil(len(jobs) / max(workers, 1))))
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]


def read_files(
    files: Sequence[tuple[Path, str]],
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    reader: Reader = read_submission,
    isolate: bool = True,
    workers: int | None = None,
) -> list[Submission]:
    """Read files, each chunk in a worker process of its own (or all here with ``isolate=False``).

    Args:
        files: (path, submission name) of each file.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).
        progress: Called after each file with (files done, files in all).
        reader: Reads one file; a module-level function (workers get it pickled).
        isolate: Read in worker processes (the default) or in this process.
        workers: How many workers at once (:data:`MAX_WORKERS` by default, at
            most the machine's processors).

    Returns:
        One submission per file, in the order given; a file that hit a limit
        or killed its worker is one ``file-refused`` error.

    Raises:
        WorkerStartError: Workers keep dying before reading any file.
    """
    limits = limits or Limits()
    jobs = [Job(i, path, name) for i, (path, name) in enumerate(files)]
    results: dict[int, Submission] = {}

    def finish(job: Job, sub: Submission) -> None:
        results[job.index] = sub
        if progress is not None:
            progress(len(results), len(jobs))

    if not isolate:
        for job in jobs:
            finish(job, reader(job.path, job.name, limits))
        return [results[job.index] for job in jobs]
    if jobs and multiprocessing.current_process().daemon:
        # A Dask worker is a daemonic process unless told otherwise, and those may not
        # start processes: each file would go unread. Say how to start the workers.
        raise WorkerStartError(
            "процесс не может запускать процессы чтения (он «демон»: так по умолчанию "
            "запускаются рабочие процессы Dask); запустите их с переменной окружения "
            "DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    count = workers or min(MAX_WORKERS, os.cpu_count() or 1)
    pending = deque(_chunks(jobs, count))
    ctx = _context() if pending else None
    active: list[_Worker] = []
    failures = 0
    with fork_server_in_use():
        try:
            while pending or active:
                assert ctx is not None
                while pending and len(active) < count:
                    active.append(_start(ctx, pending.popleft(), reader, limits))
                deadlines = [
                    w.since + (limits.seconds_per_file if w.current else STARTUP_SECONDS)
                    for w in active
                    if w.current or not w.announced
                ]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                waited = [w.conn for w in active if not w.closed]
                ready = wait(waited + [w.process.sentinel for w in active], timeout)
                for worker in list(active):
                    if worker.conn in ready:
                        _receive(worker)
                    exited = worker.process.sentinel in ready
                    if exited or _late(worker, limits):
                        _drain(worker)  # what it sent before: the file done in time, maybe
                    for job, sub in worker.results:
                        finish(job, sub)
                    worker.results.clear()
                    late = not exited and _late(worker, limits)
                    if not exited and not late:
                        continue
                    alive = late and worker.process.is_alive()
                    if alive:
                        worker.process.kill()
                    worker.process.join()
                    _drain(worker)
                    for job, sub in worker.results:
                        finish(job, sub)
                    worker.results.clear()
                    worker.conn.close()
                    active.remove(worker)
                    if worker.current is not None:
                        why = timed_out(limits) if alive else crashed(worker.process.exitcode)
                        job = worker.current
                        refused = refused_submission(job.path, job.name, why, sha256_of(job.path))
                        finish(job, refused)
                        worker.jobs.popleft()
                    elif not worker.announced and worker.jobs:
                        failures += 1
                        if failures >= MAX_STARTUP_FAILURES:
                            raise WorkerStartError(
                                f"процессы чтения не запускаются (код {worker.process.exitcode})"
                            )
                    if worker.jobs:
                        pending.appendleft(list(worker.jobs))
        finally:
            for worker in active:
                worker.process.kill()
                worker.process.join()
                worker.conn.close()
    return [results[job.index] for job in jobs]

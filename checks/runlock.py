"""One run at a time per output folder.

A run holds an exclusive ``flock`` on ``<out>/.sverka/lock`` from before it
reads the inbox until its outputs are published. The kernel releases the lock
when the holder's process ends, however it ends (``kill -9`` included), so a
crashed run never blocks the next one. The holder writes its pid, start time
and run id into the file; a second run reads them to say whom it waits for.

Within one process the lock is re-entrant: ``sverka run`` takes it before
starting Prefect, and the flow it then calls in the same process takes it
again without blocking on itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from checks.atomic import file_mode

HOUSE = ".sverka"
LOCK_NAME = "lock"

_held: dict[Path, int] = {}
_guard = threading.Lock()


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds an output folder's lock.

    Attributes:
        pid: The holder's process id (0 when unknown).
        started: When it took the lock, local time (``None`` when unknown).
        host: The machine it runs on.
        run: Its run id, when it has one yet.
    """

    pid: int
    started: dt.datetime | None
    host: str = ""
    run: str = ""

    def describe(self) -> str:
        """Say in Russian which run this is, e.g. «процесс 4242, начат 22.11.2026 05:53:01»."""
        parts = [f"процесс {self.pid}" if self.pid else "процесс неизвестен"]
        if self.started is not None:
            parts.append(f"начат {self.started:%d.%m.%Y %H:%M:%S}")
        if self.host and self.host != socket.gethostname():
            parts.append(f"на машине {self.host}")
        return ", ".join(parts)


class OutputsBusyError(Exception):
    """Another run holds the output folder and the caller chose not to wait."""

    def __init__(self, out: Path, holder: Holder) -> None:
        """Keep the folder and its holder for the message.

        Args:
            out: The output folder.
            holder: Who holds it.
        """
        super().__init__(f"папка результатов {out} занята другой проверкой ({holder.describe()})")
        self.out = out
        self.holder = holder


def lock_path(out: Path) -> Path:
    """Return the lock file of an output folder."""
    return out / HOUSE / LOCK_NAME


def _read_holder(fd: int) -> Holder:
    try:
        raw = os.pread(fd, 4096, 0).decode("utf-8")
        data = json.loads(raw) if raw.strip() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = {}
    started = None
    with contextlib.suppress(TypeError, ValueError):
        started = dt.datetime.fromisoformat(str(data.get("started")))
    return Holder(
        pid=int(data.get("pid") or 0),
        started=started,
        host=str(data.get("host") or ""),
        run=str(data.get("run") or ""),
    )


def _write_holder(fd: int, run: str) -> None:
    record = {
        "pid": os.getpid(),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "run": run,
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0)


def holder_of(out: Path) -> Holder | None:
    """Return who holds the output folder now, ``None`` when nobody does.

    Args:
        out: The output folder.

    Returns:
        The holder, or ``None`` when the lock is free (or the folder has none).
    """
    path = lock_path(out)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def hold(
    out: Path,
    *,
    wait: bool = True,
    run: str = "",
    on_wait: Callable[[Holder], None] | None = None,
) -> Iterator[None]:
    """Hold the output folder's lock for the duration of the block.

    Args:
        out: The output folder (created if missing).
        wait: Wait for the holder to finish; otherwise raise at once.
        run: This run's id, recorded for whoever waits.
        on_wait: Called once with the holder before waiting.

    Yields:
        Nothing; the lock is held inside the block.

    Raises:
        OutputsBusyError: The folder is held and ``wait`` is false.
    """
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = path.resolve()
    with _guard:
        if key in _held:
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[key] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, file_mode())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if not wait:
                raise OutputsBusyError(out, holder) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _write_holder(fd, run)
        with _guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _guard:
                del _held[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

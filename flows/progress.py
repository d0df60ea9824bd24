"""Progress of a run's phases, for the operator.

On a terminal a one-line bar is redrawn every second; anywhere else (a
service's journal, a pipe) a plain line is written every
:data:`LINE_EVERY_S` seconds. Each line also goes to the run's log (Prefect's
UI), at the same pace. A phase with a known number of items shows done of
total, the rate and the time left; a phase without one shows how long it has
been running, so something is said at least every ten seconds either way.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

LINE_EVERY_S = 10.0
BAR_EVERY_S = 1.0
BAR_WIDTH = 24


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Phase:
    """One phase of a run (reading, checking, writing) whose progress is reported.

    Use as a context manager; call :meth:`advance` as items are done.
    """

    def __init__(
        self,
        name: str,
        total: int | None = None,
        *,
        log: Callable[[str], None] | None = None,
        stream: TextIO | None = None,
        every: float | None = None,
    ) -> None:
        """Prepare the phase.

        Args:
            name: What is being done, in Russian («чтение файлов»).
            total: How many items, when known.
            log: Where lines also go (the run's logger).
            stream: The terminal or pipe (standard error by default).
            every: Seconds between lines (a bar on a terminal redraws each second).
        """
        self.name = name
        self.total = total
        self.done = 0
        self._log = log
        self._stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._every = every if every is not None else LINE_EVERY_S
        self._start = time.monotonic()
        self._last_line = self._start
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._tick, name=f"progress {name}", daemon=True)

    def __enter__(self) -> Phase:
        """Start reporting."""
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop reporting and say how the phase ended."""
        self._stop.set()
        self._thread.join()
        elapsed = time.monotonic() - self._start
        if self._tty:
            self._stream.write("\r\033[K")
        if kind is None:
            counted = f"{self.done} из {self.total}, " if self.total is not None else ""
            self._emit(f"{self.name}: готово ({counted}{_duration(elapsed)})", bar=False)

    def advance(self, done: int | None = None, total: int | None = None) -> None:
        """Record progress: ``done`` items so far (one more if not given).

        Args:
            done: Items done so far.
            total: The total, if it became known or changed.
        """
        with self._lock:
            self.done = self.done + 1 if done is None else done
            if total is not None:
                self.total = total

    def line(self) -> str:
        """Return the phase's state in words: done of total, rate and time left."""
        elapsed = time.monotonic() - self._start
        if not self.total:
            return f"{self.name}: идёт {_duration(elapsed)}"
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        text = f"{self.name}: {self.done} из {self.total}"
        text += f", {rate:.1f} в секунду" if rate else ""
        text += f", осталось ≈ {_duration(left)}" if left is not None else ""
        return text

    def _bar(self) -> str:
        if not self.total:
            return self.line()
        filled = int(BAR_WIDTH * min(1.0, self.done / self.total))
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.line()}"

    def _emit(self, text: str, *, bar: bool) -> None:
        if bar:
            self._stream.write("\r\033[K" + text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        if not bar and self._log is not None:
            self._log(text)

    def _tick(self) -> None:
        while not self._stop.wait(BAR_EVERY_S if self._tty else min(self._every, 1.0)):
            now = time.monotonic()
            with self._lock:
                if self._tty:
                    self._stream.write("\r\033[K" + self._bar())
                    self._stream.flush()
                if now - self._last_line >= self._every:
                    self._last_line = now
                    if not self._tty:
                        self._emit(self.line(), bar=False)
                    elif self._log is not None:
                        self._log(self.line())

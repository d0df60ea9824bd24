"""Progress lines of a run's phases (``flows.progress``)."""

from __future__ import annotations

import io
import time

from flows.progress import Phase


def test_a_phase_off_a_terminal_writes_plain_lines_with_counts_rate_and_time_left() -> None:
    """Off a terminal, a counted phase says done of total, rate and time left, then «готово»."""
    stream, logged = io.StringIO(), []
    with Phase("чтение файлов", 4, log=logged.append, stream=stream, every=0.05) as phase:
        phase.advance()
        time.sleep(1.3)
        phase.advance()
    lines = stream.getvalue().splitlines()
    assert any(line.startswith("чтение файлов: 1 из 4, ") and "осталось" in line for line in lines)
    assert lines[-1].startswith("чтение файлов: готово (2 из 4, ")
    assert logged == lines
    assert "\r" not in stream.getvalue()


def test_a_phase_without_a_count_says_how_long_it_has_run() -> None:
    """A phase with no count still says something at each interval: how long it has run."""
    stream = io.StringIO()
    with Phase("проверка", stream=stream, every=0.05):
        time.sleep(1.3)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("проверка: идёт 0:0") for line in lines[:-1])
    assert lines[-1] == "проверка: готово (0:01)"

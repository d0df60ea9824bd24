"""Run a command in a fresh subprocess and measure its wall time and memory.

What is measured, for one command:

* ``wall``: seconds from just before the process is started to its exit,
  seen by the parent (interpreter start-up and imports included);
* ``largest_rss_mib``: ``ru_maxrss`` as ``wait4`` reports it, the largest
  resident set of the child or of any descendant it waited for. It is the
  largest single process, not the sum of processes alive at once;
* ``tree_peak_mib``: the largest sum, over the samples taken every
  :data:`SAMPLE_S` seconds, of the resident set (``/proc/<pid>/statm``) of the
  child and every descendant alive at that moment. A page shared by several
  processes (forked workers, libraries) counts in each, so the sum is an upper
  bound. A peak shorter than the interval can be missed; Linux only (``None``
  elsewhere);
* ``tree_pss_peak_mib``: the largest sum, over samples taken every
  :data:`PSS_SAMPLE_S` seconds, of the proportional set size
  (``/proc/<pid>/smaps_rollup``) of the tree's processes: a page shared by
  ``k`` processes counts ``1/k`` in each, so the sum is the memory the run
  really holds. Reading it walks the page tables (a few milliseconds per
  process of a few hundred MiB), so it is sampled less often than the resident sets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: Seconds between two samples of the process tree's memory (a sample costs ~3 ms).
SAMPLE_S = 0.5
#: Seconds between two samples of the tree's proportional set size.
PSS_SAMPLE_S = 1.0
PROC = Path("/proc")


@dataclass(slots=True)
class Measured:
    """One measured subprocess.

    Attributes:
        label: What ran.
        wall: Seconds from start to exit, seen by the parent.
        largest_rss_mib: The largest resident set of one process of the tree (``wait4``).
        tree_peak_mib: The largest sampled sum of the resident sets of the
            whole tree, ``None`` where ``/proc`` cannot be read.
        returncode: The exit status.
        log: Where its standard error was saved.
        load: The machine's one-minute load average when it started (other
            users' work included: a figure measured under load is slower).
        tree_pss_peak_mib: The largest sampled sum of the proportional set sizes
            of the tree (shared pages counted once), ``None`` where it cannot be read.
    """

    label: str
    wall: float
    largest_rss_mib: float
    tree_peak_mib: float | None
    returncode: int
    log: str
    load: float = 0.0
    tree_pss_peak_mib: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the process exited with status 0."""
        return self.returncode == 0

    @property
    def peak_mib(self) -> float:
        """An upper bound of the peak: the tree's summed resident sets (shared pages repeated)."""
        if self.tree_peak_mib is None:
            return self.largest_rss_mib
        return max(self.tree_peak_mib, self.largest_rss_mib)

    @property
    def held_mib(self) -> float:
        """The peak judged against the target: the memory the tree holds, shared pages once.

        The larger of the sampled proportional sets' sum and the largest single
        process's ``ru_maxrss`` (the tree holds at least what one of its processes
        holds, and ``ru_maxrss`` catches a peak between two samples); the upper
        bound :attr:`peak_mib` where the proportional sets cannot be read.
        """
        if self.tree_pss_peak_mib is None:
            return self.peak_mib
        return max(self.tree_pss_peak_mib, self.largest_rss_mib)


def maxrss_mib(maxrss: float) -> float:
    """Convert ``ru_maxrss`` to MiB (kilobytes on Linux, bytes on macOS).

    Args:
        maxrss: The ``ru_maxrss`` field.

    Returns:
        Mebibytes.
    """
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def child_env(prefect_home: Path, code: Path) -> dict[str, str]:
    """Return the environment of a measured run: Prefect kept inside the benchmark.

    Every ``PREFECT_*`` variable of the user is removed and ``PREFECT_HOME``
    points at ``prefect_home``, so the user's Prefect is never touched. ``code``
    comes first on ``PYTHONPATH``, so the run imports the ``checks`` and
    ``flows`` of that checkout, not those of an editable install elsewhere.

    Args:
        prefect_home: The Prefect home of the measured runs.
        code: The repository whose code is measured.

    Returns:
        The environment.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home.resolve())
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(code.resolve()), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def _parents() -> dict[int, int]:
    """Map every process's id to its parent's, from ``/proc/<pid>/stat``."""
    parents = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """Return ``root`` and every process below it.

    Args:
        root: A process id.

    Returns:
        The ids, ``root`` first.
    """
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def pss_kib(pid: int) -> int | None:
    """Return a process's proportional set size in KiB, 0 if it is gone, ``None`` if unreadable.

    Args:
        pid: The process.

    Returns:
        Kibibytes.
    """
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    except OSError:
        return None
    if not text.strip():
        # A process that has exited and is not yet reaped (a zombie) has no memory
        # left and an empty file: it holds nothing, it is not unreadable. Taken for
        # unreadable, one finished worker voided a 10,000-file run's measure.
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def memory_kib(pid: int) -> int:
    """Return a process's resident set in KiB, 0 if it is gone.

    Args:
        pid: The process.

    Returns:
        Kibibytes.
    """
    try:
        pages = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until told to stop.

    Attributes:
        peak_kib: The largest sum seen so far.
    """

    def __init__(self, root: int) -> None:
        """Prepare to sample the tree under ``root``.

        Args:
            root: The measured process.
        """
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self.pss_peak_kib: int | None = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample every :data:`SAMPLE_S` seconds (the PSS every :data:`PSS_SAMPLE_S`)."""
        every = max(1, round(PSS_SAMPLE_S / SAMPLE_S))
        count = 0
        while not self._stop_event.is_set():
            tree = descendants(self.root)
            total = sum(memory_kib(pid) for pid in tree)
            self.peak_kib = max(self.peak_kib, total)
            if count % every == 0 and self.pss_peak_kib is not None:
                sizes = [pss_kib(pid) for pid in tree]
                if any(size is None for size in sizes):
                    self.pss_peak_kib = None  # not readable here: say so, not a wrong figure
                else:
                    self.pss_peak_kib = max(self.pss_peak_kib, sum(s or 0 for s in sizes))
            count += 1
            self._stop_event.wait(SAMPLE_S)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def run_measured(
    label: str, command: Sequence[str], env: dict[str, str], cwd: Path, logs: Path
) -> Measured:
    """Run one command in a fresh subprocess, its output saved under ``logs``.

    Args:
        label: The run's name (also the log files' stem).
        command: The command.
        env: Its environment.
        cwd: Its working folder.
        logs: The folder for ``<label>.stdout`` and ``<label>.stderr``.

    Returns:
        Wall time, peak memory and exit status.
    """
    logs.mkdir(parents=True, exist_ok=True)
    stem = label.replace(" ", "-")
    out_path, err_path = logs / f"{stem}.stdout", logs / f"{stem}.stderr"
    sampling = PROC.joinpath("self", "stat").exists()
    load = os.getloadavg()[0]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=env)  # noqa: S603
        sampler = TreeSampler(proc.pid) if sampling else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if sampler is not None:
            sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        label=label,
        wall=wall,
        largest_rss_mib=maxrss_mib(usage.ru_maxrss),
        tree_peak_mib=None if sampler is None else sampler.peak_kib / 1024,
        tree_pss_peak_mib=(
            None if sampler is None or sampler.pss_peak_kib is None else sampler.pss_peak_kib / 1024
        ),
        returncode=proc.returncode,
        log=str(err_path),
        load=load,
    )

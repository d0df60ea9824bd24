"""Publishing a run's outputs all at once.

A run writes everything into a staging folder of its own,
``<out>/.sverka/runs/<run id>.partial``. When every file is there, it writes
``manifest.json`` (the run and every file with its size and SHA-256), renames
the folder to ``<out>/.sverka/runs/<run id>`` and switches the symbolic link
``<out>/.sverka/current`` to it with one atomic rename. The names a user opens
(``<out>/discrepancies.xlsx``, ``<out>/validated/`` …) are symbolic links
through ``current``, so at any moment they all belong to one complete run:
an overlapping run, a ``kill -9`` or a power cut before the switch leaves the
previous set in place, and an annotated copy of a file that left the inbox
goes with the set it belonged to.

The previous set is kept until the next run starts (a reporting team's
loader may still be reading it); the start of every run removes older sets
and the staging folders of killed runs. All of this happens under the lock
of :mod:`checks.runlock`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.atomic import current_umask
from checks.runlock import HOUSE

RUNS = "runs"
CURRENT = "current"
PARTIAL = ".partial"
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
#: Names earlier versions wrote as plain files and folders at the top of the
#: output folder; the first publication replaces them with links.
LEGACY_NAMES = frozenset(
    {
        "discrepancies.csv",
        "discrepancies.xlsx",
        "report.html",
        "validated",
        "history",
        "annotated",
        "data_docs",
        "letters",
        MANIFEST,
    }
)


class PublicationError(Exception):
    """The outputs could not be published; the message says why, in Russian."""


def runs_folder(out: Path) -> Path:
    """Return the folder holding the published sets and the staging folders."""
    return out / HOUSE / RUNS


def new_run_id(now: dt.datetime | None = None) -> str:
    """Return a new run id: local date and time, and a random suffix.

    Args:
        now: The run's start (now if not given).

    Returns:
        E.g. ``20261122-055301-3f9a1c``; sorts by start time.
    """
    moment = now or dt.datetime.now()
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def current_target(out: Path) -> Path | None:
    """Return the folder of the published set, ``None`` before the first publication."""
    link = out / HOUSE / CURRENT
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


def clean_leftovers(out: Path, keep: int = 1) -> list[str]:
    """Remove staging folders of killed runs and all but the newest older sets.

    Call it only while holding the output folder's lock.

    Args:
        out: The output folder.
        keep: How many sets to keep besides the published one.

    Returns:
        The names of the folders removed.
    """
    runs = runs_folder(out)
    if not runs.is_dir():
        return []
    current = current_target(out)
    removed: list[str] = []
    done = sorted(
        (p for p in runs.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)),
        key=lambda p: p.name,
        reverse=True,
    )
    older = [p for p in done if current is None or p.resolve() != current]
    for path in [*(p for p in runs.iterdir() if p.name.endswith(PARTIAL)), *older[keep:]]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for stray in (out / HOUSE).glob(f".{CURRENT}.*"):
        stray.unlink(missing_ok=True)
    for stray in out.glob(".*.sverka-link"):
        stray.unlink(missing_ok=True)
    return sorted(removed)


def begin(out: Path, run_id: str) -> Path:
    """Create the staging folder of a run.

    Args:
        out: The output folder.
        run_id: The run's id (:func:`new_run_id`).

    Returns:
        The empty staging folder, ``<out>/.sverka/runs/<run id>.partial``.
    """
    staging = runs_folder(out) / f"{run_id}{PARTIAL}"
    staging.mkdir(parents=True)
    return staging


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
        # The bytes reach the disk before the switch makes them the published set.
        os.fsync(handle.fileno())
    return path.stat().st_size, sha.hexdigest()


def _fix_modes(folder: Path) -> None:
    """Give every file and folder the mode the umask gives new ones (0644/0755 under 022).

    Libraries that write through ``tempfile`` leave 0600 files that
    colleagues on a shared folder could not open.
    """
    mask = current_umask()
    os.chmod(folder, 0o777 & ~mask)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(Path(root) / name, 0o777 & ~mask)
        for name in files:
            os.chmod(Path(root) / name, 0o666 & ~mask)


def file_list(folder: Path) -> list[dict[str, Any]]:
    """List every file under a folder with its size and SHA-256, in path order.

    Args:
        folder: The run's folder.

    Returns:
        ``{"path": relative POSIX path, "size": bytes, "sha256": hex}`` per file.
    """
    listed = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST:
            continue
        size, sha = _digest(path)
        listed.append({"path": relative, "size": size, "sha256": sha})
    return listed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(at: Path, target: str) -> None:
    """Make ``at`` a symbolic link to ``target``, atomically replacing a link or file."""
    tmp = at.parent / f".{at.name}.{secrets.token_hex(4)}.sverka-link"
    os.symlink(target, tmp)
    try:
        if at.is_dir() and not at.is_symlink():
            # A plain folder of an earlier version's layout: it is ours to replace.
            shutil.rmtree(at)
        os.replace(tmp, at)
    finally:
        tmp.unlink(missing_ok=True)


def publish(out: Path, staging: Path, run: Mapping[str, Any]) -> dict[str, Any]:
    """Write the manifest and switch the staged outputs in as the published set.

    Args:
        out: The output folder.
        staging: The run's staging folder, complete.
        run: What the manifest says of the run (id, start, inbox, counts …);
            ``finished`` and ``files`` are added here.

    Returns:
        The manifest written.

    Raises:
        PublicationError: A name at the top of the output folder is not ours to replace.
    """
    house = out / HOUSE
    names = sorted(p.name for p in staging.iterdir() if p.name != MANIFEST)
    for name in names:
        top = out / name
        if top.exists() and not top.is_symlink() and name not in LEGACY_NAMES:
            raise PublicationError(
                f"в папке результатов лежит «{name}», которого сверка не писала; "
                "уберите его, и результаты будут опубликованы"
            )
    _fix_modes(staging)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        **run,
        "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": file_list(staging),
    }
    (staging / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    os.chmod(staging / MANIFEST, 0o666 & ~current_umask())
    with (staging / MANIFEST).open("rb") as handle:
        os.fsync(handle.fileno())
    final = staging.with_name(staging.name.removesuffix(PARTIAL))
    os.replace(staging, final)
    _fsync_dir(final.parent)
    before = current_target(out)
    old_names = {p.name for p in before.iterdir()} if before and before.is_dir() else set()
    for name in [*names, MANIFEST]:
        _link(out / name, f"{HOUSE}/{CURRENT}/{name}")
    _link(house / CURRENT, f"{RUNS}/{final.name}")
    _fsync_dir(house)
    for gone in sorted(old_names - {*names, MANIFEST}):
        top = out / gone
        if top.is_symlink():
            top.unlink()
    for legacy in sorted(LEGACY_NAMES):
        top = out / legacy
        if top.is_symlink() or not top.exists():
            continue
        # An earlier version's output that this run does not write: stale, and ours.
        if top.is_dir():
            shutil.rmtree(top)
        else:
            top.unlink()
    _fsync_dir(out)
    return manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    """Return the published set's manifest, ``None`` when nothing is published."""
    path = out / MANIFEST
    with contextlib.suppress(FileNotFoundError):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return None


def verify(out: Path) -> list[str]:
    """Check the published set against its manifest.

    Args:
        out: The output folder.

    Returns:
        What does not match, in Russian; empty when every file is as listed.
    """
    manifest = read_manifest(out)
    if manifest is None:
        return ["нет manifest.json: результаты ещё не публиковались"]
    problems = []
    listed = {f["path"]: f for f in manifest["files"]}
    for relative, entry in listed.items():
        path = out / relative
        if not path.is_file():
            problems.append(f"нет файла {relative}")
            continue
        size, sha = _digest(path)
        if size != entry["size"] or sha != entry["sha256"]:
            problems.append(f"файл {relative} не совпадает с описью")
    target = current_target(out)
    if target is not None:
        extra = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} - {
            *listed,
            MANIFEST,
        }
        problems += [f"файла {relative} нет в описи" for relative in sorted(extra)]
    return problems

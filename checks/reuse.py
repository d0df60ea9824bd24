"""Kept outputs: an annotated copy made once is copied, not made again, while nothing changed.

An annotated copy depends only on the submitted file's bytes, on that file's
findings as shown (messages, statuses, causes…), on the language and on the
code that draws it. A nightly run after 1 % new files would otherwise make
again every copy it made the night before (about 60 ms each with openpyxl).
So each copy is kept under ``<out>/.sverka/kept/annotated/``, named by the
digest of all of those, and a run whose digest matches copies the kept file
into its outputs. A copy, not a link: a steward who edits a published copy in
place must not change what later runs publish.

Letters are kept the same way, beside them (``kept/letters``), without their
date: :mod:`checks.letters` puts the day's date into a kept letter.

What checking a partition found is kept the same way (:class:`Checked`): a
nightly run checks only the partitions with a new or changed file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from checks.atomic import file_mode

#: The modules whose code draws an annotated copy.
_CODE = ("annotate", "sheetstyle", "present", "workbook", "findings", "vocab")


def source_digest(names: Sequence[str], *extra: bytes) -> str:
    """Return a digest of some files of the ``checks`` package and of extra bytes.

    Args:
        names: Paths relative to the package (``reader.py``, ``templates/texts.toml``);
            a missing one counts as empty.
        *extra: More bytes to digest (the default limits, say).

    Returns:
        16 hex digits.
    """
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in names:
        path = here / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    for data in extra:
        digest.update(data)
    return digest.hexdigest()[:16]


@functools.cache
def code_version() -> str:
    """Return a digest of the code that draws an annotated copy, and of its texts.

    Returns:
        16 hex digits.
    """
    return source_digest([*(f"{name}.py" for name in _CODE), "templates/texts.toml"])


def _copy_atomically(source: Path, target: Path) -> bool:
    """Copy a file through a temporary sibling and a rename, with the umask's mode."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


class Kept:
    """A folder of kept outputs, each named by the digest of what it was made from."""

    def __init__(self, folder: Path | None) -> None:
        """Use a folder (created when the first output is kept); ``None`` keeps nothing.

        Args:
            folder: ``<out>/.sverka/kept/annotated``, say.
        """
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0

    @staticmethod
    def key(*parts: str | bytes) -> str:
        """Return the digest of what an output is made from.

        Args:
            *parts: The inputs, in a fixed order.

        Returns:
            The hex digest (the code's version included).
        """
        digest = hashlib.sha256(code_version().encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path | None:
        return None if self.folder is None else self.folder / key[:2] / key

    def beside(self, name: str) -> Kept:
        """Return a folder of other kept outputs next to this one.

        Args:
            name: ``letters`` gives ``<out>/.sverka/kept/letters`` beside ``…/kept/annotated``.

        Returns:
            A new :class:`Kept`, which keeps nothing if this one keeps nothing.
        """
        return Kept(None if self.folder is None else self.folder.parent / name)

    def location(self, key: str) -> Path | None:
        """Return where the output kept under ``key`` is or would go.

        For outputs a caller writes there itself (an output kept in another
        form than the one published); it then marks them (:meth:`mark`).

        Args:
            key: Its digest (:meth:`key`).

        Returns:
            The path, or ``None`` when this keeps nothing.
        """
        return self._path(key)

    def mark(self, key: str, *, hit: bool = False) -> None:
        """Count an output as used by this run, so :meth:`prune` leaves it.

        Args:
            key: Its digest (:meth:`key`).
            hit: It was taken from an earlier run (counted in :attr:`hits`).
        """
        self.used.add(key)
        if hit:
            self.hits += 1

    def fetch(self, key: str, target: Path) -> bool:
        """Copy a kept output to ``target``, if there is one.

        Args:
            key: Its digest (:meth:`key`).
            target: Where the run's output goes.

        Returns:
            Whether it was there and is now at ``target``.
        """
        path = self._path(key)
        if path is None or not path.is_file() or not _copy_atomically(path, target):
            return False
        self.used.add(key)
        self.hits += 1
        return True

    def keep(self, key: str, made: Path) -> None:
        """Keep a copy of an output just made (a failure only costs time next run).

        Args:
            key: Its digest (:meth:`key`).
            made: The output.
        """
        path = self._path(key)
        if path is None:
            return
        self.used.add(key)
        _copy_atomically(made, path)

    def prune(self) -> int:
        """Remove the kept outputs this run did not use.

        Call it only while holding the output folder's lock, after the run.

        Returns:
            How many were removed.
        """
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for item in sub.iterdir():
                if item.name not in self.used:
                    item.unlink(missing_ok=True)
                    removed += 1
            with contextlib.suppress(OSError):
                sub.rmdir()
        return removed


@functools.cache
def rules_version() -> str:
    """Return a digest of every module and standard file the checks' results depend on.

    Returns:
        16 hex digits; any change to the code under ``checks/`` starts anew.
    """
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([*here.rglob("*.py"), *here.rglob("*.toml")]):
        digest.update(path.relative_to(here).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: Partition key → its findings (dicts of plain values).
KeptFindings = dict[str, list[dict[str, Any]]]


class Checked:
    """What checking each partition found, kept between runs (``<out>/.sverka/kept/checked``).

    A partition (one organisation's reports for a year) is checked again only
    when one of its files, their names, their standard or the checking code
    changed: its key is the digest of all of those. The results of one part
    are kept together (a file per partition would cost more to open than to
    check again): the findings as JSON, keyed by partition, and the part's
    schedules and measures tables as Parquet, with the partition's key in
    ``_kept``. They are read back in bulk (:meth:`load`): a run of 10,000
    one-file partitions opens a few dozen files and builds no frame per partition.
    """

    KEY_COLUMN = "_kept"

    def __init__(self, folder: Path | None) -> None:
        """Use a folder (created when the first result is kept); ``None`` keeps nothing.

        Args:
            folder: ``<out>/.sverka/kept/checked``, say.
        """
        self.folder = folder
        self.used: set[str] = set()
        self.used_files: set[str] = set()
        self.hits = 0
        self._index: dict[str, str] | None = None
        self._findings: dict[str, KeptFindings] = {}

    @staticmethod
    def key(files: list[tuple[str, str, str]]) -> str:
        """Return a partition's key.

        Args:
            files: (submission name, SHA-256, the standard's full repr) of each of its
                files, in the run's order.

        Returns:
            The hex digest, the checking code's version included.
        """
        digest = hashlib.sha256(rules_version().encode())
        for part in files:
            digest.update(json.dumps(part, ensure_ascii=False).encode())
        return digest.hexdigest()

    def _files(self) -> dict[str, str]:
        """Partition key → the kept file set (its stem) that holds it."""
        if self._index is None:
            self._index = {}
            if self.folder is not None and self.folder.is_dir():
                for path in sorted(self.folder.glob("*.json")):
                    try:
                        findings = json.loads(path.read_text(encoding="utf-8"))
                        keys = findings.keys()
                    except (OSError, ValueError, AttributeError):
                        continue
                    self._findings[path.stem] = findings
                    self._index.update(dict.fromkeys(keys, path.stem))
        return self._index

    def load(self, keys: Iterable[str]) -> tuple[KeptFindings, pd.DataFrame, pd.DataFrame]:
        """Return the kept results of the partitions that have them.

        Args:
            keys: The partitions' keys.

        Returns:
            Key → findings for each partition found (a miss, or a kept set that no
            longer reads, is left out), and the schedules and measures of those
            partitions, each with the partition's key in :attr:`KEY_COLUMN`.
        """
        index = self._files()
        wanted: dict[str, set[str]] = {}
        for key in keys:
            if key in index:
                wanted.setdefault(index[key], set()).add(key)
        found: KeptFindings = {}
        tables: dict[str, list[pd.DataFrame]] = {"hours": [], "measures": []}
        assert self.folder is not None or not wanted
        for stem, ours in wanted.items():
            assert self.folder is not None
            try:
                frames = {}
                for name in tables:
                    path = self.folder / f"{stem}.{name}.parquet"
                    frame = pd.read_parquet(path) if path.exists() else pd.DataFrame()
                    if not frame.empty:
                        frame = frame[frame[self.KEY_COLUMN].isin(ours)]
                    frames[name] = frame
            except (OSError, ValueError, KeyError):
                continue
            for name, frame in frames.items():
                if not frame.empty:
                    tables[name].append(frame)
            findings = self._findings[stem]
            found.update({key: findings[key] for key in ours})
            self.used_files.add(stem)
        self.used.update(found)
        self.hits += len(found)
        return found, _joined(tables["hours"]), _joined(tables["measures"])

    def save(self, findings: KeptFindings, hours: pd.DataFrame, measures: pd.DataFrame) -> None:
        """Keep the results of a part's partitions together (a failure only costs time).

        Args:
            findings: Partition key → its findings (dicts of plain values).
            hours: The partitions' schedules with hours, the key in :attr:`KEY_COLUMN`.
            measures: Their measures, the key in :attr:`KEY_COLUMN`.
        """
        if self.folder is None or not findings:
            return
        stem = secrets.token_hex(8)
        self.used.update(findings)
        self.used_files.add(stem)
        written: list[Path] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, frame in {"hours": hours, "measures": measures}.items():
                if not frame.empty:
                    path = self.folder / f"{stem}.{name}.parquet"
                    frame.to_parquet(path, index=False)
                    written.append(path)
            text = json.dumps(findings, ensure_ascii=False)
            tmp = self.folder / f".{stem}.json.tmp"
            tmp.write_text(text, encoding="utf-8")
            written.append(tmp)
            for path in written:
                os.chmod(path, file_mode())
            os.replace(tmp, self.folder / f"{stem}.json")  # the JSON names the set: last
        except (OSError, ValueError, TypeError):
            for path in written:
                path.unlink(missing_ok=True)

    def prune(self) -> int:
        """Remove the kept file sets none of whose results this run used.

        Call it only while holding the output folder's lock, after the run.

        Returns:
            How many file sets were removed.
        """
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed: set[str] = set()
        for path in self.folder.iterdir():
            stem = path.name.split(".", 1)[0]
            if stem not in self.used_files:
                path.unlink(missing_ok=True)
                removed.add(stem)
        return len(removed)


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

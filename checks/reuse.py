"""Kept outputs: an annotated copy made once is copied, not made again, while nothing changed.

An annotated copy depends only on the submitted file's bytes, on that file's
findings as shown (messages, statuses, causes…), on the language and on the
code that draws it. A nightly run after 1 % new files would otherwise make
again every copy it made the night before (about 60 ms each with openpyxl).
So each copy is kept under ``<out>/.sverka/kept/annotated/``, named by the
digest of all of those, and a run whose digest matches copies the kept file
into its outputs. A copy, not a link: a steward who edits a published copy in
place must not change what later runs publish.

Letters are not kept: they carry the day's date, so every run writes them anew.

What checking a partition found is kept the same way (:class:`Checked`): a
nightly run checks only the partitions with a new or changed file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import secrets
import shutil
from collections.abc import Sequence
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


#: A kept table split by partition key.
_Split = dict[str, pd.DataFrame]
#: A partition's kept results: its findings (dicts of plain values), schedules, measures.
Result = tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]


class Checked:
    """What checking each partition found, kept between runs (``<out>/.sverka/kept/checked``).

    A partition (one organisation's reports for a year) is checked again only
    when one of its files, their names, their standard or the checking code
    changed: its key is the digest of all of those. The results of one part
    are kept together (a file per partition would cost more to open than to
    check again): the findings as JSON, keyed by partition, and the part's
    schedules and measures tables as Parquet, with the partition's key in
    ``_kept``.
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
        self._loaded: dict[str, tuple[dict[str, Any], _Split, _Split]] = {}

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
                        keys = json.loads(path.read_text(encoding="utf-8")).keys()
                    except (OSError, ValueError, AttributeError):
                        continue
                    self._index.update(dict.fromkeys(keys, path.stem))
        return self._index

    def _read(
        self, stem: str
    ) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        if stem not in self._loaded:
            assert self.folder is not None
            findings = json.loads((self.folder / f"{stem}.json").read_text(encoding="utf-8"))
            frames = []
            for name in ("hours", "measures"):
                path = self.folder / f"{stem}.{name}.parquet"
                frames.append(_by_key(pd.read_parquet(path)) if path.exists() else {})
            self._loaded[stem] = (findings, frames[0], frames[1])
        return self._loaded[stem]

    def load(self, key: str) -> Result | None:
        """Return a partition's kept findings (as dicts), schedules and measures, if kept.

        Args:
            key: The partition's key.

        Returns:
            ``None`` on a miss (or a kept file that no longer reads).
        """
        stem = self._files().get(key)
        if stem is None:
            return None
        try:
            findings, hours, measures = self._read(stem)
        except (OSError, ValueError):
            return None
        self.used.add(key)
        self.used_files.add(stem)
        self.hits += 1
        empty = pd.DataFrame()
        return findings[key], hours.get(key, empty), measures.get(key, empty)

    def save(
        self, results: dict[str, tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]]
    ) -> None:
        """Keep the results of a part's partitions together (a failure only costs time).

        Args:
            results: Partition key → its findings (dicts of plain values), its
                schedules with hours and its measures.
        """
        if self.folder is None or not results:
            return
        stem = secrets.token_hex(8)
        self.used.update(results)
        self.used_files.add(stem)
        written: list[Path] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tables = {
                "hours": {key: r[1] for key, r in results.items()},
                "measures": {key: r[2] for key, r in results.items()},
            }
            for name, by_key in tables.items():
                frames = [
                    frame.assign(**{self.KEY_COLUMN: key})
                    for key, frame in by_key.items()
                    if not frame.empty
                ]
                if frames:
                    path = self.folder / f"{stem}.{name}.parquet"
                    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)
                    written.append(path)
            findings = {key: r[0] for key, r in results.items()}
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


def _by_key(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Split a kept table by partition key: each key's rows lie together, as they were saved."""
    if frame.empty or Checked.KEY_COLUMN not in frame:
        return {}
    keys = frame[Checked.KEY_COLUMN].to_numpy()
    rows = frame.drop(columns=[Checked.KEY_COLUMN])
    change = [0, *(i for i in range(1, len(keys)) if keys[i] != keys[i - 1]), len(keys)]
    return {
        str(keys[a]): rows.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(change)
    }

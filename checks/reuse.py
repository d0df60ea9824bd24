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
import json
import os
import secrets
import shutil
from pathlib import Path

import pandas as pd

from checks.atomic import current_umask, file_mode

#: The modules whose code draws an annotated copy.
_CODE = ("annotate", "sheetstyle", "present", "workbook", "findings", "vocab")


@functools.cache
def code_version() -> str:
    """Return a digest of the code that draws an annotated copy, and of its texts.

    Returns:
        16 hex digits.
    """
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CODE:
        path = here / f"{name}.py"
        if path.exists():
            digest.update(path.read_bytes())
    texts = here / "templates" / "texts.toml"
    if texts.exists():
        digest.update(texts.read_bytes())
    return digest.hexdigest()[:16]


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
        if path is None or not path.is_file():
            return False
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, tmp)
            os.chmod(tmp, file_mode())
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)
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
        tmp = path.with_name(f".{key}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made, tmp)
            os.chmod(tmp, file_mode())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)

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


class Checked:
    """What checking each partition found, kept between runs (``<out>/.sverka/kept/checked``).

    A partition (one organisation's reports for a year) is checked again only
    when one of its files, their names, their standard or the checking code
    changed: its key is the digest of all of those. The findings are kept as
    JSON, the partition's schedules and measures tables as Parquet.
    """

    def __init__(self, folder: Path | None) -> None:
        """Use a folder (created when the first result is kept); ``None`` keeps nothing.

        Args:
            folder: ``<out>/.sverka/kept/checked``, say.
        """
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0

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

    def load(self, key: str) -> tuple[list[dict[str, object]], pd.DataFrame, pd.DataFrame] | None:
        """Return a partition's kept findings (as dicts), schedules and measures, if kept.

        Args:
            key: The partition's key.

        Returns:
            ``None`` on a miss (or an entry that no longer reads).
        """
        if self.folder is None:
            return None
        entry = self.folder / key
        try:
            findings = json.loads((entry / "findings.json").read_text(encoding="utf-8"))
            frames = [
                pd.read_parquet(entry / f"{name}.parquet")
                if (entry / f"{name}.parquet").exists()
                else pd.DataFrame()
                for name in ("hours", "measures")
            ]
        except (OSError, ValueError):
            return None
        self.used.add(key)
        self.hits += 1
        return findings, frames[0], frames[1]

    def save(
        self,
        key: str,
        findings: list[dict[str, object]],
        hours: pd.DataFrame,
        measures: pd.DataFrame,
    ) -> None:
        """Keep a partition's results (a failure only costs time next run).

        Args:
            key: The partition's key.
            findings: Its findings, as dicts of plain values.
            hours: Its schedules with hours.
            measures: Its measures.
        """
        if self.folder is None:
            return
        self.used.add(key)
        entry = self.folder / key
        tmp = self.folder / f".{key}.{secrets.token_hex(4)}.tmp"
        try:
            tmp.mkdir(parents=True)
            text = json.dumps(findings, ensure_ascii=False)
            (tmp / "findings.json").write_text(text, encoding="utf-8")
            for name, frame in (("hours", hours), ("measures", measures)):
                if not frame.empty:
                    frame.to_parquet(tmp / f"{name}.parquet", index=False)
            for item in [tmp, *tmp.iterdir()]:
                os.chmod(item, 0o777 & ~current_umask() if item.is_dir() else file_mode())
            shutil.rmtree(entry, ignore_errors=True)
            os.replace(tmp, entry)
        except (OSError, ValueError, TypeError):
            shutil.rmtree(tmp, ignore_errors=True)

    def prune(self) -> int:
        """Remove the results this run did not use; call it holding the folder's lock.

        Returns:
            How many were removed.
        """
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

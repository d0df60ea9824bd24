"""The read cache: what was read from each file, kept so that a file is parsed once.

A nightly run sees mostly the files it saw the night before. What the reader
makes of a file depends only on the file's bytes and on the reader's code, so
it is kept, keyed by the file's SHA-256, under
``<out>/.sverka/cache/<reader version>/``: one Parquet file per chunk of files
read (a file per submission would cost more to open than to read):

* the tidy figures are the table (one row per figure, the columns of
  :data:`checks.reader.FIGURE_COLUMNS` but the submission's name,
  organisation and year, with the file's digest in ``sha256``);
* the rest of each :class:`~checks.reader.Submission` is JSON in the file's
  key-value metadata: its header (passport, sheets, territories, the
  reader's findings) under one key, read by :class:`Index` from the footer
  alone, and its rows of ``Время``, ``Режим работы`` and ``Мероприятия``
  under another, read with the figures when its partition is validated.

The *reader version* is a digest of the source of every module whose code
decides what a file reads as (the reader, the value parsers, the
vocabulary, the rule registry that words the reader's findings, the limits):
any change to them starts a new cache; nobody has to remember to bump a
number. The submission's name is not stored: a renamed identical file is a
hit, and gets its new name on the way out.

What is not kept: a file whose reading was stopped by a limit (a time or
memory limit may depend on the machine's load that night: it is tried
again), a file that could not be opened (no digest), a file still arriving.

Deleting the cache changes nothing but time. A damaged cache file is a miss
for its files (they are read again). :func:`prune`, at the end of a run,
removes cache files none of whose files are in the inbox any more, and the
caches of earlier reader versions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

# pyarrow imports these on its first conversion from Python objects, in every
# reading process anew (some 3 ms each): imported here, they come ready-made
# from the fork server, which imports this module.
import pyarrow.pandas_compat
import pyarrow.parquet as pq
import pyarrow.vendored.version

from checks.atomic import file_mode
from checks.findings import Finding, Source
from checks.limits import Limits
from checks.reader import (
    FIGURE_COLUMNS,
    FIGURE_DTYPES,
    ROW_COLUMNS,
    FigureRow,
    Submission,
    figure_dicts,
    read_rows,
)
from checks.reuse import source_digest

#: The folder of the cache inside the output folder's house folder.
CACHE = "cache"
#: Rules whose findings mean the file was not read for good and must be tried again.
NOT_KEPT = frozenset({"file-refused", "file-arriving"})
#: Modules whose code decides what a file reads as (see the module docstring).
_READER_MODULES = (
    "reader",
    "workbook",
    "values",
    "text",
    "vocab",
    "limits",
    "findings",
    "registry",
    "i18n",
    "schedules",
)


@functools.cache
def reader_version() -> str:
    """Return the digest that names the reader's code and its limits.

    Returns:
        16 hex digits; they change whenever a reading module or a default limit does.
    """
    return source_digest([f"{name}.py" for name in _READER_MODULES], repr(Limits()).encode())


def root(out: Path) -> Path:
    """Return the cache folder of an output folder, for this reader version.

    Args:
        out: The output folder.

    Returns:
        ``<out>/.sverka/cache/<reader version>``.
    """
    return out / ".sverka" / CACHE / reader_version()


def keepable(sub: Submission) -> bool:
    """Tell whether a submission may be kept: read for good, with a digest.

    Args:
        sub: A submission as read.

    Returns:
        ``False`` for a file stopped by a limit, still arriving, or not opened.
    """
    return bool(sub.source.sha256) and not any(f.rule in NOT_KEPT for f in sub.findings)


# --- values that JSON and Parquet do not carry as they are -----------------------------


def _encode(value: Any) -> Any:
    """JSON's ``default``: the values of cells JSON has no type for."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, set | frozenset):
        return {"$set": sorted(value, key=str)}
    raise TypeError(f"{type(value).__name__} is not kept in the read cache")


_DECODERS: dict[str, Any] = {
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$timedelta": lambda seconds: dt.timedelta(seconds=seconds),
    "$set": set,
}


def _decode(obj: dict[str, Any]) -> Any:
    """JSON's ``object_hook``: undo :func:`_encode`."""
    if len(obj) == 1:
        (key, inner), *_ = obj.items()
        decoder = _DECODERS.get(key)
        if decoder is not None:
            return decoder(inner)
    return obj


def _dumps(value: Any) -> bytes:
    # allow_nan: a NaN read from a cell comes back as NaN (Python's JSON writes it as such).
    return json.dumps(value, ensure_ascii=False, default=_encode).encode()


def _loads(data: bytes) -> Any:
    return json.loads(data, object_hook=_decode)


#: The Arrow type of each figure column kept (the header's columns are not kept).
FIGURE_TYPES: dict[str, pa.DataType] = {
    "territory": pa.string(),
    "channel": pa.string(),
    "label": pa.string(),
    "period": pa.string(),
    "month": pa.int64(),
    "metric": pa.string(),
    "value": pa.float64(),
    "value_max": pa.float64(),
    "unit": pa.string(),
    "sheet": pa.string(),
    "cell": pa.string(),
    "stated": pa.string(),
    "form": pa.string(),
    "decimals": pa.int64(),
    "reason": pa.string(),
    "row_kind": pa.string(),
    "group": pa.string(),
    "known": pa.bool_(),
    "row": pa.int64(),
}
SHA = "sha256"
_SCHEMA = pa.schema([(SHA, pa.string()), *FIGURE_TYPES.items()])
#: A figure row (:data:`checks.reader.ROW_COLUMNS`) as an Arrow struct.
_ROW_TYPE = pa.struct(list(FIGURE_TYPES.items()))
_HEADS = b"sverka-heads"
_ROWS = b"sverka-rows"


def _finding_dict(finding: Finding) -> dict[str, Any]:
    record = dataclasses.asdict(finding)
    del record["submission"]  # the name the file has in this run, set on the way out
    return record


def _head(sub: Submission) -> dict[str, Any]:
    return {
        "organisation": sub.source.organisation,
        "year": sub.source.year,
        "passport": {k: [v, c] for k, (v, c) in sub.passport.items()},
        "sheets": sorted(sub.sheets),
        "territories": list(sub.territories),
        "findings": [_finding_dict(f) for f in sub.findings],
    }


@dataclass(frozen=True, slots=True)
class Kept:
    """A file read for the cache, as a reading process sends it: ready to be stored.

    Everything the cache keeps of the file is encoded where it was read, so
    the run's own process (which every reading process reports to) only
    joins the pieces: it neither rebuilds the figures nor encodes the rows.

    Attributes:
        figures: The figures: one Arrow record batch of the cache's schema
            (the digest, then :data:`FIGURE_TYPES`), in Arrow's IPC format.
        head: The header (passport, sheets, territories, findings) as JSON.
        rows: The rows of ``Время``, ``Режим работы`` and ``Мероприятия`` as JSON.
    """

    figures: bytes
    head: bytes
    rows: bytes


def _rows(sub: Submission) -> dict[str, Any]:
    return {"time_rows": sub.time_rows, "schedules": sub.schedules, "measures": sub.measures}


def _batch(sha256: str, rows: Sequence[FigureRow]) -> pa.RecordBatch | None:
    """The figures of one file as Arrow, or ``None`` when one does not fit its column's type."""
    try:
        # One conversion of the rows as they are (tuples of a struct), not one per column.
        figures = pa.array(rows, _ROW_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    digest = pa.repeat(pa.scalar(sha256, pa.string()), len(rows))
    return pa.RecordBatch.from_arrays([digest, *figures.flatten()], schema=_SCHEMA)


def _kept(sub: Submission, rows: Sequence[FigureRow]) -> Kept | None:
    """Encode what the cache keeps of a submission, ``None`` when a figure does not fit."""
    batch = _batch(sub.source.sha256, rows)
    if batch is None:
        return None
    return Kept(batch.serialize().to_pybytes(), _dumps(_head(sub)), _dumps(_rows(sub)))


def read_for_cache(path: Path, name: str, limits: Limits) -> Submission:
    """Read a file, what the cache keeps of it encoded in the reading process.

    A module-level function, so that a worker process receives it by
    reference. A file that may be kept travels back as its header and one
    :class:`Kept` (a few byte strings to copy) instead of some 200 figure
    dicts and 50 rows to pickle and unpickle, and the run's own process
    neither converts nor encodes them.

    Args:
        path: The file.
        name: Its submission name.
        limits: The limits to read within.

    Returns:
        The submission; when it may be kept, with :attr:`~checks.reader.Submission.figure_table`
        set to its :class:`Kept` and its figures and rows left empty
        (:func:`whole_figures` gives them back); as read otherwise.
    """
    sub, rows = read_rows(path, name, limits)
    kept = _kept(sub, rows) if keepable(sub) else None
    if kept is None:
        sub.figures = figure_dicts(sub.source, rows)
    else:
        sub.figure_table = kept
        sub.time_rows, sub.schedules, sub.measures = [], [], []
    return sub


def whole_figures(sub: Submission) -> Submission:
    """Give a submission read by :func:`read_for_cache` its figures and rows back.

    Args:
        sub: The submission.

    Returns:
        The same submission, ``figures`` and the rows filled (for one that could not be kept).
    """
    kept = sub.figure_table
    if isinstance(kept, Kept):
        batch = pa.ipc.read_record_batch(pa.py_buffer(kept.figures), _SCHEMA)
        columns = [batch.column(name).to_pylist() for name in FIGURE_TYPES]
        sub.figures = figure_dicts(sub.source, list(zip(*columns, strict=True)))
        rows = _loads(kept.rows)
        sub.time_rows, sub.schedules, sub.measures = (
            rows["time_rows"],
            rows["schedules"],
            rows["measures"],
        )
        sub.figure_table = None
    return sub


def _figures(subs: Sequence[Submission]) -> list[tuple[Submission, Kept]]:
    """What the cache keeps of each submission that may be kept, once per digest.

    A submission read by :func:`read_for_cache` brings its :class:`Kept`; one
    read otherwise is encoded here. One whose figure does not fit its
    column's type is left out: the others are kept.
    """
    chosen: dict[str, tuple[Submission, Kept]] = {}
    for sub in subs:
        sha = sub.source.sha256
        if sha in chosen or not keepable(sub):
            continue
        kept = sub.figure_table
        if not isinstance(kept, Kept):
            kept = _kept(sub, [tuple(f.get(c) for c in ROW_COLUMNS) for f in sub.figures])
        if kept is not None:
            chosen[sha] = (sub, kept)
    return list(chosen.values())


def _joined(pieces: dict[str, bytes]) -> bytes:
    """Join pieces of JSON, keyed by digest, into the object :func:`_dumps` would write."""
    return b"{" + b", ".join(_dumps(key) + b": " + piece for key, piece in pieces.items()) + b"}"


def store(cache: Path, subs: Sequence[Submission]) -> tuple[str, set[str]]:
    """Keep what was read from a chunk of files, in one Parquet file.

    Args:
        cache: The cache folder (:func:`root`).
        subs: The submissions as read (by :func:`read_for_cache` or not).

    Returns:
        The cache file's name and the digests kept in it (those that may be:
        see :func:`keepable`); ``("", set())`` when nothing was kept.
    """
    keep = _figures(subs)
    if not keep:
        return "", set()
    table = pa.Table.from_batches(
        [pa.ipc.read_record_batch(pa.py_buffer(kept.figures), _SCHEMA) for _, kept in keep],
        schema=_SCHEMA,
    )
    metadata = {
        _HEADS: _joined({sub.source.sha256: kept.head for sub, kept in keep}),
        _ROWS: _joined({sub.source.sha256: kept.rows for sub, kept in keep}),
    }
    path = cache / f"{secrets.token_hex(8)}.parquet"
    tmp = cache / f".{path.name}.tmp"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # The metadata goes in once, as the file's key-value metadata, which is
        # what a reader's schema shows too: stored with the Arrow schema
        # (``store_schema``) it would be written twice, once base64-encoded.
        with pq.ParquetWriter(
            tmp, _SCHEMA, compression="zstd", write_statistics=False, store_schema=False
        ) as writer:
            writer.write_table(table)
            writer.add_key_value_metadata(metadata)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return "", set()
    return path.name, {sub.source.sha256 for sub, _ in keep}


def _submission(path: Path, name: str, sha256: str, head: dict[str, Any]) -> Submission:
    year = head.get("year")
    source = Source(name, sha256, str(head.get("organisation", "")), year)
    sub = Submission(path=path, source=source)
    sub.passport = {k: (v, str(c)) for k, (v, c) in head.get("passport", {}).items()}
    sub.sheets = set(head.get("sheets", []))
    sub.territories = list(head.get("territories", []))
    sub.findings = [Finding(submission=name, **f) for f in head.get("findings", [])]
    return sub


def strip(sub: Submission) -> Submission:
    """Return the header of a submission: the same without its tables.

    Args:
        sub: A submission as read.

    Returns:
        A copy without figures, rows of ``Время``, schedules and measures.
    """
    return dataclasses.replace(
        sub, figures=[], time_rows=[], schedules=[], measures=[], figure_table=None
    )


class Index:
    """Which kept file holds which digest, read from the cache files' footers."""

    def __init__(self, cache: Path) -> None:
        """Read the footers of every cache file.

        Args:
            cache: The cache folder (:func:`root`); it need not exist.
        """
        self.cache = cache
        self.files: dict[str, str] = {}
        self.heads: dict[str, dict[str, Any]] = {}
        if cache.is_dir():
            for path in sorted(cache.glob("*.parquet")):
                self.add(path.name)

    def add(self, name: str) -> None:
        """Take in one cache file's digests (a damaged file is skipped: its files are misses).

        Args:
            name: The file's name in the cache folder.
        """
        try:
            metadata = pq.read_schema(self.cache / name).metadata or {}
            heads = _loads(metadata[_HEADS])
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return
        for sha, head in heads.items():
            self.files[sha] = name
            self.heads[sha] = head

    def header(self, sha256: str, path: Path, name: str) -> Submission | None:
        """Return a kept file's header: everything but its tables.

        Args:
            sha256: The file's digest.
            path: The file, as found in this run.
            name: Its submission name in this run.

        Returns:
            The submission without figures, rows of ``Время``, schedules and
            measures (:func:`tables` gives them); ``None`` on a miss.
        """
        head = self.heads.get(sha256)
        return None if head is None else _submission(path, name, sha256, head)

    def where(self, subs: Sequence[Submission]) -> dict[str, str]:
        """Map the digests of some submissions to the cache files holding them.

        Args:
            subs: Submissions (headers or whole).

        Returns:
            Digest → cache file name, for those kept.
        """
        return {
            s.source.sha256: self.files[s.source.sha256]
            for s in subs
            if s.source.sha256 in self.files
        }


def figures_frame(table: pa.Table) -> pd.DataFrame:
    """Turn kept figures into the typed frame :func:`checks.batch.build_tables` makes.

    Args:
        table: Figures with the header columns already added.

    Returns:
        The frame, columns in :data:`checks.reader.FIGURE_COLUMNS` order.
    """
    frame: pd.DataFrame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    frame = frame[list(FIGURE_COLUMNS)]
    return frame.astype(FIGURE_DTYPES)


def _spans(digests: pa.ChunkedArray) -> dict[str, tuple[int, int]]:
    """Where each file's figures lie in a cache file: digest → (first row, row after the last)."""
    values = np.asarray(digests.to_pylist(), dtype=object)
    if not len(values):
        return {}
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(values)]])
    return {str(values[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}


def tables(
    cache: Path, subs: Sequence[Submission], files: dict[str, str]
) -> tuple[list[Submission], pd.DataFrame | None]:
    """Load the tables of some submissions from the cache.

    Args:
        cache: The cache folder (:func:`root`).
        subs: Headers (and whole submissions not kept, returned as they are).
        files: Digest → cache file, for the headers (:meth:`Index.where`).

    Returns:
        The submissions with their rows of ``Время``, schedules and measures,
        and the figures of the kept ones as a typed frame (``None`` when none
        is kept); a kept submission's own ``figures`` list stays empty.
    """
    wanted: dict[str, list[Submission]] = {}
    for sub in subs:
        if sub.source.sha256 in files:
            wanted.setdefault(files[sub.source.sha256], []).append(sub)
    if not wanted:
        return list(subs), None
    parts: list[pa.Table] = []
    names: list[str] = []
    organisations: list[str] = []
    years: list[int | None] = []
    lengths: list[int] = []
    whole: dict[int, Submission] = {}
    for name, group in wanted.items():
        parquet = pq.ParquetFile(cache / name)
        metadata = parquet.schema_arrow.metadata or {}
        rows = _loads(metadata[_ROWS])
        table = parquet.read().drop_columns([SHA])
        spans = _spans(parquet.read(columns=[SHA]).column(SHA))
        for sub in group:
            sha = sub.source.sha256
            kept = rows[sha]
            whole[id(sub)] = dataclasses.replace(
                sub,
                time_rows=kept["time_rows"],
                schedules=kept["schedules"],
                measures=kept["measures"],
            )
            start, stop = spans.get(sha, (0, 0))
            parts.append(table.slice(start, stop - start))  # a file's figures lie together
            names.append(sub.source.submission)
            organisations.append(sub.source.organisation)
            years.append(sub.source.year)
            lengths.append(stop - start)
    # One chunk per column, not one per file: pandas and Great Expectations take rows
    # (filters, failing rows) many times over, and a take across a part's hundreds of
    # small chunks cost up to 18 times one over a single chunk (measured on 100,000 rows).
    figures = pa.concat_tables(parts).combine_chunks()
    repeat = np.asarray(lengths)
    figures = figures.append_column(
        "submission", pa.array(np.repeat(np.asarray(names, dtype=object), repeat), pa.string())
    )
    figures = figures.append_column(
        "organisation",
        pa.array(np.repeat(np.asarray(organisations, dtype=object), repeat), pa.string()),
    )
    figures = figures.append_column(
        "year", pa.array(np.repeat(np.asarray(years, dtype=object), repeat), pa.int64())
    )
    frame = figures_frame(figures)
    return [whole.get(id(s), s) for s in subs], frame


def prune(out: Path, keep: Iterable[str], files: Mapping[str, str] | None = None) -> int:
    """Remove cache files none of whose files are read any more, and other reader versions.

    A cache file is kept while one of its files is still in the inbox (its
    other entries cost only disk). Call it only while holding the output
    folder's lock.

    Args:
        out: The output folder.
        keep: The digests of this run's files.
        files: Digest → cache file, as the run's index knows them
            (:meth:`Index.where`); read again from the footers if not given.

    Returns:
        How many cache files were removed.
    """
    base = out / ".sverka" / CACHE
    if not base.is_dir():
        return 0
    current = root(out)
    for other in base.iterdir():
        if other != current and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    if not current.is_dir():
        return 0
    kept = set(keep)
    where = files if files is not None else Index(current).files
    used = {where[sha] for sha in kept if sha in where}
    removed = 0
    for item in current.iterdir():
        if item.name not in used:
            item.unlink(missing_ok=True)
            removed += 1
    return removed

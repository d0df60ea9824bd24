"""Service standards: the thresholds a report's figures are held to, as configuration.

A standard is a TOML file (see ``default.toml`` beside this module for the
shape and the default, the standard of ``seeds/004``). Loading checks the
file completely and raises :class:`NormsError` for a mistake in it: that is a
configuration error for the operator, not a finding about a submission.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from checks import vocab
from checks.schedules import WEEKDAYS
from checks.text import normalize
from checks.values import parse_duration

KINDS = ("time", "day", "week", "weekend")
OPERATORS = ("<", "<=", ">", ">=")
PERIODS = ("month", "year")
METRICS = ("waiting_time", "service_time")


class NormsError(ValueError):
    """A standard's file is not usable; the message says which entry and why."""


@dataclass(frozen=True, slots=True)
class Norm:
    """One threshold of a standard.

    Attributes:
        id: The norm's id within its standard.
        what: What it bounds, in Russian, for messages.
        kind: ``time``, ``day``, ``week`` or ``weekend``.
        channels: Canonical channel names it applies to.
        operator: ``<``, ``<=``, ``>`` or ``>=``: how a figure must compare.
        limit: Seconds for ``time``, hours otherwise.
        limit_text: The limit as the file writes it.
        metric: For ``time``: ``waiting_time`` or ``service_time``.
        periods: For ``time``: ``month`` and/or ``year``.
        days: For ``day``: weekday indexes (0 = Monday).
        what_en: ``what`` in English, for ``--lang en``.
    """

    id: str
    what: str
    kind: str
    channels: tuple[str, ...]
    operator: str
    limit: float
    limit_text: str
    metric: str = ""
    periods: tuple[str, ...] = ()
    days: tuple[int, ...] = ()
    what_en: str = ""

    def holds(self, value: float) -> bool:
        """Tell whether a figure meets the norm.

        Args:
            value: Seconds for ``time``, hours otherwise.

        Returns:
            ``True`` when the figure compares with the limit as required.
        """
        return {
            "<": value < self.limit,
            "<=": value <= self.limit,
            ">": value > self.limit,
            ">=": value >= self.limit,
        }[self.operator]


@dataclass(frozen=True, slots=True)
class Standard:
    """A named set of norms.

    Attributes:
        name: The standard's name, quoted in every norm finding.
        norms: Its thresholds.
        name_en: Its name in English, for ``--lang en``.
    """

    name: str
    norms: tuple[Norm, ...]
    name_en: str = ""


def _channel(name: str, where: str) -> str:
    canonical = vocab.lookup(vocab.TIME_CHANNEL_INDEX, name) or vocab.lookup(
        vocab.CHANNEL_INDEX, name
    )
    if canonical is None:
        raise NormsError(f"{where}: канал «{name}» не из списка формата")
    return canonical


def _norm(entry: dict[str, Any], where: str) -> Norm:
    def need(key: str) -> Any:
        if key not in entry:
            raise NormsError(f"{where}: нет поля «{key}»")
        return entry[key]

    kind, operator = need("kind"), need("operator")
    if kind not in KINDS:
        raise NormsError(f"{where}: kind «{kind}», нужен один из {', '.join(KINDS)}")
    if operator not in OPERATORS:
        raise NormsError(f"{where}: operator «{operator}», нужен один из {' '.join(OPERATORS)}")
    channels = tuple(_channel(str(c), where) for c in need("channels"))
    raw_limit = need("limit")
    metric = ""
    periods: tuple[str, ...] = ()
    days: tuple[int, ...] = ()
    if kind == "time":
        parsed = parse_duration(str(raw_limit))
        if parsed.value is None or parsed.value != parsed.value_max:
            raise NormsError(f"{where}: limit «{raw_limit}» не читается как длительность")
        limit = parsed.value
        metric = str(need("metric"))
        if metric not in METRICS:
            raise NormsError(f"{where}: metric «{metric}», нужен один из {', '.join(METRICS)}")
        periods = tuple(str(p) for p in need("periods"))
        if not periods or any(p not in PERIODS for p in periods):
            raise NormsError(f"{where}: periods должны быть из {', '.join(PERIODS)}")
    else:
        if not isinstance(raw_limit, int | float) or isinstance(raw_limit, bool):
            raise NormsError(f"{where}: limit «{raw_limit}» должен быть числом часов")
        limit = float(raw_limit)
        if kind == "day":
            try:
                days = tuple(WEEKDAYS.index(str(d).casefold()) for d in need("days"))
            except ValueError as exc:
                raise NormsError(f"{where}: days — дни недели вида пн, вт … вс") from exc
    return Norm(
        id=str(need("id")),
        what=str(need("what")),
        kind=kind,
        channels=channels,
        operator=operator,
        limit=float(limit),
        limit_text=str(raw_limit),
        metric=metric,
        periods=periods,
        days=days,
        what_en=str(entry.get("what_en", "")),
    )


def parse_standard(text: str, origin: str) -> Standard:
    """Build a standard from the text of its TOML file.

    Args:
        text: The file's content.
        origin: The file's name, for error messages.

    Returns:
        The standard.

    Raises:
        NormsError: The file is not valid TOML or an entry is wrong.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NormsError(f"{origin}: не TOML ({exc})") from exc
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise NormsError(f"{origin}: нет названия стандарта (name)")
    entries = data.get("norm", [])
    norms = tuple(_norm(entry, f"{origin}, норма {i}") for i, entry in enumerate(entries, 1))
    ids = [n.id for n in norms]
    if len(set(ids)) != len(ids):
        raise NormsError(f"{origin}: id норм повторяются")
    return Standard(name=name.strip(), norms=norms, name_en=str(data.get("name_en", "")).strip())


def load_standard(path: Path | None = None) -> Standard:
    """Load a standard from a file, or the default one.

    Args:
        path: A TOML file; ``None`` for the default standard of ``seeds/004``.

    Returns:
        The standard.

    Raises:
        NormsError: The file is missing, unreadable or wrong.
    """
    if path is None:
        text = resources.files("checks.norms").joinpath("default.toml").read_text("utf-8")
        return parse_standard(text, "default.toml")
    try:
        return parse_standard(path.read_text("utf-8"), path.name)
    except OSError as exc:
        raise NormsError(f"{path}: файл не читается ({exc.strerror})") from exc


def load_mapping(path: Path) -> dict[str, Standard]:
    """Load a per-organisation choice of standards.

    The file maps organisation names (as in the passport) to standard files,
    relative to the mapping file: ``"АО «Пример»" = "example-standard.toml"``.

    Args:
        path: The mapping's TOML file.

    Returns:
        Matching key of the organisation's name → its standard.

    Raises:
        NormsError: The mapping or a standard it names is wrong.
    """
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NormsError(f"{path}: соответствие организаций и стандартов не читается") from exc
    return {
        normalize(org): load_standard(path.parent / str(file))
        for org, file in data.get("organisations", data).items()
    }

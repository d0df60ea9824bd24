"""Text matching and number formatting shared by the reader and the rules.

The contract matches sheet names, labels, headers and dictionary values after
trimming, collapsing inner whitespace, case-folding, ``ё``→``е`` and treating
``-``, ``–``, ``—`` as one dash. We also drop the spaces around a dash, so
``Очное — консультация`` and ``Очное-консультация`` are the same label: a
submitter cannot see the difference in Excel and would not expect one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TypeVar

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*")
_SPACES = re.compile(r"\s+")
#: Matching keys of labels already seen: submissions repeat the same few
#: hundred labels, and a key costs several passes over the text. Bounded: past
#: this many, new labels are normalised each time.
_KEYS: dict[str, str] = {}
#: Most texts one memo remembers.
MEMO_SIZE = 8192

T = TypeVar("T")


def memo(remembered: dict[str, T], text: str, compute: Callable[[str], T]) -> T:
    """Return ``compute(text)``, remembered for the next time the same text comes.

    Args:
        remembered: The memo (a module's dict); it stops growing at :data:`MEMO_SIZE`.
        text: The text.
        compute: What to do with it.

    Returns:
        The result.
    """
    result = remembered.get(text)
    if result is None:
        result = compute(text)
        if len(remembered) < MEMO_SIZE:
            remembered[text] = result
    return result


def normalize(text: object) -> str:
    """Return the matching key of a label.

    Args:
        text: A cell value or a name; ``None`` gives the empty string.

    Returns:
        The trimmed, whitespace-collapsed, case-folded text with ``ё`` as
        ``е`` and every dash as ``-``.
    """
    if text is None:
        return ""
    if type(text) is str:
        return memo(_KEYS, text, _normalize)
    return _normalize(str(text))


def _normalize(text: str) -> str:
    s = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ")
    s = _SPACES.sub(" ", s).strip().casefold().replace("ё", "е")
    return _DASHES.sub("-", s)


def fmt_int(value: float) -> str:
    """Format a count the way a Russian reader writes it: ``1 195 866``.

    Args:
        value: A whole number (a float holding one is fine).

    Returns:
        The digits grouped by three with plain spaces.
    """
    return f"{round(value):,}".replace(",", " ")


def fmt_number(value: float) -> str:
    """Format a number for a message: grouped digits, a decimal comma if it has a fraction.

    Args:
        value: The number.

    Returns:
        ``1 195 866`` for a whole number, ``1 234,5`` otherwise (up to 6 decimals).
    """
    if float(value).is_integer():
        return fmt_int(value)
    whole, _, fraction = f"{abs(value):.6f}".rstrip("0").partition(".")
    sign = "-" if value < 0 else ""
    return f"{sign}{fmt_int(float(whole))},{fraction}"


def fmt_stated(value: float, stated: str) -> str:
    """Print a stated figure for a message: as written unless it is a plain whole number.

    A whole count is grouped the Russian way (``1 195 866``, whatever spaces
    the submitter typed); anything else (``1234,5``, ``12.0е``) is quoted as
    written, so the message never shows a different number than the cell.

    Args:
        value: The number read.
        stated: The cell's text as the submitter sees it.

    Returns:
        The text for the message.
    """
    if float(value).is_integer() or not stated or stated.strip() == repr(float(value)):
        return fmt_number(value)  # a whole count, or a number cell (Excel shows 1234,5)
    return stated.strip()


def fmt_decimal(value: float, decimals: int) -> str:
    """Format a decimal with a comma, as Russian text does: ``0,19``.

    Args:
        value: The number.
        decimals: Digits after the comma.

    Returns:
        The formatted number.
    """
    return f"{value:.{decimals}f}".replace(".", ",")


def fmt_seconds(seconds: float) -> str:
    """Format a duration in seconds as ``ч:мм:сс`` (days are written out).

    Args:
        seconds: A duration; fractions are rounded to the second.

    Returns:
        ``0:04:24`` for 264 s, ``3 дн. 0:00:00`` for three days.
    """
    if math.isnan(seconds):
        return ""
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{days} дн. {clock}" if days else f"{sign}{clock}"


def plain_number(value: float) -> str:
    """Format a number for the machine-read ``expected``/``actual`` fields.

    Args:
        value: The number.

    Returns:
        ``1195866`` for whole numbers, else the shortest decimal with a dot.
    """
    if math.isnan(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 6))

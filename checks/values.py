"""Parsing of the cell values the contract allows: counts, percentages, durations.

Parsers never raise and never judge: they say what a cell holds (its value,
the form it was written in, the decimals it shows) or that it could not be
read (form ``invalid`` with a reason). Whether a value is acceptable is for
the rules (:mod:`checks.rules`) to decide.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils.datetime import to_excel

from checks.text import MEMO_SIZE, memo

EMPTY = "empty"
INVALID = "invalid"
NUMBER = "number"
TEXT = "text"
PERCENT_FORMAT = "percent-format"
EXCEL_TIME = "excel"
HMS = "hms"
MS = "ms"
WORDS = "words"
RANGE = "range"

_NOT_REPORTED = frozenset({"", "-", "–", "—", "н/д"})
_GROUP_SPACES = re.compile(r"[ \u00a0\u2009\u202f\u2007]")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,](\d+))?$")
#: Quoted text in a number format, and bracketed codes (colours, conditions, locales).
_QUOTED = re.compile(r'"[^"]*"')
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]')
#: The digit placeholders of a number format, and those after its decimal point.
_DIGIT_PLACES = re.compile(r"[0#][0#,]*(?:\.([0#]+))?")
_HMS = re.compile(r"^(-?)(\d+):(\d{1,2}):(\d{1,2})$")
_MS = re.compile(r"^(-?)(\d+):(\d{1,2})$")
_NUM = r"(\d+(?:[.,]\d+)?)"
_UNIT = (
    r"(секунд[аы]?|сек\.?|с\.?|минут[аы]?|мин\.?|час(?:а|ов)?|ч\.?"
    r"|(?:календарных\s+|календарный\s+|календарного\s+)?(?:дн(?:я|ей)\.?|день|дн\.))"
)
_WORDS_PART = re.compile(_NUM + r"\s*" + _UNIT, re.IGNORECASE)
_RANGE = re.compile(
    r"^(?:от\s+)?" + _NUM + r"\s*" + _UNIT + r"?\s*(?:до|-)\s*" + _NUM + r"\s*" + _UNIT + r"$",
    re.IGNORECASE,
)
#: A date-time up to here is an Excel duration of days shown with a time format
#: (a serial under 60), not a calendar date.
_LAST_DURATION_DAY = dt.datetime(1900, 2, 28, 23, 59, 59)


def excel_days(value: dt.datetime) -> float:
    """Return the Excel serial (days) a date-time was read from.

    openpyxl shifts serials below 60 by a day for Excel's phantom 29 February
    1900; ``to_excel`` undoes that, so ``1:00:00`` on serial 1 is 25 hours.

    Args:
        value: A date-time openpyxl read from a time-formatted cell.

    Returns:
        The stored serial.
    """
    return float(to_excel(value))  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one cell holds, as read.

    Attributes:
        value: The number (a count, a percent, seconds); ``None`` when not
            reported or unreadable. For a range, its lower bound.
        value_max: The upper bound of a range; else equal to ``value``.
        form: How it was written: ``empty``, ``invalid``, ``number``,
            ``text``, ``percent-format``, ``excel``, ``hms``, ``ms``,
            ``words`` or ``range``.
        decimals: For a percent, the decimals it is given with.
        reason: For ``invalid``, why, in Russian.
        shown: For a number whose format fixes the decimals, the text Excel
            shows (``0,1 %`` for 0.0012 in a ``0.0%`` cell); empty otherwise.
    """

    value: float | None
    value_max: float | None
    form: str
    decimals: int | None = None
    reason: str = ""
    shown: str = ""


_NOTHING = Parsed(None, None, EMPTY)

_new_parsed = object.__new__
_SET_VALUE = vars(Parsed)["value"].__set__
_SET_VALUE_MAX = vars(Parsed)["value_max"].__set__
_SET_FORM = vars(Parsed)["form"].__set__
_SET_DECIMALS = vars(Parsed)["decimals"].__set__
_SET_REASON = vars(Parsed)["reason"].__set__
_SET_SHOWN = vars(Parsed)["shown"].__set__


def _quick(value: float, value_max: float, form: str) -> Parsed:
    """Return ``Parsed(value, value_max, form)``, built without the frozen ``__init__``.

    That one costs an ``object.__setattr__`` a field, and a file's counts are
    read by the hundred.
    """
    parsed: Parsed = _new_parsed(Parsed)
    _SET_VALUE(parsed, value)
    _SET_VALUE_MAX(parsed, value_max)
    _SET_FORM(parsed, form)
    _SET_DECIMALS(parsed, None)
    _SET_REASON(parsed, "")
    _SET_SHOWN(parsed, "")
    return parsed


#: Texts already parsed, per parser: submissions repeat the same texts
#: (``0:04:24``, ``-``, ``1 квартал``), and a :class:`Parsed` is immutable.
#: Bounded (:data:`checks.text.MEMO_SIZE`): past that, new ones are parsed each time.
_COUNTS: dict[str, Parsed] = {}
_PERCENTS: dict[str, Parsed] = {}
_DURATIONS: dict[str, Parsed] = {}
#: Numbers already read as percentages, by their digits (``repr``) and number format.
_PERCENT_NUMBERS: dict[tuple[str, str], Parsed] = {}


def is_not_reported(raw: object) -> bool:
    """Tell whether a cell means *not reported* (empty, ``-``, ``—``, ``н/д``).

    Args:
        raw: The cell value.

    Returns:
        ``True`` for the contract's not-reported spellings.
    """
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip().casefold() in _NOT_REPORTED
    return False


def stated_text(raw: object) -> str:
    """Render a cell value the way the submitter sees it, for messages.

    Args:
        raw: The cell value.

    Returns:
        The text; Excel times as ``ч:мм:сс``; whole floats without ``.0``.
    """
    if type(raw) is str:
        return raw
    if type(raw) is int:
        return str(raw)
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M:%S").lstrip("0").rjust(7, "0")
    if isinstance(raw, dt.timedelta):
        seconds = raw.total_seconds()
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if isinstance(raw, dt.datetime):
        if raw <= _LAST_DURATION_DAY:
            seconds = round(excel_days(raw) * 86400)
            return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        return raw.isoformat(sep=" ")
    return str(raw)


def _decimal(text: str) -> tuple[float, int] | None:
    match = _DECIMAL.match(text)
    if match is None:
        return None
    digits = match.group(1)
    return float(text.replace(",", ".")), len(digits) if digits else 0


def parse_count(raw: object) -> Parsed:
    """Read a count: a number, or text such as ``796 601`` or ``796601.0``.

    Args:
        raw: The cell value.

    Returns:
        The count as written; whole and non-negative is checked by the rules.
    """
    if type(raw) is str:
        return memo(_COUNTS, raw, _parse_count)
    if type(raw) is int or type(raw) is float:  # the usual number: no other check applies
        if math.isnan(raw) or math.isinf(raw):
            return Parsed(None, None, INVALID, reason="не число")
        number = float(raw)
        return _quick(number, number, NUMBER)
    return _parse_count(raw)


def _parse_count(raw: object) -> Parsed:
    if is_not_reported(raw):
        return _NOTHING
    if isinstance(raw, bool):
        return Parsed(None, None, INVALID, reason="логическое значение вместо числа")
    if isinstance(raw, int | float):
        if math.isnan(raw) or math.isinf(raw):
            return Parsed(None, None, INVALID, reason="не число")
        return Parsed(float(raw), float(raw), NUMBER)
    if isinstance(raw, str):
        read = _decimal(_GROUP_SPACES.sub("", raw.strip()))
        if read is None:
            return Parsed(None, None, INVALID, reason="текст не читается как число")
        return Parsed(read[0], read[0], TEXT)
    return Parsed(None, None, INVALID, reason="дата или время вместо числа")


def _format_decimals(number_format: str) -> int | None:
    """Decimals an Excel number format shows (``0.00%`` → 2), ``None`` for General."""
    # Format codes are stored with "," for thousands and "." for decimals,
    # whatever language Excel displays them in.
    fmt = _QUOTED_OR_BRACKETED.sub("", number_format.split(";", maxsplit=1)[0])
    match = _DIGIT_PLACES.search(fmt)
    if match is None:
        return None
    return len(match.group(1)) if match.group(1) else 0


def _shortest_decimals(value: float) -> int:
    text = repr(round(value, 10))
    if "e" in text or "." not in text:
        return 0
    digits = text.split(".")[1].rstrip("0")
    return len(digits)


def parse_percent(raw: object, number_format: str = "General") -> Parsed:
    """Read a percentage: ``0.19``, ``0,19 %`` or a percent-formatted ``0.0019``.

    Args:
        raw: The cell value.
        number_format: The cell's Excel number format.

    Returns:
        The percent (0.19 means 0.19 %) and the decimals it is given with:
        as written for text, as the format shows it for a formatted number.
        A number whose format fixes the decimals is taken as Excel shows it
        (0.0012 in a ``0.0%`` cell is 0.1 %, rounded half away from zero in
        decimal arithmetic, as Excel displays it), the contract's stated S.
    """
    if type(raw) is str:  # the number format only matters to a number
        return memo(_PERCENTS, raw, _parse_percent_text)
    if type(raw) is float or type(raw) is int:
        # What a number reads as depends on its digits and the format alone.
        key = (repr(raw), number_format)
        parsed = _PERCENT_NUMBERS.get(key)
        if parsed is None:
            parsed = _parse_percent(raw, number_format)
            if len(_PERCENT_NUMBERS) < MEMO_SIZE:
                _PERCENT_NUMBERS[key] = parsed
        return parsed
    return _parse_percent(raw, number_format)


def _parse_percent_text(raw: str) -> Parsed:
    return _parse_percent(raw, "General")


def _parse_percent(raw: object, number_format: str) -> Parsed:
    if is_not_reported(raw):
        return _NOTHING
    if isinstance(raw, bool):
        return Parsed(None, None, INVALID, reason="логическое значение вместо процента")
    if isinstance(raw, int | float):
        value = float(raw)
        if math.isnan(value) or math.isinf(value):
            return Parsed(None, None, INVALID, reason="не число")
        shown = _format_decimals(number_format)
        is_percent = "%" in _QUOTED.sub("", number_format)
        exact = Decimal(repr(value)) * (100 if is_percent else 1)
        form = PERCENT_FORMAT if is_percent else NUMBER
        if shown is None:
            number = float(exact)
            return Parsed(number, number, form, _shortest_decimals(number))
        as_shown = exact.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
        text = f"{as_shown:f}".replace(".", ",") + (" %" if is_percent else "")
        return Parsed(float(as_shown), float(as_shown), form, shown, shown=text)
    if isinstance(raw, str):
        text = _GROUP_SPACES.sub("", raw.strip()).removesuffix("%")
        read = _decimal(text)
        if read is None:
            return Parsed(None, None, INVALID, reason="текст не читается как процент")
        return Parsed(read[0], read[0], TEXT, read[1])
    return Parsed(None, None, INVALID, reason="дата или время вместо процента")


def _unit_seconds(unit: str) -> float:
    u = unit.casefold()
    if u.startswith("с"):
        return 1.0
    if u.startswith("м"):
        return 60.0
    if u.startswith("ч"):
        return 3600.0
    return 86400.0


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_duration(raw: object) -> Parsed:
    """Read a duration into seconds.

    Accepts Excel time and duration values, ``ч:мм:сс``, two-part ``м:сс``
    (minutes and seconds, the way these reports write short times), Russian
    words (``10 минут``, ``1,5 часа``, ``45 сек``, ``3 дня``, also several
    parts such as ``1 час 5 минут``) and ranges (``от 3 до 30 дней``).

    Args:
        raw: The cell value.

    Returns:
        Seconds, with the form it was written in; ``invalid`` with a reason
        for anything else.
    """
    if type(raw) is str:
        return memo(_DURATIONS, raw, _parse_duration)
    return _parse_duration(raw)


def _parse_duration(raw: object) -> Parsed:
    if is_not_reported(raw):
        return _NOTHING
    if isinstance(raw, dt.datetime):
        if raw > _LAST_DURATION_DAY:
            return Parsed(None, None, INVALID, reason="дата вместо длительности")
        seconds = excel_days(raw) * 86400
        return Parsed(seconds, seconds, EXCEL_TIME)
    if isinstance(raw, dt.time):
        seconds = raw.hour * 3600 + raw.minute * 60 + raw.second + raw.microsecond / 1e6
        return Parsed(seconds, seconds, EXCEL_TIME)
    if isinstance(raw, dt.timedelta):
        seconds = raw.total_seconds()
        return Parsed(seconds, seconds, EXCEL_TIME)
    if isinstance(raw, bool | int | float):
        return Parsed(
            None, None, INVALID, reason="число без формата времени: неизвестно, минуты это или часы"
        )
    if not isinstance(raw, str):
        return Parsed(None, None, INVALID, reason="значение не читается как длительность")
    text = " ".join(raw.replace("\u00a0", " ").split()).replace("–", "-").replace("—", "-")
    if match := _HMS.match(text):
        sign, h, m, s = match.groups()
        if int(m) > 59 or int(s) > 59:
            return Parsed(None, None, INVALID, reason="минут или секунд больше 59")
        seconds = (int(h) * 3600 + int(m) * 60 + int(s)) * (-1 if sign else 1)
        return Parsed(float(seconds), float(seconds), HMS)
    if match := _MS.match(text):
        sign, m, s = match.groups()
        if int(s) > 59:
            return Parsed(None, None, INVALID, reason="секунд больше 59")
        seconds = (int(m) * 60 + int(s)) * (-1 if sign else 1)
        return Parsed(float(seconds), float(seconds), MS)
    if match := _RANGE.match(text):
        low, low_unit, high, high_unit = match.groups()
        low_s = _number(low) * _unit_seconds(low_unit or high_unit)
        high_s = _number(high) * _unit_seconds(high_unit)
        return Parsed(low_s, high_s, RANGE)
    parts = list(_WORDS_PART.finditer(text))
    if parts and _WORDS_PART.sub("", text).strip() == "":
        seconds = sum(_number(p.group(1)) * _unit_seconds(p.group(2)) for p in parts)
        return Parsed(seconds, seconds, WORDS)
    return Parsed(None, None, INVALID, reason="текст не читается как длительность")

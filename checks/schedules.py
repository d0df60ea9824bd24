"""Reading the free text of ``Режим работы`` into hours per weekday.

The texts the reports use are short phrases of day specs and times, in either
order: ``пн. – чт. с 08:00 до 17:00, пт. с 08:00 до 15:45``, ``с 8:00 до 18:00
по будням``, ``Круглосуточно``, ``воскресенье – выходной день``, split by parts
of the month (``с 1 по 25 число: …; с 26 числа до конца месяца: …``). A part of
the month gives a week of its own: the reading reports each week, so the
smallest and the largest week are known. Holidays are noted, not counted.

What cannot be read is reported with the part of the text that failed (a day
without hours, hours without days, ``до последнего клиента`` with no closing
hour): the reader never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
ALL_DAYS = frozenset(range(7))
WORKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})

_DAY_WORDS: dict[str, int] = {
    "пн": 0, "понедельник": 0, "понедельника": 0, "понедельникам": 0,
    "вт": 1, "вторник": 1, "вторника": 1, "вторникам": 1,
    "ср": 2, "среда": 2, "среду": 2, "средам": 2,
    "чт": 3, "четверг": 3, "четверга": 3, "четвергам": 3,
    "пт": 4, "пятница": 4, "пятницу": 4, "пятницам": 4,
    "сб": 5, "суббота": 5, "субботу": 5, "субботам": 5,
    "вс": 6, "воскресенье": 6, "воскресенья": 6, "воскресеньям": 6,
}  # fmt: skip
_DAY = "(?:" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\.?"
_B = r"(?<![а-яa-z0-9])"  # a word starts here
_E = r"(?![а-яa-z])"  # and ends here
_CLOCK = r"(\d{1,2})[:.](\d{2})"

_TOKENS = re.compile(
    "|".join(
        (
            rf"(?P<part_to_end>{_B}с\s*(\d{{1,2}})(?:-?го)?\s*числа\s*(?:и\s*)?до\s*конца\s*месяца)",
            rf"(?P<part>{_B}с\s*(\d{{1,2}})(?:-?го)?\s*(?:числа\s*)?по\s*(\d{{1,2}})(?:-?е)?\s*(?:число|числа){_E})",
            rf"(?P<open_end>(?:{_B}с\s*{_CLOCK}\s*)?{_B}до\s+последнего\s+(?:клиента|посетителя))",
            rf"(?P<time>(?:{_B}с\s*)?{_CLOCK}\s*(?:до|-|по)\s*{_CLOCK})",
            rf"(?P<round>{_B}круглосуточн\w*|24\s*/\s*7|{_B}24\s*часа)",
            rf"(?P<off>{_B}выходной(?:\s+день)?{_E}|{_B}не\s+работает{_E})",
            rf"(?P<holiday>{_B}праздни\w*)",
            rf"(?P<range>{_B}{_DAY}\s*-\s*{_DAY}(?![а-я]))",
            rf"(?P<every>{_B}(?:ежедневно|каждый\s+день|без\s+выходных){_E})",
            rf"(?P<workdays>{_B}(?:(?:в\s+|по\s+)?будн(?:ие|им|ям|и)(?:\s+дн(?:и|ям|ей))?){_E})",
            rf"(?P<weekend>{_B}(?:в\s+)?выходные(?:\s+дни)?{_E})",
            rf"(?P<day>{_B}(?:во?\s+)?{_DAY}(?![а-я]))",
        )
    )
)


@dataclass(frozen=True, slots=True)
class Week:
    """Hours of service on each weekday of one kind of week.

    Attributes:
        label: Which days of the month it covers (empty for the usual week).
        hours: Hours on Monday … Sunday.
    """

    label: str
    hours: tuple[float, ...]

    @property
    def total(self) -> float:
        """Hours in the week."""
        return sum(self.hours)

    @property
    def weekend(self) -> float:
        """Hours on Saturday and Sunday."""
        return self.hours[5] + self.hours[6]


@dataclass(slots=True)
class Reading:
    """What a schedule text says.

    Attributes:
        text: The text as written.
        weeks: The kinds of week it describes (one unless it splits the month).
        problems: Parts of the text that could not be read, each with why.
        holidays: Whether it mentions holidays (noted, not counted).
    """

    text: str
    weeks: list[Week] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    holidays: bool = False

    @property
    def readable(self) -> bool:
        """Whether the whole text was read into at least one week."""
        return bool(self.weeks) and not self.problems


def _day_index(word: str) -> int:
    return _DAY_WORDS[re.sub(r"^во?\s+", "", word.rstrip(".")).strip()]


def _days_of(kind: str, text: str) -> frozenset[int]:
    if kind == "every":
        return ALL_DAYS
    if kind == "workdays":
        return WORKDAYS
    if kind == "weekend":
        return WEEKEND
    if kind == "range":
        first, last = (_day_index(w.strip()) for w in text.split("-", 1))
        if first <= last:
            return frozenset(range(first, last + 1))
        return frozenset([*range(first, 7), *range(last + 1)])
    return frozenset({_day_index(text)})


def _hours(match: re.Match[str]) -> float:
    h1, m1, h2, m2 = [int(g) for g in match.groups() if g is not None and g.isdigit()][-4:]
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        end += 24 * 60
    return (end - start) / 60


@dataclass(slots=True)
class _Segment:
    label: str
    hours: dict[int, float] = field(default_factory=dict)
    days: frozenset[int] | None = None
    days_text: str = ""
    days_every: bool = False
    time: float | None = None
    time_text: str = ""


def _normalise(text: str) -> str:
    s = text.replace("\u00a0", " ").casefold().replace("ё", "е")
    return re.sub(r"[\u2010-\u2015\u2212]", "-", s)


def read_schedule(text: str) -> Reading:
    """Read a ``Режим работы`` text into weeks of hours per weekday.

    Args:
        text: The schedule as written.

    Returns:
        The weeks it describes and the parts that could not be read.
    """
    reading = Reading(text=text)
    source = _normalise(text)
    segments = [_Segment(label="")]
    found_any = False

    def close_pending(segment: _Segment) -> None:
        if segment.days is not None and segment.time is None:
            reading.problems.append((segment.days_text.strip(), "не указано время работы"))
        if segment.time is not None and segment.days is None:
            reading.problems.append((segment.time_text.strip(), "не указаны дни недели"))
        segment.days, segment.time = None, None

    for match in _TOKENS.finditer(source):
        kind = match.lastgroup or ""
        piece = text[match.start() : match.end()]
        segment = segments[-1]
        found_any = True
        if kind in ("part", "part_to_end"):
            close_pending(segment)
            numbers = [int(g) for g in match.groups() if g is not None and g.isdigit()]
            first = numbers[0]
            last = numbers[1] if kind == "part" else 31
            label = (
                f"с {first} по {last} число"
                if kind == "part"
                else f"с {first} числа до конца месяца"
            )
            segments.append(_Segment(label=label))
        elif kind == "holiday":
            reading.holidays = True
        elif kind == "open_end":
            reading.problems.append((piece.strip(), "нет часа закрытия"))
            segment.days, segment.time = None, None
        elif kind == "round":
            for day in segment.days if segment.days is not None else ALL_DAYS:
                segment.hours[day] = 24.0
            segment.days, segment.time = None, None
        elif kind == "off":
            for day in segment.days or ():
                segment.hours[day] = 0.0
            segment.days, segment.time = None, None
        elif kind == "time":
            hours = _hours(match)
            if segment.days is not None:
                for day in segment.days:
                    segment.hours[day] = hours
                segment.days = None
            else:
                if segment.time is not None:
                    close_pending(segment)
                segment.time, segment.time_text = hours, piece
        else:
            days = _days_of(kind, match.group(kind))
            if segment.time is not None and segment.days is None:
                for day in days:
                    segment.hours[day] = segment.time
                segment.time = None
            elif segment.days is not None and not segment.days_every:
                segment.days |= days
                segment.days_text += ", " + piece
            else:
                # "Ежедневно: пн. – чт. …": the specific days that follow win.
                segment.days, segment.days_text = days, piece
            segment.days_every = kind == "every"
    close_pending(segments[-1])
    if not found_any:
        reading.problems.append((text.strip(), "не найдено ни дней, ни часов работы"))
        return reading
    base = segments[0].hours
    for segment in segments:
        if not segment.hours:
            continue
        merged = {**base, **segment.hours} if segment is not segments[0] else base
        reading.weeks.append(Week(segment.label, tuple(merged.get(d, 0.0) for d in range(7))))
    if not reading.weeks and not reading.problems:
        reading.problems.append((text.strip(), "не найдено ни одного рабочего часа"))
    return reading

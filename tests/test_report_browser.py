"""The report page in headless Chromium: rows, filters, links, sorting, load time.

Driven with Playwright's Python client and Debian's Chromium (never a browser
Playwright downloads). Without ``/usr/bin/chromium`` the tests skip.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from checks.batch import BatchResult, validate
from checks.inbox import read_inbox
from checks.report import render_report
from tests.test_report import english_findings, submissions_of, synthetic_findings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
INBOX = ROOT / "inbox"
SCREENSHOT = ROOT / "outputs" / "report-screenshot.png"
SCREENSHOT_FINDINGS = ROOT / "outputs" / "report-screenshot-findings.png"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROWS = "#findings tbody tr"


@dataclass
class Opened:
    """A page opened in the browser and what it reported as going wrong."""

    page: Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, or a skip saying how to install it."""
    if not CHROMIUM.exists():
        reason = f"chromium not found at {CHROMIUM}: apt-get install chromium"
        print(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sample() -> BatchResult:
    """The sample inbox validated as one batch."""
    return validate(read_inbox(INBOX))


@pytest.fixture
def annotated(sample: BatchResult) -> dict[str, str]:
    """Annotated workbooks for every submission but the last."""
    names = sample.submissions["submission"].tolist()
    return {name: f"annotated/{name}" for name in names[:-1]}


@pytest.fixture
def opened(
    browser: Browser, sample: BatchResult, annotated: dict[str, str], tmp_path: Path
) -> Iterator[Opened]:
    """The sample run's page, opened from disk."""
    path = render_report(
        sample.findings,
        sample.submissions,
        tmp_path,
        annotated,
        data_docs="data_docs/index.html",
        run_label="Проверочный запуск",
    )
    result = open_page(browser, path)
    yield result
    result.page.context.close()


def new_page(browser: Browser) -> Opened:
    """A blank page that collects console errors and page errors."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    result = Opened(page)
    page.on("console", lambda m: result.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: result.errors.append(str(e)))
    return result


def open_page(browser: Browser, path: Path) -> Opened:
    """Open a page via ``file://``, collecting console errors and page errors."""
    result = new_page(browser)
    # The page's script runs before the load event that goto waits for.
    result.page.goto(path.as_uri())
    return result


def column(page: Page, key: str) -> list[str]:
    """The shown rows' texts in the column of ``key``."""
    index = page.eval_on_selector_all(
        "#findings thead th", "ths => ths.map(th => th.dataset.key)"
    ).index(key)
    texts: list[str] = page.eval_on_selector_all(
        ROWS, f"rows => rows.map(r => r.cells[{index}].textContent)"
    )
    return texts


def test_page_shows_every_finding_without_errors(opened: Opened, sample: BatchResult) -> None:
    """Opened from disk, the page lists every finding and reports no error."""
    page, total = opened.page, len(sample.findings)
    assert page.locator(ROWS).count() == total
    assert page.inner_text("#shown-count") == f"показано {total} из {total}"
    assert "Файлов: 4." in page.inner_text("#summary")
    # the first row is the first error: its numbers are held together by thin no-break spaces
    first = sample.findings[sample.findings["severity"] == "error"]["message"].iloc[0]
    shown = page.locator(f"{ROWS} .text").first.text_content()
    assert shown is not None
    assert shown.replace("\u202f", " ") == first
    assert "\u202f" in shown
    assert re.search(r"\d \d{3}(?!\d)", shown) is None
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    page.locator("#findings-heading").evaluate("h => window.scrollTo(0, h.offsetTop - 8)")
    page.screenshot(path=str(SCREENSHOT_FINDINGS))
    print(f"screenshots: {SCREENSHOT}, {SCREENSHOT_FINDINGS}")
    assert opened.errors == []


@pytest.mark.parametrize("severity", ["error", "warning", "info"])
def test_severity_filter_narrows_rows(opened: Opened, sample: BatchResult, severity: str) -> None:
    """Choosing a severity shows only its findings, and the count line says how many."""
    page, total = opened.page, len(sample.findings)
    expected = int((sample.findings["severity"] == severity).sum())
    page.select_option("#filter-severity", severity)
    assert 0 < expected < total
    assert page.locator(ROWS).count() == expected
    shown = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.severity)")
    assert set(shown) == {severity}
    assert page.inner_text("#shown-count") == f"показано {expected} из {total}"
    assert opened.errors == []


def test_file_links_point_at_annotated_workbooks(
    opened: Opened, sample: BatchResult, annotated: dict[str, str]
) -> None:
    """A row's file links to its annotated workbook; a file without one is plain text."""
    links: list[list[Any]] = opened.page.eval_on_selector_all(
        ROWS,
        "rows => rows.map(r => [r.cells[1].querySelector('.name').textContent,"
        " r.cells[1].querySelector('a')?.getAttribute('href') ?? null])",
    )
    assert len(links) == len(sample.findings)
    assert sorted(links, key=str) == sorted(
        ([name, annotated.get(name)] for name in sample.findings["submission"]), key=str
    )
    assert any(href is None for _, href in links)


def shown_order(page: Page) -> list[tuple[str, str]]:
    """(severity, fingerprint) of the rows shown, top to bottom."""
    rows: list[list[str]] = page.eval_on_selector_all(
        ROWS, "rows => rows.map(r => [r.dataset.severity, r.dataset.fingerprint])"
    )
    return [(severity, fingerprint) for severity, fingerprint in rows]


def test_errors_come_first_then_warnings_and_infos(opened: Opened, sample: BatchResult) -> None:
    """By default the rows go errors, warnings, infos; within a severity, the run's order."""
    rank = {"error": 0, "warning": 1, "info": 2}
    run = list(zip(sample.findings["severity"], sample.findings["fingerprint"], strict=True))
    expected = sorted(run, key=lambda row: rank[row[0]])
    assert expected != run
    assert shown_order(opened.page) == expected
    header = opened.page.locator('#findings th[data-key="severity"]')
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert shown_order(opened.page) == sorted(run, key=lambda row: -rank[row[0]])
    assert header.get_attribute("aria-sort") == "descending"
    assert opened.errors == []


@pytest.mark.parametrize("width", [1366, 1024])
def test_page_fits_the_screen_without_sideways_scrolling(
    browser: Browser, sample: BatchResult, tmp_path: Path, width: int
) -> None:
    """At 1366 px (and 1024 px, where the value columns fold) nothing scrolls sideways."""
    path = render_report(sample.findings, sample.submissions, tmp_path, run_label="Запуск")
    page = browser.new_context(viewport={"width": width, "height": 768}).new_page()
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    message = page.locator(f"{ROWS} td").nth(5).bounding_box()
    assert message is not None
    assert message["x"] + message["width"] <= width
    page.context.close()


def test_organisation_row_filters_the_findings(opened: Opened, sample: BatchResult) -> None:
    """Clicking an organisation in the summary shows only its findings; the worst comes first."""
    page, total = opened.page, len(sample.findings)
    rows = page.locator("#organisations tbody tr")
    first = rows.nth(0).get_attribute("data-organisation")
    errors = sample.findings[sample.findings["severity"] == "error"]
    assert first == errors["organisation"].value_counts().index[0]
    rows.nth(0).click()
    expected = int((sample.findings["organisation"] == first).sum())
    assert page.inner_text("#shown-count") == f"показано {expected} из {total}"
    shown = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.organisation)")
    assert set(shown) == {first}
    page.click("#reset")
    assert page.locator(ROWS).count() == total
    assert opened.errors == []


def test_search_narrows_rows(opened: Opened, sample: BatchResult) -> None:
    """Typing in the search box shows the findings whose text contains it."""
    page, total = opened.page, len(sample.findings)
    name = "seed-003-vostok-2023.xlsx"
    expected = int((sample.findings["submission"] == name).sum())
    page.fill("#search", "VOSTOK")
    # Polling predicates are evaluated as strings, which the page's policy forbids:
    # wait on the text instead (the search is debounced).
    page.get_by_text(f"показано {expected} из {total}", exact=True).wait_for()
    assert set(page.eval_on_selector_all(f"{ROWS} .name", "ns => ns.map(n => n.textContent)")) == {
        name
    }
    page.click("#reset")
    assert page.locator(ROWS).count() == total


def test_submitted_markup_stays_text(browser: Browser, tmp_path: Path) -> None:
    """Markup in a submitted value is shown as text and never runs."""
    findings = synthetic_findings(3)
    attack = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    findings.loc[0, "message"] = attack
    findings.loc[1, "organisation"] = '"><b onmouseover="window.__pwned=3">x</b>'
    result = open_page(browser, render_report(findings, submissions_of(findings), tmp_path))
    page = result.page
    texts = page.eval_on_selector_all(f"{ROWS} .text", "ts => ts.map(t => t.textContent)")
    assert attack in texts
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#findings tbody img, #findings tbody b").count() == 0
    assert result.errors == []
    page.context.close()


def test_english_page_filters_without_errors(browser: Browser, tmp_path: Path) -> None:
    """The English page shows every row, its filters and search narrow them, and nothing fails."""
    findings = english_findings(24, organisations=4)
    path = render_report(findings, submissions_of(findings), tmp_path, lang="en")
    result = open_page(browser, path)
    page, total = result.page, len(findings)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator(ROWS).count() == total
    assert page.inner_text("#shown-count") == f"showing {total} of {total}"
    assert set(column(page, "severity")) == {"Error", "Warning", "Info"}
    statuses = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.status)")
    assert set(statuses) == {"open", "waived"}
    expected = int((findings["severity"] == "warning").sum())
    page.select_option("#filter-severity", "warning")
    assert page.locator(ROWS).count() == expected
    assert page.inner_text("#shown-count") == f"showing {expected} of {total}"
    page.select_option("#filter-status", "waived")
    assert page.inner_text("#shown-count") == f"showing 0 of {total}"
    assert page.is_visible("#no-rows")
    page.click("#reset")
    assert page.inner_text("#shown-count") == f"showing {total} of {total}"
    page.fill("#search", "RETAILER NO. 2")
    named = int((findings["organisation"] == "Energy retailer No. 2").sum())
    page.get_by_text(f"showing {named} of {total}", exact=True).wait_for()
    shown = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.organisation)")
    assert set(shown) == {"Energy retailer No. 2"}
    page.locator(f"{ROWS} button[data-copy=command]").first.click()
    mine = findings[findings["organisation"] == "Energy retailer No. 2"]
    rank = mine["severity"].map({"error": 0, "warning": 1, "info": 2})
    first = mine.assign(rank=rank).sort_values("rank", kind="stable")["fingerprint"].iloc[0]
    command = f'sverka waive {first} --reason "…" --by "…"'
    page.get_by_text(f"Copied: {command}", exact=True).wait_for()
    assert result.errors == []
    page.context.close()


def test_ten_thousand_findings_load(browser: Browser, tmp_path: Path) -> None:
    """A page of 10,000 findings opens with every row shown (the load time is printed)."""
    findings = synthetic_findings(10_000)
    path = render_report(findings, submissions_of(findings), tmp_path)
    result = new_page(browser)
    page = result.page
    started = time.perf_counter()
    page.goto(path.as_uri())
    wall = (time.perf_counter() - started) * 1000
    assert page.inner_text("#shown-count") == "показано 10\u202f000 из 10\u202f000"
    rendered_at = page.evaluate("window.__renderedAt")
    size = path.stat().st_size / 1e6
    print(
        f"10,000 findings ({size:.1f} MB): table rendered {rendered_at:.0f} ms after "
        f"navigation start; goto returned after {wall:.0f} ms"
    )
    started = time.perf_counter()
    page.select_option("#filter-severity", "error")
    filtered = (time.perf_counter() - started) * 1000
    print(f"10,000 findings: severity filter applied in {filtered:.0f} ms")
    assert page.locator(ROWS).count() == int((findings["severity"] == "error").sum())
    assert result.errors == []
    page.context.close()


def test_waived_rows_say_who_why_and_until(browser: Browser, tmp_path: Path) -> None:
    """A waived finding shows who waived it, why and until when; an open one shows none of it."""
    findings = synthetic_findings(3)
    findings["fingerprint"] = [f"{i:016x}" for i in range(3)]
    findings["status"] = ["waived", "open", "waived"]
    findings["waived_by"] = ["Петрова А. А.", "", "Иванов"]
    findings["waived_reason"] = ["подтверждено письмом", "", "опечатка в форме"]
    findings["waived_until"] = ["2026-12-31", "", ""]
    result = open_page(browser, render_report(findings, submissions_of(findings), tmp_path))
    status = column(result.page, "status")
    by_fingerprint = dict(
        zip(
            result.page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.fingerprint)"),
            status,
            strict=True,
        )
    )
    assert by_fingerprint["0000000000000000"].startswith(
        "снятоснял(а): Петрова А. А.причина: подтверждено письмомдо 31.12.2026"
    )
    assert by_fingerprint["0000000000000002"].startswith(
        "снятоснял(а): Ивановпричина: опечатка в формебессрочно"
    )
    assert by_fingerprint["0000000000000001"].startswith("открытоКопировать:")
    assert result.errors == []
    result.page.context.close()


def test_follow_ons_fold_under_their_root(browser: Browser, tmp_path: Path) -> None:
    """A finding that follows from another is hidden under it until its root is unfolded."""
    findings = synthetic_findings(4, organisations=1)
    findings["fingerprint"] = [f"{i:016x}" for i in range(4)]
    findings["cause"] = ["", "0000000000000000", "0000000000000000", ""]
    result = open_page(browser, render_report(findings, submissions_of(findings), tmp_path))
    page = result.page
    assert [fp for _, fp in shown_order(page)] == ["0000000000000000", "0000000000000003"]
    assert page.inner_text("#shown-count") == "показано 2 из 4"
    toggle = page.locator(f"{ROWS} button.toggle")
    assert toggle.inner_text() == "▸ следствия: 2"
    toggle.click()
    assert [fp for _, fp in shown_order(page)] == [f"{i:016x}" for i in (0, 1, 2, 3)]
    assert page.locator(f"{ROWS}.follow").count() == 2
    assert page.locator(f"{ROWS} button.toggle").inner_text() == "▾ следствия: 2"
    # a filter that keeps a follow-on but not its root shows the follow-on alone
    page.locator(f"{ROWS} button.toggle").click()
    page.select_option("#filter-severity", "warning")
    assert [fp for _, fp in shown_order(page)] == ["0000000000000001", "0000000000000002"]
    assert result.errors == []
    page.context.close()

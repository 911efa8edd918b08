"""The pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright for Python).

A unit page, a click through to its reporting chain, the organisation chart, hostile document text that must
stay inert, and the SPARQL editor running an example query. Screenshots go to tests/artifacts/ (ignored by
git) so that a person can look at them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        reason = "Debian chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):  # CI installs it (make browser): missing there is a failure, not a skip
            pytest.fail(reason)
        pytest.skip(reason)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, rest_server_url: str) -> Iterator[object]:
    context = browser.new_context(base_url=rest_server_url, viewport={"width": 1280, "height": 900},
                                  locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def test_unit_page_then_reporting_chain(page) -> None:
    expect = playwright_api.expect
    response = page.goto("/units/1261011/ks-05")
    assert response.ok
    expect(page.locator("h1")).to_contain_text("Referat Kampanii Informacyjno-Promocyjnych Miasta")
    duties = page.locator("#duties + ol.duties > li")
    expect(duties).to_have_count(3)
    expect(duties.nth(1)).to_contain_text("§ 8 pkt 2")
    expect(page.locator("#reporting")).to_contain_text("Zastępca Dyrektora ds. Promocji")
    assert shot(page, "unit_page").stat().st_size > 10_000

    page.click("#to-chain")
    page.wait_for_url("**/units/1261011/ks-05/chain")
    steps = page.locator("#chain li.step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Dyrektor Wydziału")
    expect(steps.nth(1)).to_contain_text("Zastępca Dyrektora ds. Promocji")
    expect(steps.nth(1)).to_contain_text("§ 3 ust. 3")
    expect(page.locator("#chain li.self")).to_contain_text("Referat Kampanii")
    shot(page, "chain_page")

    page.locator("#chain li.step").nth(1).get_by_role("link", name="Zastępca Dyrektora ds. Promocji").click()
    page.wait_for_url("**/units/1261011/ks/post/zastepca-dyrektora-ds-promocji")
    expect(page.locator("h1")).to_contain_text("Zastępca Dyrektora ds. Promocji")


def test_document_text_stays_inert(page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    assert page.goto("/units/2469011/wydzial-komunikacji-spolecznej").ok
    playwright_api.expect(page.locator("#duties + ol.duties")).to_contain_text('<script>alert("xss")</script>')
    playwright_api.expect(page.locator("#subunits")).to_be_visible()
    assert page.get_by_text('Zespół <b>Promocji</b> & "Marki"').count() == 1
    assert page.evaluate("document.querySelectorAll('main script, main b').length") == 0
    shot(page, "hostile_text")
    assert dialogs == []


def test_orgchart_draws_the_department(page) -> None:
    response = page.goto("/units/1261011/ks/orgchart.svg")
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    boxes = page.locator("g.node")
    playwright_api.expect(boxes).to_have_count(5)
    top = page.locator("g.node[data-id$='/ks/post/dyrektor-wydzialu'] rect").bounding_box()
    unit = page.locator("g.node[data-id$='/ks-05'] rect").bounding_box()
    assert top["y"] < unit["y"]
    shot(page, "orgchart", full_page=False)  # Chromium cannot take a full-page shot of a bare SVG document


def test_sparql_editor_runs_an_example(page) -> None:
    assert page.goto("/").ok
    link = page.locator("a.open-in-editor").first
    href = link.get_attribute("href")
    assert href.startswith("/sparql#query=")
    editor = page.request.get("/sparql", headers={"Accept": "text/html"})
    if not editor.ok or not editor.headers.get("content-type", "").startswith("text/html"):
        pytest.skip(f"the SPARQL editor page is not ready (GET /sparql as HTML gave {editor.status}: "
                    "core API's api/templates/sparql_editor.html)")
    link.click()
    page.wait_for_url("**/sparql*")
    box = page.locator("textarea").first
    playwright_api.expect(box).to_be_visible()
    wanted = page.evaluate("decodeURIComponent(location.hash.slice('#query='.length))")
    assert "komp:Unit" in wanted
    if box.input_value().strip() != wanted.strip():  # the editor does not read #query= (yet): type it in
        box.fill(wanted)
    page.locator("main form button[type=submit]").first.click()
    rows = page.locator("#results table tbody tr")
    playwright_api.expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    shot(page, "sparql_editor")

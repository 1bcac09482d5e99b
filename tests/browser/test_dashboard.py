"""The coordinator dashboard in headless Chromium, against a running embedded platform with demo data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.cdp import Page, chromium_path, open_browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def each(page: Page, selector: str, mapping: str) -> list:
    """``mapping`` (a JavaScript arrow function) applied to every element matching ``selector``."""
    return page.evaluate(f"[...document.querySelectorAll({selector!r})].map({mapping})")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``alliance up --demo`` on a free port, ready once the demo history is processed."""
    if chromium_path() is None:
        message = "the dashboard test needs Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("dashboard") / "var"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alliance.cli",
            "up",
            "--demo",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("the platform did not become ready")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Page]:
    with open_browser() as browser_page:
        yield browser_page


@pytest.fixture
def page(browser: Page, server: str) -> Page:
    """The dashboard freshly loaded: no test sees what another one typed or navigated to."""
    browser.navigate(f"{server}/")
    return browser


def test_renders_without_console_errors_and_saves_a_screenshot(page: Page) -> None:
    assert page.evaluate("document.title").startswith("Innovasjonsalliansen")
    assert page.evaluate("document.documentElement.lang") == "nb"
    page.screenshot(ARTIFACTS / "dashboard.png")
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    assert page.problems() == []


def test_heatmap_has_one_cell_per_member_and_technology_with_data(page: Page, server: str) -> None:
    members = set(httpx.get(f"{server}/v1/membership").json()["members"])
    cells = httpx.get(f"{server}/v1/adoption").json()["cells"]
    expected = {
        (c["municipality"], c["technology"], c["phase"]) for c in cells if c["municipality"] in members
    }
    shown = page.evaluate(
        "[...document.querySelectorAll('table.heatmap td.cell')]"
        ".map(td => [td.dataset.municipality, td.dataset.technology, td.dataset.phase])"
    )
    assert len(shown) == len(expected) > 50
    assert {tuple(cell) for cell in shown} == expected
    rows = page.evaluate("document.querySelectorAll('table.heatmap tbody th[scope=row]').length")
    assert rows == len(members)
    # Colour is never the only cue: every cell names its phase in text.
    assert all(each(page, "td.cell", "td => td.querySelector('.phase-label').textContent.trim()"))


def test_charts_have_text_alternatives_and_views_link_their_api(page: Page) -> None:
    charts = each(page, "#diffusion svg[role=img]", "svg => svg.querySelector('desc').textContent")
    assert len(charts) == 8 and all("av 17 medlemmer" in text for text in charts)
    links = each(page, "a", "a => a.getAttribute('href')")
    for call in ("/v1/adoption", "/v1/adoption?format=csv", "/v1/benefits?format=csv", "/v1/municipalities"):
        assert call in links
    assert any(link.startswith("/v1/procurement/radar") for link in links)


def test_csv_export_is_one_click(page: Page, server: str) -> None:
    for href in page.evaluate(
        "[...document.querySelectorAll('a[download]')].map(a => a.getAttribute('href'))"
    ):
        response = httpx.get(f"{server}{href}")
        assert response.status_code == 200, href
        assert response.headers["content-type"].startswith("text/csv"), href


def test_lesson_search_works_in_place(page: Page) -> None:
    page.evaluate("document.getElementById('q').value = 'training'")
    page.evaluate("document.getElementById('lesson-search').requestSubmit()")
    page.wait_until("location.search.includes('q=training')")
    page.wait_until("document.querySelectorAll('#lesson-results .lesson').length > 0")
    texts = page.evaluate(
        "[...document.querySelectorAll('#lesson-results .lesson')].map(li => li.textContent)"
    )
    # An English word finds the Norwegian lessons about training ("opplæring").
    assert all("Opplæring" in text or "opplæring" in text for text in texts)
    assert "training" in page.evaluate("document.getElementById('lessons-api').getAttribute('href')")
    assert page.problems() == []


def test_english_and_keyboard(page: Page, server: str) -> None:
    page.navigate(f"{server}/?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.querySelector('h2').textContent").startswith("Adoption")
    # The first Tab lands on the skip link, which leads to the content.
    page.send("Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9)
    page.send("Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9)
    assert page.evaluate("document.activeElement.className") == "skip"
    page.screenshot(ARTIFACTS / "dashboard-en.png")
    assert page.problems() == []

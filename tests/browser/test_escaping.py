"""Hostile text in every free-text field the dashboard shows stays text in the browser's DOM.

Markup posted as a lesson, a conclusion, a competence label, a procurement title or a
supplier name, and typed into the search box, must come back as characters: no element
it spells is created, no script it carries runs, on the server-rendered page and after
the in-place search alike.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from alliance.settings import Settings
from tests.support.auth import PlatformTokens
from tests.support.cdp import Page, chromium_path, open_browser
from tests.support.factories import concluded, event, lesson, registered

# Each spells elements with a marker attribute and a script that would set a global.
HOSTILE = {
    "lesson title": '<img src=x onerror="window.__xss=1" data-xss=1> lesson',
    "lesson text": '"><script data-xss>window.__xss=2</script><b data-xss>bold</b>',
    "tag": "<i data-xss>tag</i>",
    "summary": '</p><svg data-xss onload="window.__xss=3"></svg> summary',
    "competence label": '<iframe data-xss srcdoc="<script>parent.__xss=4</script>"></iframe>',
    "procurement title": '<a data-xss href="javascript:window.__xss=5">tender</a>',
    "supplier name": "<style data-xss>body{display:none}</style> AS",
}
ELVERUM = "3420"
ELVERUM_ORG = "952857991"
NO_INJECTION = "document.querySelectorAll('[data-xss]').length === 0 && window.__xss === undefined"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _events() -> list[dict]:
    at = "2026-10-01T08:00:00Z"
    pilot = f"xss-{uuid.uuid4().hex[:8]}"
    return [
        registered(pilot, municipality=ELVERUM, at=at),
        lesson(
            pilot,
            title=HOSTILE["lesson title"],
            text=HOSTILE["lesson text"],
            tags=[HOSTILE["tag"]],
            municipality=ELVERUM,
            at=at,
        ),
        concluded(pilot, "continued", summary=HOSTILE["summary"], municipality=ELVERUM, at=at),
        event(
            "competence.reported",
            municipality=ELVERUM,
            at=at,
            period="2026-09",
            programme="other",
            label=HOSTILE["competence label"],
            staff_enrolled=10,
            staff_completed=8,
            hours=120.0,
        ),
    ]


def _release() -> dict:
    now = datetime.now(UTC)
    supplier = {"id": "NO-BRC-923456708", "name": HOSTILE["supplier name"], "roles": ["supplier"]}
    buyer = {
        "id": f"NO-BRC-{ELVERUM_ORG}",
        "name": "Elverum kommune",
        "roles": ["buyer"],
        "identifier": {"scheme": "NO-BRC", "id": ELVERUM_ORG},
    }
    ends = (now + timedelta(days=90)).strftime("%Y-%m-%dT00:00:00Z")
    return {
        "ocid": "ocds-213czf-xss-0001",
        "id": "xss-0001-contract",
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tag": ["contract"],
        "initiationType": "tender",
        "parties": [buyer, supplier],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": {"id": "xss-tender", "title": HOSTILE["procurement title"], "status": "complete"},
        "awards": [
            {
                "id": "xss-award",
                "status": "active",
                "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
            }
        ],
        "contracts": [
            {
                "id": "xss-contract",
                "awardID": "xss-award",
                "status": "active",
                "title": HOSTILE["procurement title"],
                "period": {"startDate": "2025-01-01T00:00:00Z", "endDate": ends},
            }
        ],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``alliance up`` on a free port with the hostile history posted through the API."""
    if chromium_path() is None:
        message = "the dashboard test needs Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("escaping") / "var"
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance.cli", "up", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        tokens = PlatformTokens(Settings(data_dir=Path(data_dir)))
        posted = httpx.post(f"{base}/v1/events", json=_events(), headers=tokens.municipality(ELVERUM))
        assert posted.status_code == 200 and posted.json()["accepted"] == 4, posted.text
        released = httpx.post(
            f"{base}/v1/procurement/releases",
            json={
                "uri": "https://example.org/p",
                "publishedDate": _release()["date"],
                "version": "1.1",
                "publisher": {"name": "Elverum kommune"},
                "releases": [_release()],
            },
            headers=tokens.headers(ELVERUM_ORG),
        )
        assert released.status_code == 200, released.text
        _wait_processed(base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the platform did not become ready within 120 s")


def _wait_processed(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lessons = httpx.get(f"{base}/v1/lessons").json()
        radar = httpx.get(f"{base}/v1/procurement/radar").json()
        if lessons.get("total", 0) >= 2 and radar.get("contracts"):
            return
        time.sleep(0.3)
    raise AssertionError("the hostile history was not processed within 60 s")


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    with open_browser() as browser_page:
        yield browser_page


def _text(page: Page) -> str:
    return page.evaluate("document.body.textContent")


def test_every_hostile_field_is_shown_as_text_and_nothing_runs(page: Page, server: str) -> None:
    page.navigate(f"{server}/")
    text = _text(page)
    missing = [field for field, value in HOSTILE.items() if value not in text]
    assert missing == []
    assert page.evaluate(NO_INJECTION)
    assert page.evaluate("getComputedStyle(document.body).display") != "none"


def test_the_search_box_reflects_its_query_as_text(page: Page, server: str) -> None:
    query = '"><img src=x onerror="window.__xss=6" data-xss>'
    page.navigate(f"{server}/?q={quote(query)}")
    assert page.evaluate("document.getElementById('q').value") == query
    assert page.evaluate(NO_INJECTION)


def test_the_in_place_search_keeps_hostile_lessons_as_text(page: Page, server: str) -> None:
    page.navigate(f"{server}/")
    page.evaluate("document.getElementById('q').value = 'lesson'")
    page.evaluate("document.getElementById('lesson-search').requestSubmit()")
    page.wait_until("location.search.includes('q=lesson')")
    page.wait_until("document.querySelectorAll('#lesson-results .lesson').length > 0")
    results = page.evaluate("document.getElementById('lesson-results').textContent")
    assert HOSTILE["lesson title"] in results and HOSTILE["lesson text"] in results
    assert page.evaluate(NO_INJECTION)

"""End-to-end fixtures: the app served by `streamlit run`, Debian's Chromium driven by Playwright.

One server for the whole run; a fresh browser context (so a fresh Streamlit session, which starts
on the bundled example) for every test. A failing test leaves a screenshot in
test-artifacts/e2e/<test name>.png.

Set TOC_E2E_URL to test an app that is already running instead of starting one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from system_deps import require_binary

from .helpers import watch_runs

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
expect.set_options(timeout=15_000)  # the 5 s default is short for a 2-core machine running other work
SERVER_START_TIMEOUT_S = 60
HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Stop streamlit and anything it started: it leads its own process group."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("TOC_E2E_URL"):
        yield os.environ["TOC_E2E_URL"].rstrip("/")
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Files edited while the tests run must not put a "Source file changed" prompt on screen.
        "--server.fileWatcherType",
        "none",
    ]
    # The app's own store of saved scenarios, in a throwaway folder: tests neither see nor touch a real one.
    env = {k: v for k, v in os.environ.items() if k != "TOC_DATABASE_URL"}
    env["TOC_STORE_PATH"] = str(tmp_path_factory.mktemp("store") / "scenarios.sqlite")
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start on {url}:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser():
    executable = require_binary("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url, request):
    """A new browser context and page: a new Streamlit session, on the bundled example."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    watch_runs(page)
    page.set_default_timeout(30_000)
    yield page
    report = getattr(request.node, "rep_call", None) or getattr(request.node, "rep_setup", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            # The app scrolls inside its main block, so a full-page shot shows only the top: bring the
            # first error into view instead, if there is one.
            problem = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
            if problem.count():
                problem.first.scroll_into_view_if_needed(timeout=5_000)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        except Exception as exc:  # a screenshot must not hide the test's own failure
            print(f"could not save a screenshot: {exc}")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture can tell if the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_terminal_summary(terminalreporter, config):
    """Say how many end-to-end tests ran, and how they went."""
    prefix = HERE.relative_to(config.rootpath).as_posix() + "/"
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        reports = [r for r in terminalreporter.stats.get(outcome, []) if getattr(r, "nodeid", "").startswith(prefix)]
        # One test has up to three reports (setup, call, teardown); count each test once per outcome.
        counts[outcome] = len({r.nodeid for r in reports})
    if any(counts.values()):
        shown = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n or outcome in ("passed", "failed"))
        terminalreporter.write_line(f"e2e: {shown}")

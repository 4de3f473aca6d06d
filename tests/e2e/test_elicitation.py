"""Asking the room in real browsers: a facilitator's screen and participants' phones (separate contexts, so
separate sessions), on one app server; then two app processes sharing one PostgreSQL store."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from logic.elicitation import Question
from logic.elicitation_store import ElicitationStore
from logic.store import Store

from .helpers import go_to, open_app
from .test_accessibility import serious_findings

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
PATH = "nodes.out-stays-home.rate_without"
LIVE_S = 20_000  # the live view redraws every 2 s; a participant's page looks every 8 s


def _npv_histogram(page: Page) -> tuple[str, ...]:
    chart = page.locator("[data-testid='stVegaLiteChart']").filter(has_text="NPV (fiscal)").first
    bars = chart.locator("g.mark-rect path")
    expect(bars.first).to_be_attached()
    return tuple(bars.evaluate_all("(paths) => paths.map((p) => p.getAttribute('d'))"))


def _open(browser: Browser, url: str, code: str) -> Page:
    """A phone opening the join link (not waiting for it: several phones load at once, as in a room)."""
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.goto(f"{url}/?join={code}", wait_until="commit")
    return phone


def _join(browser: Browser, url: str, code: str, phones: int = 1) -> list[Page]:
    opened = [_open(browser, url, code) for _ in range(phones)]
    for phone in opened:
        expect(phone.get_by_role("heading", name="Give your estimate")).to_be_visible(timeout=30_000)
    return opened


def _send(phone: Page, low: float, mode: float, high: float, reason: str = "") -> None:
    # One form: after the second round starts, the first round's form goes once the page has redrawn.
    expect(phone.get_by_label("Lowest plausible (%)")).to_have_count(1)
    phone.get_by_label("Lowest plausible (%)").fill(str(low))
    phone.get_by_label("Most likely (%)").fill(str(mode))
    phone.get_by_label("Highest plausible (%)").fill(str(high))
    if reason:
        phone.get_by_label("Why? (optional)").fill(reason)
    phone.get_by_role("button", name="Send my answers").click()


def _start_round(page: Page) -> str:
    page.get_by_text("Start a round: each person gives their own range").click()
    inputs = page.locator("[data-testid='stMultiSelect']").filter(has_text="Inputs to ask about")
    inputs.click()
    page.keyboard.type("rate without (counterfactual)")
    page.get_by_role("option").filter(has_text="Stays out of care").first.click()
    page.keyboard.press("Escape")
    # The list sends its choice when it loses focus, as when a person clicks elsewhere on the page.
    page.get_by_text("Everyone in the room answers on their own phone").click()
    expect(page.get_by_text("Question 1", exact=True)).to_be_visible()
    page.get_by_text("Triangular", exact=True).click()
    start = page.get_by_role("button", name="Start the round")
    expect(start).to_be_enabled()
    start.click()
    code = page.locator(".elicit-code")
    expect(code).to_be_visible()
    expect(page.get_by_text("0 people have answered")).to_be_visible()
    return code.inner_text().replace("-", "")


def test_a_room_answers_revises_and_its_pool_feeds_the_monte_carlo(page, browser, app_url):
    open_app(page, app_url)
    go_to(page, "Uncertainty")
    before = _npv_histogram(page)
    code = _start_round(page)

    phones = _join(browser, app_url, code, phones=3)
    # Low above high is refused, with a message, and nothing is sent.
    _send(phones[0], 60, 40, 20)
    expect(phones[0].get_by_text("is above your highest")).to_be_visible()
    expect(phones[0].get_by_text("Thank you: your answers are in")).to_have_count(0)
    answers = [(20, 20, 60, "Local data <b>2024</b>"), (20, 60, 60, "National evaluation"), (40, 40, 40, "")]
    for phone, answer in zip(phones, answers):
        _send(phone, *answer)
        expect(phone.get_by_text("Thank you: your answers are in")).to_be_visible()

    # tri(20, 20, 60), tri(20, 60, 60) and a point at 40%: below 40% the pooled CDF is (2/3)(x - 20)/40 (5% at 23%),
    # it jumps from 1/3 to 2/3 at 40% (the median), and 1/3 + (2/3)(x - 20)/40 = 0.95 at 57%.
    expect(page.get_by_text("3 people have answered")).to_be_visible(timeout=LIVE_S)
    expect(page.get_by_text("Pooled median 40%")).to_be_visible()
    expect(page.get_by_text("90% range 23% to 57% (from 3 answers)")).to_be_visible()
    ranges = page.locator("[data-testid='stVegaLiteChart']").filter(has_text="The room's answers")
    expect(ranges.locator("g.mark-rule.role-mark line")).to_have_count(3)  # one line per answer
    expect(page.get_by_text("“Local data <b>2024</b>”")).to_be_visible()  # as typed, never as HTML
    # axe-core finds nothing serious on a phone's page or on the live view.
    assert serious_findings(phones[1], "a participant's page") + serious_findings(page, "the live view") == []

    # The second (Delphi) round: the phones show the room's first answers; one person revises.
    page.get_by_role("button", name="Start the second round").click()
    expect(phones[2].get_by_text("The room's first answers")).to_be_visible(timeout=LIVE_S)
    expect(phones[2].get_by_text("“National evaluation”")).to_be_visible()
    _send(phones[2], 20, 20, 60)
    expect(phones[2].get_by_text("Thank you: your answers are in")).to_be_visible()
    # Now two tri(20, 20, 60) and one tri(20, 60, 60): with u = (x - 20)/40 the CDF is 4u/3 - u^2/3, so the
    # median is at u = 2 - sqrt(2.5) (36.8%), the 5% point at u = 2 - sqrt(3.85) (21.5%), the 95% at 2 - sqrt(1.15).
    expect(page.get_by_text("Pooled median 36.8%")).to_be_visible(timeout=LIVE_S)
    expect(page.get_by_text("90% range 21.5% to 57.1% (from 3 answers)")).to_be_visible()

    # Use this: the pool becomes the counterfactual's uncertainty, and the simulation changes.
    page.get_by_role("button", name="Use this").click()
    expect(page.locator("[data-testid='stVegaLiteChart']").filter(has_text="NPV (fiscal)").first).to_be_visible()
    deadline = time.monotonic() + 30
    while _npv_histogram(page) == before:
        assert time.monotonic() < deadline, "the Monte Carlo did not change after Use this"
        page.wait_for_timeout(250)

    # Closed: the code admits nobody, and a phone still open says so.
    page.get_by_role("button", name="Close the round").click()
    expect(page.get_by_text("its code no longer admits anyone")).to_be_visible()
    late = _open(browser, app_url, code)
    expect(phones[0].get_by_text("This round has closed")).to_be_visible(timeout=LIVE_S)
    expect(late.get_by_text("This round has closed")).to_be_visible(timeout=30_000)
    expect(late.get_by_label("Lowest plausible (%)")).to_have_count(0)
    for p in [*phones, late]:
        p.context.close()


# --- two app processes, one PostgreSQL store -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "TOC_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return proc, f"http://127.0.0.1:{port}"


def _wait_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"streamlit did not start on {url}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def pg_url():
    from test_store import postgres_database  # a fresh database on the test server, dropped afterwards

    with postgres_database("toc_e2e_elicit") as url:
        yield url


def test_two_app_processes_share_a_round_through_postgresql(browser, pg_url, tmp_path):
    servers = [_serve(pg_url, tmp_path / f"server{i}.log") for i in range(2)]
    try:
        for i, (proc, url) in enumerate(servers):
            _wait_healthy(proc, url, tmp_path / f"server{i}.log")
        (_, participant_url), (_, facilitator_url) = servers
        question = Question(PATH, "Without the programme, what share would stay out of care?", "%", True, 0.0, 1.0)
        store = Store(pg_url)
        rnd = ElicitationStore(store).start("Edge of care", [question])
        store.close()

        # Both servers start their first session at once, as two people in the room would.
        screen = browser.new_context(viewport={"width": 1280, "height": 1600}).new_page()
        screen.goto(f"{facilitator_url}/uncertainty", wait_until="commit")
        (phone,) = _join(browser, participant_url, rnd.code)
        _send(phone, 30, 45, 60, "Seen on another server")
        expect(phone.get_by_text("Thank you: your answers are in")).to_be_visible()

        screen.get_by_role("button", name="Show this round").click(timeout=60_000)
        expect(screen.get_by_text("1 person has answered")).to_be_visible(timeout=30_000)
        expect(screen.get_by_text("“Seen on another server”")).to_be_visible()
        expect(screen.get_by_text(re.compile(r"Pooled median 45%"))).to_be_visible()
        phone.context.close()
        screen.context.close()
    finally:
        for proc, _ in servers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)

"""Accessibility in Chromium at 1280x800: axe-core finds nothing serious or critical in the app's own markup on
any page, and no button's label is cut short ("A..." for "Add an intake year").

axe-core runs through axe-playwright-python on every page of the bundled example (its expanders opened) and
of a blank programme. A finding counts unless it is inside Streamlit's own chrome and is Streamlit's doing:
see STREAMLITS_OWN, each with why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from components.navigation import KEEPING, STEPS
from logic.auth import hash_password

from .conftest import ROOT, VIEWPORT, _free_port, _healthy, _stop
from .helpers import app_rerun, assert_page_is_healthy, go_to, open_app, watch_runs

PAGES = [s.title for s in (*STEPS, *KEEPING)]
SERIOUS = {"serious", "critical"}
# (rule, the Streamlit element it is found in): findings that are Streamlit's markup, not the app's.
STREAMLITS_OWN = {
    # Grouped navigation (st.navigation with sections): Streamlit draws each section's heading as a <div>
    # directly inside its <ul> of page links, so the <ul> holds a non-<li> child and its <li>s are reported
    # as outside a list. The app only names the groups.
    ("list", "[data-testid='stSidebarNavItems']"),
    ("listitem", "[data-testid='stSidebarNavItems']"),
}
BUTTONS = (
    "[data-testid='stButton'], [data-testid='stDownloadButton'], [data-testid='stFormSubmitButton'], "
    "[data-testid='stPageLink']"
)
AXE = Axe()


def serious_findings(page: Page, where: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, less Streamlit's own."""
    response = AXE.run(page).response
    found = []
    for rule in response["violations"]:
        if rule["impact"] not in SERIOUS:
            continue
        for node in rule["nodes"]:
            target = node["target"][0] if len(node["target"]) == 1 else None
            owners = [c for r, c in STREAMLITS_OWN if r == rule["id"]]
            if target and any(
                page.evaluate("([t, c]) => !!document.querySelector(t)?.closest(c)", [target, c]) for c in owners
            ):
                continue
            summary = " ".join((node.get("failureSummary") or "").split())
            found.append(f"{where}: {rule['id']} ({rule['impact']}) {node['html'][:150]} - {summary[:300]}")
    return found


def cut_labels(page: Page, where: str) -> list[str]:
    """Buttons whose label does not fit: its text is wider than the box that shows it (drawn with '...')."""
    cut = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).flatMap((button) => {
            const label = button.querySelector("[data-testid='stMarkdownContainer']");
            if (!label || label.clientWidth === 0) return [];
            const parts = [label, ...label.querySelectorAll("p, span, div")];
            return parts.some((e) => e.scrollWidth > e.clientWidth) ? [button.innerText.trim()] : [];
        })""",
        BUTTONS,
    )
    return [f"{where}: button {text!r} is cut short" for text in cut]


def open_expanders(page: Page) -> None:
    """Open every closed expander, so what is folded away is checked too (opening one does not rerun)."""
    for summary in page.locator("[data-testid='stExpander'] details:not([open]) > summary").all():
        if summary.is_visible():
            summary.click()
    page.wait_for_timeout(500)  # the opened content's charts and tables draw


def settled(page: Page) -> None:
    """Let charts and tables that draw after the run (Vega, the data grid, graphviz) appear."""
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0)
    page.wait_for_timeout(800)


def walk(page: Page, check) -> list[str]:
    found = []
    for title in PAGES:
        go_to(page, title)
        assert_page_is_healthy(page)
        settled(page)
        open_expanders(page)
        found += check(page, title)
    return found


def start_blank(page: Page) -> None:
    go_to(page, "New programme")
    with app_rerun(page):
        page.get_by_role("button", name="Start a blank programme").click()
    expect(page.locator("h1").first).to_have_text("Programme")


@pytest.fixture
def example(page, app_url):
    open_app(page, app_url)
    return page


@pytest.fixture
def blank(page, app_url):
    open_app(page, app_url)
    start_blank(page)
    return page


def test_no_serious_accessibility_findings_on_any_page_of_the_example(example):
    found = walk(example, serious_findings)
    assert not found, "\n".join(found)


def test_no_serious_accessibility_findings_on_any_page_of_a_blank_programme(blank):
    found = walk(blank, serious_findings)
    assert not found, "\n".join(found)


def test_no_button_label_is_cut_short_on_any_page_of_the_example(example):
    found = walk(example, cut_labels)
    assert not found, "\n".join(found)


def test_no_button_label_is_cut_short_on_any_page_of_a_blank_programme(blank):
    found = walk(blank, cut_labels)
    assert not found, "\n".join(found)


def test_the_question_before_starting_over_has_whole_labels_and_no_serious_findings(example):
    """Unsaved work, then a template: four buttons in a row, one naming the template."""
    go_to(example, "Programme")
    name = example.get_by_label("Programme name")
    with app_rerun(example):
        name.fill("A programme with unsaved work")
        name.press("Enter")
    go_to(example, "New programme")
    with app_rerun(example):
        example.get_by_role("button", name="Open this template").last.click()
    expect(example.get_by_role("button", name="Keep working on it")).to_be_visible()
    found = cut_labels(example, "the question") + serious_findings(example, "the question")
    assert not found, "\n".join(found)


def test_presenter_mode_has_whole_labels_and_no_serious_findings_on_any_page(example):
    """The room's screen: larger figures and headings, no editors."""
    with app_rerun(example):
        example.get_by_text("Presenter mode", exact=True).click()
    expect(example.get_by_label("Programme name")).to_have_count(0)  # presenting: the editors are hidden
    found = walk(example, lambda page, where: cut_labels(page, where) + serious_findings(page, where))
    assert not found, "\n".join(found)


PASSPHRASE = "a passphrase long enough"


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory):
    """The app with sign-in switched on (its own server: secrets are read when it starts)."""
    folder = tmp_path_factory.mktemp("sign-in")
    digest = hash_password(PASSPHRASE, n=2**14, r=8, p=1)  # the cheapest the settings accept: a quick test
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[auth]\nenabled = true\n[auth.users.alice]\npassword_hash = "{digest}"\nrole = "editor"\n')
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "TOC_DATABASE_URL"}
    env["TOC_STORE_PATH"] = str(folder / "scenarios.sqlite")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    command += ["--secrets.files", str(secrets)]
    with (folder / "server.log").open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{(folder / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


def test_the_sign_in_form_and_the_signed_in_sidebar_are_whole_and_accessible(browser, signed_in_app):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watch_runs(page)
    try:
        with app_rerun(page):
            page.goto(signed_in_app)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        found = cut_labels(page, "sign-in form") + serious_findings(page, "sign-in form")
        page.get_by_role("textbox", name="Name").fill("alice")
        page.get_by_role("textbox", name="Password").fill(PASSPHRASE)
        with app_rerun(page):
            page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        expect(page.locator("h1").first).to_have_text("Programme")
        settled(page)
        found += cut_labels(page, "signed in") + serious_findings(page, "signed in")
        assert not found, "\n".join(found)
    finally:
        context.close()

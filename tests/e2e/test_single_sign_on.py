"""Single sign-on in Chromium, against a real OpenID Connect provider started here (oidc-provider-mock).

The provider requires this app to be registered (so a wrong secret would be refused), and knows four
people: Alice (an editor by name) and Bob (a viewer through his domain) at Anytown, Carol (an editor
through her domain) at Othertown, and Mallory, whom the settings do not name. The app runs on its own
server (secrets are read when it starts) with its own store, in which Alice's team already has a
scenario. Each test signs in through the provider's own pages, in a fresh browser context.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, expect

from logic import load_scenario
from logic.access import Viewer
from logic.store import Store

from .conftest import ROOT, VIEWPORT, _free_port
from .helpers import app_rerun, go_to, watch_runs
from .test_accessibility import cut_labels, serious_findings

PEOPLE = {
    "alice": {"email": "alice@anytown.gov.uk", "email_verified": True, "name": "Alice Smith"},
    "bob": {"email": "bob@anytown.gov.uk", "email_verified": True, "name": "Bob Jones"},
    "carol": {"email": "carol@othertown.gov.uk", "email_verified": True, "name": "Carol White"},
    "mallory": {"email": "mallory@elsewhere.example", "email_verified": True, "name": "Mallory Black"},
}
ALICE = Viewer("alice@anytown.gov.uk", "Alice Smith <alice@anytown.gov.uk>", True, "anytown.gov.uk")
TEAM_CASE = "Anytown team case"
EXAMPLE = ROOT / "logic" / "examples" / "edge_of_care.yaml"


def _wait(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sso")
    idp_port, app_port = _free_port(), _free_port()
    idp, app = f"http://127.0.0.1:{idp_port}", f"http://127.0.0.1:{app_port}"
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(idp_port), "--host", "127.0.0.1", "-r"]
    for sub, claims in PEOPLE.items():
        command += ["--user-claims", json.dumps({"sub": sub, **claims})]
    procs = []
    with (folder / "provider.log").open("w") as out:
        procs.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        _wait(f"{idp}/.well-known/openid-configuration", procs[0], folder / "provider.log", "the provider")
        body = json.dumps({"redirect_uris": [f"{app}/oauth2callback"]}).encode()
        request = urllib.request.Request(
            f"{idp}/oauth2/clients", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            client = json.loads(response.read())
        store_url = f"sqlite:///{folder / 'scenarios.sqlite'}"
        team = Store(store_url).as_viewer(ALICE)
        team_case = load_scenario(EXAMPLE).model_copy(update={"name": TEAM_CASE})
        team_id = team.save(team_case, author="Alice", message="The team's working case").scenario_id
        (folder / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{app}/oauth2callback"\ncookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'[auth.council]\nclient_id = "{client["client_id"]}"\nclient_secret = "{client["client_secret"]}"\n'
            f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n'
            '[roles]\npeople = { "alice@anytown.gov.uk" = "editor" }\n'
            'domains = { "anytown.gov.uk" = "viewer", "othertown.gov.uk" = "editor" }\n'
        )
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        command += ["--server.port", str(app_port), "--server.address", "127.0.0.1"]
        command += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
        command += ["--secrets.files", str(folder / "secrets.toml")]
        env = {k: v for k, v in os.environ.items() if k != "TOC_DATABASE_URL"}
        env["TOC_STORE_PATH"] = str(folder / "scenarios.sqlite")
        with (folder / "server.log").open("w") as out:
            procs.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        _wait(f"{app}/_stcore/health", procs[1], folder / "server.log", "streamlit")
        yield SimpleNamespace(app=app, idp=idp, store_url=store_url, team_id=team_id, log=folder / "server.log")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)


def sign_in(browser: Browser, sso, who: str) -> Page:
    """A fresh browser signs in as `who` through the provider's own pages, and lands back on the app."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watch_runs(page)
    page.set_default_timeout(30_000)
    page.goto(sso.app)
    page.get_by_role("button", name="Sign in with Council").click()
    page.wait_for_url(f"{sso.idp}/oauth2/authorize*")
    page.get_by_role("button", name=who, exact=True).click()  # the provider's button for this person
    page.wait_for_url(sso.app + "/")  # through /oauth2callback, back at the app's home
    return page


def open_link(page: Page, sso) -> None:
    """The link to the team's scenario, as someone would paste it (the Scenarios page shows it)."""
    with app_rerun(page):
        page.goto(f"{sso.app}/scenarios?scenario={sso.team_id}&version=1")
    expect(page.locator("h1").first).to_have_text("Scenarios")


def _signed_in_as(page: Page, caption: str) -> None:
    expect(page.locator("[data-testid='stSidebar']").get_by_text(caption)).to_be_visible()


def test_an_editor_signs_in_and_the_version_she_saves_is_hers_then_signs_out(browser, sso):
    page = sign_in(browser, sso, "alice")
    try:
        _signed_in_as(page, "Signed in as Alice Smith (editor)")
        go_to(page, "Scenarios")
        expect(page.get_by_label("Your name")).to_have_value("Alice Smith <alice@anytown.gov.uk>")
        expect(page.get_by_label("Your name")).to_be_disabled()  # nobody types whose name it is
        page.get_by_label("What changed, in a sentence").fill("Rates agreed at the May workshop")
        with app_rerun(page):
            page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved as version 1.")).to_be_visible()
        saved = [
            (s.name, Store(sso.store_url).versions(s.id)[0])
            for s in Store(sso.store_url).list_scenarios()
            if Store(sso.store_url).versions(s.id)[0].message == "Rates agreed at the May workshop"
        ]
        assert [(name, v.author) for name, v in saved] == [
            ("Edge of care - intensive family therapy", "Alice Smith <alice@anytown.gov.uk>")
        ]
        expect(page.get_by_text("Owner: alice@anytown.gov.uk")).to_be_visible()
        expect(page.get_by_text("Everyone at anytown.gov.uk: can view")).to_be_visible()
        found = serious_findings(page, "who can see it") + cut_labels(page, "who can see it")
        assert not found, "\n".join(found)
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{sso.idp}/**")  # the provider is asked to end its session too
        page.goto(sso.app)
        expect(page.get_by_role("button", name="Sign in with Council")).to_be_visible()  # the cookie is gone
        expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
    finally:
        page.context.close()


def test_a_viewer_opens_the_teams_scenario_by_its_link_and_is_refused_an_edit(browser, sso):
    page = sign_in(browser, sso, "bob")
    try:
        _signed_in_as(page, "Signed in as Bob Jones (viewer)")
        open_link(page, sso)
        expect(page.get_by_text(f"{TEAM_CASE}: based on version 1 of a saved scenario.")).to_be_visible()
        expect(page.get_by_text("You are signed in as a viewer: you can open, compare and download")).to_be_visible()
        expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
        go_to(page, "Programme")
        box = page.get_by_label("Programme name")
        with app_rerun(page):
            box.fill("Bob's version")
            box.press("Enter")
        expect(page.get_by_text("You can look but not change")).to_be_visible()
        expect(page.locator("[data-testid='stSidebar']").get_by_text(f"Scenario: {TEAM_CASE}")).to_be_visible()
        assert [v.author for v in Store(sso.store_url).versions(sso.team_id)] == [ALICE.label]
    finally:
        page.context.close()


def test_someone_the_settings_do_not_name_sees_no_access_and_nothing_else(browser, sso):
    page = sign_in(browser, sso, "mallory")
    try:
        expect(page.locator("h1").first).to_have_text("No access")
        expect(page.get_by_text("Mallory Black")).to_be_visible()
        expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
        expect(page.locator("[data-testid='stMetric']")).to_have_count(0)
        body = page.locator("body").inner_text()
        assert "Edge of care" not in body and TEAM_CASE not in body and "Scenario:" not in body
        found = serious_findings(page, "no access") + cut_labels(page, "no access")
        assert not found, "\n".join(found)
    finally:
        page.context.close()


def test_a_second_team_cannot_list_or_open_the_first_teams_scenario(browser, sso):
    page = sign_in(browser, sso, "carol")
    try:
        _signed_in_as(page, "Signed in as Carol White (editor)")
        open_link(page, sso)  # a guessed (or forwarded) link: the same words as for a scenario that is not there
        expect(
            page.get_by_text(f"there is no saved scenario '{sso.team_id}' (it may have been deleted)")
        ).to_be_visible()
        expect(page.get_by_text("Nothing saved yet.")).to_be_visible()  # not listed, so nothing to compare with
        expect(page.get_by_text("Save a version to compare the scenario on screen with it.")).to_be_visible()
        assert TEAM_CASE not in page.locator("body").inner_text()
    finally:
        page.context.close()

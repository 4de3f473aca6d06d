"""A place in Chromium: two programmes saved through the Scenarios page, built into a place on the Place page,
the share of savings kept changed; the bridge read off the page equals the engine's for the same place
(downloaded from the page as YAML, its programmes the same scenarios as files), and the Total Place table's
first year equals people x unit cost worked by hand."""

from __future__ import annotations

import secrets
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from logic import DEFAULT_EXAMPLE, EXAMPLES, dump_scenario, load_scenario
from logic.place import evaluate_place, load_place
from logic.presentation import compact_money

from .helpers import app_rerun, assert_page_is_healthy, go_to, key_figure, open_app


def rename(page: Page, name: str) -> None:
    go_to(page, "Programme")
    box = page.get_by_label("Programme name")
    with app_rerun(page):
        box.fill(name)
        box.press("Enter")
    expect(page.get_by_label("Programme name")).to_have_value(name)


def save_on_the_scenarios_page(page: Page) -> None:
    go_to(page, "Scenarios")
    page.get_by_label("Your name").fill("E2E")
    page.get_by_label("What changed, in a sentence").fill("A programme for the place")
    # Opening a template keeps the saved scenario the last one came from: save this as a scenario of its own.
    new = page.get_by_text("Save as a new scenario, not a new version of the one it came from")
    if new.count():
        new.click()
    with app_rerun(page):
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as version 1.")).to_be_visible()


def pick(page: Page, label: str, option: str) -> None:
    """Choose an option of a multiselect by typing it, as a user does."""
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=label)
    box.click()
    page.keyboard.type(option)
    with app_rerun(page):
        page.get_by_role("option", name=option).click()
    page.keyboard.press("Escape")


def test_a_place_built_from_two_saved_scenarios_shows_the_engines_bridge(page, app_url, tmp_path):
    tag = secrets.token_hex(3)  # the store is shared by the run's tests: these two are found by their names
    names = [f"Edge of care {tag}", f"Employment support {tag}"]
    open_app(page, app_url)
    rename(page, names[0])
    save_on_the_scenarios_page(page)
    go_to(page, "New programme")
    with app_rerun(page):
        page.locator("[class*='st-key-template-employment_support'] button").click()
    rename(page, names[1])
    save_on_the_scenarios_page(page)

    go_to(page, "Place")
    for name in names:
        pick(page, "Programmes (saved scenarios)", f"{name} (version 1)")
    with app_rerun(page):
        page.get_by_role("button", name="Build the place").click()
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Bridge needed")).to_be_visible()
    assert_page_is_healthy(page)
    before = key_figure(page, "Bridge needed")

    share = page.get_by_role("spinbutton", name="Share of savings a member keeps")
    with app_rerun(page):
        share.fill("0.50")
        share.press("Enter")
    expect(page.get_by_role("spinbutton", name="Share of savings a member keeps")).to_have_value("0.50")
    shown = key_figure(page, "Bridge needed")
    assert shown != before, "keeping half the savings leaves the fund to bridge more"

    # The place as the page holds it, downloaded; its saved programmes are the two scenarios, written as files.
    with page.expect_download() as download, app_rerun(page):
        page.get_by_role("button", name="Download the place (YAML)").click()
    doc = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert doc["fund"]["savings_returned"] == 0.5
    assert [e["version"] for e in doc["programmes"]] == [1, 1], "a place names the versions it was built on"
    for i, (entry, source) in enumerate(
        zip(doc["programmes"], [DEFAULT_EXAMPLE, EXAMPLES / "employment_support.yaml"])
    ):
        sc = load_scenario(source).model_copy(update={"name": names[i]})
        (tmp_path / f"p{i}.yaml").write_text(dump_scenario(sc), encoding="utf-8")
        del entry["saved"], entry["version"]
        entry["scenario"] = f"p{i}.yaml"
    (tmp_path / "place.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    engine = evaluate_place(load_place(tmp_path / "place.yaml")).to_dict()
    assert shown == compact_money(engine["fund"]["bridge_needed"])
    assert key_figure(page, "NPV (public value)") == compact_money(engine["economic"]["npv_public_value"])

    # Total Place, by hand: people x unit cost in the first year (no growth yet), each need's agency.
    needs = page.locator("[data-testid='stTable']").filter(has_text="All agencies")
    needs.scroll_into_view_if_needed()
    rows = {r.locator("th").inner_text().strip(): r for r in needs.locator("tbody tr").all()}
    first_year = {a: r.locator("td").first.inner_text().strip() for a, r in rows.items()}
    assert first_year["council"] == "£7,910,695"  # 85 adolescents x £93,067
    assert first_year["County police force"] == "£979,800"  # 300 young people x £3,266
    assert first_year["Department for Work and Pensions"] == "£107,217,000"  # 9,000 adults x £11,913
    assert first_year["nhs"] == "£7,302,000"  # 6,000 people x £1,217
    assert first_year["All agencies"] == "£123,409,495"  # the four added
    assert_page_is_healthy(page)

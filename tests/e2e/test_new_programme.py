"""Starting a programme of one's own, in Chromium: blank and built up box by box, from each template, and
never losing unsaved work (Undo brings the last change back; starting over asks first)."""

from __future__ import annotations

import re

import yaml
from playwright.sync_api import Page, expect

from logic import evaluate, parse_scenario
from logic.templates import templates
from logic.views import key_figures as expected_key_figures

from .helpers import DataEditor, app_rerun, editor_problem, go_to, key_figure, open_app
from .helpers import key_figures as figures_on_page
from .test_building_the_map import add_link, add_node

PAYS_BACK = "Pays back in"


def start_blank(page: Page) -> None:
    """The sidebar's New programme, then the blank form's button, as a newcomer does."""
    go_to(page, "New programme")
    with app_rerun(page):
        page.get_by_role("button", name="Start a blank programme").click()
    expect(page.locator("h1").first).to_have_text("Programme")


def key_figures(page: Page) -> dict[str, str]:
    """The key-figure strip, label to value, once its five tiles are drawn."""
    expect(page.locator("[class*='st-key-kpi-strip'] [data-testid='stMetric']")).to_have_count(5)
    return figures_on_page(page)


def expected_tiles(sc) -> dict[str, str]:
    return {t["label"]: t["value"] for t in expected_key_figures(evaluate(sc))}


def snapshot_on_screen(page: Page):
    """The scenario the app holds, read back from the snapshot the Scenarios page downloads."""
    go_to(page, "Scenarios")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download snapshot (YAML)").click()
    return parse_scenario(yaml.safe_load(open(download.value.path(), encoding="utf-8").read()))


def sidebar_button(page: Page, label: str):
    # By the start of its name: the name goes on with the shortcut ("Undo Shortcut Ctrl + Z").
    return page.locator("[data-testid='stSidebar']").get_by_role("button", name=re.compile(f"^{label}"))


def change_the_discount_rate(page: Page, rate: str) -> None:
    go_to(page, "Programme")
    field = page.get_by_role("spinbutton", name="Discount rate (real)")
    with app_rerun(page):
        field.fill(rate)
        field.press("Enter")
    expect(field).to_have_value(rate)


def test_a_blank_programme_built_box_by_box_comes_to_pay_back(page, app_url):
    open_app(page, app_url)
    start_blank(page)
    assert key_figure(page, PAYS_BACK) == "Not yet"

    intake = DataEditor(page, "intake")
    intake.set_cell(0, "People referred", 100)

    go_to(page, "Needs")
    add_node(page, "need", "Families in crisis")

    go_to(page, "Activities")
    add_node(page, "activity", "Family support")
    costs = DataEditor(page, "costs")
    row = costs.add_row()
    costs.fill_new_row(row, {"Activity": "family-support", "Cost item": "Two family workers", "Paid by": "council"})
    costs.set_cell(row, "Set-up (£)", 60000)
    expect(editor_problem(page)).to_have_count(0)
    assert key_figure(page, PAYS_BACK) == "Not in horizon", "a cost with no savings never pays back"
    add_link(page, "activity", "families-in-crisis", "family-support", "medium")

    go_to(page, "Outcomes")
    rates = {"Rate with programme": 0.6, "Rate without (counterfactual)": 0.2}
    add_node(page, "outcome", "Children stay at home", rates)
    benefits = DataEditor(page, "benefits")
    row = benefits.add_row()
    benefits.fill_new_row(row, {"Outcome": "children-stay-at-home", "Who benefits": "council", "Type": "fiscal"})
    benefits.set_cell(row, "Value a year (£)", 20000)
    expect(editor_problem(page)).to_have_count(0)
    add_link(page, "outcome", "family-support", "children-stay-at-home", "strong")

    go_to(page, "Impact")
    add_node(page, "impact", "Families stay together")
    add_link(page, "impact", "children-stay-at-home", "families-stay-together", "medium")

    paid_back = key_figure(page, PAYS_BACK)
    assert re.fullmatch(r"\d{4}", paid_back), f"a year, not {paid_back!r}"
    shown = key_figures(page)
    # Every tile is what the engine makes of the scenario the app now holds.
    built = snapshot_on_screen(page)
    assert [n.label for n in built.nodes] == [
        "Families in crisis",
        "Family support",
        "Children stay at home",
        "Families stay together",
    ]
    assert shown == expected_tiles(built)


def test_each_template_opens_with_the_key_figures_the_engine_gives_it(page, app_url):
    open_app(page, app_url)
    for template in templates():
        go_to(page, "New programme")
        with app_rerun(page):
            page.locator(f"[class*='st-key-template-{template.key}'] button").click()
        expect(page.locator("h1").first).to_have_text("Programme")
        expect(page.get_by_label("Programme name")).to_have_value(template.load().name)
        assert key_figures(page) == expected_tiles(template.load()), template.name


def test_undo_in_the_sidebar_brings_the_key_figures_back_exactly(page, app_url):
    open_app(page, app_url)
    before = key_figures(page)
    change_the_discount_rate(page, "0.060")
    changed = key_figures(page)
    assert changed["NPV (fiscal)"] != before["NPV (fiscal)"], "a higher discount rate moves the NPV"

    with app_rerun(page):
        sidebar_button(page, "Undo").click()
    expect(page.get_by_role("spinbutton", name="Discount rate (real)")).to_have_value("0.035")
    assert key_figures(page) == before
    with app_rerun(page):
        sidebar_button(page, "Redo").click()
    assert key_figures(page) == changed


def test_starting_new_with_unsaved_changes_asks_first(page, app_url):
    open_app(page, app_url)
    change_the_discount_rate(page, "0.060")
    changed = key_figures(page)

    go_to(page, "New programme")
    with app_rerun(page):
        page.get_by_role("button", name="Start a blank programme").click()
    expect(page.get_by_text("has changes that are not saved")).to_be_visible()
    keep = page.get_by_role("button", name="Keep working on it")
    expect(keep).to_be_visible()
    expect(page.get_by_role("button", name="Save it first")).to_be_visible()

    with app_rerun(page):
        keep.click()
    expect(page.get_by_text("has changes that are not saved")).to_have_count(0)
    go_to(page, "Programme")
    expect(page.get_by_role("spinbutton", name="Discount rate (real)")).to_have_value("0.060")
    assert key_figures(page) == changed, "keeping on works on the same, changed, programme"

    go_to(page, "New programme")
    with app_rerun(page):
        page.get_by_role("button", name="Open this template").first.click()
    with app_rerun(page):
        page.get_by_role("button", name="Save it first").click()
    expect(page.locator("h1").first).to_have_text("Scenarios")
    go_to(page, "Programme")
    assert key_figures(page) == changed, "the work waits to be saved; nothing was replaced"

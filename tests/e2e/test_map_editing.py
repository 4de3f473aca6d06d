"""Building the theory of change on the map itself, in Chromium: add a box, draw links (allowed and
refused), open a box and change it, delete and undo, and arrange the boxes.

Each gesture is made as a person makes it - a click on a box, a drag from a box's dot to another box -
and the test then reads what the page shows: the boxes and links drawn, the message in words, the
key figures.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from logic import DEFAULT_EXAMPLE, load_scenario

from .helpers import (
    DataEditor,
    app_rerun,
    assert_page_is_healthy,
    editor_problem,
    go_to,
    graph_edge_titles,
    key_figure,
    money,
    open_app,
)

EXAMPLE = load_scenario(DEFAULT_EXAMPLE)
LABELS = {n.id: n.label for n in EXAMPLE.nodes}
NEED = EXAMPLE.nodes_of("need")[0].id
ACTIVITY = "act-mst"
OUTCOME = "out-stays-home"  # fiscal savings to the council: its rate moves the NPV


def link(page: Page, source: str, target: str) -> Locator:
    return page.locator(f".tocmap g.toc-link[data-source='{source}'][data-target='{target}']")


def links_drawn(page: Page, count: int) -> list[str]:
    """The links on the map as 'source->target', once the map shows `count` of them."""
    expect(page.locator(".tocmap g.toc-link")).to_have_count(count)
    return sorted(graph_edge_titles(page))


def box(page: Page, node_id: str) -> Locator:
    return page.locator(f".tocmap g.toc-box[data-node='{node_id}']")


def panel(page: Page) -> Locator:
    return page.locator(".st-key-map-details")


def click_box(page: Page, node_id: str) -> None:
    with app_rerun(page):
        box(page, node_id).click()
    expect(box(page, node_id)).to_have_class("toc-box selected")


def drag_link(page: Page, source: str, target: str) -> None:
    """Press on the source's dot, move onto the target box, let go: as a person draws a link."""
    dot = page.locator(f".tocmap .toc-handle[data-handle='{source}']")
    dot.scroll_into_view_if_needed()
    start = dot.bounding_box()
    end = box(page, target).bounding_box()
    assert start and end
    with app_rerun(page):
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
        page.mouse.up()


def add_box(page: Page, stage: str, label: str) -> str:
    """'+ Add' in the stage's column, the label typed beside the map, Enter; returns the new box's id."""
    with app_rerun(page):
        page.locator(f".tocmap .toc-add[data-add='{stage}']").click()
    field = panel(page).get_by_label("What the box says")
    field.fill(label)
    with app_rerun(page):
        field.press("Enter")
    new = page.locator(".tocmap g.toc-box.selected")
    expect(new).to_contain_text(label)
    return new.get_attribute("data-node") or ""


def fill_and_apply(page: Page, label: str, value: object) -> None:
    field = panel(page).get_by_label(label, exact=True)
    field.fill(str(value))
    with app_rerun(page):
        field.press("Enter")


def test_a_box_added_in_its_column_gets_an_id_from_its_label(page, app_url):
    open_app(page, app_url)
    go_to(page, "Needs")
    new_id = add_box(page, "need", "Parents in crisis")
    assert new_id == "parents-in-crisis"
    expect(panel(page)).to_contain_text("parents-in-crisis")  # its id, shown with its details
    expect(box(page, new_id)).to_contain_text("Parents in crisis")
    assert_page_is_healthy(page)


def test_an_allowed_link_drawn_on_the_map_is_made_and_the_outcome_it_reaches_moves_the_figures(page, app_url):
    open_app(page, app_url)
    go_to(page, "Outcomes")
    npv_before = money(key_figure(page, "NPV (fiscal)"))
    new_id = add_box(page, "outcome", "E2E back in school")
    drag_link(page, ACTIVITY, new_id)  # activity -> outcome: allowed
    expect(link(page, ACTIVITY, new_id)).to_have_count(1)
    expect(panel(page)).to_contain_text(f"{LABELS[ACTIVITY]} \u2192 E2E back in school")  # the link, opened
    expect(editor_problem(page)).to_have_count(0)
    click_box(page, new_id)
    fill_and_apply(page, "Rate with the programme", 0.6)
    fill_and_apply(page, "Rate without (counterfactual)", 0.2)
    benefits = DataEditor(page, f"map-benefits-{new_id}")
    row = benefits.add_row()
    benefits.fill_new_row(row, {"Who benefits": "council", "Type": "fiscal", "Value a year (£)": 20000})
    expect(editor_problem(page)).to_have_count(0)
    expect(box(page, new_id)).to_contain_text("extra outcomes")
    assert money(key_figure(page, "NPV (fiscal)")) > npv_before, "a saving on extra outcomes raises the NPV"


def test_a_forbidden_link_and_a_loop_are_refused_in_words(page, app_url):
    open_app(page, app_url)
    go_to(page, "Outcomes")
    links_before = sorted(graph_edge_titles(page))
    npv = key_figure(page, "NPV (fiscal)")
    drag_link(page, NEED, OUTCOME)  # need -> outcome: not allowed
    refusal = page.get_by_text("not linked.")
    expect(refusal).to_contain_text("A need leads to the activity that meets it, not straight to an outcome")
    expect(editor_problem(page)).to_have_count(1)
    drag_link(page, OUTCOME, "out-family-functioning")  # which already leads to it: a loop
    expect(page.get_by_text("It would make a loop")).to_be_visible()
    assert links_drawn(page, len(links_before)) == links_before
    assert key_figure(page, "NPV (fiscal)") == npv


def test_a_box_opened_and_a_rate_changed_beside_the_map_moves_the_key_figures(page, app_url):
    open_app(page, app_url)
    go_to(page, "Outcomes")
    npv_before = money(key_figure(page, "NPV (fiscal)"))
    click_box(page, OUTCOME)
    rate = next(o.rate_with for o in EXAMPLE.outcomes if o.id == OUTCOME)
    expect(panel(page).get_by_label("Rate with the programme", exact=True)).to_have_value(f"{rate:.3f}")
    fill_and_apply(page, "Rate with the programme", round(rate + 0.05, 3))
    assert money(key_figure(page, "NPV (fiscal)")) > npv_before
    expect(box(page, OUTCOME)).to_have_class("toc-box selected")  # still open, for the next change


def test_a_box_deleted_with_its_links_listed_first_comes_back_with_undo(page, app_url):
    open_app(page, app_url)
    go_to(page, "Outcomes")
    figures = key_figure(page, "NPV (fiscal)")
    everything = graph_edge_titles(page)
    total, links = len(everything), [t for t in everything if OUTCOME in t.split("->")]
    click_box(page, OUTCOME)
    with app_rerun(page):
        panel(page).get_by_role("button", name="Delete this box", exact=True).click()
    warning = panel(page).get_by_text(f"It takes {len(links)} links with it")
    expect(warning).to_be_visible()
    with app_rerun(page):
        panel(page).get_by_role("button", name="Delete it", exact=True).click()
    expect(box(page, OUTCOME)).to_have_count(0)
    assert not [t for t in links_drawn(page, total - len(links)) if OUTCOME in t.split("->")]
    assert key_figure(page, "NPV (fiscal)") != figures
    with app_rerun(page):
        page.get_by_role("button", name="Undo").click()
    expect(box(page, OUTCOME)).to_have_count(1)
    assert [t for t in links_drawn(page, total) if OUTCOME in t.split("->")] == sorted(links)
    assert key_figure(page, "NPV (fiscal)") == figures


def test_a_box_dragged_stays_where_the_room_put_it(page, app_url):
    open_app(page, app_url)
    go_to(page, "Needs")
    rect = box(page, NEED).locator("rect")
    y_before = float(rect.get_attribute("y") or 0)
    start = box(page, NEED).bounding_box()
    assert start
    with app_rerun(page):
        page.mouse.move(start["x"] + 40, start["y"] + 10)
        page.mouse.down()
        page.mouse.move(start["x"] + 40, start["y"] + 190, steps=6)
        page.mouse.up()
    expect(rect).not_to_have_attribute("y", f"{y_before:g}")
    assert float(rect.get_attribute("y") or 0) > y_before + 100  # drawn again where it was dropped
    expect(box(page, NEED)).not_to_have_class("toc-box selected")  # a drag is not a click

"""Building on the map in the browser: a need, an activity with a cost, an outcome with a value, linked up."""

from playwright.sync_api import expect

from .helpers import (
    DataEditor,
    editor_problem,
    go_to,
    graph_edge_titles,
    graph_node_texts,
    key_figure,
    money,
    open_app,
)

# Short labels: the map draws them on one line, so the SVG holds them whole.
NEED, NEED_ID = "E2E need", "e2e-need"
ACTIVITY, ACTIVITY_ID = "E2E activity", "e2e-activity"
OUTCOME, OUTCOME_ID = "E2E outcome", "e2e-outcome"


def add_node(page, stage: str, label: str, more: dict | None = None) -> None:
    """A new row in the stage's table: a label (the app makes the id from it) and any other cells.

    The app checks every edit as it comes; until the row is complete (an outcome needs both its
    rates) it says what is missing and keeps the typing, so the row is filled one cell at a time.
    """
    nodes = DataEditor(page, f"nodes-{stage}")
    row = nodes.add_row()
    nodes.set_cell(row, "Label", label)
    for column, value in (more or {}).items():
        nodes.set_cell(row, column, value)
    expect(editor_problem(page)).to_have_count(0)
    expect(page.locator(".tocmap g.toc-box").filter(has_text=label)).to_have_count(1)


def add_link(page, stage: str, source: str, target: str, strength: str) -> None:
    links = DataEditor(page, f"links-{stage}")
    row = links.add_row()
    links.fill_new_row(row, {"From": source, "To": target, "Strength of evidence": strength})
    expect(editor_problem(page)).to_have_count(0)
    assert f"{source}->{target}" in graph_edge_titles(page)


def test_a_need_activity_and_outcome_added_in_the_editors_reach_the_graph_and_the_npv(page, app_url):
    open_app(page, app_url)
    go_to(page, "Needs")
    npv_of_example = key_figure(page, "NPV (fiscal)")

    add_node(page, "need", NEED)

    go_to(page, "Activities")
    add_node(page, "activity", ACTIVITY)
    costs = DataEditor(page, "costs")
    row = costs.add_row()
    costs.fill_new_row(row, {"Activity": ACTIVITY_ID, "Cost item": "E2E caseworker", "Paid by": "provider"})
    costs.set_cell(row, "Per year (£)", 90000)
    expect(editor_problem(page)).to_have_count(0)
    npv_with_cost = key_figure(page, "NPV (fiscal)")
    assert money(npv_with_cost) < money(npv_of_example), "a cost line of £90,000 a year lowers the NPV"
    add_link(page, "activity", NEED_ID, ACTIVITY_ID, "medium")

    go_to(page, "Outcomes")
    add_node(page, "outcome", OUTCOME, {"Rate with programme": 0.6, "Rate without (counterfactual)": 0.2})
    benefits = DataEditor(page, "benefits")
    row = benefits.add_row()
    benefits.fill_new_row(row, {"Outcome": OUTCOME_ID, "Who benefits": "council", "Type": "fiscal"})
    benefits.set_cell(row, "Value a year (£)", 20000)
    expect(editor_problem(page)).to_have_count(0)
    add_link(page, "outcome", ACTIVITY_ID, OUTCOME_ID, "strong")

    npv_with_benefit = key_figure(page, "NPV (fiscal)")
    assert money(npv_with_benefit) > money(npv_with_cost), "a fiscal benefit on an extra outcome raises the NPV"
    drawn = graph_node_texts(page)
    for label in (NEED, ACTIVITY, OUTCOME):
        assert label in drawn
    assert {f"{NEED_ID}->{ACTIVITY_ID}", f"{ACTIVITY_ID}->{OUTCOME_ID}"} <= set(graph_edge_titles(page))

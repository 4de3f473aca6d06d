"""Beside the map, under AppTest: what a click opens (components/map_panel.py), changed there, with the key
figures following; the same checks as the tables; removal lists the links first; presenter mode is read-only.

The clicks and drags themselves are browser gestures (tests/e2e/test_map_editing.py); here the selection
they make is put in session state directly.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario
from logic.presentation import compact_money

EXAMPLE = load_scenario(DEFAULT_EXAMPLE)
ROOT = Path(__file__).resolve().parent.parent


def page(name: str, selected: tuple | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=60)
    if selected:
        at.session_state["map-selected"] = selected
    return at.run()


def key(at: AppTest, name: str, node: str) -> str:
    return f"map-{name}-{node}-{at.session_state['scenario_version']}"


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def npv(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "NPV (fiscal)")


def map_data(at: AppTest) -> dict:
    return json.loads(at.get("bidi_component")[0].proto.json)


def test_a_box_clicked_opens_beside_the_map_and_a_rate_changed_there_moves_the_key_figures():
    out = next(o for o in EXAMPLE.outcomes if o.benefits)
    at = page("4_outcomes.py", ("node", out.id))
    ok(at)
    assert at.text_input(key=key(at, "label", out.id)).value == out.label
    assert at.number_input(key=key(at, "rate_without", out.id)).value == out.rate_without
    assert map_data(at)["selected"] == f"node|{out.id}"
    at.number_input(key=key(at, "rate_with", out.id)).set_value(out.rate_with + 0.05).run()
    ok(at)
    sc = at.session_state["scenario"]
    assert next(o for o in sc.outcomes if o.id == out.id).rate_with == out.rate_with + 0.05
    changed = evaluate(sc).figures["npv_fiscal"]
    assert changed > evaluate(EXAMPLE).figures["npv_fiscal"]  # more achieve it: more is saved
    assert npv(at) == compact_money(changed)
    assert sc.log[-1].path == f"nodes.{out.id}.rate_with"  # in the assumptions log, as a table edit is


def test_a_value_the_tables_would_refuse_is_refused_beside_the_map_with_where():
    out = EXAMPLE.outcomes[0]
    at = page("4_outcomes.py", ("node", out.id))
    at.number_input(key=key(at, "rate_with", out.id)).set_value(1.4).run()
    assert not at.exception
    words = " ".join(e.value for e in at.error)
    assert "not applied" in words and f"'{out.label}' ({out.id}): rate_with must be between 0 and 1, got 1.4" in words
    assert at.session_state["scenario"] == EXAMPLE


def test_an_activitys_cost_lines_are_edited_beside_the_map():
    act = next(n for n in EXAMPLE.nodes_of("activity") if n.costs)
    at = page("3_activities.py", ("node", act.id))
    ok(at)
    k = key(at, "costs", act.id)
    at.session_state[k] = {"edited_rows": {0: {"per_year": act.costs[0].per_year + 10_000}}, "added_rows": [],
                           "deleted_rows": []}  # fmt: skip
    at.run()
    ok(at)
    sc = at.session_state["scenario"]
    new = next(n for n in sc.nodes if n.id == act.id)
    assert new.costs[0].per_year == act.costs[0].per_year + 10_000
    assert [c for n in sc.nodes if n.id != act.id for c in n.costs] == [
        c for n in EXAMPLE.nodes if n.id != act.id for c in n.costs
    ]
    assert evaluate(sc).figures["pv_costs"] > evaluate(EXAMPLE).figures["pv_costs"]


def test_a_box_added_from_its_column_gets_an_id_from_its_label_and_opens():
    at = page("2_needs.py", ("add", "need"))
    ok(at)
    at.text_input(key="map-add-label-need").set_value("Parents in crisis")
    at.button(key="FormSubmitter:map-add-need-Add to the map").click().run()
    ok(at)
    sc = at.session_state["scenario"]
    assert [n.id for n in sc.nodes_of("need")][-1] == "parents-in-crisis"
    assert at.session_state["map-selected"] == ("node", "parents-in-crisis")
    assert at.text_input(key=key(at, "label", "parents-in-crisis")).value == "Parents in crisis"


def test_deleting_a_box_lists_the_links_it_takes_then_undo_brings_it_back():
    out = next(o for o in EXAMPLE.outcomes if sum(1 for e in EXAMPLE.edges if out_in(o.id, e)) >= 2)
    links = [e for e in EXAMPLE.edges if out_in(out.id, e)]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["map-selected"] = ("node", out.id)
    at.run()
    at.switch_page("app_pages/4_outcomes.py").run()
    at.button(key=f"map-delete-{out.id}").click().run()
    ok(at)
    warning = " ".join(w.value for w in at.warning)
    assert f"It takes {len(links)} links with it" in warning
    labels = {n.id: n.label for n in EXAMPLE.nodes}
    for e in links:
        assert f"{labels[e.source]} \u2192 {labels[e.target]}" in warning
    at.button(key=f"map-delete-yes-{out.id}").click().run()
    ok(at)
    sc = at.session_state["scenario"]
    assert out.id not in {n.id for n in sc.nodes} and not [e for e in sc.edges if out_in(out.id, e)]
    at.button(key="undo").click().run()
    ok(at)
    assert at.session_state["scenario"].model_dump(exclude={"log"}) == EXAMPLE.model_dump(exclude={"log"})


def out_in(node_id: str, e) -> bool:
    return node_id in (e.source, e.target)


def test_a_link_clicked_opens_its_assumption_evidence_and_strength():
    e = EXAMPLE.edges[0]
    at = page("3_activities.py", ("link", e.source, e.target))
    ok(at)
    edge_key = f"{e.source}>{e.target}"
    assert at.text_area(key=key(at, "assumption", edge_key)).value == (e.assumption or "")
    other = "weak" if e.strength != "weak" else "strong"
    at.radio(key=key(at, "strength", edge_key)).set_value(other).run()
    ok(at)
    assert at.session_state["scenario"].edges[0].strength == other


def test_presenter_mode_shows_the_map_read_only_and_nothing_beside_it():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["map-selected"] = ("node", EXAMPLE.outcomes[0].id)
    at.run()
    at.switch_page("app_pages/4_outcomes.py").run()
    at.toggle(key="presenter").set_value(True).run()
    ok(at)
    data = map_data(at)
    assert data["editable"] is False and data["selected"] is None
    assert "data-node" not in data["svg"] and "+ Add" not in data["svg"]  # the report's drawing, large
    assert all(label in data["svg"] for label in ("Needs", "Activities", "Outcomes", "Impact"))
    assert not [t for t in at.text_input if t.key and t.key.startswith("map-")]


def _gestures() -> None:
    """A page whose map gestures come from session state: the functions the canvas's callback calls."""
    import streamlit as st

    from components.map_panel import link_boxes, move_box
    from components.step import stage_page

    gesture = st.session_state.pop("gesture", None)
    if gesture and gesture[0] == "move":
        move_box(*gesture[1:])
    elif gesture and gesture[0] == "link":
        link_boxes(*gesture[1:])
    stage_page("outcome")


def test_map_gestures_move_a_box_without_a_log_entry_and_draw_or_refuse_a_link():
    at = AppTest.from_function(_gestures, default_timeout=60).run()
    ok(at)
    out = EXAMPLE.outcomes[0].id
    at.session_state["gesture"] = ("move", out, 400.04, 250.0)
    at.run()
    ok(at)
    sc = at.session_state["scenario"]
    moved = next(n for n in sc.nodes if n.id == out)
    assert (moved.position.x, moved.position.y) == (400.0, 250.0) and sc.log == []  # layout, not an assumption
    assert evaluate(sc).figures == evaluate(EXAMPLE).figures
    # An allowed link: made, opened beside the map, and logged like a table edit.
    at.session_state["map-selected"] = ("node", out)
    at.session_state["gesture"] = ("link", "act-referral", "out-in-school")
    at.run()
    ok(at)
    sc = at.session_state["scenario"]
    assert ("act-referral", "out-in-school") in [(e.source, e.target) for e in sc.edges]
    assert at.session_state["map-selected"] == ("link", "act-referral", "out-in-school")
    assert (sc.log[-1].path, sc.log[-1].before) == ("edges.act-referral->out-in-school", None)
    # A refused one: nothing changes, the box that was open stays open, and the reason is beside it.
    at.session_state["map-selected"] = ("node", out)
    at.session_state["gesture"] = ("link", "need-care-entry", out)
    at.run()
    assert not at.exception
    assert at.session_state["scenario"] == sc
    assert at.session_state["map-selected"] == ("node", out)
    assert "A need leads to the activity that meets it" in " ".join(e.value for e in at.error)

"""Edits made on the map (logic/map_editing.py) and the figures written on its boxes (logic/map_figures.py).

Every figure is worked by hand from tests/unit_scenarios.py's tiny scenario: 100 referred in 2026, all
take part; a 10% discount rate; one cost line (set-up 1,500 + 10 per participant, paid by the council);
one outcome (0.5 with, 0.3 without, grade 1, lasting 2 years, worth 100 + 50 a year).
"""

from __future__ import annotations

import copy

import pytest
from unit_scenarios import tiny_doc

from logic import DEFAULT_EXAMPLE, ScenarioError, evaluate, load_scenario, parse_scenario
from logic import map_editing as me
from logic.editing import EditError, document
from logic.map_figures import box_figures


def tiny():
    return parse_scenario(tiny_doc())


def refusal(doc: dict, source: str, target: str) -> str:
    with pytest.raises(EditError) as caught:
        me.add_link(doc, source, target)
    [line] = caught.value.lines()
    return line


# --- boxes -------------------------------------------------------------------------------------


def test_a_new_box_gets_an_id_from_its_label_and_sits_with_its_stage():
    doc, new_id = me.add_node(tiny_doc(), "activity", "Parenting group, weekly!")
    assert new_id == "parenting-group-weekly"
    assert [n["id"] for n in doc["nodes"]] == ["need", "act", "parenting-group-weekly", "out", "imp"]
    # The same words again: the id is made unique, not refused.
    doc, second = me.add_node(doc, "activity", "Parenting group, weekly!")
    assert second == "parenting-group-weekly-2"
    sc = parse_scenario(doc)
    assert sc.nodes[2].label == "Parenting group, weekly!" and sc.nodes[2].stage == "activity"


def test_a_new_outcome_is_valid_and_changes_no_figure_until_its_rates_are_set():
    before = evaluate(tiny()).figures
    doc, new_id = me.add_node(tiny_doc(), "outcome", "Goes back to school")
    sc = parse_scenario(doc)
    outcome = next(n for n in sc.nodes if n.id == new_id)
    assert (outcome.rate_with, outcome.rate_without) == (0.0, 0.0)
    after = evaluate(sc).figures
    assert after["npv_fiscal"] == before["npv_fiscal"] and after["additional_outcomes"][new_id] == 0.0


def test_a_box_needs_words():
    with pytest.raises(EditError) as caught:
        me.add_node(tiny_doc(), "need", "   ")
    assert caught.value.lines() == ["Give a need a label first: it is what the box says."]


def test_removing_a_box_takes_its_links_and_says_which_first():
    doc = tiny_doc()
    assert me.links_of(doc, "act") == [
        {"source": "need", "target": "act"},
        {"source": "act", "target": "out"},
    ]
    sc = parse_scenario(me.remove_node(doc, "act"))
    assert [n.id for n in sc.nodes] == ["need", "out", "imp"]
    assert [(e.source, e.target) for e in sc.edges] == [("out", "imp")]
    # With the activity went its only cost: 1,500 + 10 x 100 = 2,500 in 2026, now nothing.
    assert evaluate(tiny()).figures["pv_costs"] == pytest.approx(2500)
    assert evaluate(sc).figures["pv_costs"] == 0


def test_removing_a_box_takes_its_uncertain_inputs_and_their_correlations():
    sc = load_scenario(DEFAULT_EXAMPLE)
    doc = document(sc)
    out = "out-stays-home"
    mine = [p["path"] for p in doc["uncertainty"]["parameters"] if p["path"].startswith(f"nodes.{out}.")]
    assert me.uncertain_inputs_of(doc, out) == mine and mine  # the example varies this outcome's rates
    others = [p for p in doc["uncertainty"]["parameters"] if p["path"] not in mine]
    doc["uncertainty"]["correlations"] = [
        {"a": mine[0], "b": others[0]["path"], "rho": 0.5},
        {"a": others[0]["path"], "b": others[1]["path"], "rho": 0.3},
    ]
    new = parse_scenario(me.remove_node(doc, out))
    assert [p.path for p in new.uncertainty.parameters] == [p["path"] for p in others]
    assert [(c.a, c.b) for c in new.uncertainty.correlations] == [(others[0]["path"], others[1]["path"])]


def test_a_box_moved_keeps_its_place_in_the_snapshot_and_changes_no_figure():
    doc = me.move_node(tiny_doc(), "out", 401.26, 120.04)
    sc = parse_scenario(doc)
    out = next(n for n in sc.nodes if n.id == "out")
    assert (out.position.x, out.position.y) == (401.3, 120.0)  # to a tenth of a pixel
    assert evaluate(sc).figures == evaluate(tiny()).figures
    with pytest.raises(EditError):
        me.move_node(tiny_doc(), "out", float("nan"), 3)


def test_a_field_changed_on_the_map_is_checked_as_the_tables_check_it():
    doc = me.set_node_fields(tiny_doc(), "out", {"rate_with": 1.4})
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    assert "nodes[2] out: rate_with must be between 0 and 1, got 1.4" in caught.value.lines()
    # None takes an optional field away.
    doc = me.set_node_fields(tiny_doc(), "need", {"unit_cost": None})
    assert "unit_cost" not in doc["nodes"][0]
    with pytest.raises(EditError):
        me.set_node_fields(tiny_doc(), "out", {"stage": "impact"})


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), [("need", "act"), ("act", "out"), ("out", "imp")], ids=["need-act", "act-out", "out-imp"]
)
def test_allowed_kinds_of_link(source, target):
    doc = copy.deepcopy(tiny_doc())
    doc["edges"] = []
    assert me.link_refusal(doc, source, target) is None
    sc = parse_scenario(me.add_link(doc, source, target))
    assert [(e.source, e.target, e.strength) for e in sc.edges] == [(source, target, "medium")]


def test_an_outcome_may_lead_to_another():
    doc, second = me.add_node(tiny_doc(), "outcome", "Family stays together")
    sc = parse_scenario(me.add_link(doc, "out", second))
    assert (sc.edges[-1].source, sc.edges[-1].target) == ("out", second)


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        ("need", "out", "A need leads to the activity that meets it, not straight to an outcome."),
        ("need", "imp", "A need leads to the activity that meets it, not straight to an impact."),
        ("act", "need", "Links run forwards, from a need to the activity that meets it."),
        ("act", "imp", "An activity reaches an impact through an outcome"),
        ("out", "act", "not back to an activity"),
        ("imp", "out", "An impact is the end of the chain: nothing follows it."),
    ],
)
def test_a_forbidden_link_is_refused_in_words_naming_both_boxes(source, target, reason):
    doc = tiny_doc()
    labels = {n["id"]: n["label"] for n in doc["nodes"]}
    line = refusal(doc, source, target)
    assert line.startswith(f"'{labels[source]}' \u2192 '{labels[target]}': not linked.")
    assert reason in line
    assert line.endswith(
        "Links go need \u2192 activity, activity \u2192 outcome, outcome \u2192 outcome, outcome \u2192 impact."
    )


def test_a_loop_is_refused_and_the_way_round_is_named():
    doc, second = me.add_node(tiny_doc(), "outcome", "Family stays together")
    doc, third = me.add_node(doc, "outcome", "Parents back in work")
    doc = me.add_link(me.add_link(doc, "out", second), second, third)
    assert refusal(doc, third, "out") == (
        "'Parents back in work' \u2192 'Stays at home': not linked. It would make a loop: 'Stays at home' already "
        "leads to 'Parents back in work' through 'Family stays together'."
    )


def test_a_link_to_itself_or_twice_is_refused():
    assert refusal(tiny_doc(), "out", "out") == "'Stays at home' cannot lead to itself."
    assert refusal(tiny_doc(), "act", "out") == "'Key worker' already leads to 'Stays at home'."


def test_long_labels_are_cut_in_a_refusal():
    doc = tiny_doc()
    doc["nodes"][0]["label"] = "Adolescents aged 11 to 17 at risk of entering care because of family breakdown"
    line = refusal(doc, "need", "out")
    assert line.startswith("'Adolescents aged 11 to 17 at risk of\u2026' \u2192 'Stays at home'")


def test_a_link_edited_and_removed():
    doc = me.set_link_fields(tiny_doc(), "act", "out", {"strength": "weak", "assumption": "Trust is built"})
    sc = parse_scenario(doc)
    assert (sc.edges[1].strength, sc.edges[1].assumption) == ("weak", "Trust is built")
    sc = parse_scenario(me.remove_link(doc, "act", "out"))
    assert [(e.source, e.target) for e in sc.edges] == [("need", "act"), ("out", "imp")]
    with pytest.raises(EditError):
        me.remove_link(tiny_doc(), "need", "imp")


# --- one box's lines ---------------------------------------------------------------------------


def test_an_activitys_cost_lines_edited_on_its_own_change_only_its_cost():
    doc = tiny_doc()
    doc["cohort"]["intake"] = [100, 50]  # people referred in 2026 and 2027: a yearly cost falls in both
    doc["nodes"].insert(2, {"id": "act2", "stage": "activity", "label": "Mentor", "costs": []})
    sc = parse_scenario(doc)
    df = me.node_costs_table(sc, "act")
    assert list(df["item"]) == ["Key workers"]
    df.loc[0, "per_year"] = 1000.0
    new = parse_scenario(me.apply_node_costs(document(sc), sc, "act", df))
    line = next(n for n in new.nodes if n.id == "act").costs[0]
    assert (line.setup, line.per_year, line.per_participant) == (1500, 1000, 10)
    # 1,000 in 2026 and in 2027 (both have referrals), discounted at 10%: 1,000 + 1,000 / 1.1.
    extra = evaluate(new).figures["pv_costs"] - evaluate(sc).figures["pv_costs"]
    assert extra == pytest.approx(1000 + 1000 / 1.1)
    # A line added in the small table goes to this activity only.
    df.loc[1] = {"item": "Room hire", "payer": "nhs", "setup": 200.0}
    new = parse_scenario(me.apply_node_costs(document(sc), sc, "act", df))
    assert [c.item for c in next(n for n in new.nodes if n.id == "act").costs] == ["Key workers", "Room hire"]
    assert next(n for n in new.nodes if n.id == "act2").costs == []


def test_an_outcomes_benefit_lines_edited_on_its_own():
    sc = tiny()
    df = me.node_benefits_table(sc, "out")
    assert list(df["agency"]) == ["council", "nhs"]
    df = df.iloc[[0]].copy()  # the NHS line removed
    new = parse_scenario(me.apply_node_benefits(document(sc), sc, "out", df))
    assert [b.agency for b in new.outcomes[0].benefits] == ["council"]
    # The social value was 20 outcomes x 50 in 2026 and in 2027: 1,000 + 1,000 / 1.1, now gone.
    assert evaluate(sc).figures["pv_social"] == pytest.approx(1000 + 1000 / 1.1)
    assert evaluate(new).figures["pv_social"] == 0
    with pytest.raises(EditError):
        me.apply_node_benefits(document(sc), sc, "act", df)


# --- the figures on the boxes -----------------------------------------------------------------------


def test_the_boxes_show_the_figures_that_matter_at_a_glance():
    figures = box_figures(evaluate(tiny()))
    assert figures == {
        "need": ["100 a year \u00b7 \u00a350 each"],
        # 1,500 set-up + 10 x 100 participants, all in 2026 (not discounted).
        "act": ["Costs \u00a32,500 (PV)"],
        # 100 x (0.5 - 0.3) = 20 extra; each worth 100 (council) + 50 (NHS) a year.
        "out": ["+20.0 extra outcomes", "\u00a3150 a year each"],
    }


def test_the_figures_on_the_example_come_from_its_own_inputs():
    sc = load_scenario(DEFAULT_EXAMPLE)
    figures = box_figures(evaluate(sc))
    P = sum(sc.cohort.intake) * sc.cohort.engagement_rate
    for o in sc.outcomes:
        extra = P * (o.rate_with - o.rate_without) * o.attribution * (1 - o.displacement)
        assert figures[o.id][0] == f"+{extra:,.1f} extra outcomes", o.id
    assert all(figures[n.id][0].startswith("Costs \u00a3") for n in sc.nodes_of("activity"))
    assert not any(n.id in figures for n in sc.nodes_of("impact"))

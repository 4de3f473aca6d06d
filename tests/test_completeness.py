"""The completeness check names every gap a facilitator should raise, and nothing on a finished map."""

import pytest

from logic import EXAMPLES, load_scenario, parse_scenario
from logic.completeness import completeness


def _doc(nodes, edges):
    return {
        "format": "toc-business-case/1",
        "name": "t",
        "settings": {"start_year": 2026, "horizon_years": 5},
        "agencies": [{"id": "council", "name": "Council"}],
        "cohort": {"intake": [10], "engagement_rate": 1.0},
        "nodes": nodes,
        "edges": edges,
    }


NEED = {"id": "n", "stage": "need", "label": "Need"}
ACT = {
    "id": "a",
    "stage": "activity",
    "label": "Act",
    "costs": [{"item": "staff", "payer": "provider", "per_year": 100.0}],
}
OUT = {
    "id": "o",
    "stage": "outcome",
    "label": "Out",
    "indicator": "records",
    "rate_with": 0.5,
    "rate_without": 0.2,
    "benefits": [{"agency": "council", "value": 10.0, "type": "fiscal"}],
}
IMP = {"id": "i", "stage": "impact", "label": "Imp"}
CHAIN = [{"source": "n", "target": "a"}, {"source": "a", "target": "o"}, {"source": "o", "target": "i"}]


def test_a_complete_chain_has_no_gaps():
    assert completeness(parse_scenario(_doc([NEED, ACT, OUT, IMP], CHAIN))) == []


def test_each_gap_is_named_on_the_page_where_it_is_fixed():
    bare_out = {k: v for k, v in OUT.items() if k not in ("indicator", "benefits")} | {"rate_without": 0.0}
    bare_act = {k: v for k, v in ACT.items() if k != "costs"}
    loose = {"id": "loose", "stage": "need", "label": "Loose"}
    sc = parse_scenario(_doc([NEED, loose, bare_act, bare_out], [{"source": "a", "target": "o"}]))
    gaps = {(g.stage, g.node_id, g.message.split(" ")[0]) for g in completeness(sc)}
    messages = [g.message for g in completeness(sc)]
    assert ("impact", None, "There") in gaps  # no impacts at all
    assert any("'Loose' is not linked to anything" in m for m in messages)
    assert any(m.startswith("Need 'Need' is not linked") or "'Need' is not linked" in m for m in messages)
    assert "Activity 'Act' answers no need." in messages
    assert "Activity 'Act' has no cost." in messages
    assert any(m.startswith("Outcome 'Out' has no indicator") for m in messages)
    assert any(m.startswith("Outcome 'Out' has a counterfactual of 0") for m in messages)
    assert any(m.startswith("Outcome 'Out' has no value") for m in messages)
    # The outcome is reached by the activity, so that gap is not raised.
    assert not any("reached by no activity" in m for m in messages)


def test_need_without_activity_and_unreached_outcome():
    sc = parse_scenario(_doc([NEED, ACT, OUT, IMP], [{"source": "n", "target": "a"}, {"source": "o", "target": "i"}]))
    messages = [g.message for g in completeness(sc)]
    assert "Activity 'Act' leads to no outcome." in messages
    assert "Outcome 'Out' is reached by no activity." in messages


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_examples_are_complete(path):
    assert completeness(load_scenario(path)) == []


def test_problem_lines_name_the_box_not_its_position():
    from logic.report_text import plain_problem

    labels = {"out-x": "Stays home"}
    assert (
        plain_problem("nodes[11] out-x: rate_with must be between 0 and 1, got 1.4", labels)
        == "'Stays home' (out-x): rate_with must be between 0 and 1, got 1.4"
    )
    assert (
        plain_problem("nodes[3] act-new costs[0]: payer 'x' is not 'provider', 'investor' or an agency id", labels)
        == "'act-new', cost line 1: payer 'x' is not 'provider', 'investor' or an agency id"
    )
    assert plain_problem("edges[4]: source 'a' is not a node id", labels) == "link 5: source 'a' is not a node id"
    assert plain_problem("cohort.intake: has 12 years", labels) == "cohort.intake: has 12 years"

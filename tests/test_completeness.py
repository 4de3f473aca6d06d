"""The completeness check names every gap a facilitator should raise, and nothing on a finished map."""

import copy

import pytest

from logic import EXAMPLES, evaluate, load_scenario, parse_scenario
from logic.completeness import completeness, covering_horizon, map_gaps
from logic.editing import document


def _doc(nodes, edges):
    return {
        "format": "toc-business-case/2",
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
    "costs": [{"item": "staff", "payer": "provider", "per_year": 100.0, "evidence_grade": 3}],
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
    """The maps are finished; what is left is the economic case's questions, and answering them clears them."""
    sc = load_scenario(path)
    assert map_gaps(sc) == []
    assert {g.kind for g in completeness(sc)} <= {"economic"}
    doc = document(sc)
    for n in doc["nodes"]:
        for line in n.get("costs", []):
            line.setdefault("evidence_grade", 3)
        for b in n.get("benefits", []):
            if b["type"] == "fiscal" and any(g.node_id == n["id"] and "welfare" in g.message for g in completeness(sc)):
                b["transfer"] = True
    assert completeness(parse_scenario(doc)) == []


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


# --- the economic case (format 2) ------------------------------------------------------------


def _economic(sc):
    return [g for g in completeness(sc) if g.kind == "economic"]


def test_a_cost_line_with_no_grade_is_named_and_a_graded_one_is_not():
    act = copy.deepcopy(ACT)
    act["costs"] = [
        {"item": "staff", "payer": "provider", "per_year": 100.0, "evidence_grade": 2},
        {"item": "rent", "payer": "provider", "per_year": 50.0},
        {"item": "travel", "payer": "council", "per_participant": 5.0},
    ]
    [gap] = _economic(parse_scenario(_doc([NEED, act, OUT, IMP], CHAIN)))
    assert (gap.stage, gap.node_id) == ("activity", "a")
    assert "'rent' and 'travel' have no confidence grade" in gap.message
    assert "'staff'" not in gap.message


def _with_benefit(benefit: dict, agency: dict | None = None):
    doc = _doc([NEED, ACT, {**OUT, "benefits": [benefit]}, IMP], CHAIN)
    if agency:
        doc["agencies"].append(agency)
    return parse_scenario(doc)


DWP = {"id": "dwp", "name": "Department for Work and Pensions"}


@pytest.mark.parametrize(
    "agency, code",
    [
        (DWP, None),  # by id
        ({"id": "central", "name": "Department for Work and Pensions"}, None),  # by name
        ({"id": "benefits-office", "name": "Benefits office"}, None),
        ({"id": "exchequer", "name": "Exchequer"}, "E&E1.0.1"),  # JSA payments, by the GMCA code
        ({"id": "exchequer", "name": "Exchequer"}, "HO7.0"),  # Housing Benefit
        ({"id": "exchequer", "name": "Exchequer"}, "SS3.0+HO7.0"),  # a value made of two unit costs
    ],
)
def test_a_fiscal_line_that_looks_like_a_benefit_payment_is_named_until_marked_a_transfer(agency, code):
    line = {"agency": agency["id"], "value": 100.0, "type": "fiscal"} | ({"code": code} if code else {})
    [gap] = _economic(_with_benefit(line, agency))
    assert (gap.stage, gap.node_id) == ("outcome", "o")
    assert f"fiscal saving to {agency['name']} looks like a welfare benefit" in gap.message
    assert (code.split("+")[-1] if code else agency["name"]) in gap.message
    assert _economic(_with_benefit(line | {"transfer": True}, agency)) == []


@pytest.mark.parametrize(
    "line, agency",
    [
        ({"agency": "dwp", "value": 100.0, "type": "economic"}, DWP),  # not fiscal: no transfer possible
        ({"agency": "council", "value": 100.0, "type": "fiscal", "code": "E&E1.6"}, None),  # processing a claim
        ({"agency": "council", "value": 100.0, "type": "fiscal", "code": "E&E1.0.2"}, None),  # NHS health gain
        ({"agency": "council", "value": 100.0, "type": "fiscal", "code": "SS3.0"}, None),
    ],
)
def test_lines_that_are_not_benefit_payments_are_left_alone(line, agency):
    assert _economic(_with_benefit(line, agency)) == []


def _settings(**settings):
    doc = _doc([NEED, ACT, OUT, IMP], CHAIN)
    doc["settings"].update(settings)
    return parse_scenario(doc)


def test_green_book_with_another_rate_warns_that_the_later_table_assumes_3_5_percent():
    [gap] = _economic(_settings(discount_schedule="green_book", discount_rate=0.03))
    assert gap.stage == "programme"
    assert "with a rate of 3% the years after 30 still assume 3.5%" in gap.message
    assert "None of these 5 years is after year 30" in gap.message
    [long] = _economic(_settings(discount_schedule="green_book", discount_rate=0.03, horizon_years=40))
    assert "None of these" not in long.message
    assert _economic(_settings(discount_schedule="green_book", discount_rate=0.035)) == []
    assert _economic(_settings(discount_schedule="constant", discount_rate=0.03)) == []


def _bond(outcome: dict | None = None, **cohort):
    """Horizon 5, people referred in years 0 and 1, a bond paying 4 years after intake, no discounting."""
    out = {**OUT, "price": 100.0, "duration_years": 5, **(outcome or {})}
    doc = _doc([NEED, ACT, out, IMP], CHAIN)
    doc["settings"]["discount_rate"] = 0.0
    doc["cohort"].update({"intake": [10.0, 10.0], **cohort})
    doc["contract"] = {
        "type": "social_impact_bond",
        "payment_lag_years": 4,
        "outcome_payers": [{"agency": "council", "share": 1.0}],
    }
    return parse_scenario(doc)


def _horizon(sc, years: int):
    return parse_scenario(document(sc) | {"settings": {**document(sc)["settings"], "horizon_years": years}})


def test_payments_after_the_horizon_with_benefits_cut_name_the_horizon_that_covers_them():
    sc = _bond()
    # Benefits of the year-1 intake run in years 1..5 (6 years needed); its payment falls in year 5 (6 needed).
    assert covering_horizon(sc) == 6
    [gap] = _economic(sc)
    assert gap.stage == "programme"
    assert "owed up to 2031, after the 5 years appraised (to 2030)" in gap.message
    assert "positions are therefore prudent" in gap.message
    assert "Appraising 6 years (2026 to 2031) would cover every payment and benefit." in gap.message
    # The engine agrees: at 6 years nothing is paid after the horizon and no benefit is cut (a longer
    # horizon adds no benefit); at 5 a payment falls after it and a year of benefits is lost.
    six, seven, five = (evaluate(_horizon(sc, h)) for h in (6, 7, 5))
    assert six["contract"]["payments_beyond_horizon"] == 0
    assert six["pv_fiscal"] == pytest.approx(seven["pv_fiscal"], rel=1e-12)
    assert five["contract"]["payments_beyond_horizon"] > 0
    assert five["pv_fiscal"] < six["pv_fiscal"]
    assert _economic(_horizon(sc, 6)) == []


def test_mid_year_intake_and_an_outcome_s_own_lag_lengthen_the_horizon_needed():
    mid = _bond(intake_timing="mid")
    assert covering_horizon(mid) == 7  # the year-1 intake's benefits end half way through year 6
    assert evaluate(_horizon(mid, 7))["pv_fiscal"] == pytest.approx(evaluate(_horizon(mid, 9))["pv_fiscal"])
    assert evaluate(_horizon(mid, 6))["pv_fiscal"] < evaluate(_horizon(mid, 7))["pv_fiscal"]
    own_lag = _bond({"payment_lag_years": 7})
    assert covering_horizon(own_lag) == 9  # paid in year 1 + 7 = 8
    assert "owed up to 2034" in _economic(own_lag)[0].message
    assert evaluate(_horizon(own_lag, 9))["contract"]["payments_beyond_horizon"] == 0


def test_no_warning_when_the_benefits_end_within_the_horizon_or_nothing_is_paid():
    short = _bond({"duration_years": 1})  # benefits over by year 1; payments still after the horizon
    assert evaluate(short)["contract"]["payments_beyond_horizon"] > 0
    assert _economic(short) == []
    unpriced = _bond({"price": 0.0})
    assert _economic(unpriced) == []
    grant = parse_scenario(document(_bond()) | {"contract": {"type": "none"}})
    assert _economic(grant) == []

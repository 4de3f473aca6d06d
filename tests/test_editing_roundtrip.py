"""Applying an editor's table exactly as shown gives back the same scenario: no trimmed notes, no
float drift, no reordering. Otherwise every edit would log (and save) changes nobody made."""

import re

import pandas as pd
import pytest

from logic import DEFAULT_EXAMPLE, EXAMPLES, load_scenario, parse_scenario
from logic import editing as ed
from logic.model import STAGES


@pytest.fixture(params=sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def example(request):
    return load_scenario(request.param)


def _same(sc, doc):
    assert parse_scenario(doc) == sc


@pytest.mark.parametrize("stage", STAGES)
def test_nodes_and_links_tables(example, stage):
    _same(example, ed.apply_nodes_table(ed.document(example), stage, ed.nodes_table(example, stage)))
    if stage != "need":
        _same(example, ed.apply_links_table(ed.document(example), stage, ed.links_table(example, stage)))


def test_line_and_programme_tables(example):
    doc = ed.document
    _same(example, ed.apply_costs_table(doc(example), ed.costs_table(example)))
    _same(example, ed.apply_benefits_table(doc(example), ed.benefits_table(example)))
    _same(example, ed.apply_agencies_table(doc(example), ed.agencies_table(example)))
    _same(example, ed.apply_intake_table(doc(example), ed.intake_table(example)))
    _same(example, ed.apply_prices_table(doc(example), ed.prices_table(example)))
    _same(example, ed.apply_payers_table(doc(example), ed.payers_table(example)))


# --- format 2: the new columns ---------------------------------------------------------------


@pytest.fixture
def v2():
    """The bundled example with every format-2 input set away from its default."""
    doc = ed.document(load_scenario(DEFAULT_EXAMPLE))
    doc["format"] = "toc-business-case/2"
    doc["settings"] |= {"price_base_year": 2024, "inflation": 0.02, "health_discount_rate": 0.01}
    doc["agencies"][1]["kind"] = "donor"
    doc["agencies"][-1]["kind"] = "people"
    doc["cohort"]["intake_timing"] = "mid"
    acts = [n for n in doc["nodes"] if n["stage"] == "activity"]
    for n in acts:
        for line in n["costs"]:
            line.pop("evidence_grade", None)
            line.pop("profile", None)
    acts[0]["costs"][0] |= {"evidence_grade": 2, "profile": [0.0, 0.0, 0.0, 0.0, 30000.0]}
    acts[0]["costs"][1] |= {"profile": [0.0, 125.5, 0.0]}  # trailing zero kept as written
    acts[1]["costs"][0] |= {"evidence_grade": 6, "profile": []}
    acts[1]["costs"].append({"item": "Fund management", "payer": "investor", "per_year": 20000.0, "evidence_grade": 1})
    outs = [n for n in doc["nodes"] if n["stage"] == "outcome"]
    outs[0]["benefits"][0] |= {"transfer": True, "code": "SS3.0"}
    outs[0]["benefits"][-1] |= {"discount": "health"}
    outs[0] |= {"payment_lag_years": 3, "payment_cap": 900000.0}
    return parse_scenario(doc)


def test_format_2_columns_round_trip(v2):
    doc = ed.document
    _same(v2, ed.apply_costs_table(doc(v2), ed.costs_table(v2)))
    _same(v2, ed.apply_benefits_table(doc(v2), ed.benefits_table(v2)))
    _same(v2, ed.apply_agencies_table(doc(v2), ed.agencies_table(v2)))
    for stage in STAGES:  # the outcome's own payment lag and cap are kept by the outcomes table
        _same(v2, ed.apply_nodes_table(doc(v2), stage, ed.nodes_table(v2, stage)))
    for activity, j, _ in ed.cost_lines(v2):
        _same(v2, ed.apply_profile_table(doc(v2), activity, j, ed.profile_table(v2, activity, j)))


def test_the_costs_table_shows_grades_as_whole_numbers_and_the_uplift_beside_them(v2):
    table = ed.costs_table(v2)
    assert table["evidence_grade"].tolist()[:3] == [2, None, 6]
    # The grade column shows each grade with the uplift it adds (settings.optimism_bias).
    assert [ed.grade_text(v2, g) for g in (None, 1, 2, 3, 6)] == ["", "1 (+0%)", "2 (+5%)", "3 (+10%)", "6 (+40%)"]
    assert ed.uplift_text(v2, None) == "none"
    custom = parse_scenario(
        ed.document(v2)
        | {"settings": {**ed.document(v2)["settings"], "optimism_bias": {**v2.settings.optimism_bias, 2: 0.025}}}
    )
    assert ed.grade_text(custom, 2) == "2 (+2.5%)"
    # The profile selector names each line and its extra amounts in brief.
    labels = [label for _, _, label in ed.cost_lines(v2)]
    assert labels[0].endswith("(extra £30,000 in 2030)")
    assert labels[1].endswith("(extra £126 in 2027)")
    assert "extra" not in labels[2]


def _cost_line(sc, n: int):
    return [line for a in sc.nodes_of("activity") for line in a.costs][n]


def test_grading_a_cost_line_in_the_table(v2):
    table = ed.costs_table(v2)
    table.loc[1, "evidence_grade"] = 4.0  # the grid hands numbers back as floats
    table.loc[0, "evidence_grade"] = None  # and an emptied cell as None
    sc = parse_scenario(ed.apply_costs_table(ed.document(v2), table))
    assert _cost_line(sc, 1).evidence_grade == 4
    assert _cost_line(sc, 0).evidence_grade is None
    assert _cost_line(sc, 0).profile == [0.0, 0.0, 0.0, 0.0, 30000.0]


def test_removing_a_cost_line_leaves_the_others_their_own_profiles(v2):
    table = ed.costs_table(v2).drop(index=0).reset_index(drop=True)
    sc = parse_scenario(ed.apply_costs_table(ed.document(v2), table))
    assert _cost_line(sc, 0).item == _cost_line(v2, 1).item
    assert _cost_line(sc, 0).profile == [0.0, 125.5, 0.0]


def test_a_profile_edited_by_year():
    sc = load_scenario(DEFAULT_EXAMPLE)
    activity, j, _ = ed.cost_lines(sc)[0]
    table = ed.profile_table(sc, activity, j)
    assert table["t"].tolist() == list(range(10))
    assert table["year"].tolist() == [str(2026 + t) for t in range(10)]
    assert table["amount"].tolist() == [0.0] * 10
    table.loc[4, "amount"] = 30000.0
    table.loc[6, "amount"] = None  # blank is 0
    edited = parse_scenario(ed.apply_profile_table(ed.document(sc), activity, j, table))
    assert next(n for n in edited.nodes if n.id == activity).costs[j].profile == [0.0, 0.0, 0.0, 0.0, 30000.0]
    # Set back to all zeros, the line keeps a profile of zeros (as long as it was), which adds nothing;
    # a line that never had one is not given one.
    table.loc[4, "amount"] = 0.0
    again = parse_scenario(ed.apply_profile_table(ed.document(edited), activity, j, table))
    assert next(n for n in again.nodes if n.id == activity).costs[j].profile == [0.0] * 5
    assert parse_scenario(ed.apply_profile_table(ed.document(sc), activity, j, table)) == sc


def test_a_profile_amount_that_is_not_a_number_is_refused_with_its_year():
    sc = load_scenario(DEFAULT_EXAMPLE)
    activity, j, _ = ed.cost_lines(sc)[0]
    table = ed.profile_table(sc, activity, j).astype({"amount": object})
    table.loc[2, "amount"] = "lots"
    item = next(n for n in sc.nodes if n.id == activity).costs[j].item
    with pytest.raises(ed.EditError, match=re.escape(f"'{item}', extra amount in 2028: enter an amount in pounds")):
        ed.apply_profile_table(ed.document(sc), activity, j, table)
    table.loc[2, "amount"] = -5.0
    with pytest.raises(ed.EditError, match=re.escape(f"'{item}', extra amount in 2028: must be 0 or more, got -5")):
        ed.apply_profile_table(ed.document(sc), activity, j, table)


def test_new_benefit_columns_from_the_table(v2):
    table = ed.benefits_table(v2)
    assert table.loc[0, "transfer"] is True or table.loc[0, "transfer"] == True  # noqa: E712
    table.loc[1, "discount"] = "health"
    table.loc[1, "code"] = "  CR1.0 "
    sc = parse_scenario(ed.apply_benefits_table(ed.document(v2), table))
    line = [b for o in sc.outcomes for b in o.benefits][1]
    assert (line.discount, line.code) == ("health", "CR1.0")


def test_agency_kind_from_the_table(v2):
    table = ed.agencies_table(v2)
    assert table["kind"].tolist()[:2] == ["public", "donor"]
    table.loc[0, "kind"] = "donor"
    table = pd.concat([table, pd.DataFrame([{"name": "Local foundation", "kind": "donor"}])], ignore_index=True)
    sc = parse_scenario(ed.apply_agencies_table(ed.document(v2), table))
    assert sc.agencies[0].kind == "donor"
    assert (sc.agencies[-1].id, sc.agencies[-1].kind) == ("local-foundation", "donor")


def test_investor_is_offered_as_a_payer_only_under_a_bond(v2):
    assert ed.cost_payers(v2)[-1] == "investor"
    grant = load_scenario(ROOT_EXAMPLE_EMPLOYMENT)
    assert "investor" not in ed.cost_payers(grant) or grant.contract.type == "social_impact_bond"
    doc = ed.document(v2)
    doc["contract"]["type"] = "payment_by_results"
    for n in doc["nodes"]:
        n["costs"] = [c for c in n.get("costs", []) if c["payer"] != "investor"]
    assert "investor" not in ed.cost_payers(parse_scenario(doc))


ROOT_EXAMPLE_EMPLOYMENT = EXAMPLES / "employment_support.yaml"

"""The programme templates in logic/templates/: realistic, sourced, illustrative starting points.

Each loads and validates, evaluates to finite figures in 2025/26 prices, passes the completeness check,
grades every cost with its reason, marks DWP's savings (and only those) as transfers, discounts wellbeing
at the health rate, and takes every coded value from its GMCA source uprated with the shipped deflators,
credited to an agency of the same kind as the GMCA row's. The values per job keep to the job's own
arithmetic, and the headline figures stay in a plausible range.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

import logic
from logic import evaluate, load_scenario, simulate
from logic.__main__ import main
from logic.completeness import completeness
from logic.snapshots import read_yaml, source_format
from logic.unit_costs import GMCA_AGENCY_WORDS, load_deflators, load_unit_costs, valuation

TEMPLATES = Path(logic.__file__).parent / "templates"
NAMES = ["falls_prevention", "rough_sleeping", "social_prescribing"]
PATHS = [TEMPLATES / f"{name}.yaml" for name in NAMES]

# Programmes and evidence each description must name (the sources the figures lean on).
SOURCES = {
    "rough_sleeping": ["London Homelessness Social Impact Bond", "Fair Chance Fund", "Housing First in England"],
    "social_prescribing": ["Ways to Wellness", "Bickerdike", "Polley", "WEMWBS"],
    "falls_prevention": ["Cochrane", "Sherrington", "Clemson", "FaME", "Otago"],
}

# The job the work outcomes assume: 16 hours a week at the National Living Wage (April 2025), below the
# personal allowance and NI threshold (12,570, so no tax or NI); Universal Credit with the lower work
# allowance (411 a month, 2025/26) withdrawn at the 55% taper.
GROSS = 16 * 12.21 * 52  # 10,158.72
UC_WITHDRAWN = 0.55 * (GROSS - 12 * 411)  # 2,874.70
HOUSEHOLD_GAIN = GROSS - UC_WITHDRAWN
WELLBY = round(13_000 * 1.2770)  # Green Book value (2019 prices) x the calendar-2019 deflator factor


def template(name: str):
    return load_scenario(TEMPLATES / f"{name}.yaml")


def node(sc, node_id: str):
    return next(n for n in sc.nodes if n.id == node_id)


def gmca(code: str, per_year: float | None = None) -> float:
    """The library's own valuation of a GMCA row in 2025/26 prices (weekly x 52, ...)."""
    costs = load_unit_costs()
    row = costs[costs["code"] == code].iloc[0]
    return valuation(row, load_deflators(), "2025/26", per_year).value


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold())) + " "


# --- the files ------------------------------------------------------------------------------------


def test_the_three_templates_are_in_the_templates_folder():
    assert {p.stem for p in TEMPLATES.glob("*.yaml")} >= set(NAMES)


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_template_validates_on_the_command_line(path, capsys):
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "ok"


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_template_is_format_2_with_the_standard_settings(path):
    doc = read_yaml(path.read_text(encoding="utf-8"))
    assert source_format(doc) == "toc-business-case/2"
    s = doc["settings"]
    assert (s["start_year"], s["horizon_years"], s["discount_rate"], s["price_base_year"]) == (2026, 10, 0.035, 2025)
    sc = load_scenario(path)
    assert sc.settings.health_discount_rate == 0.015 and sc.cohort.intake_timing == "mid"


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_description_says_illustrative_and_names_its_sources(path):
    text = " ".join(load_scenario(path).description.split())
    assert text.startswith("ILLUSTRATIVE template:")
    assert "replaced with local data" in text
    assert "Source: GMCA Unit Cost Database v1.4" in text and "2025/26 prices" in text
    for source in SOURCES[path.stem]:
        assert source in text, source


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_template_evaluates_to_finite_figures_in_2025_26_prices(path):
    r = evaluate(load_scenario(path)).to_dict()
    assert r["price_base"] == "2025/26 prices"
    for key in ("pv_costs", "pv_fiscal", "pv_transfers", "pv_social", "npv_fiscal", "npv_public_value"):
        assert math.isfinite(r[key]), key
    assert r["pv_costs"] > 0 and r["pv_fiscal"] > 0
    assert math.isfinite(r["financial"]["public_sector_total_cash"])
    assert r["contract"]["payments_beyond_horizon"] == 0  # the horizon holds every payment
    assert all(math.isfinite(v) for v in r["contract"]["parties"].values())


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_template_passes_the_completeness_check(path):
    assert completeness(load_scenario(path)) == []


# --- line by line ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_every_need_is_sized_and_costed_and_every_outcome_measured(path):
    sc = load_scenario(path)
    agencies = {a.id for a in sc.agencies}
    for n in sc.nodes_of("need"):
        assert n.population and n.unit_cost and n.agency in agencies, n.id
    for o in sc.outcomes:
        assert o.indicator and o.data_source, o.id
        assert 0 < o.rate_without < o.rate_with, o.id  # a counterfactual, and an effect
        assert "Counterfactual" in o.notes or "counterfactual" in o.notes, o.id
        assert o.benefits, o.id


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_every_cost_line_is_graded_with_the_reason_in_the_notes(path):
    sc = load_scenario(path)
    for a in sc.nodes_of("activity"):
        for c in a.costs:
            assert c.evidence_grade is not None, (a.id, c.item)
            uplift = sc.settings.optimism_bias[c.evidence_grade]
            assert f"grade {c.evidence_grade} ({uplift:.0%} uplift)" in " ".join(a.notes.split()), (a.id, c.item)


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_transfers_are_dwps_lines_and_nothing_else(path):
    sc = load_scenario(path)
    for o in sc.outcomes:
        for b in o.benefits:
            assert b.transfer == (b.agency == "dwp"), (o.id, b.agency)
            if b.transfer:
                assert "transfer" in o.notes


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_wellbeing_values_use_the_health_discount_rate(path):
    sc = load_scenario(path)
    for o in sc.outcomes:
        for b in o.benefits:
            wellby = b.type == "social"  # the only social values here are WELLBYs
            assert (b.discount == "health") == wellby, (o.id, b.agency)
            if wellby:
                notes = " ".join(o.notes.split())
                assert "WELLBY" in notes and "health rate" in notes


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_every_code_exists_and_is_credited_to_an_agency_of_the_same_kind(path):
    sc = load_scenario(path)
    costs = load_unit_costs().set_index("code")
    agencies = {a.id: a for a in sc.agencies}
    coded = 0
    for o in sc.outcomes:
        for b in o.benefits:
            if b.code is None:
                continue
            coded += 1
            text = _words(f"{b.agency.replace('-', ' ')} {agencies[b.agency].name}")
            for code in b.code.split("+"):
                assert code in costs.index, (o.id, code)
                keywords = GMCA_AGENCY_WORDS[costs.at[code, "agency"].casefold()]
                assert any(f" {k} " in text or f" {k}s " in text for k in keywords), (o.id, b.agency, code)
    assert coded >= 5


# (template, outcome, agency, code) -> the value its source gives, as the notes derive it
def expected_gmca_values() -> dict[tuple[str, str, str, str], float]:
    council_per_year = gmca("HO6.0")  # rough sleeper, council spending a year
    care_home_net = 0.7 * (gmca("SS7.0") - gmca("SS11.0"))  # weekly x 52 each; 30% residents' contributions
    return {
        ("rough_sleeping", "out-sustain-3m", "council", "HO6.0"): 0.25 * council_per_year,  # first quarter year
        ("rough_sleeping", "out-sustain-6m", "council", "HO6.0"): 0.25 * council_per_year,  # second quarter
        ("rough_sleeping", "out-sustain-12m", "council", "HO6.0"): 0.5 * council_per_year,  # second half
        ("rough_sleeping", "out-sustain-18m", "council", "HO6.0"): council_per_year,  # the years after
        ("rough_sleeping", "out-fewer-ae", "nhs", "HE4.0"): 2 * gmca("HE4.0"),
        ("rough_sleeping", "out-fewer-ae", "nhs", "HE7.0.2"): 0.3 * gmca("HE7.0.2"),
        ("rough_sleeping", "out-less-offending", "police", "CR7.0"): gmca("CR7.0"),
        ("rough_sleeping", "out-less-offending", "police", "CR1.0"): gmca("CR1.0"),
        ("rough_sleeping", "out-less-offending", "cjs", "CR5.4"): 0.2 * gmca("CR5.4"),
        ("rough_sleeping", "out-work", "nhs", "E&E2.0.2"): 0.5 * gmca("E&E2.0.2"),  # a part-time job
        ("social_prescribing", "out-wellbeing", "icb", "HE11.0.1"): 0.25 * gmca("HE11.0.1"),
        ("social_prescribing", "out-secondary-care", "icb", "HE4.0"): gmca("HE4.0"),
        ("social_prescribing", "out-secondary-care", "icb", "HE7.0.2"): 0.5 * gmca("HE7.0.2"),
        ("social_prescribing", "out-secondary-care", "icb", "HE8.0"): 2 * gmca("HE8.0"),
        ("social_prescribing", "out-fewer-gp", "gp", "HE20.2"): 3 * gmca("HE20.2"),
        ("social_prescribing", "out-fewer-gp", "icb", "HE21.0"): 3 * gmca("HE21.0"),
        ("social_prescribing", "out-work", "icb", "E&E2.0.2"): 0.5 * gmca("E&E2.0.2"),
        ("falls_prevention", "out-fewer-falls", "ambulance", "HE3.0.2"): gmca("HE3.0.2"),
        ("falls_prevention", "out-fewer-falls", "icb", "HE4.0"): gmca("HE4.0"),
        ("falls_prevention", "out-fewer-falls", "icb", "HE7.11"): 0.25 * gmca("HE7.11"),  # one in four admitted
        ("falls_prevention", "out-no-hip-fracture", "icb", "HE7.10.1"): gmca("HE7.10.1"),
        ("falls_prevention", "out-no-hip-fracture", "council", "HE7.10.2"): gmca("HE7.10.2"),
        ("falls_prevention", "out-stays-home", "council", "SS7.0+SS11.0"): care_home_net,
    }


def test_every_coded_value_is_its_gmca_source_uprated_with_the_shipped_deflators():
    expected = expected_gmca_values()
    seen = set()
    for name in NAMES:
        for o in template(name).outcomes:
            for b in o.benefits:
                if b.code is None:
                    continue
                key = (name, o.id, b.agency, b.code)
                assert key in expected, key
                assert abs(b.value - expected[key]) <= 0.5, (key, b.value, expected[key])  # to the pound
                assert f"{b.value:,.0f}" in o.notes, key  # the notes show the figure used
                seen.add(key)
    assert seen == set(expected)


def test_need_and_cost_figures_are_their_sources():
    rough, social, falls = template("rough_sleeping"), template("social_prescribing"), template("falls_prevention")
    assert node(rough, "need-rough-sleeping").unit_cost == round(gmca("HO6.0"))
    assert node(rough, "need-crisis-health").unit_cost == round(4 * gmca("HE4.0") + 1.5 * gmca("HE7.0.2"))
    assert node(rough, "need-police-contact").unit_cost == round(gmca("CR7.0") + 2 * gmca("CR1.0"))
    assert node(rough, "act-gateway").costs[0].per_participant == round(8 * gmca("HO6.1", per_year=1))  # 8 weeks
    assert node(rough, "act-housing-access").costs[0].per_participant == round(gmca("HO5.3"))
    hospital = gmca("HE4.0") + 0.3 * gmca("HE7.0.2") + 3 * gmca("HE8.0")
    assert node(social, "need-ltc-hospital").unit_cost == round(hospital)
    assert node(social, "need-gp-demand").unit_cost == round(10 * gmca("HE20.2"))
    assert node(social, "need-low-wellbeing").unit_cost == round(gmca("HE11.0.1"))
    # ten minutes of GP time per referral, spread over the three in four referrals who engage
    assert node(social, "act-referral").costs[0].per_participant == round(gmca("HE20.0") / 6 / 0.75)
    fall = gmca("HE3.0.2") + gmca("HE4.0") + 0.25 * gmca("HE7.11")
    assert node(falls, "need-falls-risk").unit_cost == round(0.5 * fall)  # 0.5 medically attended falls a year
    assert node(falls, "need-hip-fracture").unit_cost == round(gmca("HE7.10.1"))
    assert node(falls, "need-care-home").unit_cost == round(0.7 * gmca("SS7.0"))
    assert node(falls, "act-case-finding").costs[0].per_participant == round(1.5 * gmca("HE23.7") / 0.65)
    visit = 2 * gmca("SS18.9") + 2 * gmca("SS11.12") + 30  # two hours of an OT, two handrails, fixings
    assert node(falls, "act-home-hazard").costs[0].per_participant == round(0.4 * visit)


@pytest.mark.parametrize(
    "name, outcome_id, points",
    [
        ("rough_sleeping", "out-sustain-18m", 0.5),
        ("social_prescribing", "out-wellbeing", 0.3),
        ("falls_prevention", "out-no-hip-fracture", 0.5),
        ("falls_prevention", "out-less-fear", 0.1),
    ],
)
def test_wellby_values_are_the_green_book_figure_uprated_from_calendar_2019(name, outcome_id, points):
    d = load_deflators().set_index("financial_year")["index"]
    assert round(d["2025/26"] / (0.25 * d["2018/19"] + 0.75 * d["2019/20"]), 4) == 1.2770
    line = next(b for b in node(template(name), outcome_id).benefits if b.type == "social")
    assert line.value == round(points * WELLBY)


@pytest.mark.parametrize("name", ["rough_sleeping", "social_prescribing"])
def test_dwp_gains_no_more_from_a_job_than_gross_pay_less_the_households_gain(name):
    o = node(template(name), "out-work")
    by = {b.agency: b for b in o.benefits}
    assert by["dwp"].value == round(UC_WITHDRAWN) <= round(GROSS - HOUSEHOLD_GAIN)
    assert by["people"].type == "economic" and by["people"].value == round(GROSS)  # the job's output
    notes = " ".join(o.notes.split())
    for figure in ("10,159", "4,932", "2,875"):
        assert figure in notes, figure


# --- plausible magnitudes ---------------------------------------------------------------------------

PLAUSIBLE = {  # name -> (fiscal BCR range, public value BCR range)
    "rough_sleeping": ((0.9, 1.5), (1.3, 2.5)),
    "social_prescribing": ((0.4, 1.0), (1.3, 2.5)),
    "falls_prevention": ((0.6, 1.2), (1.0, 2.0)),
}


@pytest.mark.parametrize("name", NAMES)
def test_the_business_case_is_plausible_neither_wild_nor_trivially_negative(name):
    sc = template(name)
    r = evaluate(sc).to_dict()
    (f_lo, f_hi), (p_lo, p_hi) = PLAUSIBLE[name]
    assert f_lo <= r["bcr_fiscal"] <= f_hi and p_lo <= r["bcr_public_value"] <= p_hi
    k = r["contract"]
    # the outcome payers never pay more, in present value, than the value the outcomes create
    assert 0 < k["pv_outcome_payments"] < r["pv_fiscal"] + r["pv_economic"] + r["pv_social"]
    if sc.contract.type == "social_impact_bond":  # an investor would sign: a modest return at central
        inv = k["investor"]
        assert 0.02 < inv["irr"] < 0.15 and 1.0 < inv["multiple"] < 1.3
    else:  # payment by results: the provider's margin, not a windfall or a loss
        delivery = r["by_agency"]["provider"]["pv_costs"]
        assert 0 < k["parties"]["provider"] < 0.1 * delivery


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_uncertainty_parameters_point_at_inputs_and_draw(path):
    sc = load_scenario(path)
    assert 3 <= len(sc.uncertainty.parameters) <= 5
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in doc["nodes"]}
    for p in sc.uncertainty.parameters:
        parts = p.path.split(".")
        if parts[0] == "nodes":
            field = parts[2]
            m = re.fullmatch(r"benefits\[(\d+)\]", field)
            central = nodes[parts[1]]["benefits"][int(m.group(1))][parts[3]] if m else nodes[parts[1]][field]
        else:
            central = doc[parts[0]][parts[1]]
        assert p.low <= central <= p.high and (p.mode is None or p.mode == central), p.path
    summary = simulate(sc, draws=300, seed=1).to_dict()
    assert all(math.isfinite(m["p50"]) for key, m in summary["metrics"].items() if key != "investor_irr")


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_the_independent_reference_agrees_on_every_figure(path):
    from test_reference_v2 import compare_engine

    assert compare_engine(yaml.safe_load(path.read_text(encoding="utf-8"))) == []

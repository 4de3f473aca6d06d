"""logic.report_text: the sentences that answer the two questions, the command line's tables, problems in words.

Each expected sentence is written out in full: it is what a commissioner reads.
"""

from __future__ import annotations

from unit_scenarios import bond_doc, scenario, tiny_doc

from logic import evaluate
from logic import report_text as rt

# --- is it worth it? --------------------------------------------------------------------------


def test_economic_verdict():
    assert rt.economic_verdict(3_227.27, 2.2909, "GBP") == (
        "Yes: it creates £3,227 more value to society than it costs (£2.29 of value for each £1 spent)."
    )
    assert rt.economic_verdict(-500, 0.8, "EUR") == (
        "Not on these figures: it costs €500 more than the value it creates (€0.80 of value for each €1 spent)."
    )
    assert rt.economic_verdict(0, None) == "Yes: it creates £0 more value to society than it costs."
    assert rt.economic_verdict(None, None) == "Not yet known: the programme has no costs or no values yet."


# --- can we afford it? --------------------------------------------------------------------------


def test_financial_verdict_when_the_public_sector_banks_more():
    text = rt.financial_verdict(1_200, 1_500, None, "plain grant", "", "GBP")
    assert text == (
        "Under the plain grant, the public sector as a whole banks £1,200 more in cash savings than it pays "
        "(present value; +£1,500 in cash over all years)."
    )


def test_financial_verdict_with_a_premium_and_with_a_saving():
    text = rt.financial_verdict(-3_545.45, -4_000, 2_704.55, "social impact bond", "the investors", "GBP")
    assert text == (
        "Under the social impact bond, the public sector as a whole pays £3,545 more than the cash it saves "
        "(present value; -£4,000 in cash over all years): a budget has to be found for that. Paying by results "
        "costs £2,705 more than paying for delivery: the premium for moving the risk of failure onto the investors."
    )
    cheaper = rt.financial_verdict(100, 100, -250, "payment-by-results contract", "the provider", "USD")
    assert cheaper.endswith(" Paying by results costs $250 less than paying for delivery would.")


# --- paid per outcome ---------------------------------------------------------------------------


def _reason(**kw):
    args = dict(
        basis="gross",
        deadweight_share=0.6,
        attribution=1.0,
        displacement=0.0,
        optimism_bias=0.0,
        grade=1,
        cap_cuts=False,
        fixed_cash_prices=False,
        currency="GBP",
    )
    return rt.paid_per_outcome_reason("Stays at home", 300, 750, **(args | kw))


def test_paid_per_outcome_reason_gross():
    assert _reason() == (
        "Stays at home: £300 per outcome counted is £750 per outcome the case values, because the contract "
        "counts every outcome achieved, including the 60% that would have happened anyway, as the case does."
    )


def test_paid_per_outcome_reason_lists_every_cause():
    text = _reason(
        basis="above_baseline",
        attribution=0.8,
        displacement=0.1,
        optimism_bias=0.1,
        grade=3,
        cap_cuts=True,
        fixed_cash_prices=True,
    )
    assert text == (
        "Stays at home: £300 per outcome counted is £750 per outcome the case values, because the contract counts "
        "every outcome above the comparison group, while the case credits the programme with 80% of them "
        "(attribution), takes off the 10% that only move elsewhere (displacement) and trims the rest by 10% for "
        "optimism bias (evidence grade 3); the cap cuts what is paid; and prices fixed in cash lose a little of "
        "their real value as prices rise."
    )


def test_paid_per_outcome_reason_when_the_case_values_none():
    text = rt.paid_per_outcome_reason(
        "Stays at home",
        300,
        None,
        basis="gross",
        deadweight_share=1.0,
        attribution=1.0,
        displacement=0.0,
        optimism_bias=0.0,
        grade=1,
        cap_cuts=False,
        fixed_cash_prices=False,
    )
    assert text.startswith("Stays at home: the case values none of these outcomes")


# --- the command line ---------------------------------------------------------------------------


def test_headline_table_for_the_terminal():
    sc = scenario(tiny_doc("EUR"))
    text = rt.headline_table(evaluate(sc).to_dict(), sc.settings.currency)
    lines = text.splitlines()
    assert lines[0] == "Tiny"
    npv = next(ln for ln in lines if ln.startswith("Net budget impact (NPV, fiscal)"))
    assert npv.split()[-1] == "€1,318"
    payback = next(ln for ln in lines if ln.startswith("Payback year"))
    assert payback.endswith("Year 1 (2027)")
    council = next(ln for ln in lines if ln.strip().startswith("council"))
    assert council.split() == ["council", "pays", "€2,500", "receives", "fiscal", "€3,818", "cashable", "€1,909"]
    assert "£" not in text
    assert "Contract:" not in text  # a plain grant has no contract lines


def test_headline_table_names_the_contract():
    r = evaluate(scenario(bond_doc())).to_dict()
    text = rt.headline_table(r)
    assert "Contract: social impact bond (above baseline)" in text
    assert "  outcome payments £6,000 (PV £5,455)" in text
    investor = next(ln for ln in text.splitlines() if ln.strip().startswith("investor") and "position" in ln)
    assert investor.split() == ["investor", "position", "£2,705"]


def test_simulation_table():
    summary = {
        "draws": 100,
        "seed": 7,
        "metrics": {
            "npv_fiscal": {"mean": 1_000.4, "p5": -200, "p50": 990, "p95": 2_000, "p_below_zero": 0.12},
            "investor_irr": {"mean": 0.071, "p5": None, "p50": 0.07, "p95": 0.09, "p_below_zero": None},
        },
    }
    lines = rt.simulation_table(summary, "USD").splitlines()
    assert lines[0] == "100 draws, seed 7"
    assert lines[3].split() == ["NPV", "(fiscal)", "$1,000", "-$200", "$990", "$2,000", "12.0%"]
    assert lines[4].split() == ["Investor", "IRR", "7.1%", "n/a", "7.0%", "9.0%", "n/a"]


def test_metric_labels():
    assert rt.metric_label("bcr_fiscal") == "Benefit-cost ratio (fiscal)"
    assert rt.metric_label("party:council", {"council": "Council"}) == "Position: Council"
    assert rt.metric_label("party:nobody") == "Position: nobody"
    assert rt.metric_label("something_else") == "something_else"


# --- problems in a workshop's words -----------------------------------------------------------------


def test_plain_problem_names_boxes_lines_and_links():
    labels = {"out-x": "Stays home"}
    assert rt.plain_problem("nodes[11] out-x costs[0]: payer 'z' is not an agency", labels) == (
        "'Stays home' (out-x), cost line 1: payer 'z' is not an agency"
    )
    assert rt.plain_problem("nodes[2] out-y benefits[1]: value must be a number", labels) == (
        "'out-y', benefit line 2: value must be a number"
    )
    assert rt.plain_problem("edges[0]: source 'q' is not a node id", labels) == "link 1: source 'q' is not a node id"
    assert rt.plain_problem("settings.discount_rate: must be at most 0.2", labels) == (
        "settings.discount_rate: must be at most 0.2"
    )

"""The economic case and the financial case in the app: Business case, Outcomes contract and Risk share
pages under AppTest, every figure checked against evaluate() formatted with the app's one formatter
(logic.report_text), and the contract's inputs edited and read back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, Scenario, charts, evaluate, load_scenario
from logic import case_views as cases
from logic import contract_editing as ce
from logic.editing import EditError, document
from logic.report_text import ECONOMIC_CASE, FINANCIAL_CASE, compact_money, irr_text, money, ratio

ROOT = Path(__file__).resolve().parent.parent


def example_doc() -> dict:
    return yaml.safe_load(DEFAULT_EXAMPLE.read_text())


def late_and_transfers() -> Scenario:
    """The example with payments owed after the horizon, indexed prices, and a transfer line."""
    doc = example_doc()
    doc["contract"].update(payment_lag_years=8, indexation="inflation", cap=None)
    doc["contract"].pop("cap")
    doc["settings"]["inflation"] = 0.02
    fiscal = next(
        b for n in doc["nodes"] if n["stage"] == "outcome" for b in n.get("benefits", []) if b["type"] == "fiscal"
    )
    fiscal["transfer"] = True
    return load_scenario(yaml.safe_dump(doc))


def run(page: str, sc: Scenario | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=90)
    if sc is not None:  # the scenario the session starts on, instead of the bundled example
        at.session_state["scenario"] = sc
        at.session_state["scenario_version"] = 0
        at.session_state["problems"] = {}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def table_with(at: AppTest, figure: str) -> pd.DataFrame:
    return next(t.value for t in at.table if figure in t.value.index)


def markdown_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def example():
    return load_scenario(DEFAULT_EXAMPLE)


@pytest.fixture(scope="module")
def business_case():
    return run("6_business_case.py")


# --- Business case: both questions, figures equal to evaluate -----------------------------------


def test_both_questions_show_the_evaluated_figures(business_case, example):
    at, r = business_case, evaluate(example)
    fin, c = r["financial"], r["contract"]
    headings = [m.value for m in at.markdown]
    assert "##### Is it worth it?" in headings and "##### Can we afford it, under this contract?" in headings

    economic = table_with(at, ECONOMIC_CASE["npv_public_value"][0])["Value"]
    assert economic[ECONOMIC_CASE["npv_public_value"][0]] == money(r["npv_public_value"])
    assert economic[ECONOMIC_CASE["bcr_public_value"][0]] == ratio(r["bcr_public_value"])
    assert economic[ECONOMIC_CASE["pv_costs"][0]] == money(r["pv_costs"])
    assert economic[ECONOMIC_CASE["pv_transfers"][0]] == money(r["pv_transfers"])
    assert economic[ECONOMIC_CASE["pv_social"][0]] == money(r["pv_social"])

    financial = table_with(at, FINANCIAL_CASE["public_sector_position"][0])["Value"]
    assert financial[FINANCIAL_CASE["public_sector_position"][0]] == money(fin["public_sector_position"])
    assert financial[FINANCIAL_CASE["public_sector_total_cash"][0]] == money(fin["public_sector_total_cash"])
    assert financial[FINANCIAL_CASE["premium_over_fee_for_service"][0]] == money(c["premium_over_fee_for_service"])
    assert financial[FINANCIAL_CASE["payments_beyond_horizon"][0]] == money(c["payments_beyond_horizon"])

    assert metric(at, "NPV to society") == compact_money(r["npv_public_value"])
    assert metric(at, "Public sector's position") == compact_money(fin["public_sector_position"])
    assert metric(at, "Risk-transfer premium") == compact_money(c["premium_over_fee_for_service"])
    # The strip: the public sector's position under the contract, beside the NPV.
    labels = [m.label for m in at.metric]
    assert labels[labels.index("NPV (fiscal)") + 1] == "Public sector under contract"
    assert metric(at, "Public sector under contract") == compact_money(fin["public_sector_position"])


def test_the_price_base_is_named_on_the_figures_and_charts(business_case, example):
    base = evaluate(example)["price_base"]
    assert base == "2025/26 prices"
    captions = " ".join(c.value for c in business_case.caption)
    assert captions.count(base) >= 4  # both questions, who pays, the cash table, the headline figures
    drawn = business_case.get("vega_lite_chart")
    assert len(drawn) >= 5
    for chart in drawn:  # the economic case, cash by budget, savings, cumulative, doing nothing
        text = json.dumps(json.loads(chart.proto.spec))
        assert base in text or "each year's prices" in text, text[:300]


def test_each_budget_cash_by_year_is_the_financial_case(business_case, example):
    fin = evaluate(example)["financial"]
    table = next(d.value for d in business_case.dataframe if "Budget" in d.value.columns)
    rows = table.set_index("Budget")
    council = example.agencies[0]
    assert [rows.loc[council.name, str(y)] for y in fin["years"]] == [money(x) for x in fin["by_year"][council.id]]
    public = rows.loc["Public sector (all public bodies)"]
    assert public["Total (cash)"] == money(fin["public_sector_total_cash"])
    assert public["Position (PV)"] == money(fin["public_sector_position"])


def test_a_transfer_is_its_own_line_and_left_out_of_public_value():
    sc = late_and_transfers()
    r = evaluate(sc)
    assert r["pv_transfers"] > 0
    at = run("6_business_case.py", sc)
    economic = table_with(at, ECONOMIC_CASE["pv_transfers"][0])["Value"]
    assert economic[ECONOMIC_CASE["pv_transfers"][0]] == money(r["pv_transfers"])
    assert economic[ECONOMIC_CASE["pv_fiscal_counted"][0]] == money(r["pv_fiscal"] - r["pv_transfers"])
    assert economic[ECONOMIC_CASE["npv_public_value"][0]] == money(r["npv_public_value"])
    # Hand check of the rule: value counted = fiscal - transfers + economic + social.
    counted = r["pv_fiscal"] - r["pv_transfers"] + r["pv_economic"] + r["pv_social"]
    assert r["npv_public_value"] == pytest.approx(counted - r["pv_costs"], rel=1e-12)
    lines = cases.economic_lines(evaluate(sc)).set_index("line")
    assert lines.loc[ECONOMIC_CASE["pv_transfers"][0], "counts"] == "Shown, not counted"


# --- Outcomes contract ----------------------------------------------------------------------------


def rate_card(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "paid" in d.value.columns).set_index("id")


def test_rate_card_shows_price_paid_and_worth_per_valued_outcome(example):
    at = run("7_contract.py")
    r = evaluate(example)
    card = rate_card(at)
    home = next(o for o in example.outcomes if o.id == "out-stays-home")
    paid = r["contract"]["paid_per_valued_outcome"][home.id]
    assert card.loc[home.id, "price"] == home.price
    assert card.loc[home.id, "paid"] == round(paid)
    # By hand: above baseline the contract counts every outcome beyond the comparison group; the case
    # values a share attribution x (1 - displacement) x (1 - optimism bias) of them. No cap binds here,
    # and the price is fixed in cash, so each year's payment is worth price / I_t in real terms.
    ob = example.settings.optimism_bias[home.evidence_grade]
    share = home.attribution * (1 - home.displacement) * (1 - ob)
    assert paid < home.price / share  # inflation takes a little off the real value of a fixed cash price
    assert paid == pytest.approx(home.price / share, rel=0.15)
    sentence = f"{home.label}: {money(home.price)} per outcome counted is {money(paid)} per outcome the case values"
    text = markdown_text(at)
    assert sentence in text
    assert "(attribution)" in text and "optimism bias (evidence grade" in text


def test_editing_indexation_and_the_fixed_share_round_trips(example):
    at = run("7_contract.py")
    v = at.session_state["scenario_version"]
    at.selectbox(key=f"indexation-{v}").set_value("inflation").run()
    assert not at.exception and not at.error
    v = at.session_state["scenario_version"]
    at.number_input(key=f"fixed-{v}").set_value(0.3).run()
    assert not at.exception and not at.error
    sc = at.session_state["scenario"]
    assert sc.contract.indexation == "inflation" and sc.contract.fixed_share == 0.3
    # Every other term is as it was, and the page's figures are the new scenario's.
    assert sc.contract.model_dump(exclude={"indexation", "fixed_share"}) == example.contract.model_dump(
        exclude={"indexation", "fixed_share"}
    )
    r = evaluate(sc)
    assert r["contract"]["indexation"] == "inflation" and r["contract"]["fixed_share"] == 0.3
    assert metric(at, "Outcome payments (cash)") == money(r["contract"]["outcome_payments_total"])
    assert metric(at, "Public sector under contract") == compact_money(r["financial"]["public_sector_position"])
    assert r["financial"]["public_sector_position"] != evaluate(example)["financial"]["public_sector_position"]


def _edit_rate_card(at: AppTest, edits: dict) -> AppTest:
    key = f"rate-card-{at.session_state['scenario_version']}"
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_editing_an_outcomes_lag_and_cap_round_trips(example):
    at = run("7_contract.py")
    row = [o.id for o in example.outcomes].index("out-stays-home")
    _edit_rate_card(at, {row: {"payment_lag_years": 3, "payment_cap": 250000.0}})
    assert not at.exception and not at.error
    home = next(o for o in at.session_state["scenario"].outcomes if o.id == "out-stays-home")
    assert (home.payment_lag_years, home.payment_cap) == (3, 250000.0)
    r = evaluate(at.session_state["scenario"])
    assert sum(r["contract"]["payments_by_outcome"]["out-stays-home"]) == pytest.approx(250000.0)
    assert r["contract"]["outcome_caps_bind"]["out-stays-home"]
    assert "An outcome's own cap binds" in " ".join(w.value for w in at.warning)
    # Blank again: back to the contract's lag and no cap of its own.
    _edit_rate_card(at, {row: {"payment_lag_years": None, "payment_cap": None}})
    home = next(o for o in at.session_state["scenario"].outcomes if o.id == "out-stays-home")
    assert (home.payment_lag_years, home.payment_cap) == (None, None)
    assert at.session_state["scenario"].contract == example.contract


def test_a_refused_lag_says_why_and_keeps_the_scenario(example):
    at = run("7_contract.py")
    _edit_rate_card(at, {0: {"payment_lag_years": -1}})
    assert not at.exception
    messages = " ".join(e.value for e in at.error)
    assert "not applied" in messages and "payment_lag_years" in messages
    assert at.session_state["scenario"] == example


def test_a_lag_that_is_not_a_whole_number_is_refused(example):
    # The grid keeps whole numbers (step 1); a script or a pasted table could still send 1.5.
    df = ce.rate_card_table(example).astype({"payment_lag_years": "float"})
    df.loc[0, "payment_lag_years"] = 1.5
    with pytest.raises(EditError, match="whole number of years, got 1.5"):
        ce.apply_rate_card_table(document(example), df)


def test_payments_after_the_horizon_are_shown_as_counted():
    sc = late_and_transfers()
    r = evaluate(sc)
    c = r["contract"]
    last = sc.settings.start_year + sc.settings.horizon_years - 1
    assert c["payments_beyond_horizon"] > 0 and c["years"][-1] > last
    at = run("7_contract.py", sc)
    assert metric(at, f"Paid after {last}, counted") == money(c["payments_beyond_horizon"])
    assert metric(at, "Outcome payments (cash)") == money(c["outcome_payments_total"])
    info = " ".join(i.value for i in at.info)
    assert f"{money(c['payments_beyond_horizon'])} of outcome payments fall after {last}" in info
    [chart] = [ch for ch in at.get("vega_lite_chart") if "Cash in and out" in ch.proto.spec]
    # The chart's data runs past the horizon, to the last payment.
    spec = charts.cash_by_budget(cases.cash_by_budget_year(r), cases.public_sector_cash(r)).to_dict()
    years = {row["year"] for rows in spec["datasets"].values() for row in rows if "budget" in row}
    assert max(years) == c["years"][-1] > last


def test_contract_page_investor_return_nominal_beside_real():
    sc = late_and_transfers()
    r = evaluate(sc)["contract"]["investor"]
    assert r["irr"] != pytest.approx(r["irr_real"])
    at = run("7_contract.py", sc)
    table = table_with(at, "Return (IRR, cash)")["Value"]
    assert table["Return (IRR, cash)"] == irr_text(r["irr"])
    assert table["Return (IRR, real, 2025/26 prices)"] == irr_text(r["irr_real"])


def test_risk_share_shows_the_real_irr_beside_the_nominal():
    sc = late_and_transfers()
    r = evaluate(sc)["contract"]["investor"]
    at = run("8_risk_share.py", sc)
    table = table_with(at, "Investor IRR (cash)")
    central = table["Central (m = 1)"]
    assert central["Investor IRR (cash)"] == irr_text(r["irr"])
    assert central["Investor IRR (real)"] == irr_text(r["irr_real"])
    assert "real terms, 2025/26 prices" in " ".join(c.value for c in at.caption)


# --- logic behind the contract editors --------------------------------------------------------------


def test_rate_card_table_round_trip_keeps_the_scenario(example):
    doc = ce.apply_rate_card_table(document(example), ce.rate_card_table(example))
    assert load_scenario(yaml.safe_dump(doc)) == example


def test_contract_terms_round_trip(example):
    terms = ce.contract_terms(example)
    assert load_scenario(yaml.safe_dump(ce.apply_contract_terms(document(example), terms))) == example
    with pytest.raises(EditError):
        ce.apply_contract_terms(document(example), {"outcome_payers": []})


def test_business_case_charts_pass_the_schema(example):
    r = evaluate(late_and_transfers())
    for chart in (
        charts.economic_case(cases.economic_lines(r)),
        charts.cash_by_budget(cases.cash_by_budget_year(r), cases.public_sector_cash(r)),
    ):
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert chart.to_dict(validate=False) == spec
        assert "2025/26 prices" in json.dumps(spec)

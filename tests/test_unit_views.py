"""logic.views and logic.case_views: the tables and frames the app and the report draw, on scenarios worked by hand.

See tests/unit_scenarios.py for the scenarios and their figures: tiny() has costs of 2,500 (PV 2,500),
council savings of 2,000 in 2026 and 2027 (PV 3,818.18, half cashable) and NHS social value of 1,000 in
each (PV 1,909.09), at 10% a year. bond_doc() moves the cost to the provider, funded by investors, and
pays 300 for each of the 20 outcomes above the baseline in 2027.
"""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from unit_scenarios import bond_doc, scenario, tiny_doc

from logic import case_views, evaluate, views
from logic.assumptions_log import log_entries, with_entries
from logic.store import VersionInfo

PV_FISCAL = 2_000 + 2_000 / 1.1
PV_HALF = PV_FISCAL / 2


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-9)


@pytest.fixture(scope="module")
def tiny():
    return evaluate(scenario(tiny_doc()))


@pytest.fixture(scope="module")
def bond():
    return evaluate(scenario(bond_doc()))


def gross_bond():
    doc = bond_doc()
    doc["contract"]["payment_basis"] = "gross"
    return evaluate(scenario(doc))


# --- the headline ------------------------------------------------------------------------------


def test_agency_names_add_the_provider_and_the_investor(tiny):
    assert views.agency_names(tiny) == {
        "council": "Council",
        "nhs": "NHS",
        "provider": "Provider (delivery)",
        "investor": "Social investor",
    }


def test_key_figures(tiny):
    tiles = {t["key"]: t for t in views.key_figures(tiny)}
    assert list(tiles) == ["npv_fiscal", "public_sector_position", "bcr_fiscal", "payback_year", "pv_costs"]
    assert tiles["npv_fiscal"]["value"] == "£1,318"  # 3,818.18 - 2,500
    assert tiles["public_sector_position"]["value"] == "-£591"  # 1,909.09 cashable - 2,500
    assert tiles["bcr_fiscal"]["value"] == "1.53"  # 3,818.18 / 2,500
    assert tiles["payback_year"]["value"] == "2027"
    assert tiles["pv_costs"]["value"] == "£2,500"
    assert tiles["npv_fiscal"]["help"].endswith("Real terms, 2025/26 prices.")


def test_payback_tile_when_never_and_when_nothing_yet():
    doc = tiny_doc()
    doc["nodes"][1]["costs"][0]["setup"] = 10_000
    tiles = {t["key"]: t["value"] for t in views.key_figures(evaluate(scenario(doc)))}
    assert tiles["payback_year"] == "Not in horizon"
    blank = tiny_doc()
    blank["nodes"][1]["costs"] = []
    blank["nodes"][2]["benefits"] = []
    tiles = {t["key"]: t["value"] for t in views.key_figures(evaluate(scenario(blank)))}
    assert tiles["payback_year"] == "Not yet"
    assert tiles["bcr_fiscal"] == "No costs yet"


def test_headline_table(tiny):
    df = views.headline_table(tiny).set_index("Figure")
    assert df.loc["Net budget impact (NPV, fiscal)", "Value"] == "£1,318"
    assert df.loc["Cashable NPV", "Value"] == "-£591"
    assert df.loc["Public value NPV", "Value"] == "£3,227"  # 3,818.18 + 1,909.09 - 2,500
    assert df.loc["Public value benefit-cost ratio", "Value"] == "2.29"
    assert df.loc["Payback year", "Value"] == "Year 1 (2027)"
    assert df.loc["Present value of social benefits", "Value"] == "£1,909"
    assert df["What it means"].str.len().min() > 20


# --- frames for charts ------------------------------------------------------------------------------


def test_savings_by_agency_year(tiny):
    df = views.savings_by_agency_year(tiny)
    assert set(df["agency"]) == {"Council"}  # the NHS saves no money, so it has no bars
    cash = df[df["kind"] == "Cashable"]
    non = df[df["kind"] == "Non-cashable"]
    assert cash["year"].tolist() == [2026, 2027, 2028]
    assert cash["amount"].tolist() == [1_000, 1_000, 0]
    assert non["amount"].tolist() == [1_000, 1_000, 0]
    assert df.attrs == {"price_base": "2025/26 prices", "currency": "GBP", "order": ["Council", "NHS"]}


def test_cumulative_position(tiny):
    df = views.cumulative_position(tiny)
    assert df["Cumulative costs"].tolist() == [2_500, 2_500, 2_500]
    assert df["Cumulative fiscal savings"].tolist() == [approx(2_000), approx(PV_FISCAL), approx(PV_FISCAL)]
    assert df["Net position"].tolist() == [approx(-500), approx(PV_FISCAL - 2_500), approx(PV_FISCAL - 2_500)]


def test_who_pays_matrix(tiny):
    df = views.who_pays_matrix(tiny).set_index("Organisation")
    assert df.loc["Council", "Pays"] == 2_500
    assert df.loc["Council", "Fiscal savings"] == approx(PV_FISCAL)
    assert df.loc["Council", "Cashable"] == approx(PV_HALF)
    assert df.loc["Council", "Net fiscal"] == approx(PV_FISCAL - 2_500)
    assert df.loc["NHS", "Social"] == approx(PV_HALF)
    assert df.loc["Provider (delivery)"].tolist() == [0, 0, 0, 0, 0, 0]


def test_yearly_table_names_its_columns_in_words(tiny):
    df = views.yearly_table(tiny)
    assert list(df.columns)[:4] == ["Year", "Participants", "Costs", "Fiscal savings"]
    assert df["Costs"].tolist() == [2_500, 0, 0]
    assert df["Net fiscal"].tolist() == [-500, 2_000, 0]


def test_do_nothing(tiny):
    df = views.do_nothing_frame(tiny)
    assert df["cost"].tolist() == [approx(5_000), approx(5_500), approx(6_050)]
    assert df["year"].tolist() == [2026, 2027, 2028]
    summary = views.do_nothing_summary(tiny)
    assert summary.to_dict("records") == [
        {
            "Need": "Families in crisis",
            "Borne by": "Council",
            "Total over horizon": approx(16_550),
            "Present value": 15_000,
        }
    ]


def test_outcomes_table(tiny):
    assert views.outcomes_table(tiny).to_dict("records") == [
        {
            "Outcome": "Stays at home",
            "Participants": 100,
            "Achieving it": 50,  # 100 x 0.5
            "Would have anyway": 30,  # 100 x 0.3
            "Additional (after attribution, displacement)": 20,
        }
    ]


# --- the contract --------------------------------------------------------------------------------


def test_rate_card(bond):
    card = views.rate_card(bond)
    # The council's 100 a year over the outcome's 2 years (no drop-off): 200. The NHS values none in money.
    assert card.to_dict("records") == [{"Outcome": "Stays at home", "Price per outcome": 300, "Value to Council": 200}]


def test_deadweight_paid():
    assert views.deadweight_paid(evaluate(scenario(tiny_doc()))) == {"total": 0.0, "deadweight": 0.0, "share": None}
    above = views.deadweight_paid(evaluate(scenario(bond_doc())))
    assert above == {"total": 6_000, "deadweight": 0.0, "share": 0.0}
    # Gross: all 50 outcomes achieved are paid for, 30 of which would have happened anyway.
    gross = views.deadweight_paid(gross_bond())
    assert gross["total"] == approx(50 * 300)
    assert gross["deadweight"] == approx(30 * 300)
    assert gross["share"] == approx(0.6)


def test_fair_shares_follow_cashable_savings():
    doc = tiny_doc()
    doc["nodes"][2]["benefits"][1] = {"agency": "nhs", "value": 300, "type": "fiscal", "cashable": 1}
    # Cashable a year: council 20 x 100 x 0.5 = 1,000; NHS 20 x 300 = 6,000: shares 1/7 and 6/7.
    shares = views.fair_shares(evaluate(scenario(doc)))
    assert shares == {"council": approx(1 / 7), "nhs": approx(6 / 7)}
    doc["nodes"][2]["benefits"] = []
    assert views.fair_shares(evaluate(scenario(doc))) == {}


def test_parties_and_switching_points(bond):
    df = views.parties_table(bond).set_index("Party")
    assert df.loc["Council", "Position (PV)"] == approx(PV_HALF - 6_000 / 1.1)
    assert df.loc["Provider (delivery)", "Position (PV)"] == approx(250)
    assert df.loc["Social investor", "Position (PV)"] == approx(6_000 / 1.1 - 2_750)
    points = views.switching_points(bond)
    assert points.to_dict("records") == [{"party": "Social investor", "m": approx(2_750 * 1.1 / 6_000)}]


def test_parties_table_text_writes_every_cell(bond):
    df = views.parties_table_text(bond).set_index("Party")
    assert df.loc["Provider (delivery)"].tolist() == ["£250", "never (m from 0 to 3)"]
    assert "None" not in df.to_string() and "nan" not in df.to_string()


def test_risk_table_raw_and_positions(bond):
    df = views.risk_table(bond, real_irr=True).set_index("Figure")
    assert df.loc["Outcome payments (undiscounted)"].tolist() == [approx(3_000), approx(6_000), approx(7_500)]
    assert df.loc["Investor multiple"].tolist() == [approx(3_000 / 2_750), approx(6_000 / 2_750), approx(7_500 / 2_750)]
    assert "NHS (PV)" not in df.index  # it neither pays, funds nor saves cash
    at = views.positions_at(bond, 0.5).set_index("Party")["Position (PV)"]
    assert at["Social investor"] == approx(3_000 / 1.1 - 2_750)
    assert at["Council"] == approx(PV_HALF / 2 - 3_000 / 1.1)
    text = views.positions_at_text(bond, 0.5).set_index("Party")["Position (PV)"]
    assert text["Social investor"] == "-£23"  # 2,727.27 - 2,750


def test_risk_curve_and_cap_zone(bond):
    curve = views.risk_curve(bond, m=[0.0, 1.0])
    investor = curve[curve["party"] == "Social investor"]["position"].tolist()
    assert investor == [approx(-2_750), approx(6_000 / 1.1 - 2_750)]
    assert views.cap_zone(bond) is None
    doc = bond_doc()
    doc["contract"]["cap"] = 4_500  # payments are 6,000 x m: the cap is reached at m = 0.75, and binds above
    zone = views.cap_zone(evaluate(scenario(doc)))
    assert zone is not None and zone[0] == approx(0.75) and zone[1] == approx(1.5)


def test_describe_path(tiny):
    assert views.describe_path(tiny, "nodes.out.rate_with") == "Stays at home: rate with programme"
    assert views.describe_path(tiny, "nodes.out.benefits[1].value") == "Stays at home: value per outcome (NHS)"
    assert views.describe_path(tiny, "nodes.act.costs[0].setup") == "Key worker: set-up cost"
    assert views.describe_path(tiny, "cohort.engagement_rate") == "Engagement rate"
    assert views.describe_path(tiny, "settings.discount_rate") == "Discount rate"


# --- the log and saved versions --------------------------------------------------------------------


def test_log_table_is_newest_first():
    before = scenario(tiny_doc())
    doc = tiny_doc()
    doc["nodes"][2]["rate_with"] = 0.6
    after = scenario(doc)
    when = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    first = with_entries(after, log_entries(before, after, by="Ann", when=when))
    doc["cohort"]["engagement_rate"] = 0.8
    later = scenario({**doc, "log": [e.model_dump() for e in first.log]})
    second = with_entries(later, log_entries(first, later, by=None, when=when + datetime.timedelta(hours=1)))
    df = views.log_table(second)
    assert df["When (UTC)"].tolist() == ["2026-03-01 10:30:00", "2026-03-01 09:30:00"]
    assert df["From"].tolist() == ["1", "0.5"]
    assert df["To"].tolist() == ["0.8", "0.6"]
    assert df["By"].tolist() == ["", "Ann"]


def test_stored_versions_table():
    at = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    versions = [
        VersionInfo("s", 2, "Bo", "tidy", at, "ab" * 32, True, "Cy", at),
        VersionInfo("s", 1, "Ann", "", at, "cd" * 32, False, None, None),
    ]
    df = views.stored_versions_table(versions)
    assert df.to_dict("records")[0] == {
        "Version": 2,
        "Saved (UTC)": "2026-03-01 09:30",
        "By": "Bo",
        "Message": "tidy",
        "Signed off": "yes, by Cy",
        "SHA-256": "abababababababab…",
    }
    assert df["Signed off"].tolist()[1] == ""


# --- case_views: the two questions -----------------------------------------------------------------


def test_notes_on_prices(tiny):
    assert case_views.price_base(tiny) == "2025/26 prices"
    assert case_views.real_note(tiny) == "Real terms, 2025/26 prices, discounted at 10.0% a year"
    assert case_views.cash_note(tiny) == "Cash; with inflation set to 0, cash equals 2025/26 prices"
    doc = tiny_doc()
    doc["settings"]["inflation"] = 0.02
    doc["nodes"][2]["benefits"][1]["discount"] = "health"
    ev = evaluate(scenario(doc))
    assert case_views.cash_note(ev) == "Cash: 2025/26 prices grown by inflation of 2.0% a year"
    assert case_views.real_note(ev).endswith("(1.5% for health benefits)")


def test_economic_case(tiny):
    values = case_views.economic_case_table(tiny).set_index("key")["Value"].to_dict()
    assert values == {
        "pv_fiscal_counted": "£3,818",
        "pv_economic": "£0",
        "pv_social": "£1,909",
        "pv_benefits_counted": "£5,727",
        "pv_costs": "£2,500",
        "npv_public_value": "£3,227",
        "bcr_public_value": "2.29",
        "pv_transfers": "£0",
    }
    lines = case_views.economic_lines(tiny).set_index("line")
    assert lines.loc["Costs", "counts"] == "Cost"
    assert lines.loc["Transfers (shown, not counted)", "counts"] == "Shown, not counted"
    assert lines.loc["Social value", "label"] == "£1,909"
    assert case_views.worth_it(tiny) == (
        "Yes: it creates £3,227 more value to society than it costs (£2.29 of value for each £1 spent)."
    )


def test_financial_case(bond):
    values = case_views.financial_case_table(bond).set_index("key")["Value"].to_dict()
    assert values == {
        "public_sector_position": "-£3,545",
        "public_sector_total_cash": "-£4,000",
        "premium_over_fee_for_service": "£2,705",
        "outcome_payments_total": "£6,000",
        "payments_beyond_horizon": "£0",
    }
    assert case_views.afford_it(bond).startswith(
        "Under the social impact bond, the public sector as a whole pays £3,545 more than the cash it saves"
    )
    assert "the premium for moving the risk of failure onto the investors" in case_views.afford_it(bond)


def test_financial_case_without_outcome_payments(tiny):
    values = case_views.financial_case_table(tiny).set_index("key")["Value"]
    assert values["outcome_payments_total"] == "none under this contract"
    assert values["premium_over_fee_for_service"].startswith("n/a")


def test_cash_by_budget(bond):
    df = case_views.cash_by_budget_table(bond).set_index("Budget")
    assert list(df.index) == ["Council", "Public sector (all public bodies)"]  # the NHS has no cash
    assert df.loc["Council", ["2026", "2027", "2028"]].tolist() == [1_000, -5_000, 0]
    assert df.loc["Council", "Total (cash)"] == -4_000
    assert df.loc["Council", "Position (PV)"] == approx(PV_HALF - 6_000 / 1.1)
    long = case_views.cash_by_budget_year(bond)
    assert long["cash"].tolist() == [1_000, -5_000, 0]
    assert long.attrs["last_year"] == 2028 and not long["after_horizon"].any()
    public = case_views.public_sector_cash(bond)
    assert public["cash"].tolist() == [1_000, -5_000, 0]


def test_budget_names_say_what_is_not_a_public_budget():
    doc = tiny_doc()
    doc["agencies"][1]["kind"] = "donor"
    doc["nodes"][2]["benefits"][1] = {"agency": "nhs", "value": 300, "type": "fiscal", "cashable": 1}
    df = case_views.cash_by_budget_table(evaluate(scenario(doc)))
    assert "NHS (donor)" in df["Budget"].tolist()


def test_paid_per_outcome(bond):
    assert case_views.worth_per_valued_outcome(bond) == {"out": 200}
    row = case_views.paid_per_outcome_table(bond).iloc[0]
    assert row["Outcomes counted"] == 20 and row["Outcomes the case values"] == 20
    assert row["Paid in total (real)"] == 6_000
    assert row["Paid per outcome the case values"] == approx(300)
    assert case_views.paid_per_outcome_notes(bond) == []  # paid per valued outcome is its price: nothing to explain


def test_paid_per_outcome_note_on_a_gross_contract():
    ev = gross_bond()
    # 50 outcomes paid at 300 = 15,000 for the 20 the case values: 750 each.
    assert ev.figures["contract"]["paid_per_valued_outcome"] == {"out": approx(750)}
    (note,) = case_views.paid_per_outcome_notes(ev)
    assert note.startswith("Stays at home: £300 per outcome counted is £750 per outcome the case values")
    assert "including the 60% that would have happened anyway" in note


def test_investor_table(bond, tiny):
    df = case_views.investor_table(bond).set_index("Figure")["Value"]
    assert df["Capital at risk at the peak"] == "£2,750"
    assert df["Return (IRR, cash)"] == "118.2%"
    assert df["Return (IRR, real, 2025/26 prices)"] == "118.2%"
    assert df["Money multiple"] == "2.18x"
    assert case_views.investor_table(tiny).empty


def test_frames_carry_their_price_base_and_currency(bond):
    for df in (
        case_views.economic_case_table(bond),
        case_views.financial_case_table(bond),
        case_views.cash_by_budget_table(bond),
        case_views.paid_per_outcome_table(bond),
        views.risk_curve(bond),
        views.tornado_frame(bond, []),
    ):
        assert df.attrs["price_base"] == "2025/26 prices"
        assert df.attrs["currency"] == "GBP"
    assert isinstance(views.uncertain_inputs_table(bond), pd.DataFrame)

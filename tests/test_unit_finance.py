"""logic.finance, logic.financial and logic.evaluation on small scenarios worked by hand.

The figures of `tiny()` (tests/unit_scenarios.py), at 10% a year (factors 1, 1/1.1, 1/1.21):

    costs     2,500 in 2026                         PV 2,500
    fiscal    2,000 in 2026 and 2027 (council)      PV 2,000 + 2,000/1.1 = 3,818.18
    cashable  half of it                            PV 1,909.09
    social    1,000 in 2026 and 2027 (NHS)          PV 1,909.09
"""

from __future__ import annotations

import numpy as np
import pytest
from unit_scenarios import bond_doc, scenario, tiny_doc

from logic import evaluate, finance, financial
from logic.engine import compile_scenario, run
from logic.evaluation import HEADLINE_KEYS, price_base_label

PV_FISCAL = 2_000 + 2_000 / 1.1
PV_HALF = PV_FISCAL / 2


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-9)


# --- finance: present values and ratios ----------------------------------------------------


def test_pv_discounts_along_the_last_axis_whatever_the_shape():
    discount = np.array([[1.0, 0.5], [1.0, 0.25]])  # two batch rows, two years
    assert finance.pv(np.array([[10.0, 10.0], [10.0, 10.0]]), discount).tolist() == [15.0, 12.5]
    flows = np.array([[[10.0, 10.0], [0.0, 4.0]], [[10.0, 10.0], [0.0, 4.0]]])  # (B, lines, T)
    assert finance.pv(flows, discount).tolist() == [[15.0, 2.0], [12.5, 1.0]]


def test_ratio_is_undefined_without_costs():
    r = finance._ratio(np.array([3.0, 1.0, 0.0]), np.array([2.0, 0.0, 0.0]))
    assert r[0] == 1.5 and np.isnan(r[1]) and np.isnan(r[2])


def test_headline_of_tiny():
    c = compile_scenario(scenario(tiny_doc()))
    h = {k: v[0] for k, v in finance.headline(run(c)).items()}
    assert h["pv_costs"] == approx(2_500)
    assert h["pv_fiscal"] == approx(PV_FISCAL)
    assert h["pv_cashable"] == approx(PV_HALF)
    assert h["pv_social"] == approx(PV_HALF)
    assert h["pv_economic"] == 0 and h["pv_transfers"] == 0
    assert h["npv_fiscal"] == approx(PV_FISCAL - 2_500)
    assert h["npv_cashable"] == approx(PV_HALF - 2_500)
    assert h["npv_public_value"] == approx(PV_FISCAL + PV_HALF - 2_500)
    assert h["bcr_fiscal"] == approx(PV_FISCAL / 2_500)
    assert h["bcr_public_value"] == approx((PV_FISCAL + PV_HALF) / 2_500)
    # Cumulative fiscal PV less costs: 2,000 - 2,500 = -500 in 2026, then +1,818.18: pays back in year 1.
    assert h["payback_year"] == 1


def test_transfers_count_in_fiscal_savings_but_not_in_public_value():
    doc = tiny_doc()
    doc["nodes"][2]["benefits"][0]["transfer"] = True
    h = {k: v[0] for k, v in finance.headline(run(compile_scenario(scenario(doc)))).items()}
    assert h["pv_transfers"] == approx(PV_FISCAL)
    assert h["npv_fiscal"] == approx(PV_FISCAL - 2_500)  # still a saving to the council's budget
    assert h["npv_public_value"] == approx(PV_HALF - 2_500)  # social value only: the transfer is no value


def test_payback_never_and_not_yet():
    doc = tiny_doc()
    doc["nodes"][1]["costs"][0]["setup"] = 10_000  # 11,000 of costs against 3,818.18 of savings
    h = finance.headline(run(compile_scenario(scenario(doc))))
    assert h["payback_year"][0] == -1
    blank = tiny_doc()
    blank["nodes"][1]["costs"] = []
    blank["nodes"][2]["benefits"] = []
    h = finance.headline(run(compile_scenario(scenario(blank))))
    assert h["payback_year"][0] == -1  # nothing to pay back is "not yet", not year 0
    assert np.isnan(h["bcr_fiscal"][0])


def test_by_agency_of_tiny():
    a = finance.by_agency(run(compile_scenario(scenario(tiny_doc()))))
    # agencies in file order: council, then the NHS
    assert a["pv_costs"][0].tolist() == [approx(2_500), 0]
    assert a["pv_fiscal"][0].tolist() == [approx(PV_FISCAL), 0]
    assert a["pv_cashable"][0].tolist() == [approx(PV_HALF), 0]
    assert a["pv_social"][0].tolist() == [0, approx(PV_HALF)]


def test_by_year_of_tiny():
    rows = finance.by_year(run(compile_scenario(scenario(tiny_doc()))), 2026)
    assert [r["year"] for r in rows] == [2026, 2027, 2028]
    assert [r["discount_factor"] for r in rows] == [1.0, approx(1 / 1.1), approx(1 / 1.21)]
    assert [r["participants"] for r in rows] == [100, 0, 0]
    assert [r["costs"] for r in rows] == [2_500, 0, 0]
    assert [r["fiscal"] for r in rows] == [2_000, 2_000, 0]
    assert [r["cashable"] for r in rows] == [1_000, 1_000, 0]
    assert [r["non_cashable"] for r in rows] == [1_000, 1_000, 0]
    assert [r["social"] for r in rows] == [1_000, 1_000, 0]
    assert [r["net_fiscal"] for r in rows] == [-500, 2_000, 0]
    cumulative = [-500, -500 + 2_000 / 1.1, -500 + 2_000 / 1.1]
    assert [r["cumulative_discounted_net_fiscal"] for r in rows] == [approx(x) for x in cumulative]


def test_do_nothing_grows_and_discounts():
    sc = scenario(tiny_doc())
    out = finance.do_nothing(sc, np.array([1.0, 1 / 1.1, 1 / 1.21]))
    need = out["need"]
    # 100 x 50 = 5,000, growing 10%: 5,500 and 6,050; each year's growth is undone by the discount.
    assert need["by_year"] == [approx(5_000), approx(5_500), approx(6_050)]
    assert need["total"] == approx(16_550)
    assert need["pv"] == approx(15_000)
    assert need["agency"] == "council" and need["label"] == "Families in crisis"


def test_a_need_without_a_unit_cost_has_no_cost_of_doing_nothing():
    doc = tiny_doc()
    del doc["nodes"][0]["unit_cost"]
    assert finance.do_nothing(scenario(doc), np.ones(3)) == {}


# --- financial: cash by budget under the contract ------------------------------------------


def test_financial_case_of_tiny_without_a_contract():
    c = compile_scenario(scenario(tiny_doc()))
    f = run(c)
    fin = financial.financial_case(c, f, ["public", "public"])
    # The council banks its cashable half (1,000 a year) and pays its own 2,500 in 2026.
    assert fin["by_year"]["council"] == [-1_500, 1_000, 0]
    assert fin["by_year"]["nhs"] == [0, 0, 0]  # social value is no cash
    assert fin["total_cash"] == {"council": -500, "nhs": 0}
    assert fin["public_sector_by_year"] == [-1_500, 1_000, 0]
    assert fin["public_sector_position"] == approx(PV_HALF - 2_500)
    assert financial.contract_years(f) == 3
    assert financial.paid_per_valued_outcome(c, f) is None
    assert np.isnan(financial.premium_over_fee_for_service(c, f)[0])


def test_financial_case_of_the_bond():
    c = compile_scenario(scenario(bond_doc()))
    f = run(c)
    fin = financial.financial_case(c, f, ["public", "public"])
    # 1,000 cashable in each year; 6,000 of outcome payments in 2027.
    assert fin["by_year"]["council"] == [1_000, -5_000, 0]
    assert fin["public_sector_total_cash"] == -4_000
    assert fin["public_sector_position"] == approx(PV_HALF - 6_000 / 1.1)
    # Paying by results: 6,000 / 1.1 in outcome payments against 2,500 x 1.1 for delivery with its margin.
    assert financial.premium_over_fee_for_service(c, f)[0] == approx(6_000 / 1.1 - 2_750)
    # 6,000 paid for 20 outcomes the case values: 300 each, its price.
    assert financial.paid_per_valued_outcome(c, f) == {"out": approx(300)}


def test_only_public_bodies_make_the_public_sector():
    c = compile_scenario(scenario(tiny_doc()))
    fin = financial.financial_case(c, run(c), ["donor", "public"])
    assert fin["public_sector_by_year"] == [0, 0, 0]
    assert fin["public_sector_position"] == 0


def test_contract_years_run_on_while_payments_are_due():
    doc = bond_doc()
    doc["contract"]["payment_lag_years"] = 4  # achieved in 2026, paid in 2030: two years past the horizon
    c = compile_scenario(scenario(doc))
    f = run(c)
    assert financial.contract_years(f) == 5
    fin = financial.financial_case(c, f, ["public", "public"])
    assert fin["years"] == [2026, 2027, 2028, 2029, 2030]
    assert fin["by_year"]["council"] == [1_000, 1_000, 0, 0, -6_000]


# --- evaluation ------------------------------------------------------------------------------


def test_price_base_label_counts_financial_years():
    assert price_base_label(2025) == "2025/26 prices"
    assert price_base_label(1999) == "1999/00 prices"


def test_evaluate_gathers_the_figures():
    ev = evaluate(scenario(tiny_doc()))
    r = ev.to_dict()
    assert ev["npv_fiscal"] == r["npv_fiscal"] == approx(PV_FISCAL - 2_500)
    assert set(HEADLINE_KEYS) <= set(r)
    assert r["name"] == "Tiny"
    assert r["price_base_year"] == 2025 and r["price_base"] == "2025/26 prices"
    assert r["payback_year"] == 1
    # The provider is listed with its own delivery costs (none here: the council pays its key workers).
    assert r["by_agency"]["provider"]["pv_costs"] == 0
    assert "investor" not in r["by_agency"]
    assert r["outcomes"]["out"] == {"participants": 100, "gross": 50, "deadweight": 30, "additional": 20}
    assert r["additional_outcomes"] == {"out": 20}
    assert r["do_nothing"]["need"]["pv"] == approx(15_000)
    assert r["contract"]["type"] == "none"
    assert r["contract"]["premium_over_fee_for_service"] is None


def test_evaluate_lists_the_investor_under_a_bond():
    r = evaluate(scenario(bond_doc())).to_dict()
    assert r["by_agency"]["provider"]["pv_costs"] == approx(2_500)
    assert r["by_agency"]["investor"]["pv_costs"] == 0  # the bond has no cost lines of its own
    inv = r["contract"]["investor"]
    assert inv["peak_capital"] == approx(2_750)
    assert inv["multiple"] == approx(6_000 / 2_750)
    assert inv["irr"] == approx(6_000 / 2_750 - 1)
    assert inv["irr_real"] == approx(6_000 / 2_750 - 1)  # no inflation
    assert r["contract"]["parties"]["investor"] == approx(6_000 / 1.1 - 2_750)
    assert r["contract"]["parties"]["provider"] == approx(250)
    assert r["contract"]["switching_values"]["investor"] == approx(2_750 * 1.1 / 6_000)


def test_evaluate_can_cut_payments_at_the_horizon_as_format_1_did():
    doc = bond_doc()
    doc["contract"]["payment_lag_years"] = 4
    sc = scenario(doc)
    assert evaluate(sc).to_dict()["contract"]["outcome_payments_total"] == approx(6_000)
    assert evaluate(sc, cut_at_horizon=True).to_dict()["contract"]["outcome_payments_total"] == 0

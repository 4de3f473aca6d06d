"""The format-2 reference (reference_calc_v2.py) against DESIGN.md's worked
examples and hand-worked cases, and the engine against the reference.

Layout:
  (a) DESIGN.md's two format-2 worked examples, every figure stated there
  (b) hand-worked cases, one feature each, arithmetic in the comments
  (c) reference self-checks (random scenarios, no engine)
  (d) the engine against the reference: tests named
      test_engine_matches_reference_v2_*. They fail (not skip) while the
      engine does not accept `format: toc-business-case/2`.

Run the reference alone with: pytest -q tests/test_reference_v2.py -k "not engine"
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:  # tests/ may or may not be a package
    from . import reference_calc, reference_calc_v2
    from .test_against_reference import CONTRACT_TYPES, fiscal, outcome, random_scenarios
except ImportError:
    import reference_calc
    import reference_calc_v2
    from test_against_reference import CONTRACT_TYPES, fiscal, outcome, random_scenarios

ref2 = reference_calc_v2.reference_evaluate_v2
positions_at_v2 = reference_calc_v2.positions_at_v2

ROOT = Path(__file__).resolve().parents[1]

TOL = dict(rel_tol=1e-6, abs_tol=1e-6)
IRR_TOL = dict(rel_tol=1e-5, abs_tol=1e-7)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def dig(d, path: str):
    """'contract.parties.a' or 'financial.by_year.a.2' -> the value."""
    for key in path.split("."):
        d = d[int(key)] if isinstance(d, list) else d[key]
    return d


def check(doc: dict, expected: dict, res: dict | None = None):
    """Every path in `expected` equals its value in the reference's figures."""
    res = res if res is not None else ref2(doc)
    problems = []
    for path, want in expected.items():
        got = dig(res, path)
        if want is None or isinstance(want, (bool, str)) or isinstance(got, bool):
            ok = got == want
        elif isinstance(want, list):
            ok = isinstance(got, list) and len(got) == len(want)
            ok = ok and all(math.isclose(g, w, **TOL) for g, w in zip(got, want))
        elif path == "payback_year" or path.endswith("contract_years"):
            ok = got == want
        else:
            ok = got is not None and math.isclose(got, want, **TOL)
        if not ok:
            problems.append(f"{path} = {got!r}, expected {want!r}")
    assert not problems, "\n".join(problems)
    return res


def doc2(
    outcomes,
    costs,
    *,
    horizon=3,
    rate=0.0,
    schedule="constant",
    intake=(10,),
    engagement=1.0,
    agencies=("a",),
    kinds=None,
    contract=None,
    extra_settings=None,
    intake_timing=None,
):
    """A minimal valid format-2 scenario: one activity holding `costs`, the
    given outcome nodes, an edge from the activity to each outcome.
    kinds: {agency id: kind} for agencies that are not public."""
    settings_ = {"start_year": 2026, "horizon_years": horizon, "discount_rate": rate, "discount_schedule": schedule}
    settings_.update(extra_settings or {})
    kinds = kinds or {}
    agencies_ = []
    for a in agencies:
        row = {"id": a, "name": a.title()}
        if a in kinds:
            row["kind"] = kinds[a]
        agencies_.append(row)
    cohort = {"intake": list(intake), "engagement_rate": engagement}
    if intake_timing:
        cohort["intake_timing"] = intake_timing
    doc = {
        "format": "toc-business-case/2",
        "name": "test",
        "settings": settings_,
        "agencies": agencies_,
        "cohort": cohort,
        "nodes": [{"id": "act", "stage": "activity", "label": "Activity", "costs": list(costs)}]
        + [dict(o, stage="outcome", label=o["id"]) for o in outcomes],
        "edges": [{"source": "act", "target": o["id"], "strength": "medium"} for o in outcomes],
    }
    if contract is not None:
        doc["contract"] = contract
    return doc


# --------------------------------------------------------------------------
# (a) DESIGN.md's worked examples (format 2)
# --------------------------------------------------------------------------


def worked_example_1():
    # discount 0, horizon 3, intake [100], engagement 1, intake_timing mid;
    # one outcome (w 0.5, b 0.3, grade 1, duration 2, fiscal 1000 a year,
    # cashable 1, agency a); one cost line paid by a: setup 5000, grade 2
    # (5%), profile [0, 100, 200].
    return doc2(
        [
            outcome(
                "o",
                rate_with=0.5,
                rate_without=0.3,
                evidence_grade=1,
                duration_years=2,
                benefits=[fiscal("a", 1000, cashable=1)],
            )
        ],
        [{"item": "staff", "payer": "a", "setup": 5000, "evidence_grade": 2, "profile": [0, 100, 200]}],
        horizon=3,
        intake=[100],
        intake_timing="mid",
    )


def test_worked_example_1():
    # N = 100 x (0.5 - 0.3) = 20. persist_mid: j=0 (1 + 0)/2 = 0.5, j=1
    # (1 + 1)/2 = 1, j=2 (0 + 1)/2 = 0.5 -> benefits 10,000 / 20,000 / 10,000,
    # pv_fiscal 40,000. Costs (5000 + 0) x 1.05 = 5,250, 100 x 1.05 = 105,
    # 200 x 1.05 = 210: pv_costs 5,565. a's cash: 10,000 - 5,250 = 4,750;
    # 20,000 - 105 = 19,895; 10,000 - 210 = 9,790. No contract: type none,
    # no provider lines, so a's position is 40,000 - 5,565 = 34,435.
    check(
        worked_example_1(),
        {
            "additional_outcomes.o": 20.0,
            "by_year.0.fiscal": 10_000,
            "by_year.1.fiscal": 20_000,
            "by_year.2.fiscal": 10_000,
            "by_year.0.costs": 5_250,
            "by_year.1.costs": 105,
            "by_year.2.costs": 210,
            "pv_fiscal": 40_000,
            "pv_cashable": 40_000,
            "pv_transfers": 0.0,
            "pv_costs": 5_565,
            "npv_fiscal": 34_435,
            "npv_public_value": 34_435,
            "by_agency.a.pv_costs": 5_565,
            "by_agency.a.pv_fiscal": 40_000,
            "payback_year": 0,  # 10,000 - 5,250 >= 0 already in year 0
            "financial.by_year.a": [4_750, 19_895, 9_790],
            "financial.total_cash.a": 34_435,
            "financial.public_sector_by_year": [4_750, 19_895, 9_790],
            "financial.public_sector_total_cash": 34_435,
            "financial.public_sector_position": 34_435,
            "contract.parties.a": 34_435,
            "contract.outcome_payments_total": 0.0,
            "contract.premium_over_fee_for_service": None,
            "contract.paid_per_valued_outcome": None,
        },
    )


def worked_example_2():
    # discount 0, horizon 2, start_year 2026 (price base 2025 by default),
    # inflation 0.1; intake [10], engagement 1; one outcome (w 0.6, b 0.4,
    # grade 1, duration 1, fiscal 1000 to a, cashable 1, price 500); one
    # provider cost line, setup 1000; a bond, above baseline, payment lag 2,
    # margin 0.1, indexation inflation, a pays all.
    return doc2(
        [
            outcome(
                "o",
                rate_with=0.6,
                rate_without=0.4,
                evidence_grade=1,
                duration_years=1,
                price=500,
                benefits=[fiscal("a", 1000, cashable=1)],
            )
        ],
        [{"item": "delivery", "payer": "provider", "setup": 1000}],
        horizon=2,
        intake=[10],
        extra_settings={"inflation": 0.1},
        contract={
            "type": "social_impact_bond",
            "payment_basis": "above_baseline",
            "payment_lag_years": 2,
            "provider_margin": 0.1,
            "indexation": "inflation",
            "outcome_payers": [{"agency": "a", "share": 1.0}],
        },
    )


def test_worked_example_2():
    # I_t = 1.1^(2026 + t - 2025) = 1.1^(t + 1): I_0 1.1, I_1 1.21, I_2 1.331.
    # Count above baseline 10 x 0.2 = 2, paid in year 0 + 2 = 2 (after the
    # horizon, years 0..1): 2 x 500 x 1.331 = 1,331 cash, real 1,331/1.331 =
    # 1,000. The contract runs to year 2 (3 years).
    # Investor funds 1,000 x 1.1 = 1,100 real in year 0 = 1,210 cash.
    # Cash flows [-1210, 0, 1331]: peak 1,210, multiple 1331/1210 = 1.1,
    # irr: 1210 (1 + r)^2 = 1331 -> r = 1.1^0.5 - 1 = 4.88%;
    # real flows [-1100, 0, 1000] -> irr_real (1000/1100)^0.5 - 1 = -4.65%.
    # Positions (rate 0, real): investor 1000 - 1100 = -100, provider 1000 x
    # 0.1 = +100, a: benefits N = 2 x 1000 = 2,000 in year 0 - 1,000 = +1,000.
    # premium 1,000 + 0 - 1,100 = -100; paid per valued outcome 1000 / 2 = 500.
    # a's cash: 2,000 x 1.1 = 2,200 / 0 / -1,331.
    res = check(
        worked_example_2(),
        {
            "pv_fiscal": 2_000,
            "pv_costs": 1_000,
            "contract.outcome_payments_total": 1_331,
            "contract.payments_beyond_horizon": 1_331,
            "contract.pv_outcome_payments": 1_000,
            "contract.contract_years": 3,
            "contract.investor.peak_capital": 1_210,
            "contract.investor.multiple": 1.1,
            "contract.investor.irr": 1.1**0.5 - 1,
            "contract.investor.irr_real": (1000 / 1100) ** 0.5 - 1,
            "contract.parties.investor": -100,
            "contract.parties.provider": 100,
            "contract.parties.a": 1_000,
            "contract.premium_over_fee_for_service": -100,
            "contract.paid_per_valued_outcome.o": 500,
            "financial.by_year.a": [2_200, 0, -1_331],
            "financial.total_cash.a": 869,
            "financial.public_sector_position": 1_000,
        },
    )
    # As stated in DESIGN.md, to two decimals of a per cent.
    assert round(res["contract"]["investor"]["irr"] * 100, 2) == 4.88
    assert round(res["contract"]["investor"]["irr_real"] * 100, 2) == -4.65
    assert set(res["contract"]["parties"]) == {"a", "provider", "investor"}


def test_worked_example_2_as_format_1_counts_payments_after_horizon():
    # The same file without the format-2 keys (no inflation, no indexation):
    # 2 x 500 = 1,000 paid in year 2 still counts in every contract figure.
    doc = worked_example_2()
    doc["format"] = "toc-business-case/1"
    del doc["settings"]["inflation"]
    del doc["contract"]["indexation"]
    check(
        doc,
        {
            "contract.outcome_payments_total": 1_000,
            "contract.payments_beyond_horizon": 1_000,
            "contract.parties.investor": -100,
            "contract.investor.irr": (1000 / 1100) ** 0.5 - 1,
            "contract.investor.irr_real": (1000 / 1100) ** 0.5 - 1,
        },
    )


# --------------------------------------------------------------------------
# (b) Hand-worked cases
# --------------------------------------------------------------------------


def transfers_doc():
    # H 1, rate 0, intake [10], w 0.5 -> N = 5, grade 1. Agencies dwp and
    # council (public), people (kind people).
    return doc2(
        [
            outcome(
                "o",
                rate_with=0.5,
                benefits=[
                    {"agency": "dwp", "value": 1000, "type": "fiscal", "transfer": True},
                    {"agency": "council", "value": 400, "type": "fiscal", "cashable": 0.5},
                    {"agency": "people", "value": 300, "type": "social"},
                ],
            )
        ],
        [{"item": "staff", "payer": "council", "setup": 2000}],
        horizon=1,
        agencies=("dwp", "council", "people"),
        kinds={"people": "people"},
    )


def test_transfers():
    # dwp fiscal 5 x 1000 = 5,000 (a transfer, cashable 1); council fiscal
    # 5 x 400 = 2,000 (cashable 1,000); people social 5 x 300 = 1,500.
    # pv_fiscal 7,000 (transfers included), pv_transfers 5,000, pv_cashable
    # 6,000, pv_costs 2,000.
    # npv_fiscal 5,000; npv_cashable 4,000;
    # npv_public_value 7,000 - 5,000 + 1,500 - 2,000 = 1,500;
    # bcr_fiscal 3.5; bcr_public_value (7,000 - 5,000 + 1,500) / 2,000 = 1.75.
    # Positions (contract none, no delivery): dwp +5,000 (the transfer is a
    # real saving to its budget), council 1,000 - 2,000 = -1,000, people 0
    # (social value is not cash). Public sector: dwp + council = 4,000.
    check(
        transfers_doc(),
        {
            "pv_fiscal": 7_000,
            "pv_transfers": 5_000,
            "pv_cashable": 6_000,
            "pv_social": 1_500,
            "pv_costs": 2_000,
            "npv_fiscal": 5_000,
            "npv_cashable": 4_000,
            "npv_public_value": 1_500,
            "bcr_fiscal": 3.5,
            "bcr_public_value": 1.75,
            "by_agency.dwp.pv_fiscal": 5_000,
            "by_agency.dwp.pv_cashable": 5_000,
            "by_agency.council.pv_cashable": 1_000,
            "by_agency.people.pv_social": 1_500,
            "contract.parties.dwp": 5_000,
            "contract.parties.council": -1_000,
            "contract.parties.people": 0.0,
            "financial.by_year.dwp": [5_000],
            "financial.by_year.people": [0.0],
            "financial.public_sector_by_year": [4_000],
            "financial.public_sector_position": 4_000,
        },
    )


def health_doc(lag, schedule="green_book", rate=0.035, h=None):
    # One person, w 1, grade 1; two lines of 1,000,000 in year `lag` only:
    # a fiscal line (standard factors) and a social line marked health.
    extra = {} if h is None else {"health_discount_rate": h}
    return doc2(
        [
            outcome(
                "o",
                lag_years=lag,
                benefits=[
                    {"agency": "a", "value": 1_000_000, "type": "fiscal"},
                    {"agency": "people", "value": 1_000_000, "type": "social", "discount": "health"},
                ],
            )
        ],
        [],
        horizon=lag + 1,
        rate=rate,
        schedule=schedule,
        intake=[1],
        agencies=("a", "people"),
        kinds={"people": "people"},
        extra_settings=extra,
    )


@pytest.mark.parametrize(
    "lag,schedule,rate,h,std_df,health_df",
    [
        # green_book, year 35: standard 1.035^-30 x 1.03^-5 = 0.30732888667;
        # health (h 1.5% by default) 1.015^-30 x (1 + 0.015 x 3.0/3.5)^-5
        # = 0.63976243 x 1.01285714^-5 = 0.60017480.
        (35, "green_book", 0.035, None, 1.035**-30 * 1.03**-5, 1.015**-30 * (1 + 0.015 * 3 / 3.5) ** -5),
        # year 80: 45 years at 1.2857% then 5 at 0.015 x 2.5/3.5 = 1.0714%
        # -> 0.34135631.
        (
            80,
            "green_book",
            0.035,
            None,
            1.035**-30 * 1.03**-45 * 1.025**-5,
            1.015**-30 * (1 + 0.015 * 3 / 3.5) ** -45 * (1 + 0.015 * 2.5 / 3.5) ** -5,
        ),
        # year 30 is the last year at h itself: 1.015^-30 = 0.63976243.
        (30, "green_book", 0.035, None, 1.035**-30, 1.015**-30),
        # a 2% health rate, year 31: 1.02^-30 / (1 + 0.02 x 3/3.5) = 0.54276632.
        (31, "green_book", 0.035, 0.02, 1.035**-30 / 1.03, 1.02**-30 / (1 + 0.02 * 3 / 3.5)),
        # constant: (1 + h)^-t, 1.015^-35 = 0.59386608.
        (35, "constant", 0.035, None, 1.035**-35, 1.015**-35),
    ],
)
def test_health_discounting(lag, schedule, rate, h, std_df, health_df):
    check(
        health_doc(lag, schedule, rate, h),
        {
            "pv_fiscal": 1e6 * std_df,
            "pv_social": 1e6 * health_df,
            "by_agency.people.pv_social": 1e6 * health_df,
            "npv_public_value": 1e6 * (std_df + health_df),
            f"by_year.{lag}.discount_factor": std_df,
        },
    )


def test_payback_and_positions_use_each_lines_own_factors():
    # Rate 10%, health rate 0: a fiscal line marked health of 1,050 in year 1
    # against 1,000 of costs in year 0. With the health factor (1) the
    # discounted cumulative reaches -1,000 + 1,050 = +50 in year 1: payback 1
    # (with the standard factor it would be 1050/1.1 = 954.5: never).
    doc = doc2(
        [outcome("o", lag_years=1, benefits=[{"agency": "a", "value": 1050, "type": "fiscal", "discount": "health"}])],
        [{"item": "x", "payer": "a", "setup": 1000}],
        horizon=2,
        rate=0.10,
        intake=[1],
        extra_settings={"health_discount_rate": 0.0},
    )
    check(
        doc,
        {
            "pv_fiscal": 1050,
            "npv_fiscal": 50,
            "payback_year": 1,
            "by_agency.a.pv_cashable": 1050,
            "contract.parties.a": 50,
            "financial.public_sector_position": 50,
        },
    )


def cap_doc():
    # H 3, rate 0, intake [10, 10, 10], engagement 1, agency council.
    # PbR, above baseline, contract lag 1, stated margin 0.1, contract cap 1,900.
    # o1: w 0.5 -> 5 a cohort x price 100 = 500 a year in years 1, 2, 3;
    #     payment_cap 1,200; fiscal 200 to council -> 1,000 a year, years 0..2.
    # o2: w 0.3 -> 3 x 100 = 300 a year in years 1, 2, 3; no benefits.
    # Provider delivery: setup 2,000.
    return doc2(
        [
            outcome("o1", rate_with=0.5, price=100, payment_cap=1200, benefits=[fiscal("council", 200)]),
            outcome("o2", rate_with=0.3, price=100),
        ],
        [{"item": "delivery", "payer": "provider", "setup": 2000}],
        horizon=3,
        intake=[10, 10, 10],
        agencies=("council",),
        contract={
            "type": "payment_by_results",
            "payment_basis": "above_baseline",
            "payment_lag_years": 1,
            "provider_margin": 0.1,
            "cap": 1900,
            "outcome_payers": [{"agency": "council", "share": 1.0}],
        },
    )


def test_outcome_cap_then_contract_cap_pro_rata():
    # Year 1: o1 500, o2 300 (running 800). Year 2: o1 500 (its own running
    # total 1,000), o2 300 (running 1,600). Year 3: o1 due 500, its cap
    # leaves 1,200 - 1,000 = 200; o2 300; together 500, but the contract cap
    # leaves 1,900 - 1,600 = 300: cut pro rata, o1 200 x 300/500 = 120,
    # o2 300 x 300/500 = 180. Paid: o1 1,120, o2 780, total 1,900; year 3 is
    # after the horizon (years 0..2): payments_beyond_horizon 300, the
    # contract runs 4 years.
    # PbR: provider 1,900 - 2,000 = -100 (margin 0); council 3,000 - 1,900
    # = 1,100; premium 1,900 + 0 - 2,000 x 1.1 = -300 (stated margin).
    # Paid per valued outcome: o1 1,120 / 15, o2 780 / 9.
    # Council cash: 1,000 / 1,000 - 800 / 1,000 - 800 / -300.
    check(
        cap_doc(),
        {
            "contract.payments_cash_by_year": [0, 800, 800, 300],
            "contract.contract_years": 4,
            "contract.cap_binds": True,
            "contract.outcome_payments_total": 1_900,
            "contract.payments_beyond_horizon": 300,
            "contract.pv_outcome_payments": 1_900,
            "contract.parties.provider": -100,
            "contract.parties.council": 1_100,
            "contract.premium_over_fee_for_service": -300,
            "contract.paid_per_valued_outcome.o1": 1_120 / 15,
            "contract.paid_per_valued_outcome.o2": 780 / 9,
            "financial.by_year.council": [1_000, 200, 200, -300],
            "financial.total_cash.council": 1_100,
        },
    )


def test_outcome_cap_alone():
    # Without the contract cap, o1 stops at its own 1,200 (500, 500, 200)
    # and o2 is paid in full (900): 2,100, of which 200 + 300 after the horizon.
    doc = cap_doc()
    del doc["contract"]["cap"]
    check(
        doc,
        {
            "contract.payments_cash_by_year": [0, 800, 800, 500],
            "contract.outcome_payments_total": 2_100,
            "contract.payments_beyond_horizon": 500,
            "contract.paid_per_valued_outcome.o1": 1_200 / 15,
            "contract.paid_per_valued_outcome.o2": 900 / 9,
        },
    )


def test_per_outcome_payment_lag_and_discounting_after_horizon():
    # H 2, rate 10%, intake [10, 10]. o1 (contract lag 0): 5 x 100 = 500 in
    # years 0 and 1; o2 (payment_lag_years 3): 3 x 100 = 300 in years 3 and 4.
    # The contract runs 5 years; 600 after the horizon; PV 500 + 500/1.1 +
    # 300/1.1^3 + 300/1.1^4 = 1,384.8439 (factors carried on at 10%).
    # PbR with delivery 1,000 in year 0: provider 1,384.8439 - 1,000.
    doc = doc2(
        [outcome("o1", rate_with=0.5, price=100), outcome("o2", rate_with=0.3, price=100, payment_lag_years=3)],
        [{"item": "delivery", "payer": "provider", "setup": 1000}],
        horizon=2,
        rate=0.10,
        intake=[10, 10],
        agencies=("council",),
        contract={
            "type": "payment_by_results",
            "payment_lag_years": 0,
            "outcome_payers": [{"agency": "council", "share": 1.0}],
        },
    )
    pv = 500 + 500 / 1.1 + 300 / 1.1**3 + 300 / 1.1**4
    check(
        doc,
        {
            "contract.payments_cash_by_year": [500, 500, 0, 300, 300],
            "contract.contract_years": 5,
            "contract.outcome_payments_total": 1_600,
            "contract.payments_beyond_horizon": 600,
            "contract.pv_outcome_payments": pv,
            "contract.parties.provider": pv - 1000,
            "contract.parties.council": -pv,
            "financial.by_year.council": [-500, -500, 0, -300, -300],
            "contract.payment_basis": "above_baseline",  # the documented default
        },
    )


def hybrid_doc(ctype, fixed_share=0.3, investor_line=False):
    # H 2, rate 0, intake [10]; w 0.6, b 0.4 -> count (above baseline) 2,
    # x price 500 = 1,000 paid in year 1 (lag 1); fiscal 1000 to a -> 2,000
    # in year 0. Provider delivery setup 1,000; stated margin 0.1.
    costs = [{"item": "delivery", "payer": "provider", "setup": 1000}]
    if investor_line:
        costs.append({"item": "bond set-up", "payer": "investor", "setup": 50})
    return doc2(
        [outcome("o", rate_with=0.6, rate_without=0.4, price=500, benefits=[fiscal("a", 1000)])],
        costs,
        horizon=2,
        intake=[10],
        contract={
            "type": ctype,
            "payment_basis": "above_baseline",
            "payment_lag_years": 1,
            "provider_margin": 0.1,
            "fixed_share": fixed_share,
            "outcome_payers": [{"agency": "a", "share": 1.0}],
        },
    )


def test_fixed_share_hybrid_payment_by_results():
    # PbR: margin 0, so funded delivery is 1,000; a pays 0.3 x 1,000 = 300
    # as a fee, the provider carries 700.
    # provider = payments + fee - delivery = 1,000 + 300 - 1,000 = 300
    # a = 2,000 - 1,000 - 300 = 700 (sum 1,000 = 2,000 - 1,000 of costs)
    # premium = 1,000 + 300 - 1,000 x 1.1 = 200 (stated margin).
    # Switching: provider 1,000m - 700 -> m = 0.7; a 1,000m - 300 -> m = 0.3.
    # a's cash: 2,000 - 300 = 1,700, then -1,000.
    res = check(
        hybrid_doc("payment_by_results"),
        {
            "pv_costs": 1_000,
            "contract.parties.provider": 300,
            "contract.parties.a": 700,
            "contract.premium_over_fee_for_service": 200,
            "contract.switching_values.provider": 0.7,
            "contract.switching_values.a": 0.3,
            "contract.investor.irr": None,
            "financial.by_year.a": [1_700, -1_000],
        },
    )
    assert "investor" not in res["contract"]["parties"]


def test_fixed_share_hybrid_bond_with_investor_cost_line():
    # Bond: funded delivery 1,000 x 1.1 = 1,100; a pays 0.3 x 1,100 = 330 as
    # a fee; the investor funds 770 + its own line of 50 = 820 in year 0.
    # pv_costs 1,050 (the investor's line is a real cost; the margin is not).
    # investor 1,000 - 820 = 180; provider 1,000 x 0.1 = 100;
    # a 2,000 - 1,000 - 330 = 670 (sum 950 = 2,000 - 1,050).
    # Flows [-820, 1000]: peak 820, multiple 1000/820, irr = irr_real =
    # 1000/820 - 1 = 21.95% (no inflation). premium 1,000 + 330 - 1,100 = 230.
    # Switching: investor 1,000m - 820 -> m = 0.82.
    check(
        hybrid_doc("social_impact_bond", investor_line=True),
        {
            "pv_costs": 1_050,
            "npv_cashable": 950,
            "by_agency.provider.pv_costs": 1_000,
            "by_agency.a.pv_costs": 0.0,
            "contract.parties.investor": 180,
            "contract.parties.provider": 100,
            "contract.parties.a": 670,
            "contract.investor.peak_capital": 820,
            "contract.investor.multiple": 1000 / 820,
            "contract.investor.irr": 1000 / 820 - 1,
            "contract.investor.irr_real": 1000 / 820 - 1,
            "contract.premium_over_fee_for_service": 230,
            "contract.switching_values.investor": 0.82,
            "financial.by_year.a": [1_670, -1_000],
        },
    )


def test_fixed_share_ignored_outside_pbr_and_bonds():
    # Under fee_for_service a funds 1,100 in full whatever fixed_share says.
    for f in (0.0, 0.3):
        check(
            hybrid_doc("fee_for_service", fixed_share=f),
            {
                "contract.parties.a": 2_000 - 1_100,
                "contract.parties.provider": 100,
                "contract.premium_over_fee_for_service": None,
                "contract.paid_per_valued_outcome": None,
            },
        )


def donor_doc():
    # H 2, rate 0, start 2026, price base 2025 (default), inflation 0.1
    # (I_0 1.1, I_1 1.21), indexation none. Agencies council (public) and
    # trust (donor). intake [10], w 0.6, b 0.4 -> count 2 x price 500 = 1,000
    # cash in year 1 (lag 1), not indexed; fiscal 1000 to council -> 2,000
    # real in year 0. Bond, margin 0, provider setup 1,000; payers council
    # 0.6, trust 0.4.
    return doc2(
        [outcome("o", rate_with=0.6, rate_without=0.4, price=500, benefits=[fiscal("council", 1000)])],
        [{"item": "delivery", "payer": "provider", "setup": 1000}],
        horizon=2,
        intake=[10],
        agencies=("council", "trust"),
        kinds={"trust": "donor"},
        extra_settings={"inflation": 0.1},
        contract={
            "type": "social_impact_bond",
            "payment_lag_years": 1,
            "indexation": "none",
            "outcome_payers": [{"agency": "council", "share": 0.6}, {"agency": "trust", "share": 0.4}],
        },
    )


def test_donor_payer_left_out_of_public_sector_and_unindexed_prices():
    # Payment 1,000 cash in year 1 is 1,000 / 1.21 = 826.4463 real.
    # council 2,000 - 0.6 x 826.4463 = 1,504.1322; trust -0.4 x 826.4463 =
    # -330.5785; investor 826.4463 - 1,000 = -173.5537; provider 0.
    # public_sector_position = council only = 1,504.1322.
    # Cash: council 2,000 x 1.1 = 2,200, then -600; trust 0, -400.
    # Investor: cash [-1,100, 1,000] -> irr 1000/1100 - 1 = -9.09%, peak 1,100,
    # multiple 1000/1100; real [-1,000, 826.4463] -> irr_real -17.36%.
    # paid_per_valued_outcome 826.4463 / 2; premium 826.4463 - 1,000.
    real = 1000 / 1.21
    check(
        donor_doc(),
        {
            "contract.outcome_payments_total": 1_000,
            "contract.pv_outcome_payments": real,
            "contract.payments_beyond_horizon": 0.0,
            "contract.contract_years": 2,
            "contract.parties.council": 2000 - 0.6 * real,
            "contract.parties.trust": -0.4 * real,
            "contract.parties.investor": real - 1000,
            "contract.parties.provider": 0.0,
            "contract.investor.peak_capital": 1_100,
            "contract.investor.multiple": 1000 / 1100,
            "contract.investor.irr": 1000 / 1100 - 1,
            "contract.investor.irr_real": real / 1000 - 1,
            "contract.paid_per_valued_outcome.o": real / 2,
            "contract.premium_over_fee_for_service": real - 1000,
            "financial.by_year.council": [2_200, -600],
            "financial.by_year.trust": [0, -400],
            "financial.total_cash.trust": -400,
            "financial.public_sector_by_year": [2_200, -600],
            "financial.public_sector_total_cash": 1_600,
            "financial.public_sector_position": 2000 - 0.6 * real,
        },
    )


def test_price_base_year_sets_the_index():
    # Same as the donor case with price_base_year 2026 (= start_year): I_0 1,
    # I_1 1.1, so council's year-0 cash is 2,000 and the payment's real value
    # 1,000 / 1.1 = 909.0909.
    doc = donor_doc()
    doc["settings"]["price_base_year"] = 2026
    check(doc, {"financial.by_year.council": [2_000, -600], "contract.pv_outcome_payments": 1000 / 1.1})


def test_cost_uplift_reaches_contract_funding():
    # Grade 4 (15%) on the delivery line of example 2: delivery 1,150 real,
    # the investor funds 1,150 x 1.1 = 1,265 real = 1,391.5 cash; the
    # provider's margin 115. pv_costs 1,150.
    doc = worked_example_2()
    doc["nodes"][0]["costs"][0]["evidence_grade"] = 4
    check(
        doc,
        {
            "pv_costs": 1_150,
            "contract.parties.provider": 115,
            "contract.parties.investor": 1000 - 1265,
            "contract.investor.peak_capital": 1_391.5,
            "contract.premium_over_fee_for_service": 1000 - 1265,
        },
    )


# --------------------------------------------------------------------------
# (c) Reference self-checks on random format-2 scenarios
# --------------------------------------------------------------------------

KINDS = ["public", "public", "public", "donor", "people"]


@st.composite
def random_v2_scenarios(draw, ctype=None):
    """A random valid format-2 scenario: a format-1 one from
    test_against_reference.random_scenarios with format-2 keys drawn on top."""
    doc = draw(random_scenarios(ctype))
    doc["format"] = "toc-business-case/2"
    H = doc["settings"]["horizon_years"]
    s = doc["settings"]
    for a in doc["agencies"]:
        if draw(st.booleans()):
            a["kind"] = draw(st.sampled_from(KINDS))
    if draw(st.booleans()):
        s["price_base_year"] = s["start_year"] + draw(st.integers(-10, 3))
    if draw(st.booleans()):
        s["inflation"] = draw(st.integers(-50, 150)) / 1000
    if draw(st.booleans()):
        s["health_discount_rate"] = draw(st.integers(0, 60)) / 1000
    if draw(st.booleans()):
        doc["cohort"]["intake_timing"] = draw(st.sampled_from(["start", "mid"]))
    bond = doc["contract"]["type"] == "social_impact_bond"
    for node in doc["nodes"]:
        for line in node.get("costs", []):
            if draw(st.booleans()):
                line["evidence_grade"] = draw(st.integers(1, 6))
            if draw(st.integers(0, 2)) == 0:
                line["profile"] = draw(st.lists(st.integers(0, 100_000), min_size=1, max_size=H))
        if node["stage"] == "activity" and bond and draw(st.booleans()):
            node["costs"].append(
                {
                    "item": "bond costs",
                    "payer": "investor",
                    "setup": draw(st.integers(0, 100_000)),
                    "per_year": draw(st.integers(0, 20_000)),
                }
            )
        if node["stage"] == "outcome":
            if draw(st.booleans()):
                node["payment_lag_years"] = draw(st.integers(0, 8))
            if draw(st.integers(0, 2)) == 0:
                node["payment_cap"] = draw(st.integers(0, 2_000_000))
            for b in node["benefits"]:
                if b["type"] == "fiscal" and draw(st.booleans()):
                    b["transfer"] = draw(st.booleans())
                if draw(st.booleans()):
                    b["discount"] = draw(st.sampled_from(["standard", "health"]))
    k = doc["contract"]
    if draw(st.booleans()):
        k["indexation"] = draw(st.sampled_from(["none", "inflation"]))
    if draw(st.booleans()):
        k["fixed_share"] = draw(st.integers(0, 100)) / 100
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_v2_scenarios())
def test_reference_v2_invariants(doc):
    ref = ref2(doc)
    k = ref["contract"]
    # Transfers between parties cancel: positions add up to PV(cashable) - PV(costs).
    assert math.isclose(sum(k["parties"].values()), ref["npv_cashable"], rel_tol=1e-9, abs_tol=1e-5)
    # The contract's years cover the horizon and every payment; the financial
    # case has one figure per contract year.
    n = k["contract_years"]
    assert n >= doc["settings"]["horizon_years"] and len(k["payments_cash_by_year"]) == n
    assert all(len(v) == n for v in ref["financial"]["by_year"].values())
    assert math.isclose(sum(k["payments_cash_by_year"]), k["outcome_payments_total"], rel_tol=1e-9, abs_tol=1e-6)
    # Caps are cash sums.
    cap = doc["contract"].get("cap")
    if cap is not None:
        assert k["outcome_payments_total"] <= cap * (1 + 1e-12) + 1e-6
    # Public value never counts a transfer; fiscal does.
    assert math.isclose(
        ref["npv_public_value"] + ref["pv_transfers"],
        ref["pv_fiscal"] + ref["pv_economic"] + ref["pv_social"] - ref["pv_costs"],
        rel_tol=1e-9,
        abs_tol=1e-5,
    )
    for roots_key, flows_key in (("irr_roots", "flows"), ("irr_real_roots", "flows_real")):
        for x in k["investor"].get(roots_key, []):
            flows = k["investor"][flows_key]
            scale = sum(abs(f) * (1 + x) ** -t for t, f in enumerate(flows))
            assert abs(sum(f * (1 + x) ** -t for t, f in enumerate(flows))) < 1e-9 * scale


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_v2_scenarios())
def test_reference_v2_cash_equals_positions_without_discounting_or_inflation(doc):
    # At 0% (health rate too) and no inflation, an agency's total cash over
    # the contract's years is its position.
    doc["settings"].update(discount_rate=0.0, health_discount_rate=0.0, inflation=0.0)
    ref = ref2(doc)
    for a, total in ref["financial"]["total_cash"].items():
        assert math.isclose(total, ref["contract"]["parties"][a], rel_tol=1e-9, abs_tol=1e-5), a


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_v2_scenarios())
def test_reference_v2_fast_positions_equal_full_recomputation(doc):
    # The switching search scales PV(cashable) by m and redoes only the
    # payments; recompute every flow at a few m and compare.
    ref = ref2(doc)
    p = reference_calc_v2._prepare_v2(doc)
    assert positions_at_v2(p, 1.0) == pytest.approx(ref["contract"]["parties"], rel=1e-9, abs=1e-6)
    # The building blocks at m = 1, as reference_evaluate_v2 makes them.
    cost_flows = reference_calc_v2._cost_flows_v2(p)
    dfs, hdfs = reference_calc_v2._dfs(p, p["horizon"])
    pv_cash, pv_own = {}, {}
    for line in reference_calc_v2._benefit_flows_v2(p, 1.0):
        if line["type"] == "fiscal":
            pv = reference_calc_v2.present_value(line["flows"], hdfs if line["health"] else dfs)
            pv_cash[line["agency"]] = pv_cash.get(line["agency"], 0.0) + line["cashable"] * pv
    for line, flows in zip(p["cost_lines"], cost_flows):
        if line["payer"] in p["kinds"]:
            pv_own[line["payer"]] = pv_own.get(line["payer"], 0.0) + reference_calc_v2.present_value(flows, dfs)
    fund = reference_calc_v2._funding(p, cost_flows)
    for m in (0.0, 0.37, 1.0, 1.9, 3.0):
        fast = reference_calc_v2.fast_positions_v2(p, pv_cash, pv_own, fund, m)
        assert fast == pytest.approx(positions_at_v2(p, m), rel=1e-9, abs=1e-6), m
    for party, m in ref["contract"]["switching_values"].items():
        if m is None:
            continue
        # Just before m the sign is still that of m = 0 (or 0 is reached at m).
        at0 = positions_at_v2(p, 0.0)[party]
        before = positions_at_v2(p, max(0.0, m - 1e-6))[party]
        assert before == 0 or (before > 0) == (at0 > 0) or abs(before) < 1e-3 * (1 + abs(at0))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_scenarios())
def test_reference_v2_on_format1_files_agrees_with_reference_v1(doc):
    # A format-1 file means what it meant, except that payments after the
    # horizon now count: every headline figure is the same, and so is every
    # contract figure when nothing is paid after the horizon.
    v1 = reference_calc.reference_evaluate(doc)
    v2 = ref2(doc)
    for key in (
        "pv_costs",
        "pv_fiscal",
        "pv_cashable",
        "pv_economic",
        "pv_social",
        "npv_fiscal",
        "npv_public_value",
        "npv_cashable",
    ):
        assert math.isclose(v1[key], v2[key], **TOL), key
    # The one other change: nothing to pay back (no costs, no savings) is "not yet", not year 0.
    nothing = all(y["costs"] == 0 and y["fiscal"] == 0 for y in v2["by_year"])
    assert v2["payback_year"] == (None if nothing else v1["payback_year"])
    assert v2["pv_transfers"] == 0.0
    for a, row in v1["by_agency"].items():
        for key, v in row.items():
            assert math.isclose(v, v2["by_agency"][a][key], **TOL), (a, key)
    if v1["contract"]["payments_beyond_horizon"] == 0 and v2["contract"]["payments_beyond_horizon"] == 0:
        for party, v in v1["contract"]["parties"].items():
            assert math.isclose(v, v2["contract"]["parties"][party], **TOL), party
        for key in ("outcome_payments_total", "pv_outcome_payments"):
            assert math.isclose(v1["contract"][key], v2["contract"][key], **TOL), key
        i1, i2 = v1["contract"]["investor"], v2["contract"]["investor"]
        assert i1["irr"] == i2["irr"] or math.isclose(i1["irr"], i2["irr"], **IRR_TOL)
    else:
        # v1 leaves them out, v2 counts them.
        assert v2["contract"]["outcome_payments_total"] >= v1["contract"]["outcome_payments_total"] - 1e-6


# --------------------------------------------------------------------------
# (d) The engine against the reference
# --------------------------------------------------------------------------

HEADLINE = (
    "pv_costs",
    "pv_fiscal",
    "pv_transfers",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
)
BY_AGENCY = ("pv_costs", "pv_fiscal", "pv_cashable", "pv_economic", "pv_social")
BY_YEAR = ("costs", "fiscal", "cashable", "economic", "social")


def engine_evaluate_v2(doc: dict) -> dict:
    """The engine's evaluate --json object, going through YAML as a user's file would."""
    from logic import evaluate, load_scenario

    sc = load_scenario(yaml.safe_dump(doc, sort_keys=False))
    return evaluate(sc).to_dict()


def _close(a, b, tol=TOL):
    if a is None or b is None or isinstance(a, (bool, str)) or isinstance(b, (bool, str)):
        return a == b
    return math.isclose(a, b, **tol)


def compare_results(doc: dict, ref: dict, eng: dict) -> list:
    """Every figure the brief names, reference against engine; a list of problems."""
    bad = []
    missing = object()

    def get(d, path):
        try:
            return dig(d, path)
        except (KeyError, IndexError, TypeError, ValueError):
            return missing

    def same(path, tol=TOL):
        r, e = get(ref, path), get(eng, path)
        if e is missing:
            bad.append(f"{path}: missing in engine (reference {r!r})")
        elif isinstance(r, list):
            if not isinstance(e, list) or len(e) != len(r):
                bad.append(f"{path}: reference {r!r} engine {e!r}")
            elif not all(_close(x, y, tol) for x, y in zip(r, e)):
                bad.append(f"{path}: reference {r!r} engine {e!r}")
        elif not _close(r, e, tol):
            bad.append(f"{path}: reference {r!r} engine {e!r}")

    def same_roots(path, roots):
        # None iff the reference finds no root in (-100%, 1000%]; else the
        # engine's must be one of the reference's roots.
        got = get(eng, path)
        if got is missing:
            bad.append(f"{path}: missing in engine")
        elif not roots and got is not None:
            bad.append(f"{path}: engine {got}, reference finds no root")
        elif roots and (got is None or not any(math.isclose(got, x, **IRR_TOL) for x in roots)):
            bad.append(f"{path}: engine {got}, reference roots {roots}")

    for key in HEADLINE:
        same(key)
    if get(eng, "payback_year") != ref["payback_year"]:
        bad.append(f"payback_year: reference {ref['payback_year']} engine {get(eng, 'payback_year')!r}")
    agencies = [a["id"] for a in doc["agencies"]]
    for a in agencies + ["provider"]:
        for key in BY_AGENCY:
            same(f"by_agency.{a}.{key}")
    for oid in ref["additional_outcomes"]:
        same(f"additional_outcomes.{oid}")
    for t in range(doc["settings"]["horizon_years"]):
        for key in BY_YEAR:
            same(f"by_year.{t}.{key}")

    rc_ = ref["contract"]
    for key in (
        "type",
        "outcome_payments_total",
        "pv_outcome_payments",
        "payments_beyond_horizon",
        "premium_over_fee_for_service",
    ):
        same(f"contract.{key}")
    eng_parties = get(eng, "contract.parties")
    if eng_parties is missing or set(eng_parties) != set(rc_["parties"]):
        bad.append(f"contract.parties: reference {sorted(rc_['parties'])} engine {eng_parties!r:.200}")
    for party in rc_["parties"]:
        same(f"contract.parties.{party}")
    at0 = positions_at_v2(doc, 0.0)
    for party in rc_["switching_values"]:
        if abs(at0[party]) < 1e-6:
            continue  # "its sign at m = 0" is undefined
        same(f"contract.switching_values.{party}")
    for key in ("peak_capital", "multiple"):
        same(f"contract.investor.{key}")
    inv = rc_["investor"]
    if rc_["type"] == "social_impact_bond":
        same_roots("contract.investor.irr", inv["irr_roots"])
        same_roots("contract.investor.irr_real", inv["irr_real_roots"])
    else:
        same("contract.investor.irr")
        same("contract.investor.irr_real")
    per = rc_["paid_per_valued_outcome"]
    if per is None:
        same("contract.paid_per_valued_outcome")
    else:
        for oid in per:
            same(f"contract.paid_per_valued_outcome.{oid}")

    for a in agencies:
        same(f"financial.by_year.{a}")
        same(f"financial.total_cash.{a}")
    for key in ("public_sector_by_year", "public_sector_total_cash", "public_sector_position"):
        same(f"financial.{key}")
    return bad


def compare_engine(doc: dict) -> list:
    """Reference against engine for one scenario dict. If the engine refuses
    the document (format 2 not accepted yet), that is the one problem."""
    try:
        eng = engine_evaluate_v2(copy.deepcopy(doc))
    except Exception as exc:  # noqa: BLE001 - any refusal is a failure to report
        return [f"engine refused the document: {type(exc).__name__}: {str(exc)[:500]}"]
    return compare_results(doc, ref2(doc), eng)


def assert_engine_matches(doc):
    problems = compare_engine(doc)
    assert not problems, yaml.safe_dump(doc, sort_keys=False) + "\n" + "\n".join(problems[:30])


def test_compare_results_helper_finds_differences():
    # The comparison itself, without the engine: the reference against
    # itself is clean, and a changed figure is reported.
    doc = donor_doc()
    ref = ref2(doc)
    assert compare_results(doc, ref, copy.deepcopy(ref)) == []
    changed = copy.deepcopy(ref)
    changed["financial"]["by_year"]["trust"][1] += 1
    changed["contract"]["investor"]["irr_real"] = 0.5
    del changed["pv_transfers"]
    problems = compare_results(doc, ref, changed)
    assert len(problems) == 3, problems


HAND_DOCS = {
    "worked_example_1": worked_example_1,
    "worked_example_2": worked_example_2,
    "transfers": transfers_doc,
    "health_green_book_35": lambda: health_doc(35),
    "health_green_book_80": lambda: health_doc(80),
    "outcome_and_contract_caps": cap_doc,
    "hybrid_pbr": lambda: hybrid_doc("payment_by_results"),
    "hybrid_bond_investor_line": lambda: hybrid_doc("social_impact_bond", investor_line=True),
    "donor_inflation": donor_doc,
}


@pytest.mark.parametrize("name", sorted(HAND_DOCS))
def test_engine_matches_reference_v2_hand_cases(name):
    assert_engine_matches(HAND_DOCS[name]())


@pytest.mark.parametrize("ctype", CONTRACT_TYPES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engine_matches_reference_v2_random(ctype, data):
    assert_engine_matches(data.draw(random_v2_scenarios(ctype), label="scenario"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_scenarios())
def test_engine_matches_reference_v2_on_format1_files(doc):
    # DESIGN: a format-1 file gives the same figures under the format-2
    # engine, payments after the horizon now included.
    assert_engine_matches(doc)

"""The engine (logic/) against an independent reference (reference_calc.py)
and against figures worked out by hand from DESIGN.md.

Layout:
  (a) hand-worked examples, arithmetic in the comments
  (b) hand-written scenarios, one feature each
  (c) the outcomes contract: types, bases, cap, lag, payers, investor, risk share
  (d) random valid scenarios (hypothesis): every figure, engine vs reference

Every hand-worked test checks the reference AND the engine, so a wrong hand
figure would show up as a reference failure, not as an engine bug. Until the
engine exists, the engine half is skipped and the reference is still checked.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy_financial as npf
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

try:  # tests/ may or may not be a package
    from . import reference_calc, reference_calc_v2
except ImportError:
    import reference_calc
    import reference_calc_v2
discount_factors = reference_calc.discount_factors
irr_roots = reference_calc.irr_roots
positions_at = reference_calc.positions_at
# Format-1 files are evaluated by the format-2 rules (DESIGN.md): the one change of meaning is that
# outcome payments after the horizon now count. The format-2 reference reads them so.
reference_evaluate = reference_calc_v2.reference_evaluate_v2

TOL = dict(rel_tol=1e-6, abs_tol=1e-6)

ROOT = Path(__file__).resolve().parents[1]
ENGINE_PRESENT = (ROOT / "logic" / "__init__.py").exists()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def engine_evaluate(doc: dict):
    """The engine's to_dict() for the scenario, going through YAML exactly as
    a user's file would; None while logic/ is not written yet. Once it is,
    an import error is a failure, not a silent skip."""
    if not ENGINE_PRESENT:
        return None
    from logic import evaluate, load_scenario

    sc = load_scenario(yaml.safe_dump(doc, sort_keys=False))
    return evaluate(sc).to_dict()


def results(doc: dict):
    """(label, figures) for the reference and, where it exists, the engine."""
    out = [("reference", reference_evaluate(doc))]
    eng = engine_evaluate(doc)
    if eng is not None:
        out.append(("engine", eng))
    return out


def dig(d, path: str):
    """'contract.parties.nhs' or 'by_year.3.fiscal' -> the value."""
    for key in path.split("."):
        d = d[int(key)] if isinstance(d, list) else d[key]
    return d


def check(doc: dict, expected: dict):
    """Every path in `expected` equals its value in reference and engine."""
    problems = []
    for label, res in results(doc):
        for path, want in expected.items():
            got = dig(res, path)
            if want is None or isinstance(want, (bool, str)) or isinstance(got, bool):
                ok = got == want
            elif isinstance(want, int) and path == "payback_year":
                ok = got == want
            else:
                ok = got is not None and math.isclose(got, want, **TOL)
            if not ok:
                problems.append(f"{label}: {path} = {got!r}, expected {want!r}")
    assert not problems, "\n".join(problems)


def scenario(
    outcomes,
    costs,
    *,
    horizon=5,
    rate=0.0,
    schedule="constant",
    intake=(1,),
    engagement=1.0,
    agencies=("council",),
    contract=None,
    optimism_bias=None,
):
    """A minimal valid scenario: one activity holding `costs`, the given
    outcome nodes, an edge from the activity to each outcome."""
    st_ = {
        "start_year": 2026,
        "horizon_years": horizon,
        "discount_rate": rate,
        "discount_schedule": schedule,
        "currency": "GBP",
    }
    if optimism_bias is not None:
        st_["optimism_bias"] = optimism_bias
    doc = {
        "format": "toc-business-case/1",
        "name": "test",
        "settings": st_,
        "agencies": [{"id": a, "name": a.title()} for a in agencies],
        "cohort": {"intake": list(intake), "engagement_rate": engagement},
        "nodes": [{"id": "act", "stage": "activity", "label": "Activity", "costs": list(costs)}]
        + [dict(o, stage="outcome", label=o["id"]) for o in outcomes],
        "edges": [{"source": "act", "target": o["id"], "strength": "medium"} for o in outcomes],
    }
    if contract is not None:
        doc["contract"] = contract
    return doc


def outcome(id_="out", **kw):
    base = {
        "id": id_,
        "rate_with": 1.0,
        "rate_without": 0.0,
        "evidence_grade": 1,
        "lag_years": 0,
        "duration_years": 1,
        "benefits": [],
    }
    base.update(kw)
    return base


def fiscal(agency, value, cashable=None, type_="fiscal"):
    line = {"agency": agency, "value": value, "type": type_}
    if cashable is not None:
        line["cashable"] = cashable
    return line


# --------------------------------------------------------------------------
# (a) Hand-worked examples
# --------------------------------------------------------------------------


def green_book_example(value):
    # 1,000,000 set-up in year 0 paid by the council; one person, engaged,
    # certain to achieve the outcome (w=1, b=0), grade 1 (OB 0), benefit
    # starting one year after intake (lag 1) for 10 years: years 1..10.
    return scenario(
        [outcome(lag_years=1, duration_years=10, benefits=[fiscal("council", value)])],
        [{"item": "set-up", "payer": "council", "setup": 1_000_000}],
        horizon=11,
        rate=0.035,
    )


def test_green_book_example_150k():
    # 10-year annuity factor at 3.5%: (1 - 1.035^-10) / 0.035 = 8.3166053226
    # PV benefits = 150,000 x 8.3166053226 = 1,247,490.80
    # npv_fiscal  = 1,247,490.80 - 1,000,000 = 247,490.80 (by hand; also
    # npf.npv(0.035, [-1e6] + [150000]*10) = 247,490.7984, asserted below)
    assert math.isclose(npf.npv(0.035, [-1e6] + [150_000] * 10), 247_490.80, abs_tol=0.01)
    # Payback: cumulative discounted net >= 0 first when the annuity factor
    # reaches 1e6/150k = 6.667: a(7) = 6.1145, a(8) = 6.8740 -> year index 8.
    check(
        green_book_example(150_000),
        {
            "npv_fiscal": 247_490.79838669,
            "pv_costs": 1_000_000,
            "pv_fiscal": 1_247_490.79838669,
            "bcr_fiscal": 1.24749079838669,
            "payback_year": 8,
            "additional_outcomes.out": 1.0,
            "by_agency.council.pv_costs": 1_000_000,
            "by_agency.council.pv_cashable": 1_247_490.79838669,  # cashable defaults to 1
            "by_agency.provider.pv_costs": 0.0,
            "by_year.0.costs": 1_000_000,
            "by_year.0.fiscal": 0.0,
            "by_year.1.fiscal": 150_000,
            "by_year.10.fiscal": 150_000,
            "by_year.10.year": 2036,
            "by_year.10.discount_factor": 1.035**-10,
            "by_year.10.cumulative_discounted_net_fiscal": 247_490.79838669,
        },
    )
    for _, res in results(green_book_example(150_000)):
        assert abs(res["npv_fiscal"] - 247_490.80) < 0.01


def test_green_book_example_100k():
    # 100,000 x 8.3166053226 - 1,000,000 = -168,339.47 (by hand; numpy_financial
    # gives -168,339.4677). Never pays back within the 11 years.
    assert math.isclose(npf.npv(0.035, [-1e6] + [100_000] * 10), -168_339.47, abs_tol=0.01)
    check(green_book_example(100_000), {"npv_fiscal": -168_339.4677422063, "payback_year": None})
    for _, res in results(green_book_example(100_000)):
        assert abs(res["npv_fiscal"] - -168_339.47) < 0.01


# --------------------------------------------------------------------------
# (b) Hand-written scenarios, one feature each
# --------------------------------------------------------------------------


def lag_doc(rate, grade=4):
    # intake 100, engagement 0.5 -> P = 50; w 0.6, b 0.2 -> 50 x 0.4 = 20;
    # attribution 0.5, displacement 0.25 -> N = 20 x 0.5 x 0.75 = 7.5.
    return scenario(
        [
            outcome(
                rate_with=0.6,
                rate_without=0.2,
                attribution=0.5,
                displacement=0.25,
                evidence_grade=grade,
                lag_years=2,
                duration_years=3,
                drop_off=0.2,
                benefits=[fiscal("council", 1000)],
            )
        ],
        [],
        horizon=6,
        rate=rate,
        intake=[100],
        engagement=0.5,
    )


def test_lag_duration_dropoff_attribution_displacement():
    # Grade 4 -> OB 0.15: valued 7.5 x 0.85 = 6.375 per year of benefit.
    # lag 2, duration 3, drop-off 0.2: years 2, 3, 4 get
    #   6.375 x 1000 x 0.8^0 = 6375, x 0.8 = 5100, x 0.64 = 4080.
    # At 0%: PV 15,555. At 10%: 6375/1.1^2 + 5100/1.1^3 + 4080/1.1^4 = 11,886.9954.
    # No costs: bcr undefined (None), payback in year 0 (cumulative 0 >= 0).
    expected = {
        "additional_outcomes.out": 7.5,
        "by_year.1.fiscal": 0.0,
        "by_year.2.fiscal": 6375,
        "by_year.3.fiscal": 5100,
        "by_year.4.fiscal": 4080,
        "by_year.5.fiscal": 0.0,
        "pv_fiscal": 15_555,
        "npv_fiscal": 15_555,
        "bcr_fiscal": None,
        "bcr_public_value": None,
        "payback_year": 0,
    }
    check(lag_doc(0.0), expected)
    check(lag_doc(0.10), {"pv_fiscal": 11_886.995423809847, "by_year.4.discount_factor": 1.1**-4})


@pytest.mark.parametrize("grade,ob", [(1, 0.0), (2, 0.05), (3, 0.10), (4, 0.15), (5, 0.25), (6, 0.40)])
def test_optimism_bias_by_grade(grade, ob):
    # Same scenario at 0%: 7.5 additional outcomes (OB never touches the
    # count) and benefits 7.5 x (1 - OB) x 1000 x (1 + 0.8 + 0.64).
    check(lag_doc(0.0, grade), {"additional_outcomes.out": 7.5, "pv_fiscal": 7.5 * (1 - ob) * 1000 * 2.44})


def test_custom_optimism_bias_table():
    # A full replacement table: grade 4 now carries 50% -> 7.5 x 0.5 x 2440.
    doc = lag_doc(0.0, 4)
    doc["settings"]["optimism_bias"] = {1: 0.0, 2: 0.1, 3: 0.2, 4: 0.5, 5: 0.6, 6: 0.7}
    check(doc, {"pv_fiscal": 9150.0})


def wrong_pocket_doc(contract=None):
    # Two agencies, intake [10, 0, 20] (engagement 1), w 0.5 -> N_0 = 5, N_2 = 10
    # (benefits in the intake year only: lag 0, duration 1). Grade 1.
    out = outcome(
        rate_with=0.5,
        benefits=[
            fiscal("council", 1000, cashable=0.6),
            fiscal("nhs", 500),
            fiscal("council", 200, type_="economic"),
            fiscal("nhs", 300, type_="social"),
        ],
    )
    costs = [
        {"item": "council staff", "payer": "council", "setup": 1000, "per_year": 2000, "per_participant": 10},
        {"item": "delivery", "payer": "provider", "per_participant": 100},
    ]
    return scenario([out], costs, horizon=4, intake=[10, 0, 20], agencies=("council", "nhs"), contract=contract)


def test_cashable_split_benefit_types_and_agencies():
    # Benefits, years 0 and 2 (x5 then x10 outcomes):
    #   council fiscal 1000 (60% cashable): 5000, 10000 -> 15000, cashable 9000
    #   nhs fiscal 500 (cashable 1):        2500, 5000  -> 7500, cashable 7500
    #   council economic 200: 3000; nhs social 300: 4500
    # Costs: council 1000 setup + 2000 per_year in years 0 and 2 only (year 1
    # has no intake) + 10 x P_t: year 0 3100, year 2 2200 -> 5300;
    # provider 100 x P_t: 1000 + 2000 = 3000. Total 8300 (year 0 4100, year 2 4200).
    # npv_fiscal 22500 - 8300 = 14200; npv_cashable 16500 - 8300 = 8200;
    # npv_public_value 22500 + 3000 + 4500 - 8300 = 21700.
    check(
        wrong_pocket_doc(),
        {
            "pv_costs": 8300,
            "pv_fiscal": 22500,
            "pv_cashable": 16500,
            "pv_economic": 3000,
            "pv_social": 4500,
            "npv_fiscal": 14200,
            "npv_cashable": 8200,
            "npv_public_value": 21700,
            "bcr_fiscal": 22500 / 8300,
            "bcr_public_value": 30000 / 8300,
            "by_year.0.costs": 4100,
            "by_year.1.costs": 0.0,
            "by_year.2.costs": 4200,
            "by_year.0.cashable": 5500,
            "by_year.2.economic": 2000,
            "by_year.2.social": 3000,
            "by_year.2.net_fiscal": 15000 - 4200,
            "by_year.1.cumulative_discounted_net_fiscal": 3400,
            "by_agency.council.pv_costs": 5300,
            "by_agency.council.pv_fiscal": 15000,
            "by_agency.council.pv_cashable": 9000,
            "by_agency.council.pv_economic": 3000,
            "by_agency.council.pv_social": 0.0,
            "by_agency.nhs.pv_costs": 0.0,
            "by_agency.nhs.pv_fiscal": 7500,
            "by_agency.nhs.pv_cashable": 7500,
            "by_agency.nhs.pv_social": 4500,
            "by_agency.provider.pv_costs": 3000,
            "by_agency.provider.pv_fiscal": 0.0,
            # No contract block: type none, the first agency (council) funds the
            # 3000 of delivery; council 9000 - 5300 - 3000 = 700, nhs 7500, provider 0.
            "contract.type": "none",
            "contract.parties.council": 700,
            "contract.parties.nhs": 7500,
            "contract.parties.provider": 0.0,
            "contract.outcome_payments_total": 0.0,
            "contract.investor.irr": None,
        },
    )


@pytest.mark.parametrize(
    "lag,schedule,rate,df",
    [
        (30, "green_book", 0.035, 1.035**-30),  # last year at r
        (31, "green_book", 0.035, 1.035**-30 / 1.03),  # first year at 3.0%
        (35, "green_book", 0.035, 1.035**-30 * 1.03**-5),  # 0.30732888667
        (35, "constant", 0.035, 1.035**-35),  # 0.29997686166
        (35, "green_book", 0.05, 1.05**-30 * 1.03**-5),  # r is the scenario's rate
        (80, "green_book", 0.035, 1.035**-30 * 1.03**-45 * 1.025**-5),  # 0.08327124684
    ],
)
def test_green_book_declining_rates(lag, schedule, rate, df):
    # One benefit of 1,000,000 in year `lag`: its PV is 1e6 x DF_lag.
    doc = scenario(
        [outcome(lag_years=lag, benefits=[fiscal("council", 1_000_000)])],
        [],
        horizon=lag + 1,
        rate=rate,
        schedule=schedule,
    )
    check(doc, {"pv_fiscal": 1e6 * df, f"by_year.{lag}.discount_factor": df})


def test_negative_additional_outcomes_are_reported_not_clipped():
    # w 0.2 < b 0.5: N = 10 x (0.2 - 0.5) = -3 outcomes; benefit -3 x 1000.
    # Costs 1000: npv -4000; the running total never turns >= 0: no payback.
    doc = scenario(
        [outcome(rate_with=0.2, rate_without=0.5, benefits=[fiscal("council", 1000)])],
        [{"item": "x", "payer": "council", "setup": 1000}],
        horizon=3,
        intake=[10],
    )
    check(
        doc,
        {
            "additional_outcomes.out": -3.0,
            "pv_fiscal": -3000,
            "npv_fiscal": -4000,
            "payback_year": None,
            "bcr_fiscal": -3.0,
        },
    )


# --------------------------------------------------------------------------
# (c) The outcomes contract
# --------------------------------------------------------------------------
# Shared scenario, 0% unless stated, H = 5, agencies council and nhs:
#   intake [100, 100, 100] x engagement 0.5 -> P = 50 in years 0..2
#   provider delivery: setup 10000 + 400/participant -> D = [30000, 20000, 20000, 0, 0] = 70000
#   council own line: setup 5000; nhs own line: 1000 per intake year -> 3000
#   outcome w 0.6, b 0.2, attribution 0.5, grade 3 (OB 0.1), price 1000:
#     N_c = 50 x 0.4 x 0.5 = 10, valued 9; council fiscal 2000 at 50% cashable
#     -> 9000 cash a year (27000), nhs fiscal 500 -> 4500 a year (13500)
#     gross count 50 x 0.6 = 30 -> 30000 a cohort (90000);
#     above baseline 50 x 0.4 = 20 -> 20000 a cohort (60000)
# With performance m, cash is 27000m (council), 13500m (nhs); payments are
# 30000 + 60000m a cohort-year in total (gross) or 60000m (above baseline).


def contract_doc(type_, basis="above_baseline", lag=1, cap=None, margin=0.05, rate=0.0):
    k = {
        "type": type_,
        "payment_basis": basis,
        "payment_lag_years": lag,
        "provider_margin": margin,
        "outcome_payers": [{"agency": "council", "share": 0.8}, {"agency": "nhs", "share": 0.2}],
    }
    if cap is not None:
        k["cap"] = cap
    out = outcome(
        rate_with=0.6,
        rate_without=0.2,
        attribution=0.5,
        evidence_grade=3,
        price=1000,
        benefits=[fiscal("council", 2000, cashable=0.5), fiscal("nhs", 500)],
    )
    costs = [
        {"item": "delivery", "payer": "provider", "setup": 10000, "per_participant": 400},
        {"item": "council", "payer": "council", "setup": 5000},
        {"item": "nhs", "payer": "nhs", "per_year": 1000},
    ]
    return scenario(
        [out],
        costs,
        horizon=5,
        rate=rate,
        intake=[100, 100, 100],
        engagement=0.5,
        agencies=("council", "nhs"),
        contract=k,
    )


def test_contract_headlines_do_not_depend_on_contract():
    # Costs 70000 + 5000 + 3000 = 78000; fiscal 22500 x 3 = 67500; outcome
    # payments are transfers, so the headline figures are the same under all types.
    for t in ("none", "fee_for_service", "payment_by_results", "social_impact_bond"):
        check(
            contract_doc(t),
            {
                "pv_costs": 78000,
                "pv_fiscal": 67500,
                "pv_cashable": 40500,
                "npv_fiscal": -10500,
                "additional_outcomes.out": 30.0,
            },
        )


def test_contract_none():
    # Council (listed first) funds delivery x 1.05 = 73500; no payments.
    # council 27000 - 5000 - 73500 = -51500 -> 27000m - 78500 = 0 at m = 2.9074
    # nhs 13500 - 3000 = 10500 -> 13500m - 3000 = 0 at m = 0.2222
    # provider 70000 x 0.05 = 3500, never changes sign.
    check(
        contract_doc("none"),
        {
            "contract.outcome_payments_total": 0.0,
            "contract.pv_outcome_payments": 0.0,
            "contract.payments_beyond_horizon": 0.0,
            "contract.cap_binds": False,
            "contract.parties.council": -51500,
            "contract.parties.nhs": 10500,
            "contract.parties.provider": 3500,
            "contract.switching_values.council": 78500 / 27000,
            "contract.switching_values.nhs": 3000 / 13500,
            "contract.switching_values.provider": None,
            "contract.investor.peak_capital": None,
            "contract.investor.multiple": None,
        },
    )
    for _, res in results(contract_doc("none")):
        assert set(res["contract"]["parties"]) == {"council", "nhs", "provider"}


def test_contract_fee_for_service():
    # Payers fund 73500 by share: council 58800, nhs 14700; prices ignored.
    # council 27000 - 5000 - 58800 = -36800 -> 27000m = 63800 at m = 2.36296
    # nhs 13500 - 3000 - 14700 = -4200 -> 13500m = 17700 at m = 1.31111
    check(
        contract_doc("fee_for_service"),
        {
            "contract.outcome_payments_total": 0.0,
            "contract.parties.council": -36800,
            "contract.parties.nhs": -4200,
            "contract.parties.provider": 3500,
            "contract.switching_values.council": 63800 / 27000,
            "contract.switching_values.nhs": 17700 / 13500,
        },
    )


def test_contract_payment_by_results():
    # Above baseline, lag 1: payments [0, 20000, 20000, 20000, 0] = 60000.
    # The provider carries delivery, margin 0: 60000 - 70000 = -10000,
    # switching where 60000m = 70000: m = 7/6. Agencies pay 48000 / 12000:
    # council 27000 - 5000 - 48000 = -26000; nhs 13500 - 3000 - 12000 = -1500
    # (1500m - 3000: switches at m = 2).
    check(
        contract_doc("payment_by_results"),
        {
            "contract.outcome_payments_total": 60000,
            "contract.pv_outcome_payments": 60000,
            "contract.parties.council": -26000,
            "contract.parties.nhs": -1500,
            "contract.parties.provider": -10000,
            "contract.switching_values.provider": 7 / 6,
            "contract.switching_values.nhs": 2.0,
            "contract.switching_values.council": None,
            "contract.investor.irr": None,
        },
    )
    for _, res in results(contract_doc("payment_by_results")):
        assert "investor" not in res["contract"]["parties"]


def test_social_impact_bond_above_baseline():
    # Investor funds [31500, 21000, 21000, 0, 0] = 73500, receives
    # [0, 20000, 20000, 20000, 0]: flows [-31500, -1000, -1000, 20000, 0].
    # Cumulative -31500, -32500, -33500, -13500 -> peak capital 33500.
    # Position -13500 (60000m - 73500: m = 1.225); multiple 60000/73500.
    # IRR: npf.irr on those flows = -0.16312.
    flows = [-31500, -1000, -1000, 20000, 0]
    check(
        contract_doc("social_impact_bond"),
        {
            "contract.type": "social_impact_bond",
            "contract.payment_basis": "above_baseline",
            "contract.parties.investor": -13500,
            "contract.parties.provider": 3500,
            "contract.parties.council": -26000,
            "contract.parties.nhs": -1500,
            "contract.switching_values.investor": 1.225,
            "contract.switching_values.nhs": 2.0,
            "contract.switching_values.provider": None,
            "contract.investor.peak_capital": 33500,
            "contract.investor.multiple": 60000 / 73500,
            "contract.investor.irr": float(npf.irr(flows)),
        },
    )


def test_social_impact_bond_gross_discounted():
    # Gross: 30000 a year in years 1..3; flows [-31500, 9000, 9000, 30000, 0]
    # (cumulative -31500, -22500, -13500, 16500: peak 31500, multiple 90000/73500).
    # At 3.5%: investor = npf.npv(0.035, flows) = 12655.53; payments PV 84049.11;
    # IRR = npf.irr(flows) = 0.193589. Switching, at 0%: payments total
    # 3 x 50 x (0.2 + 0.4m) x 1000 = 30000 + 60000m against 73500 of funding
    # -> m = 43500/60000 = 0.725.
    flows = [-31500, 9000, 9000, 30000, 0]
    check(
        contract_doc("social_impact_bond", "gross", rate=0.035),
        {
            "contract.parties.investor": npf.npv(0.035, flows),
            "contract.pv_outcome_payments": npf.npv(0.035, [0, 30000, 30000, 30000, 0]),
            "contract.outcome_payments_total": 90000,
            "contract.investor.peak_capital": 31500,
            "contract.investor.multiple": 90000 / 73500,
            "contract.investor.irr": float(npf.irr(flows)),
        },
    )
    check(contract_doc("social_impact_bond", "gross"), {"contract.switching_values.investor": 0.725})


def test_cap_binds_mid_year():
    # Cap 50000: years 1 and 2 pay 20000 each (40000), year 3 only 10000.
    # Investor 50000 - 73500 = -23500, can never reach 0 (payments top out at
    # the cap): no switching value. nhs pays 0.2 x min(60000m, 50000):
    # 13500m - 3000 - 0.2 x 50000 = 0 at m = 13000/13500 = 0.96296 (past the
    # kink at m = 0.8333 where the cap starts to bind).
    check(
        contract_doc("social_impact_bond", cap=50000),
        {
            "contract.cap_binds": True,
            "contract.outcome_payments_total": 50000,
            "contract.parties.investor": -23500,
            "contract.parties.council": 27000 - 5000 - 40000,
            "contract.parties.nhs": 500,
            "contract.switching_values.investor": None,
            "contract.switching_values.nhs": 13000 / 13500,
            "contract.investor.multiple": 50000 / 73500,
        },
    )
    check(contract_doc("social_impact_bond", cap=70000), {"contract.cap_binds": False})


def test_payment_lag_past_horizon():
    # Lag 3: cohorts paid in years 3, 4, 5; year 5 is past H-1 = 4: 20000 of the 60000 falls after
    # the horizon. Format 2 (and a format-1 file read by it) counts it in every contract figure
    # (it is owed for outcomes achieved within the horizon); format 1 left it out.
    check(
        contract_doc("social_impact_bond", lag=3),
        {
            "contract.outcome_payments_total": 60000,
            "contract.payments_beyond_horizon": 20000,
            "contract.parties.investor": 60000 - 73500,
            "contract.investor.multiple": 60000 / 73500,
            "contract.parties.council": 27000 - 5000 - 0.8 * 60000,
        },
    )
    # With a 50000 cap as well, only what the cap leaves goes beyond: 10000.
    check(
        contract_doc("social_impact_bond", lag=3, cap=50000),
        {
            "contract.outcome_payments_total": 50000,
            "contract.payments_beyond_horizon": 10000,
            "contract.cap_binds": True,
        },
    )


def test_format_1_rule_is_still_available_for_the_notice():
    # evaluate(..., cut_at_horizon=True) reproduces format 1 (payments after the horizon dropped),
    # so the app can say how far each position moved: 40000 paid within the horizon.
    from logic import evaluate, load_scenario

    sc = load_scenario(yaml.safe_dump(contract_doc("social_impact_bond", lag=3), sort_keys=False))
    old = evaluate(sc, cut_at_horizon=True).to_dict()["contract"]
    assert math.isclose(old["outcome_payments_total"], 40000, **TOL)
    assert math.isclose(old["payments_beyond_horizon"], 20000, **TOL)
    assert math.isclose(old["parties"]["investor"], 40000 - 73500, **TOL)
    assert math.isclose(old["parties"]["council"], 27000 - 5000 - 32000, **TOL)


def test_payment_by_results_ignores_margin():
    # The margin is 0 under payment by results whatever the file says.
    a = contract_doc("payment_by_results", margin=0.0)
    b = contract_doc("payment_by_results", margin=0.2)
    for (_, ra), (_, rb) in zip(results(a), results(b)):
        for party, v in ra["contract"]["parties"].items():
            assert math.isclose(v, rb["contract"]["parties"][party], **TOL), party


def test_irr_none_when_flows_never_change_sign():
    # Price 0: the investor funds delivery and is paid nothing: all flows <= 0.
    doc = contract_doc("social_impact_bond")
    doc["nodes"][1]["price"] = 0
    check(
        doc, {"contract.investor.irr": None, "contract.investor.multiple": 0.0, "contract.investor.peak_capital": 73500}
    )


# --------------------------------------------------------------------------
# Reference self-checks (run with or without the engine)
# --------------------------------------------------------------------------


def test_reference_discount_factors():
    assert discount_factors(3, 0.035) == [1.0, 1 / 1.035, 1 / 1.035 / 1.035]
    assert math.isclose(
        discount_factors(77, 0.035, "green_book")[76], 1.035**-30 * 1.03**-45 * 1.025**-1, rel_tol=1e-12
    )


def test_reference_irr_matches_numpy_financial():
    for flows in ([-100, 39, 59, 55, 20], [-100, 0, 0, 74], [-31500, 9000, 9000, 30000, 0]):
        assert math.isclose(min(irr_roots(flows), key=abs), npf.irr(flows), rel_tol=1e-9)
    assert irr_roots([0, 0, 0]) == [] and irr_roots([-5, -1, 0]) == []


def test_reference_fast_positions_equal_full_recomputation():
    # The switching search uses linearity of benefits in m; check it against
    # recomputing every flow at that m.
    for t in ("none", "fee_for_service", "payment_by_results", "social_impact_bond"):
        doc = contract_doc(t, "gross", cap=70000, rate=0.05)
        p = reference_calc._prepare(doc)
        at1 = positions_at(p, 1.0)
        ref = reference_evaluate(doc)
        cash = {a: r["pv_cashable"] for a, r in ref["by_agency"].items() if a != "provider"}
        own = {a: r["pv_costs"] for a, r in ref["by_agency"].items() if a != "provider"}
        deliv = ref["by_agency"]["provider"]["pv_costs"]
        for m in (0.0, 0.37, 1.0, 1.9, 3.0):
            fast = reference_calc._fast_positions(p, cash, own, deliv, m)
            slow = positions_at(p, m)
            for k in slow:
                assert math.isclose(fast[k], slow[k], rel_tol=1e-9, abs_tol=1e-6)
        assert at1 == pytest.approx(ref["contract"]["parties"])


# --------------------------------------------------------------------------
# (d) Random valid scenarios: engine vs reference
# --------------------------------------------------------------------------

frac = st.integers(0, 100).map(lambda i: i / 100)
SHARES = {1: [(1.0,)], 2: [(0.5, 0.5), (0.25, 0.75), (0.8, 0.2)], 3: [(0.2, 0.3, 0.5), (0.25, 0.25, 0.5)]}


CONTRACT_TYPES = ["none", "fee_for_service", "payment_by_results", "social_impact_bond"]


@st.composite
def random_scenarios(draw, ctype=None):
    H = draw(st.integers(1, 40))
    agencies = [f"ag{i}" for i in range(draw(st.integers(1, 3)))]
    nodes, edges = [], []
    n_act = draw(st.integers(1, 3))
    for i in range(n_act):
        costs = []
        for j in range(draw(st.integers(1, 2))):
            # The first line is always delivery (so contracts have something to fund).
            payer = "provider" if i == j == 0 else draw(st.sampled_from(agencies + ["provider"]))
            line = {"item": f"line {j}", "payer": payer}
            for key, hi in (("setup", 500_000), ("per_year", 200_000), ("per_participant", 5000)):
                if draw(st.booleans()):
                    line[key] = draw(st.integers(0, hi))
            costs.append(line)
        nodes.append({"id": f"act{i}", "stage": "activity", "label": f"A{i}", "costs": costs})
    for i in range(draw(st.integers(1, 4))):
        # Mostly programmes that help (w >= b), sometimes ones that harm.
        b = draw(frac)
        w = draw(st.one_of(st.integers(round(b * 100), 100).map(lambda i: i / 100), frac))
        o = {"id": f"out{i}", "stage": "outcome", "label": f"O{i}", "rate_with": w, "rate_without": b}
        for key, strat in (
            ("attribution", frac),
            ("displacement", frac),
            ("drop_off", frac),
            ("evidence_grade", st.integers(1, 6)),
            ("lag_years", st.integers(0, 5)),
            ("duration_years", st.integers(1, 12)),
        ):
            if draw(st.booleans()):
                o[key] = draw(strat)
        if draw(st.integers(0, 3)):  # priced three times in four
            o["price"] = draw(st.integers(0, 20000))
        o["benefits"] = []
        for _ in range(draw(st.integers(0, 3))):
            b = {
                "agency": draw(st.sampled_from(agencies)),
                "value": draw(st.integers(0, 50_000)),
                "type": draw(st.sampled_from(["fiscal", "economic", "social"])),
            }
            if b["type"] == "fiscal" and draw(st.booleans()):
                b["cashable"] = draw(frac)
            o["benefits"].append(b)
        nodes.append(o)
        edges.append({"source": f"act{draw(st.integers(0, n_act - 1))}", "target": o["id"], "strength": "medium"})
    payers = draw(st.lists(st.sampled_from(agencies), min_size=1, max_size=len(agencies), unique=True))
    shares = draw(st.sampled_from(SHARES[len(payers)]))
    contract = {
        "type": ctype or draw(st.sampled_from(CONTRACT_TYPES)),
        "payment_basis": draw(st.sampled_from(["gross", "above_baseline"])),
        "payment_lag_years": draw(st.integers(0, 4)),
        "provider_margin": draw(st.integers(0, 20)) / 100,
        "outcome_payers": [{"agency": a, "share": s} for a, s in zip(payers, shares)],
    }
    if draw(st.booleans()):
        contract["cap"] = draw(st.integers(0, 5_000_000))
    return {
        "format": "toc-business-case/1",
        "name": "random",
        "settings": {
            "start_year": 2030,
            "horizon_years": H,
            "discount_rate": draw(st.integers(0, 200)) / 1000,
            "discount_schedule": draw(st.sampled_from(["constant", "green_book"])),
        },
        "agencies": [{"id": a, "name": a} for a in agencies],
        "cohort": {
            "intake": draw(st.lists(st.integers(0, 200), min_size=1, max_size=H)),
            "engagement_rate": draw(frac),
        },
        "nodes": nodes,
        "edges": edges,
        "contract": contract,
    }


def _close(a, b):
    if a is None or b is None or isinstance(a, (bool, str)) or isinstance(b, (bool, str)):
        return a == b
    return math.isclose(a, b, **TOL)


def compare(doc: dict, ref: dict, eng: dict) -> list:
    """Every figure of the reference against the engine; a list of problems."""
    bad = []

    def walk(r, e, path):
        if isinstance(r, dict):
            if not isinstance(e, dict):
                bad.append(f"{path}: engine has {e!r}")
                return
            for k, v in r.items():
                if k in ("irr_roots", "flows", "irr", "switching_values"):
                    continue  # compared below with their own rules
                if k in ("contract_years", "payments_cash_by_year", "irr_real_roots", "flows_real"):
                    continue  # the format-2 reference's workings, checked in test_reference_v2.py
                if k not in e:
                    bad.append(f"{path}.{k}: missing in engine")
                else:
                    walk(v, e[k], f"{path}.{k}")
        elif isinstance(r, list):
            if not isinstance(e, list) or len(e) != len(r):
                bad.append(f"{path}: length {len(r)} vs engine {e!r:.80}")
                return
            for i, (x, y) in enumerate(zip(r, e)):
                walk(x, y, f"{path}.{i}")
        elif not _close(r, e):
            bad.append(f"{path}: reference {r!r} engine {e!r}")

    walk(ref, eng, "")
    rc, ec = ref["contract"], eng.get("contract", {})
    if set(rc["parties"]) != set(ec.get("parties", {})):
        bad.append(f"parties: reference {sorted(rc['parties'])} engine {sorted(ec.get('parties', {}))}")

    # IRR: None iff the reference finds no root in (-100%, 1000%]; a single
    # root must match; with several, the engine's must be one of them.
    roots = rc["investor"].get("irr_roots", [])
    got = ec.get("investor", {}).get("irr")
    if not roots and got is not None:
        bad.append(f"investor.irr: engine {got}, reference finds no root")
    elif roots and (got is None or not any(math.isclose(got, x, rel_tol=1e-6, abs_tol=1e-7) for x in roots)):
        bad.append(f"investor.irr: engine {got}, reference roots {roots}")

    # Switching values: skip parties whose position at m = 0 is (almost)
    # exactly 0, where "its sign at m = 0" is undefined.
    at0 = positions_at(doc, 0.0)
    for party, want in rc["switching_values"].items():
        if abs(at0[party]) < 1e-6:
            continue
        have = ec.get("switching_values", {}).get(party, "missing")
        if have == "missing" or not _close(want, have):
            bad.append(f"switching_values.{party}: reference {want} engine {have} (position at m=0: {at0[party]:.6g})")
    return bad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=random_scenarios())
def test_reference_invariants(doc):
    # Runs without the engine: the transfers between parties cancel, so the
    # positions add up to PV(cashable) - PV(all costs); by_year sums to the PVs.
    ref = reference_evaluate(doc)
    total = sum(ref["contract"]["parties"].values())
    assert math.isclose(total, ref["npv_cashable"], rel_tol=1e-9, abs_tol=1e-5)
    pv = sum(y["discount_factor"] * y["costs"] for y in ref["by_year"])
    assert math.isclose(pv, ref["pv_costs"], rel_tol=1e-9, abs_tol=1e-6)
    roots = ref["contract"]["investor"].get("irr_roots", [])
    flows = ref["contract"]["investor"].get("flows", [])
    for x in roots:
        # Relative to the size of the discounted terms (large near -100%).
        scale = sum(abs(f) * (1 + x) ** -t for t, f in enumerate(flows))
        assert abs(npf.npv(x, flows)) < 1e-9 * scale
    if len(roots) == 1:
        # numpy_financial solves the polynomial instead; it can return nan
        # (roots with a rounding-noise imaginary part), so only where finite.
        theirs = npf.irr(flows)
        if math.isfinite(theirs):
            assert math.isclose(roots[0], theirs, rel_tol=1e-6, abs_tol=1e-7)


# One run per contract type, so the bond (investor IRR, peak capital) is
# always exercised rather than a quarter of the time.
@pytest.mark.parametrize("ctype", CONTRACT_TYPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engine_matches_reference_on_random_scenarios(ctype, data):
    doc = data.draw(random_scenarios(ctype), label="scenario")
    eng = engine_evaluate(doc)
    if eng is None:
        pytest.skip("logic.evaluate is not available yet")
    ref = reference_evaluate(doc)
    # What the example exercised (pytest --hypothesis-show-statistics).
    k = ref["contract"]
    event(f"contract {k['type']}, cap binds {k['cap_binds']}, beyond horizon {k['payments_beyond_horizon'] > 0}")
    event(f"{len(k['investor'].get('irr_roots', []))} IRR roots")
    event(f"some switching value: {any(v is not None for v in k['switching_values'].values())}")
    event(f"negative additional outcomes: {any(v < 0 for v in ref['additional_outcomes'].values())}")
    problems = compare(doc, ref, eng)
    assert not problems, yaml.safe_dump(doc, sort_keys=False) + "\n" + "\n".join(problems[:25])

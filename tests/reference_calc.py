"""Independent reference implementation of the business-case arithmetic.

Written from /work/shared/DESIGN.md ("How the numbers are computed") only,
without looking at or importing the project's ``logic`` package, so that the
tests in test_against_reference.py compare two readings of the same text.

Everything is deliberately plain Python: lists, dicts and explicit loops, one
year / one cohort / one line at a time, so each figure can be followed by eye
against the formulas in the design. Speed is not a goal (scenarios in the
tests are small).

Readings of the design that are choices rather than quotations are marked
"READING:" so a mismatch with the engine can be traced to them quickly.
"""

from __future__ import annotations

import math

DEFAULT_OPTIMISM_BIAS = {1: 0.0, 2: 0.05, 3: 0.10, 4: 0.15, 5: 0.25, 6: 0.40}

# Green Book declining long-term rates: (last year the rate applies to, rate).
# Years 1..30 use the scenario's own rate (None below).
GREEN_BOOK_STEPS = [(30, None), (75, 0.03), (125, 0.025), (200, 0.02), (300, 0.015)]
GREEN_BOOK_AFTER = 0.01

BENEFIT_TYPES = ("fiscal", "economic", "social")


# --------------------------------------------------------------------------
# Inputs: apply the documented defaults to the plain dict
# --------------------------------------------------------------------------


def _prepare(doc: dict) -> dict:
    """Flatten the scenario dict into what the arithmetic needs, with defaults.

    Defaults (DESIGN.md): attribution 1, displacement 0, evidence_grade 3,
    lag_years 0, duration_years 1, drop_off 0, cashable 1, price 0,
    payment_lag_years 1, cap none, provider_margin 0, discount_rate 0.035,
    discount_schedule constant, optimism_bias table as documented.
    """
    settings = doc["settings"]
    horizon = int(settings["horizon_years"])
    ob_table = settings.get("optimism_bias") or DEFAULT_OPTIMISM_BIAS
    # YAML may hand keys back as ints or strings; grades are integers.
    ob_table = {int(k): float(v) for k, v in ob_table.items()}

    intake = [float(x) for x in doc["cohort"]["intake"]]
    # Years after the listed intake have no intake.
    intake = intake + [0.0] * (horizon - len(intake))
    # READING: engagement_rate has no documented default; 1 if absent.
    engagement = float(doc["cohort"].get("engagement_rate", 1.0))
    participants = [n * engagement for n in intake]

    outcomes, cost_lines = [], []
    for node in doc["nodes"]:
        for line in node.get("costs", []) or []:
            cost_lines.append(
                {
                    "payer": line["payer"],
                    "setup": float(line.get("setup", 0) or 0),
                    "per_year": float(line.get("per_year", 0) or 0),
                    "per_participant": float(line.get("per_participant", 0) or 0),
                }
            )
        if node.get("stage") != "outcome":
            continue
        grade = int(node.get("evidence_grade", 3))
        benefits = []
        for b in node.get("benefits", []) or []:
            benefits.append(
                {
                    "agency": b["agency"],
                    "value": float(b["value"]),
                    "type": b.get("type", "fiscal"),
                    "cashable": float(b.get("cashable", 1.0)),
                }
            )
        outcomes.append(
            {
                "id": node["id"],
                # READING: rates have no documented default; 0 (no effect) if absent.
                "w": float(node.get("rate_with", 0.0)),
                "b": float(node.get("rate_without", 0.0)),
                "attribution": float(node.get("attribution", 1.0)),
                "displacement": float(node.get("displacement", 0.0)),
                "ob": ob_table[grade],
                "lag": int(node.get("lag_years", 0)),
                "duration": int(node.get("duration_years", 1)),
                "drop_off": float(node.get("drop_off", 0.0)),
                "price": float(node.get("price", 0.0) or 0.0),
                "benefits": benefits,
            }
        )

    contract = doc.get("contract") or {}
    ctype = contract.get("type", "none")
    margin = float(contract.get("provider_margin", 0.0) or 0.0)
    cap = contract.get("cap")
    return {
        "horizon": horizon,
        "start_year": int(settings["start_year"]),
        "dfs": discount_factors(
            horizon, float(settings.get("discount_rate", 0.035)), settings.get("discount_schedule", "constant")
        ),
        "agencies": [a["id"] for a in doc["agencies"]],
        "participants": participants,
        "intake": intake,
        "outcomes": outcomes,
        "cost_lines": cost_lines,
        "contract": {
            "type": ctype,
            # DESIGN's list of defaults gives payment_basis above_baseline
            # (an earlier reading here took gross; every test sets it).
            "basis": contract.get("payment_basis", "above_baseline"),
            "lag": int(contract.get("payment_lag_years", 1)),
            "cap": None if cap is None else float(cap),
            # Under payment by results the provider carries its own costs,
            # so there is no margin to pay (DESIGN: "margin is then 0").
            "margin": 0.0 if ctype == "payment_by_results" else margin,
            "payers": [(p["agency"], float(p["share"])) for p in contract.get("outcome_payers", []) or []],
        },
    }


# --------------------------------------------------------------------------
# Discounting
# --------------------------------------------------------------------------


def green_book_rate(year: int, r: float) -> float:
    """The yearly rate that applies to year ``year`` (>= 1) under green_book."""
    for last, rate in GREEN_BOOK_STEPS:
        if year <= last:
            return r if rate is None else rate
    return GREEN_BOOK_AFTER


def discount_factors(horizon: int, r: float, schedule: str = "constant") -> list:
    """DF_t for t = 0..H-1: the product of 1/(1 + r_s) for s = 1..t (DF_0 = 1)."""
    dfs, df = [], 1.0
    for t in range(horizon):
        if t > 0:
            rate = r if schedule == "constant" else green_book_rate(t, r)
            df = df / (1.0 + rate)
        dfs.append(df)
    return dfs


def present_value(flows: list, dfs: list) -> float:
    total = 0.0
    for x, df in zip(flows, dfs):
        total += x * df
    return total


# --------------------------------------------------------------------------
# Yearly flows
# --------------------------------------------------------------------------


def _persist(j: int, duration: int, drop_off: float) -> float:
    """(1 - drop_off)^j for 0 <= j < duration, else 0."""
    if 0 <= j < duration:
        return (1.0 - drop_off) ** j
    return 0.0


def _additional(p: dict, o: dict, c: int, m: float) -> float:
    """N_c with the effect scaled by m: P_c x (w' - b) x a x (1 - d)."""
    w_scaled = o["b"] + m * (o["w"] - o["b"])
    return p["participants"][c] * (w_scaled - o["b"]) * o["attribution"] * (1.0 - o["displacement"])


def _cost_flows(p: dict) -> list:
    """One list per cost line: setup in year 0, per_year where intake > 0,
    per_participant x P_t."""
    out = []
    for line in p["cost_lines"]:
        flows = []
        for t in range(p["horizon"]):
            x = 0.0
            if t == 0:
                x += line["setup"]
            if p["intake"][t] > 0:
                x += line["per_year"]
            x += line["per_participant"] * p["participants"][t]
            flows.append(x)
        out.append(flows)
    return out


def _benefit_flows(p: dict, m: float = 1.0) -> list:
    """One (agency, type, cashable, yearly list) per benefit line, the yearly
    list being sum over cohorts of N_c x (1 - OB) x v x persist(t - c - lag)."""
    out = []
    H = p["horizon"]
    for o in p["outcomes"]:
        for line in o["benefits"]:
            flows = [0.0] * H
            for c in range(H):
                valued = _additional(p, o, c, m) * (1.0 - o["ob"])
                for t in range(H):
                    flows[t] += valued * line["value"] * _persist(t - c - o["lag"], o["duration"], o["drop_off"])
            out.append((line["agency"], line["type"], line["cashable"], flows))
    return out


def _payments(p: dict, m: float = 1.0):
    """Outcome payments: (yearly list within the horizon, beyond-horizon total,
    cap_binds). None / fee_for_service pay nothing."""
    H = p["horizon"]
    k = p["contract"]
    if k["type"] not in ("payment_by_results", "social_impact_bond"):
        return [0.0] * H, 0.0, False
    # Amount earned by each cohort, before the cap.
    by_cohort = [0.0] * H
    for o in p["outcomes"]:
        if o["price"] == 0:
            continue
        w_scaled = o["b"] + m * (o["w"] - o["b"])
        for c in range(H):
            P = p["participants"][c]
            if k["basis"] == "gross":
                count = P * w_scaled
            else:  # above_baseline: comparison group, no attribution / OB
                count = max(0.0, P * (w_scaled - o["b"]))
            by_cohort[c] += count * o["price"]
    # Cohort c is paid in year c + lag; the cap is applied to the running
    # total in payment-year order, the crossing year being paid in part.
    within = [0.0] * H
    beyond, paid, binds = 0.0, 0.0, False
    for c in range(H):
        amount = by_cohort[c]
        if k["cap"] is not None and paid + amount > k["cap"]:
            amount = k["cap"] - paid
            binds = True
        paid += amount
        year = c + k["lag"]
        if year < H:
            within[year] += amount
        else:
            beyond += amount
    return within, beyond, binds


# --------------------------------------------------------------------------
# Parties
# --------------------------------------------------------------------------


def _party_positions(
    p: dict, pv_cashable_by_agency: dict, pv_own_costs: dict, pv_delivery: float, pv_pay: float
) -> dict:
    """PV position of every party from the PV building blocks (see DESIGN
    'Outcomes contract' table)."""
    k = p["contract"]
    ctype = k["type"]
    pv_funding = pv_delivery * (1.0 + k["margin"])
    shares = {}
    for agency, share in k["payers"]:
        shares[agency] = shares.get(agency, 0.0) + share
    pos = {}
    for i, a in enumerate(p["agencies"]):
        x = pv_cashable_by_agency.get(a, 0.0) - pv_own_costs.get(a, 0.0)
        x -= shares.get(a, 0.0) * pv_pay
        if ctype == "none" and i == 0:
            x -= pv_funding  # plain grant from the first agency listed
        elif ctype == "fee_for_service":
            x -= shares.get(a, 0.0) * pv_funding
        pos[a] = x
    if ctype == "payment_by_results":
        pos["provider"] = pv_pay - pv_delivery
    else:
        pos["provider"] = pv_delivery * k["margin"]
    if ctype == "social_impact_bond":
        pos["investor"] = pv_pay - pv_funding
    return pos


def positions_at(doc_or_prep: dict, m: float) -> dict:
    """Every party's PV position at performance factor m, recomputing all
    flows from scratch (the slow, literal route)."""
    p = doc_or_prep if "dfs" in doc_or_prep else _prepare(doc_or_prep)
    dfs = p["dfs"]
    cash = {}
    for agency, btype, k, flows in _benefit_flows(p, m):
        if btype == "fiscal":
            cash[agency] = cash.get(agency, 0.0) + k * present_value(flows, dfs)
    own, delivery = {}, 0.0
    for line, flows in zip(p["cost_lines"], _cost_flows(p)):
        if line["payer"] == "provider":
            delivery += present_value(flows, dfs)
        else:
            own[line["payer"]] = own.get(line["payer"], 0.0) + present_value(flows, dfs)
    pay, _, _ = _payments(p, m)
    return _party_positions(p, cash, own, delivery, present_value(pay, dfs))


def _fast_positions(p: dict, cash_at_1: dict, own: dict, delivery: float, m: float) -> dict:
    """Same as positions_at, using that benefits are linear in m (N_c is
    m x the central N_c), so only the payments (capped, floored) are redone.
    A test checks this against positions_at."""
    cash = {a: v * m for a, v in cash_at_1.items()}
    pay, _, _ = _payments(p, m)
    return _party_positions(p, cash, own, delivery, present_value(pay, p["dfs"]))


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def switching_value(f, lo: float = 0.0, hi: float = 3.0, steps: int = 600):
    """Smallest m in [lo, hi] where f(m) leaves its sign at m = lo (reaching
    0 counts). Grid to find the first bracket, then bisection.

    READING: a party whose position is exactly 0 at m = 0 has no sign to
    change from: None.
    """
    s0 = _sign(f(lo))
    if s0 == 0:
        return None
    prev = lo
    for i in range(1, steps + 1):
        m = lo + (hi - lo) * i / steps
        if _sign(f(m)) != s0:
            a, b = prev, m  # f(a) has sign s0, f(b) does not
            for _ in range(100):
                mid = 0.5 * (a + b)
                if _sign(f(mid)) == s0:
                    a = mid
                else:
                    b = mid
                if b - a < 1e-14:
                    break
            return b
        prev = m
    return None


def irr_roots(flows: list, lo: float = -1.0, hi: float = 10.0, steps: int = 4000) -> list:
    """All rates in (lo, hi] where NPV(flows) = 0, found by scanning
    g = ln(1 + rate) and bisecting each sign change."""

    def npv(rate):
        total = 0.0
        for t, x in enumerate(flows):
            total += x / (1.0 + rate) ** t
        return total

    if all(x >= 0 for x in flows) or all(x <= 0 for x in flows):
        return []  # never changes sign: no IRR
    g_lo, g_hi = math.log(1e-6), math.log(1.0 + hi)
    grid = [math.exp(g_lo + (g_hi - g_lo) * i / steps) - 1.0 for i in range(steps + 1)]
    roots = []
    prev_r, prev_v = grid[0], npv(grid[0])
    for r in grid[1:]:
        v = npv(r)
        if v == 0.0:
            roots.append(r)
        elif prev_v != 0.0 and (v > 0) != (prev_v > 0):
            a, b, fa = prev_r, r, prev_v
            for _ in range(200):
                mid = 0.5 * (a + b)
                fm = npv(mid)
                if (fm > 0) == (fa > 0):
                    a, fa = mid, fm
                else:
                    b = mid
                if b - a < 1e-15:
                    break
            roots.append(0.5 * (a + b))
        prev_r, prev_v = r, v
    return roots


# --------------------------------------------------------------------------
# The whole evaluation
# --------------------------------------------------------------------------


def reference_evaluate(doc: dict) -> dict:
    """Figures for the scenario dict, shaped like the engine's to_dict()."""
    p = _prepare(doc)
    H, dfs = p["horizon"], p["dfs"]

    # -- yearly totals and by-agency PVs -------------------------------------
    costs = [0.0] * H
    fiscal, cashable = [0.0] * H, [0.0] * H
    economic, social = [0.0] * H, [0.0] * H
    keys = ("pv_costs", "pv_fiscal", "pv_cashable", "pv_economic", "pv_social")
    by_agency = {a: {k: 0.0 for k in keys} for a in p["agencies"] + ["provider"]}

    delivery = [0.0] * H
    for line, flows in zip(p["cost_lines"], _cost_flows(p)):
        for t in range(H):
            costs[t] += flows[t]
            if line["payer"] == "provider":
                delivery[t] += flows[t]
        by_agency[line["payer"]]["pv_costs"] += present_value(flows, dfs)

    for agency, btype, k, flows in _benefit_flows(p, 1.0):
        pv = present_value(flows, dfs)
        row = by_agency[agency]
        if btype == "fiscal":
            row["pv_fiscal"] += pv
            row["pv_cashable"] += k * pv
            for t in range(H):
                fiscal[t] += flows[t]
                cashable[t] += k * flows[t]
        else:
            row["pv_" + btype] += pv
            target = economic if btype == "economic" else social
            for t in range(H):
                target[t] += flows[t]

    pv_costs = present_value(costs, dfs)
    pv_fiscal = present_value(fiscal, dfs)
    pv_cashable = present_value(cashable, dfs)
    pv_economic = present_value(economic, dfs)
    pv_social = present_value(social, dfs)

    by_year, cumulative, payback = [], 0.0, None
    for t in range(H):
        cumulative += dfs[t] * (fiscal[t] - costs[t])
        if payback is None and cumulative >= 0:
            payback = t
        by_year.append(
            {
                "year_index": t,
                "year": p["start_year"] + t,
                "discount_factor": dfs[t],
                "costs": costs[t],
                "fiscal": fiscal[t],
                "cashable": cashable[t],
                "economic": economic[t],
                "social": social[t],
                "net_fiscal": fiscal[t] - costs[t],
                "cumulative_discounted_net_fiscal": cumulative,
            }
        )

    additional = {}
    for o in p["outcomes"]:
        additional[o["id"]] = sum(_additional(p, o, c, 1.0) for c in range(H))

    # -- contract --------------------------------------------------------------
    k = p["contract"]
    pay, beyond, binds = _payments(p, 1.0)
    cash_at_1 = {a: row["pv_cashable"] for a, row in by_agency.items() if a != "provider"}
    own = {a: row["pv_costs"] for a, row in by_agency.items() if a != "provider"}
    pv_delivery = by_agency["provider"]["pv_costs"]
    parties = _party_positions(p, cash_at_1, own, pv_delivery, present_value(pay, dfs))

    # Every party is searched over the same grid of m, so remember each m's
    # positions rather than recomputing the payments once per party.
    memo = {}

    def position(party, m):
        if m not in memo:
            memo[m] = _fast_positions(p, cash_at_1, own, pv_delivery, m)
        return memo[m][party]

    switching = {}
    for party in parties:
        switching[party] = switching_value(lambda m, party=party: position(party, m))

    investor = {"peak_capital": None, "irr": None, "multiple": None}
    if k["type"] == "social_impact_bond":
        flows = [pay[t] - delivery[t] * (1.0 + k["margin"]) for t in range(H)]
        running, lowest = 0.0, 0.0
        for x in flows:
            running += x
            lowest = min(lowest, running)
        funding_total = sum(delivery[t] * (1.0 + k["margin"]) for t in range(H))
        roots = irr_roots(flows)
        investor = {
            "peak_capital": max(0.0, -lowest),
            # READING: with several roots, the one closest to 0 (as numpy_financial).
            "irr": min(roots, key=abs) if roots else None,
            "multiple": sum(pay) / funding_total if funding_total > 0 else None,
            "irr_roots": roots,  # extra, for the tests; not an engine key
            "flows": flows,  # extra, for the tests
        }

    return {
        "pv_costs": pv_costs,
        "pv_fiscal": pv_fiscal,
        "pv_cashable": pv_cashable,
        "pv_economic": pv_economic,
        "pv_social": pv_social,
        "npv_fiscal": pv_fiscal - pv_costs,
        "npv_cashable": pv_cashable - pv_costs,
        "npv_public_value": pv_fiscal + pv_economic + pv_social - pv_costs,
        "bcr_fiscal": pv_fiscal / pv_costs if pv_costs != 0 else None,
        "bcr_public_value": (pv_fiscal + pv_economic + pv_social) / pv_costs if pv_costs != 0 else None,
        "payback_year": payback,
        "additional_outcomes": additional,
        "by_agency": by_agency,
        "by_year": by_year,
        "contract": {
            "type": k["type"],
            "payment_basis": k["basis"],
            "outcome_payments_total": sum(pay),
            "pv_outcome_payments": present_value(pay, dfs),
            "payments_beyond_horizon": beyond,
            "cap_binds": binds,
            "parties": parties,
            "switching_values": switching,
            "investor": investor,
        },
    }

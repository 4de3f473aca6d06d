"""Independent reference for the format-2 rules (toc-business-case/2).

Written from /work/shared/DESIGN.md only ("How the numbers are computed" and
"Format 2: the economic case and the financial case"), without looking at or
importing the project's ``logic`` package. It reuses the plain helpers of
reference_calc.py (discounting, persistence, switching search, IRR roots) and
adds what format 2 changes:

- costs: (setup + per_year + per_participant x P_t + profile_t) x (1 + OB(cost
  grade)), no grade no uplift; the uplifted cost is the cost everywhere
- intake_timing mid: persist_mid(j) = (persist(j) + persist(j - 1)) / 2
- transfers: in pv_fiscal / pv_cashable / by_agency / positions, out of the
  public value (pv_transfers)
- discount: health lines use health_discount_rate (constant or the Green
  Book's health schedule); every other line the standard factors
- price base and cash: I_t = (1 + inflation)^(start_year + t - price_base_year)
- outcome payments: per-outcome lag and cap, contract cap (cash, pro rata
  within a year), indexation, payments after the horizon counted, the
  contract's years running to the last year with a payment
- hybrids (fixed_share), investor-paid cost lines, agency kinds
- the financial case (cash by year per agency, public-sector totals),
  premium_over_fee_for_service, paid_per_valued_outcome, investor irr_real

A format-1 document is evaluated with the same rules (DESIGN: every format-2
key is optional and means what format 1 meant when left out; the one change
is that payments after the horizon now count).

As in reference_calc.py: plain Python, lists and loops, one year / cohort /
line at a time. Readings of the design that are choices rather than
quotations are marked "READING:".
"""

from __future__ import annotations

try:  # tests/ may or may not be a package
    from . import reference_calc as rc
except ImportError:
    import reference_calc as rc

discount_factors = rc.discount_factors
present_value = rc.present_value
irr_roots = rc.irr_roots
switching_value = rc.switching_value

# Green Book health schedule: the standard long-term steps, each scaled by
# h / 3.5% (DESIGN: "h x 3.0/3.5 for 31..75, h x 2.5/3.5 for 76..125, ...").
HEALTH_STEPS = [(30, None), (75, 3.0), (125, 2.5), (200, 2.0), (300, 1.5)]
HEALTH_AFTER = 1.0


# --------------------------------------------------------------------------
# Inputs: the documented defaults (format 1 and format 2)
# --------------------------------------------------------------------------


def _prepare_v2(doc: dict) -> dict:
    settings = doc["settings"]
    H = int(settings["horizon_years"])
    start = int(settings["start_year"])
    ob_table = settings.get("optimism_bias") or rc.DEFAULT_OPTIMISM_BIAS
    ob_table = {int(k): float(v) for k, v in ob_table.items()}

    intake = [float(x) for x in doc["cohort"]["intake"]]
    intake = intake + [0.0] * (H - len(intake))
    # READING (as reference_calc.py): engagement_rate 1 if absent.
    engagement = float(doc["cohort"].get("engagement_rate", 1.0))
    participants = [n * engagement for n in intake]

    cost_lines, outcomes = [], []
    for node in doc["nodes"]:
        for line in node.get("costs", []) or []:
            grade = line.get("evidence_grade")
            profile = [float(x) for x in (line.get("profile") or [])]
            cost_lines.append(
                {
                    "payer": line["payer"],
                    "setup": float(line.get("setup", 0) or 0),
                    "per_year": float(line.get("per_year", 0) or 0),
                    "per_participant": float(line.get("per_participant", 0) or 0),
                    "profile": profile + [0.0] * (H - len(profile)),
                    # No grade: no uplift (DESIGN "[none: no uplift]").
                    "uplift": 0.0 if grade is None else ob_table[int(grade)],
                }
            )
        if node.get("stage") != "outcome":
            continue
        benefits = []
        for b in node.get("benefits", []) or []:
            btype = b.get("type", "fiscal")
            benefits.append(
                {
                    "agency": b["agency"],
                    "value": float(b["value"]),
                    "type": btype,
                    # cashable is a fiscal-only notion; 0 elsewhere so it never leaks.
                    "cashable": float(b.get("cashable", 1.0)) if btype == "fiscal" else 0.0,
                    "transfer": bool(b.get("transfer", False)) and btype == "fiscal",
                    "health": b.get("discount", "standard") == "health",
                }
            )
        lag_pay = node.get("payment_lag_years")
        cap = node.get("payment_cap")
        outcomes.append(
            {
                "id": node["id"],
                # READING (as reference_calc.py): rates 0 if absent.
                "w": float(node.get("rate_with", 0.0)),
                "b": float(node.get("rate_without", 0.0)),
                "attribution": float(node.get("attribution", 1.0)),
                "displacement": float(node.get("displacement", 0.0)),
                "ob": ob_table[int(node.get("evidence_grade", 3))],
                "lag": int(node.get("lag_years", 0)),
                "duration": int(node.get("duration_years", 1)),
                "drop_off": float(node.get("drop_off", 0.0)),
                "price": float(node.get("price", 0.0) or 0.0),
                "pay_lag": None if lag_pay is None else int(lag_pay),
                "pay_cap": None if cap is None else float(cap),
                "benefits": benefits,
            }
        )

    contract = doc.get("contract") or {}
    ctype = contract.get("type", "none")
    stated_margin = float(contract.get("provider_margin", 0.0) or 0.0)
    cap = contract.get("cap")
    # READING: fixed_share only means something "under payment_by_results or a
    # social impact bond" (DESIGN, Hybrid contracts); under none and
    # fee_for_service delivery is paid for in full anyway, so it is ignored.
    f = float(contract.get("fixed_share", 0.0) or 0.0)
    if ctype not in ("payment_by_results", "social_impact_bond"):
        f = 0.0
    contract_lag = int(contract.get("payment_lag_years", 1))
    for o in outcomes:
        if o["pay_lag"] is None:
            o["pay_lag"] = contract_lag

    inflation = float(settings.get("inflation", 0.0))
    price_base = int(settings.get("price_base_year", start - 1))
    return {
        "horizon": H,
        "start_year": start,
        "price_base_year": price_base,
        "inflation": inflation,
        "rate": float(settings.get("discount_rate", 0.035)),
        "schedule": settings.get("discount_schedule", "constant"),
        "health_rate": float(settings.get("health_discount_rate", 0.015)),
        "mid": (doc["cohort"].get("intake_timing", "start") == "mid"),
        "agencies": [a["id"] for a in doc["agencies"]],
        "kinds": {a["id"]: a.get("kind", "public") for a in doc["agencies"]},
        "participants": participants,
        "intake": intake,
        "outcomes": outcomes,
        "cost_lines": cost_lines,
        "contract": {
            "type": ctype,
            # DESIGN's defaults list payment_basis above_baseline.
            "basis": contract.get("payment_basis", "above_baseline"),
            "cap": None if cap is None else float(cap),
            "stated_margin": stated_margin,
            # Under payment by results the provider carries its own costs:
            # "margin is then 0".
            "margin": 0.0 if ctype == "payment_by_results" else stated_margin,
            "fixed_share": f,
            "indexation": contract.get("indexation", "none"),
            "payers": [(p["agency"], float(p["share"])) for p in contract.get("outcome_payers", []) or []],
        },
    }


# --------------------------------------------------------------------------
# Discounting and prices
# --------------------------------------------------------------------------


def health_rate_for_year(year: int, h: float, schedule: str) -> float:
    """The yearly health rate of year ``year`` (>= 1)."""
    if schedule == "constant":
        return h
    for last, pct in HEALTH_STEPS:
        if year <= last:
            return h if pct is None else h * pct / 3.5
    return h * HEALTH_AFTER / 3.5


def health_discount_factors(n: int, h: float, schedule: str = "constant") -> list:
    """DF_t for t = 0..n-1 for lines marked discount: health."""
    dfs, df = [], 1.0
    for t in range(n):
        if t > 0:
            df = df / (1.0 + health_rate_for_year(t, h, schedule))
        dfs.append(df)
    return dfs


def price_index(p: dict, t: int) -> float:
    """I_t = (1 + inflation)^(start_year + t - price_base_year)."""
    return (1.0 + p["inflation"]) ** (p["start_year"] + t - p["price_base_year"])


# --------------------------------------------------------------------------
# Yearly flows (real, within the horizon)
# --------------------------------------------------------------------------


def _persist_v2(p: dict, j: int, o: dict) -> float:
    if not p["mid"]:
        return rc._persist(j, o["duration"], o["drop_off"])
    # persist_mid(j) = (persist(j) + persist(j - 1)) / 2, persist(-1) = 0
    return 0.5 * (rc._persist(j, o["duration"], o["drop_off"]) + rc._persist(j - 1, o["duration"], o["drop_off"]))


def _additional(p: dict, o: dict, c: int, m: float) -> float:
    w_scaled = o["b"] + m * (o["w"] - o["b"])
    return p["participants"][c] * (w_scaled - o["b"]) * o["attribution"] * (1.0 - o["displacement"])


def _cost_flows_v2(p: dict) -> list:
    """One uplifted yearly list per cost line (years 0..H-1)."""
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
            x += line["profile"][t]
            flows.append(x * (1.0 + line["uplift"]))
        out.append(flows)
    return out


def _benefit_flows_v2(p: dict, m: float = 1.0) -> list:
    """One dict per benefit line: the line's fields plus its yearly list
    (sum over cohorts of N_c x (1 - OB) x v x persist(_mid)(t - c - lag)),
    cut at the horizon."""
    H = p["horizon"]
    out = []
    for o in p["outcomes"]:
        for line in o["benefits"]:
            flows = [0.0] * H
            for c in range(H):
                valued = _additional(p, o, c, m) * (1.0 - o["ob"])
                for t in range(H):
                    flows[t] += valued * line["value"] * _persist_v2(p, t - c - o["lag"], o)
            out.append(dict(line, flows=flows))
    return out


def _line_dfs(line: dict, dfs: list, hdfs: list) -> list:
    return hdfs if line["health"] else dfs


# --------------------------------------------------------------------------
# Outcome payments (cash), the format-2 rule
# --------------------------------------------------------------------------


def _payments_v2(p: dict, m: float = 1.0) -> dict:
    """Cash outcome payments by year after per-outcome caps and the contract
    cap. Returns by_outcome {id: cash list}, cash (total list), n_years (the
    contract's years), beyond (cash after year H-1) and cap_binds."""
    H = p["horizon"]
    k = p["contract"]
    if k["type"] not in ("payment_by_results", "social_impact_bond"):
        return {
            "by_outcome": {o["id"]: [0.0] * H for o in p["outcomes"]},
            "cash": [0.0] * H,
            "n_years": H,
            "beyond": 0.0,
            "cap_binds": False,
        }
    last_year = H - 1 + max([o["pay_lag"] for o in p["outcomes"]] + [0])
    n = last_year + 1
    # Amount due (before caps) for each outcome in each payment year.
    due = {}
    for o in p["outcomes"]:
        due[o["id"]] = [0.0] * n
        if o["price"] == 0:
            continue
        w_scaled = o["b"] + m * (o["w"] - o["b"])
        for c in range(H):
            P = p["participants"][c]
            if k["basis"] == "gross":
                # READING (as reference_calc.py): not clipped; only at m far
                # from 1 with w < b could this go below 0.
                count = P * w_scaled
            else:  # above_baseline: comparison group, no attribution / OB
                count = max(0.0, P * (w_scaled - o["b"]))
            y = c + o["pay_lag"]
            # READING: under indexation none the price is a cash amount in
            # every year (worth price / I_y in real terms); under inflation
            # it is a price-base amount, paid as price x I_y.
            factor = price_index(p, y) if k["indexation"] == "inflation" else 1.0
            due[o["id"]][y] += count * o["price"] * factor

    paid = {o["id"]: [0.0] * n for o in p["outcomes"]}
    run_o = {o["id"]: 0.0 for o in p["outcomes"]}
    run_all, binds = 0.0, False
    for y in range(n):
        # 1. each outcome's running cash total at its own payment_cap
        year_paid = {}
        for o in p["outcomes"]:
            x = due[o["id"]][y]
            if o["pay_cap"] is not None and run_o[o["id"]] + x > o["pay_cap"]:
                x = o["pay_cap"] - run_o[o["id"]]
                binds = True
            year_paid[o["id"]] = x
        # 2. the running total of all outcomes at the contract cap; a cut
        # within the year is shared pro rata between the outcomes.
        total = sum(year_paid.values())
        if k["cap"] is not None and run_all + total > k["cap"]:
            allowed = k["cap"] - run_all
            scale = allowed / total if total != 0 else 0.0
            for oid in year_paid:
                year_paid[oid] *= scale
            binds = True
        # READING: each outcome's running total counts what was actually paid
        # (after any contract-cap cut); once the contract cap is reached
        # nothing more is paid, so this only matters for the records.
        for oid, x in year_paid.items():
            paid[oid][y] = x
            run_o[oid] += x
            run_all += x

    # The contract's years: 0 .. the last year with a payment, never fewer
    # than the horizon.
    # READING: "the last year with a payment above 0"; payments below 0 only
    # arise in the risk-share scan (gross basis, w < b, m > 1); counting any
    # non-zero payment keeps them in the figures rather than dropping them.
    cash = [sum(paid[oid][y] for oid in paid) for y in range(n)]
    last = H - 1
    # READING: what the cap's arithmetic leaves as rounding (1e-16 of a pound) is no payment.
    residue = 1e-9 * max([1.0] + [abs(x) for x in cash])
    for y in range(n):
        if abs(cash[y]) > residue:
            last = max(last, y)
    n_years = last + 1
    by_outcome = {oid: (v + [0.0] * n_years)[:n_years] for oid, v in paid.items()}
    cash = (cash + [0.0] * n_years)[:n_years]
    beyond = sum(cash[H:])
    return {"by_outcome": by_outcome, "cash": cash, "n_years": n_years, "beyond": beyond, "cap_binds": binds}


# --------------------------------------------------------------------------
# Funding under the contract (real, by year, within the horizon)
# --------------------------------------------------------------------------


def _funding(p: dict, cost_flows: list) -> dict:
    """Who funds delivery, by year (real). Returns delivery (provider lines),
    investor_lines, agency {agency: list} (what each agency funds),
    provider_carries (PbR) and investor (what the investor funds)."""
    H = p["horizon"]
    k = p["contract"]
    ctype, f = k["type"], k["fixed_share"]
    delivery, inv_lines = [0.0] * H, [0.0] * H
    for line, flows in zip(p["cost_lines"], cost_flows):
        for t in range(H):
            if line["payer"] == "provider":
                delivery[t] += flows[t]
            elif line["payer"] == "investor":
                inv_lines[t] += flows[t]
    funded = [d * (1.0 + k["margin"]) for d in delivery]
    agency = {a: [0.0] * H for a in p["agencies"]}
    provider_carries, investor = [0.0] * H, [0.0] * H
    for t in range(H):
        if ctype == "none":
            # plain grant from the first agency listed
            agency[p["agencies"][0]][t] += funded[t]
        elif ctype == "fee_for_service":
            for a, share in k["payers"]:
                agency[a][t] += share * funded[t]
        else:
            # Hybrid: the payers fund f x the funded delivery as a fee, the
            # provider (PbR) or the investor (bond) the rest.
            for a, share in k["payers"]:
                agency[a][t] += share * f * funded[t]
            if ctype == "payment_by_results":
                provider_carries[t] = (1.0 - f) * funded[t]
            else:
                investor[t] = (1.0 - f) * funded[t] + inv_lines[t]
    return {
        "delivery": delivery,
        "funded": funded,
        "investor_lines": inv_lines,
        "agency": agency,
        "provider_carries": provider_carries,
        "investor": investor,
    }


# --------------------------------------------------------------------------
# Positions
# --------------------------------------------------------------------------


def _positions(p: dict, pv_cash: dict, pv_own: dict, fund: dict, pay: dict, dfs_n: list) -> dict:
    """PV (real) position of every party. pv_cash: PV of each agency's
    cashable benefits (each line with its own factors); pv_own: PV of each
    agency's own cost lines; fund: _funding(); pay: _payments_v2()."""
    k = p["contract"]
    ctype = k["type"]
    n = pay["n_years"]
    pay_real = [pay["cash"][t] / price_index(p, t) for t in range(n)]
    pv_pay = present_value(pay_real, dfs_n[:n])
    shares = {}
    for a, share in k["payers"]:
        shares[a] = shares.get(a, 0.0) + share
    pos = {}
    for a in p["agencies"]:
        pos[a] = (
            pv_cash.get(a, 0.0)
            - pv_own.get(a, 0.0)
            - shares.get(a, 0.0) * pv_pay
            - present_value(fund["agency"][a], dfs_n)
        )
    pv_delivery = present_value(fund["delivery"], dfs_n)
    if ctype == "payment_by_results":
        # payments + fee - delivery costs (the fee is f x delivery, margin 0)
        fee = 0.0
        for a in p["agencies"]:
            fee += present_value(fund["agency"][a], dfs_n)
        pos["provider"] = pv_pay + fee - pv_delivery
    else:
        pos["provider"] = pv_delivery * k["margin"]
    if ctype == "social_impact_bond":
        pos["investor"] = pv_pay - present_value(fund["investor"], dfs_n)
    return pos


def _dfs(p: dict, n: int):
    return (
        discount_factors(n, p["rate"], p["schedule"]),
        health_discount_factors(n, p["health_rate"], p["schedule"]),
    )


def positions_at_v2(doc_or_prep: dict, m: float) -> dict:
    """Every party's position at performance factor m, every flow recomputed
    (the slow, literal route; a test checks the fast one against it)."""
    p = doc_or_prep if "kinds" in doc_or_prep else _prepare_v2(doc_or_prep)
    pay = _payments_v2(p, m)
    dfs, hdfs = _dfs(p, pay["n_years"])
    pv_cash = {}
    for line in _benefit_flows_v2(p, m):
        if line["type"] == "fiscal":
            pv = present_value(line["flows"], _line_dfs(line, dfs, hdfs))
            pv_cash[line["agency"]] = pv_cash.get(line["agency"], 0.0) + line["cashable"] * pv
    cost_flows = _cost_flows_v2(p)
    pv_own = {}
    for line, flows in zip(p["cost_lines"], cost_flows):
        if line["payer"] in p["kinds"]:
            pv_own[line["payer"]] = pv_own.get(line["payer"], 0.0) + present_value(flows, dfs)
    return _positions(p, pv_cash, pv_own, _funding(p, cost_flows), pay, dfs)


def fast_positions_v2(p: dict, pv_cash: dict, pv_own: dict, fund: dict, m: float) -> dict:
    """Same as positions_at_v2, using that benefits are linear in m (N_c is
    m x the central N_c): pv_cash is taken at m = 1 and scaled; costs and
    funding do not depend on m; only the (capped) payments are redone."""
    pay = _payments_v2(p, m)
    dfs = _dfs(p, pay["n_years"])[0]
    return _positions(p, {a: v * m for a, v in pv_cash.items()}, pv_own, fund, pay, dfs)


# --------------------------------------------------------------------------
# The whole evaluation
# --------------------------------------------------------------------------


def reference_evaluate_v2(doc: dict) -> dict:
    """Figures for a format-1 or format-2 scenario dict, shaped like the
    engine's evaluate --json (plus a few extras for the tests: by_year,
    cap_binds, irr roots and flows)."""
    p = _prepare_v2(doc)
    H = p["horizon"]
    k = p["contract"]
    pay = _payments_v2(p, 1.0)
    n = pay["n_years"]
    dfs_n, hdfs_n = _dfs(p, n)  # carried on past the horizon for payments
    dfs, hdfs = dfs_n[:H], hdfs_n[:H]
    index = [price_index(p, t) for t in range(n)]

    # -- economic case: costs ---------------------------------------------------
    cost_flows = _cost_flows_v2(p)
    keys = ("pv_costs", "pv_fiscal", "pv_cashable", "pv_economic", "pv_social")
    rows = p["agencies"] + ["provider"] + (["investor"] if k["type"] == "social_impact_bond" else [])
    # READING: by_agency keeps format 1's "provider" row and, under a bond,
    # adds an "investor" row for the investor's own cost lines.
    by_agency = {a: {key: 0.0 for key in keys} for a in rows}
    costs = [0.0] * H
    own_by_agency = {a: [0.0] * H for a in p["agencies"]}
    for line, flows in zip(p["cost_lines"], cost_flows):
        for t in range(H):
            costs[t] += flows[t]
            if line["payer"] in own_by_agency:
                own_by_agency[line["payer"]][t] += flows[t]
        by_agency.setdefault(line["payer"], {key: 0.0 for key in keys})
        by_agency[line["payer"]]["pv_costs"] += present_value(flows, dfs)
    pv_costs = present_value(costs, dfs)

    # -- economic case: benefits, each line with its own factors ---------------
    pv = {"fiscal": 0.0, "cashable": 0.0, "transfers": 0.0, "economic": 0.0, "social": 0.0}
    yearly = {key: [0.0] * H for key in ("fiscal", "cashable", "transfers", "economic", "social")}
    disc_fiscal = [0.0] * H  # fiscal, discounted line by line, for payback
    cash_by_agency = {a: [0.0] * H for a in p["agencies"]}  # real cashable
    pv_cash = {}
    benefit_lines = _benefit_flows_v2(p, 1.0)
    for line in benefit_lines:
        f_dfs = _line_dfs(line, dfs, hdfs)
        line_pv = present_value(line["flows"], f_dfs)
        row = by_agency[line["agency"]]
        if line["type"] == "fiscal":
            pv["fiscal"] += line_pv
            pv["cashable"] += line["cashable"] * line_pv
            row["pv_fiscal"] += line_pv
            row["pv_cashable"] += line["cashable"] * line_pv
            pv_cash[line["agency"]] = pv_cash.get(line["agency"], 0.0) + line["cashable"] * line_pv
            if line["transfer"]:
                pv["transfers"] += line_pv
            for t in range(H):
                yearly["fiscal"][t] += line["flows"][t]
                yearly["cashable"][t] += line["cashable"] * line["flows"][t]
                cash_by_agency[line["agency"]][t] += line["cashable"] * line["flows"][t]
                disc_fiscal[t] += f_dfs[t] * line["flows"][t]
                if line["transfer"]:
                    yearly["transfers"][t] += line["flows"][t]
        else:
            pv[line["type"]] += line_pv
            row["pv_" + line["type"]] += line_pv
            for t in range(H):
                yearly[line["type"]][t] += line["flows"][t]

    # READING: by_year (economic case, real) covers the horizon only; costs
    # and benefits stop there; the contract's later years show in `financial`.
    by_year, cumulative, payback = [], 0.0, None
    for t in range(H):
        cumulative += disc_fiscal[t] - dfs[t] * costs[t]
        if payback is None and cumulative >= 0:
            payback = t
        by_year.append(
            {
                "year_index": t,
                "year": p["start_year"] + t,
                "discount_factor": dfs[t],
                "costs": costs[t],
                "fiscal": yearly["fiscal"][t],
                "cashable": yearly["cashable"][t],
                "transfers": yearly["transfers"][t],
                "economic": yearly["economic"][t],
                "social": yearly["social"][t],
                "net_fiscal": yearly["fiscal"][t] - costs[t],
                "cumulative_discounted_net_fiscal": cumulative,
            }
        )
    # Issue "Start a programme of your own": with no costs and no fiscal benefit in any year there is
    # nothing to pay back, so payback is "not yet" (null), not year 0.
    if all(x == 0 for x in costs) and all(x == 0 for x in disc_fiscal):
        payback = None

    additional, valued = {}, {}
    for o in p["outcomes"]:
        additional[o["id"]] = sum(_additional(p, o, c, 1.0) for c in range(H))
        valued[o["id"]] = sum(_additional(p, o, c, 1.0) * (1.0 - o["ob"]) for c in range(H))

    # -- contract -----------------------------------------------------------------
    pv_own = {a: present_value(own_by_agency[a], dfs) for a in p["agencies"]}
    fund = _funding(p, cost_flows)
    parties = _positions(p, pv_cash, pv_own, fund, pay, dfs_n)
    pay_real = [pay["cash"][t] / index[t] for t in range(n)]
    pv_pay = present_value(pay_real, dfs_n)

    # Every party is searched over the same grid of m: remember each m.
    memo = {}

    def position(party, m):
        if m not in memo:
            memo[m] = fast_positions_v2(p, pv_cash, pv_own, fund, m)
        return memo[m][party]

    switching = {}
    for party in parties:
        switching[party] = switching_value(lambda m, party=party: position(party, m))

    investor = {"peak_capital": None, "irr": None, "irr_real": None, "multiple": None}
    if k["type"] == "social_impact_bond":
        funding_real = fund["investor"] + [0.0] * (n - H)
        flows = [pay["cash"][t] - funding_real[t] * index[t] for t in range(n)]
        flows_real = [pay_real[t] - funding_real[t] for t in range(n)]
        running, lowest = 0.0, 0.0
        for x in flows:
            running += x
            lowest = min(lowest, running)
        funding_cash = sum(funding_real[t] * index[t] for t in range(n))
        roots, roots_real = irr_roots(flows), irr_roots(flows_real)
        investor = {
            "peak_capital": max(0.0, -lowest),
            # READING (as reference_calc.py): with several roots, the one closest to 0.
            "irr": min(roots, key=abs) if roots else None,
            "irr_real": min(roots_real, key=abs) if roots_real else None,
            # READING: multiple is None where the investor funds nothing.
            "multiple": sum(pay["cash"]) / funding_cash if funding_cash > 0 else None,
            "irr_roots": roots,  # extras for the tests, not engine keys
            "irr_real_roots": roots_real,
            "flows": flows,
            "flows_real": flows_real,
        }

    premium, per_valued = None, None
    if k["type"] in ("payment_by_results", "social_impact_bond"):
        pv_payers_fund = 0.0
        for a in p["agencies"]:
            pv_payers_fund += present_value(fund["agency"][a], dfs)
        # "the contract's stated margin even under payment by results".
        # READING: "what the outcome payers fund" is the fixed-share fee only;
        # the investor's own cost lines are funded by the investor and are
        # not part of either side of the comparison.
        premium = pv_pay + pv_payers_fund - present_value(fund["delivery"], dfs) * (1.0 + k["stated_margin"])
        # READING: every outcome node has an entry (an unpriced one is paid 0
        # per valued outcome); the field is None under none / fee_for_service,
        # like premium_over_fee_for_service.
        per_valued = {}
        for o in p["outcomes"]:
            real_paid = 0.0
            for t in range(n):
                real_paid += pay["by_outcome"][o["id"]][t] / index[t]
            per_valued[o["id"]] = real_paid / valued[o["id"]] if valued[o["id"]] > 0 else None

    # -- financial case (cash, by year over the contract's years) ---------------
    shares = {}
    for a, share in k["payers"]:
        shares[a] = shares.get(a, 0.0) + share
    fin_by_year = {}
    for a in p["agencies"]:
        row = []
        for t in range(n):
            real = 0.0
            if t < H:
                real = cash_by_agency[a][t] - own_by_agency[a][t] - fund["agency"][a][t]
            row.append(real * index[t] - shares.get(a, 0.0) * pay["cash"][t])
        fin_by_year[a] = row
    public = [a for a in p["agencies"] if p["kinds"][a] == "public"]
    ps_by_year = [sum(fin_by_year[a][t] for a in public) for t in range(n)]
    # READING: premium_over_fee_for_service and paid_per_valued_outcome sit
    # in `contract`, `financial` at the top level (DESIGN's command-line
    # section predates format 2 and does not place them).
    financial = {
        "by_year": fin_by_year,
        "total_cash": {a: sum(fin_by_year[a]) for a in p["agencies"]},
        "public_sector_by_year": ps_by_year,
        "public_sector_total_cash": sum(ps_by_year),
        "public_sector_position": sum(parties[a] for a in public),
    }

    numerator = pv["fiscal"] - pv["transfers"] + pv["economic"] + pv["social"]
    return {
        "pv_costs": pv_costs,
        "pv_fiscal": pv["fiscal"],
        "pv_transfers": pv["transfers"],
        "pv_cashable": pv["cashable"],
        "pv_economic": pv["economic"],
        "pv_social": pv["social"],
        "npv_fiscal": pv["fiscal"] - pv_costs,
        "npv_cashable": pv["cashable"] - pv_costs,
        "npv_public_value": numerator - pv_costs,
        "bcr_fiscal": pv["fiscal"] / pv_costs if pv_costs != 0 else None,
        "bcr_public_value": numerator / pv_costs if pv_costs != 0 else None,
        "payback_year": payback,
        "additional_outcomes": additional,
        "by_agency": by_agency,
        "by_year": by_year,
        "contract": {
            "type": k["type"],
            "payment_basis": k["basis"],
            "outcome_payments_total": sum(pay["cash"]),
            "pv_outcome_payments": pv_pay,
            "payments_beyond_horizon": pay["beyond"],
            "cap_binds": pay["cap_binds"],
            "contract_years": n,  # extra, for the tests
            "payments_cash_by_year": pay["cash"],  # extra, for the tests
            "parties": parties,
            "switching_values": switching,
            "investor": investor,
            "premium_over_fee_for_service": premium,
            "paid_per_valued_outcome": per_valued,
        },
        "financial": financial,
    }

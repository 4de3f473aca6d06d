"""Independent reference for a place (format toc-place/1).

Written from /work/shared/DESIGN.md only (section "A place: several
programmes and a pooled fund", and "Format 2" for the financial case),
without looking at or importing the project's ``logic`` package. Each
programme is computed by the plain helpers of reference_calc_v2.py (its cost
flows, benefit flows, funding and capped outcome payments); this file only
re-derives each agency's cash items from them, places every programme on the
place's calendar and runs the pooled fund, one year at a time.

Entry point: reference_place(place_doc, programme_docs) with the programme
documents in the order of place_doc["programmes"]; the result is shaped like
`python -m logic place FILE --json` (years, fund, agencies, economic,
double_counting; not programmes or warnings), plus an "extras" key the tests
use (not an engine key).

Readings of the design that are choices rather than quotations are marked
"READING:".
"""

from __future__ import annotations

import copy

try:  # tests/ may or may not be a package
    from . import reference_calc as rc
    from . import reference_calc_v2 as rc2
except ImportError:
    import reference_calc as rc
    import reference_calc_v2 as rc2

ITEMS = ("own_costs", "funding", "outcome_payments")
SELF_SUSTAINING_TOL = 1e-6


# --------------------------------------------------------------------------
# Place settings with their defaults
# --------------------------------------------------------------------------


def _place_settings(place_doc: dict) -> dict:
    s = place_doc["settings"]
    start = int(s["start_year"])
    # "defaults as for a scenario: price_base_year start_year - 1, inflation 0;
    # also discount_schedule, health_discount_rate".
    return {
        "start_year": start,
        "horizon": int(s["horizon_years"]),
        "rate": float(s.get("discount_rate", 0.035)),
        "schedule": s.get("discount_schedule", "constant"),
        "health_rate": float(s.get("health_discount_rate", 0.015)),
        "price_base_year": int(s.get("price_base_year", start - 1)),
        "inflation": float(s.get("inflation", 0.0)),
    }


def _fund_settings(place_doc: dict) -> dict:
    # READING: a place without a fund pools nothing: no members, every agency
    # keeps its own financial case, the fund's lines are zeros.
    f = place_doc.get("fund") or {}
    contributions = {}
    for row in f.get("contributions", []) or []:
        # READING: two rows for the same member add up (the engine refuses
        # such a file, so only the reference ever sees it).
        old = contributions.get(row["agency"], [])
        new = [float(x) for x in row["by_year"]]
        n = max(len(old), len(new))
        old, new = old + [0.0] * (n - len(old)), new + [0.0] * (n - len(new))
        contributions[row["agency"]] = [x + y for x, y in zip(old, new)]
    pays_for = f.get("pays_for")
    return {
        "members": list(f.get("members", []) or []),
        "opening_balance": float(f.get("opening_balance", 0.0) or 0.0),
        "contributions": contributions,
        "pays_for": list(ITEMS) if pays_for is None else list(pays_for),
        "savings_returned": float(f.get("savings_returned", 0.0) or 0.0),
        "lag": int(f.get("savings_lag_years", 1)),
        "bridge_rate": float(f.get("bridge_rate", 0.0) or 0.0),
        "balance_rate": float(f.get("balance_rate", 0.0) or 0.0),
    }


# --------------------------------------------------------------------------
# One programme, on its own years
# --------------------------------------------------------------------------


def programme_doc_in_place(entry: dict, doc: dict, place: dict) -> dict:
    """The programme's document as the place evaluates it: its own settings
    except start_year (the entry's), price_base_year and inflation (the
    place's); its intake times the entry's scale."""
    d = copy.deepcopy(doc)
    s = d["settings"]
    s["start_year"] = int(entry.get("start_year", place["start_year"]))
    s["price_base_year"] = place["price_base_year"]
    s["inflation"] = place["inflation"]
    scale = float(entry.get("scale", 1.0))
    # "scale multiplies its intake only: setup and yearly fixed costs stay".
    d["cohort"]["intake"] = [float(x) * scale for x in d["cohort"]["intake"]]
    return d


def programme_flows(entry: dict, doc: dict, place: dict) -> dict:
    """A programme's yearly figures on its own years 0..n-1.

    n = max(horizon, 1 + the last contract year with a payment after caps)
    (rc2._payments_v2's n_years). Per agency, in cash: cashable savings and
    the three cash items of the financial case. Real cost and benefit lines
    (years 0..H-1) for the economic case. Its benefit codes."""
    d = programme_doc_in_place(entry, doc, place)
    p = rc2._prepare_v2(d)
    H = p["horizon"]
    pay = rc2._payments_v2(p, 1.0)
    n = pay["n_years"]
    index = [rc2.price_index(p, t) for t in range(n)]
    cost_flows = rc2._cost_flows_v2(p)
    benefit_lines = rc2._benefit_flows_v2(p, 1.0)
    funding = rc2._funding(p, cost_flows)

    shares = {}
    for a, share in p["contract"]["payers"]:
        shares[a] = shares.get(a, 0.0) + share

    cash = {}
    for a in p["agencies"]:
        rows = {key: [0.0] * n for key in ("cashable",) + ITEMS}
        for t in range(n):
            # Outcome payments are cash already; a payer's share of them.
            rows["outcome_payments"][t] = shares.get(a, 0.0) * pay["cash"][t]
            if t < H:
                rows["funding"][t] = funding["agency"][a][t] * index[t]
        cash[a] = rows
    for line, flows in zip(p["cost_lines"], cost_flows):
        if line["payer"] in cash:  # not provider or investor
            for t in range(H):
                cash[line["payer"]]["own_costs"][t] += flows[t] * index[t]
    for line in benefit_lines:
        if line["type"] == "fiscal":
            # "cashable savings": the cashable part of every fiscal line,
            # transfers included, valued on N_c x (1 - OB), in cash.
            for t in range(H):
                cash[line["agency"]]["cashable"][t] += line["cashable"] * line["flows"][t] * index[t]

    codes = set()
    for node in doc["nodes"]:
        if node.get("stage") != "outcome":
            continue
        for b in node.get("benefits", []) or []:
            if b.get("code") is not None:
                # READING: a code is compared as text.
                codes.add((b["agency"], str(b["code"])))

    return {
        "start_year": p["start_year"],
        "horizon": H,
        "n_years": n,
        "agencies": p["agencies"],
        "cash": cash,
        # uplifted, every payer (provider, agencies, investor): real
        "cost_flows": cost_flows,
        "benefit_lines": benefit_lines,
        "codes": codes,
    }


# --------------------------------------------------------------------------
# The place
# --------------------------------------------------------------------------


def reference_place(place_doc: dict, programme_docs: list) -> dict:
    place = _place_settings(place_doc)
    fund = _fund_settings(place_doc)
    entries = place_doc["programmes"]
    assert len(entries) == len(programme_docs)
    progs = [programme_flows(e, d, place) for e, d in zip(entries, programme_docs)]

    # -- the calendar -----------------------------------------------------------
    offsets = [pr["start_year"] - place["start_year"] for pr in progs]
    covered = max([place["horizon"]] + [o + pr["n_years"] for o, pr in zip(offsets, progs)])
    L = covered + fund["lag"]
    years = [place["start_year"] + i for i in range(L)]

    # -- every agency's cash, on the calendar -----------------------------------
    order = []  # first appearance: programme order, then the file's order
    for pr in progs:
        for a in pr["agencies"]:
            if a not in order:
                order.append(a)
    cash = {a: {key: [0.0] * L for key in ("cashable",) + ITEMS} for a in order}
    for off, pr in zip(offsets, progs):
        for a, rows in pr["cash"].items():
            for key, flows in rows.items():
                for t, x in enumerate(flows):
                    cash[a][key][off + t] += x

    contributions = {a: [0.0] * L for a in fund["members"]}
    for a, row in fund["contributions"].items():
        for t, x in enumerate(row[:L]):  # zero after the list ends
            contributions.setdefault(a, [0.0] * L)[t] += x
    contrib_total = [sum(contributions[a][t] for a in contributions) for t in range(L)]

    # -- the fund ----------------------------------------------------------------
    members = [a for a in fund["members"] if a in cash]
    outflow, savings_in, inflow, balance = [], [], [], []
    prev = fund["opening_balance"]
    for t in range(L):
        out = 0.0
        for a in members:
            for item in fund["pays_for"]:
                out += cash[a][item][t]
        s_in = 0.0
        src = t - fund["lag"]
        if src >= 0:
            for a in members:
                # cash as banked in year t - lag, not re-indexed
                s_in += (1.0 - fund["savings_returned"]) * cash[a]["cashable"][src]
        inn = contrib_total[t] + s_in
        rate = fund["bridge_rate"] if prev < 0 else fund["balance_rate"]
        bal = prev * (1.0 + rate) + inn - out
        outflow.append(out)
        savings_in.append(s_in)
        inflow.append(inn)
        balance.append(bal)
        prev = bal

    bridge = max(0.0, -min(balance)) if balance else 0.0
    # First s with, for every t >= s, balance_t - balance_(t-1) - contributions_t
    # >= 0 (to 1e-6), balance_(-1) = opening_balance.
    ok = []
    for t in range(L):
        before = balance[t - 1] if t > 0 else fund["opening_balance"]
        ok.append(balance[t] - before - contrib_total[t] >= -SELF_SUSTAINING_TOL)
    self_sustaining = None
    for s in range(L - 1, -1, -1):
        if not ok[s]:
            break
        self_sustaining = s

    # -- each agency's net cash ---------------------------------------------------
    agencies = {}
    for a in order:
        net = []
        for t in range(L):
            if a in fund["members"]:
                x = fund["savings_returned"] * cash[a]["cashable"][t] - contributions[a][t]
                for item in ITEMS:
                    if item not in fund["pays_for"]:
                        x -= cash[a][item][t]
            else:
                x = cash[a]["cashable"][t] - sum(cash[a][item][t] for item in ITEMS)
            net.append(x)
        agencies[a] = {"net_cash_by_year": net}

    # -- the economic case (real, the place's discounting) -------------------------
    dfs = rc.discount_factors(L, place["rate"], place["schedule"])
    hdfs = rc2.health_discount_factors(L, place["health_rate"], place["schedule"])
    pv = {"costs": 0.0, "fiscal": 0.0, "transfers": 0.0, "economic": 0.0, "social": 0.0}
    for off, pr in zip(offsets, progs):
        for flows in pr["cost_flows"]:
            for t, x in enumerate(flows):
                pv["costs"] += dfs[off + t] * x
        for line in pr["benefit_lines"]:
            f = hdfs if line["health"] else dfs
            line_pv = sum(f[off + t] * x for t, x in enumerate(line["flows"]))
            pv[line["type"]] += line_pv
            if line["transfer"]:
                pv["transfers"] += line_pv
    economic = {
        "pv_costs": pv["costs"],
        "pv_fiscal": pv["fiscal"],
        "pv_transfers": pv["transfers"],
        "npv_fiscal": pv["fiscal"] - pv["costs"],
        "npv_public_value": pv["fiscal"] - pv["transfers"] + pv["economic"] + pv["social"] - pv["costs"],
    }

    # -- double counting ---------------------------------------------------------------
    double = []
    for i in range(len(progs)):
        for j in range(i + 1, len(progs)):
            for agency, code in sorted(progs[i]["codes"] & progs[j]["codes"]):
                double.append({"programmes": [i, j], "agency": agency, "code": code})

    return {
        "years": years,
        "fund": {
            "inflow_by_year": inflow,
            "outflow_by_year": outflow,
            "balance_by_year": balance,
            "bridge_needed": bridge,
            "self_sustaining_year": self_sustaining,
        },
        "agencies": agencies,
        "economic": economic,
        "double_counting": double,
        "extras": {  # for the tests, not engine keys
            "offsets": offsets,
            "programme_years": [pr["n_years"] for pr in progs],
            "contributions_by_year": contrib_total,
            "savings_in_by_year": savings_in,
            "cash": cash,
            "pv_economic": pv["economic"],
            "pv_social": pv["social"],
        },
    }

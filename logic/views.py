"""Chart- and table-ready frames derived from an Evaluation.

The app and the reports draw these as they are: every number on screen is
computed here or in the engine, never in a page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import Evaluation
from .presentation import (
    compact_money,
    format_figure,
    format_metric,
    m_value,
    money,
    money_columns,
    nothing_yet,
    payback_of,
    ratio,
    risk_cell,
)
from .report_text import EXPLANATIONS, FINANCIAL_CASE, metric_label


def agency_names(ev: Evaluation) -> dict[str, str]:
    names = {a.id: a.name for a in ev.scenario.agencies}
    names["provider"] = "Provider (delivery)"
    names["investor"] = "Social investor"
    return names


def key_figures(ev: Evaluation) -> list[dict]:
    """The tiles of the key-figure strip: the case for the public purse, and beside it what the contract leaves it."""
    r = ev.figures
    cur = ev.scenario.settings.currency
    start = ev.scenario.settings.start_year
    pb = r["price_base"]
    return [
        {
            "key": "npv_fiscal",
            "label": "NPV (fiscal)",
            "value": compact_money(r["npv_fiscal"], cur),
            "help": f"{EXPLANATIONS['npv_fiscal'][1]} Real terms, {pb}.",
        },
        {
            "key": "public_sector_position",
            "label": "Public sector under contract",
            "value": compact_money(r["financial"]["public_sector_position"], cur),
            "help": f"{FINANCIAL_CASE['public_sector_position'][1]} Real terms, {pb}.",
        },
        {
            "key": "bcr_fiscal",
            "label": "Benefit-cost ratio",
            "value": ratio(r["bcr_fiscal"]),
            "help": EXPLANATIONS["bcr_fiscal"][1],
        },
        {
            "key": "payback_year",
            "label": "Pays back in",
            "value": _payback_tile(r, start),
            "help": EXPLANATIONS["payback_year"][1],
        },
        {
            "key": "pv_costs",
            "label": "PV of costs",
            "value": compact_money(r["pv_costs"], cur),
            "help": f"{EXPLANATIONS['pv_costs'][1]} Real terms, {pb}.",
        },
    ]


def _payback_tile(r: dict, start: int) -> str:
    if nothing_yet(r):
        return "Not yet"
    return "Not in horizon" if r["payback_year"] is None else str(start + r["payback_year"])


def headline_table(ev: Evaluation) -> pd.DataFrame:
    r = ev.figures
    start = ev.scenario.settings.start_year
    cur = ev.scenario.settings.currency
    return pd.DataFrame(
        [
            {
                "Figure": label,
                "Value": payback_of(r, start) if k == "payback_year" else format_figure(k, r[k], start, cur),
                "What it means": text,
            }
            for k, (label, text) in EXPLANATIONS.items()
        ]
    )


def savings_by_agency_year(ev: Evaluation) -> pd.DataFrame:
    """Long form: year, agency, kind (cashable / non-cashable), amount (undiscounted)."""
    f = ev.flows
    names = agency_names(ev)
    years = ev.scenario.settings.start_year + np.arange(ev.compiled.horizon)
    rows = []
    for i, a in enumerate(ev.compiled.agency_ids):
        cash = f.cashable[0, i]
        non = f.fiscal[0, i] - cash
        if not (np.any(cash) or np.any(non)):
            continue
        for t, y in enumerate(years):
            rows.append({"year": int(y), "agency": names[a], "kind": "Cashable", "amount": float(cash[t])})
            rows.append({"year": int(y), "agency": names[a], "kind": "Non-cashable", "amount": float(non[t])})
    df = _priced(ev, pd.DataFrame(rows, columns=["year", "agency", "kind", "amount"]))
    df.attrs["order"] = [names[a] for a in ev.compiled.agency_ids]  # so each agency keeps its colour
    return df


def _priced(ev: Evaluation, df: pd.DataFrame) -> pd.DataFrame:
    """Carry the price base and the currency with a frame, so every chart drawn from it (app or report) names them."""
    df.attrs["price_base"] = ev.figures["price_base"]
    df.attrs["currency"] = ev.scenario.settings.currency
    return df


def cumulative_position(ev: Evaluation) -> pd.DataFrame:
    """Discounted cumulative costs, fiscal benefits and net position by year."""
    rows = ev.figures["by_year"]
    df = pd.DataFrame(rows)
    d = df["discount_factor"]
    out = pd.DataFrame(
        {
            "year": df["year"],
            "Cumulative costs": (df["costs"] * d).cumsum(),
            "Cumulative fiscal savings": (df["fiscal"] * d).cumsum(),
            "Net position": df["cumulative_discounted_net_fiscal"],
        }
    )
    return _priced(ev, out)


def who_pays_matrix(ev: Evaluation) -> pd.DataFrame:
    """One row per agency (and the provider): what it pays and what it receives, in PV."""
    names = agency_names(ev)
    rows = []
    for a, figs in ev.figures["by_agency"].items():
        rows.append(
            {
                "Organisation": names.get(a, a),
                "Pays": figs["pv_costs"],
                "Fiscal savings": figs["pv_fiscal"],
                "Cashable": figs["pv_cashable"],
                "Economic": figs["pv_economic"],
                "Social": figs["pv_social"],
                "Net fiscal": figs["pv_fiscal"] - figs["pv_costs"],
            }
        )
    return pd.DataFrame(rows)


def yearly_table(ev: Evaluation) -> pd.DataFrame:
    df = pd.DataFrame(ev.figures["by_year"])
    return df.rename(
        columns={
            "year": "Year",
            "participants": "Participants",
            "costs": "Costs",
            "fiscal": "Fiscal savings",
            "transfers": "of which transfers",
            "cashable": "Cashable",
            "economic": "Economic",
            "social": "Social",
            "net_fiscal": "Net fiscal",
            "discount_factor": "Discount factor",
            "cumulative_discounted_net_fiscal": "Cumulative discounted net",
        }
    )[
        [
            "Year",
            "Participants",
            "Costs",
            "Fiscal savings",
            "of which transfers",
            "Cashable",
            "Economic",
            "Social",
            "Net fiscal",
            "Discount factor",
            "Cumulative discounted net",
        ]
    ]


def do_nothing_frame(ev: Evaluation) -> pd.DataFrame:
    """Long form: year, need, cost with no action."""
    start = ev.scenario.settings.start_year
    rows = []
    for need in ev.figures["do_nothing"].values():
        for t, v in enumerate(need["by_year"]):
            rows.append({"year": start + t, "need": need["label"], "cost": v})
    return _priced(ev, pd.DataFrame(rows, columns=["year", "need", "cost"]))


def do_nothing_summary(ev: Evaluation) -> pd.DataFrame:
    names = agency_names(ev)
    return pd.DataFrame(
        [
            {
                "Need": n["label"],
                "Borne by": names.get(n["agency"], n["agency"] or "-"),
                "Total over horizon": n["total"],
                "Present value": n["pv"],
            }
            for n in ev.figures["do_nothing"].values()
        ],
        columns=["Need", "Borne by", "Total over horizon", "Present value"],
    )


def outcomes_table(ev: Evaluation) -> pd.DataFrame:
    """Per outcome: participants, gross, would-have-happened-anyway, additional."""
    labels = {n.id: n.label for n in ev.scenario.outcomes}
    return pd.DataFrame(
        [
            {
                "Outcome": labels[o],
                "Participants": v["participants"],
                "Achieving it": v["gross"],
                "Would have anyway": v["deadweight"],
                "Additional (after attribution, displacement)": v["additional"],
            }
            for o, v in ev.figures["outcomes"].items()
        ]
    )


# --- outcomes contract and risk share ------------------------------------------------

CONTRACT_WORDS = {
    "none": "No contract: a plain grant from the first agency listed funds delivery; nothing is paid for outcomes.",
    "fee_for_service": "Fee for service: the outcome payers fund delivery by their shares; nothing is paid for outcomes.",
    "payment_by_results": "Payment by results: the provider funds delivery itself and is paid per outcome.",
    "social_impact_bond": "Social impact bond: investors fund delivery and are repaid per outcome by the commissioners.",
}
RISK_POINTS = {"Low (m = 0.5)": 0.5, "Central (m = 1)": 1.0, "High (m = 1.25)": 1.25}


def rate_card(ev: Evaluation) -> pd.DataFrame:
    """Per priced outcome: price, outcomes paid for, and what one extra outcome is worth to each agency.

    'Value to ...' is the undiscounted benefit of one extra outcome over its
    whole duration (value x the drop-off profile), before optimism bias.
    """
    names = agency_names(ev)
    sc = ev.scenario
    rows = []
    for o in sc.outcomes:
        profile = sum((1.0 - o.drop_off) ** j for j in range(o.duration_years))
        row = {"Outcome": o.label, "Price per outcome": o.price}
        for a in sc.agency_ids:
            value = sum(b.value for b in o.benefits if b.agency == a and b.type == "fiscal") * profile
            row[f"Value to {names[a]}"] = value
        rows.append(row)
    df = pd.DataFrame(rows)
    # Drop agencies that value no outcome: a wide table of zeros helps nobody.
    keep = [c for c in df.columns if not c.startswith("Value to ") or df[c].abs().sum() > 0]
    return df[keep]


def deadweight_paid(ev: Evaluation) -> dict:
    """Of the outcome payments (cash, before any cap), how much pays for outcomes that would have happened anyway."""
    f = ev.flows
    c = ev.compiled
    if c.contract_type in ("none", "fee_for_service"):
        return {"total": 0.0, "deadweight": 0.0, "share": None}
    total = float(f.payments_uncapped[0].sum())
    dead = 0.0
    if c.payment_basis == "gross":
        # Each outcome's cohorts are paid its own lag later, at that year's index where prices are indexed.
        price = np.array([o.price for o in ev.scenario.outcomes])
        for i in range(len(c.outcome_ids)):
            years = np.arange(c.horizon) + int(c.pay_lag[i])
            scale = f.cash_index[years] if c.indexation else 1.0
            dead += float((f.deadweight[0, i] * price[i] * scale).sum())
    return {"total": total, "deadweight": dead, "share": dead / total if total > 0 else None}


def fair_shares(ev: Evaluation) -> dict[str, float]:
    """Payer shares in proportion to each agency's PV of cashable benefit (agencies with none get 0)."""
    cash = {a: max(0.0, v["pv_cashable"]) for a, v in ev.figures["by_agency"].items() if a != "provider"}
    total = sum(cash.values())
    if total <= 0:
        return {}
    return {a: v / total for a, v in cash.items() if v > 0}


def parties_table(ev: Evaluation) -> pd.DataFrame:
    names = agency_names(ev)
    c = ev.figures["contract"]
    return pd.DataFrame(
        [
            {"Party": names.get(p, p), "Position (PV)": v, "Breaks even at performance m": c["switching_values"].get(p)}
            for p, v in c["parties"].items()
        ]
    )


def parties_table_text(ev: Evaluation) -> pd.DataFrame:
    """The parties table as it is read: positions as money in the scenario's currency, 'never' where none breaks even."""
    df = parties_table(ev)
    df["Position (PV)"] = [money(v, ev.scenario.settings.currency) for v in df["Position (PV)"]]
    df["Breaks even at performance m"] = [m_value(v) for v in df["Breaks even at performance m"]]
    return df


def risk_curve(ev: Evaluation, m: np.ndarray | None = None) -> pd.DataFrame:
    """Long form: m, party, position - each party's PV position as performance varies."""
    from .contract import risk_share_curve

    m = np.round(np.linspace(0.0, 1.5, 61), 6) if m is None else np.asarray(m, dtype=float)
    curve = risk_share_curve(ev.compiled, m)
    names = agency_names(ev)
    rows = []
    for key, values in curve.items():
        if not key.startswith("party:"):
            continue
        party = key.removeprefix("party:")
        if party in ev.compiled.agency_ids and not _involved(ev, party):
            continue
        for mi, v in zip(m, values):
            rows.append({"m": float(mi), "party": names.get(party, party), "position": float(v)})
    return _priced(ev, pd.DataFrame(rows, columns=["m", "party", "position"]))


def _involved(ev: Evaluation, agency: str) -> bool:
    """An agency worth a line on the risk chart: it pays, funds, or saves cash."""
    figs = ev.figures["by_agency"][agency]
    payer = ev.compiled.payer_share[ev.compiled.agency_ids.index(agency)] > 0
    first = ev.compiled.agency_ids[0] == agency and ev.compiled.contract_type == "none"
    return payer or first or figs["pv_cashable"] != 0 or figs["pv_costs"] != 0


def cap_zone(ev: Evaluation, m: np.ndarray | None = None) -> tuple[float, float] | None:
    """The range of m (within the chart) where the cap binds, or None."""
    from .contract import risk_share_curve

    m = np.round(np.linspace(0.0, 1.5, 61), 6) if m is None else np.asarray(m, dtype=float)
    binds = risk_share_curve(ev.compiled, m)["cap_binds"]
    if not binds.any():
        return None
    return float(m[binds][0]), float(m[binds][-1])


def switching_points(ev: Evaluation) -> pd.DataFrame:
    names = agency_names(ev)
    sv = ev.figures["contract"]["switching_values"]
    return pd.DataFrame(
        [{"party": names.get(p, p), "m": v} for p, v in sv.items() if v is not None and v <= 1.5],
        columns=["party", "m"],
    )


def risk_table(ev: Evaluation, real_irr: bool = False) -> pd.DataFrame:
    """Low / central / high performance: payments, investor return, each party's position.

    real_irr adds the investor's real IRR under the nominal one (a row the caller formats as a rate).
    """
    from .contract import investor_metrics, risk_share_curve
    from .engine import run

    m = np.array(list(RISK_POINTS.values()))
    curve = risk_share_curve(ev.compiled, m)
    names = agency_names(ev)
    rows = {"Outcome payments (undiscounted)": curve["outcome_payments"]}
    if ev.compiled.contract_type == "social_impact_bond":
        rows["Investor IRR"] = curve["investor_irr"]
        if real_irr:
            real = curve["investor_irr"]
            if ev.compiled.inflation != 0:  # with none, the real flows are the cash flows
                real = investor_metrics(ev.compiled, run(ev.compiled, performance=m))["irr_real"]
            rows["Investor IRR (real)"] = real
        rows["Investor multiple"] = curve["investor_multiple"]
    for key, values in curve.items():
        if key.startswith("party:"):
            party = key.removeprefix("party:")
            if party in ev.compiled.agency_ids and not _involved(ev, party):
                continue
            label = "Provider margin / position (PV)" if party == "provider" else f"{names.get(party, party)} (PV)"
            rows[label] = values
    df = pd.DataFrame(rows, index=list(RISK_POINTS)).T
    df.index.name = "Figure"
    return df.reset_index()


RISK_LABELS = {
    "Outcome payments (undiscounted)": "Outcome payments (cash, undiscounted)",
    "Investor IRR": "Investor IRR (cash)",
}


def risk_table_text(ev: Evaluation) -> pd.DataFrame:
    """The low / central / high table as the app and the report show it: every cell written, every label saying
    what it measures (payments in cash, the investor's return nominal and real)."""
    df = risk_table(ev, real_irr=True)
    cur = ev.scenario.settings.currency
    out = df.copy()
    for col in df.columns[1:]:
        out[col] = [risk_cell(fig, v, cur) for fig, v in zip(df["Figure"], df[col])]
    out["Figure"] = out["Figure"].replace(RISK_LABELS)
    return out


def positions_at_text(ev: Evaluation, m: float) -> pd.DataFrame:
    """positions_at with each position written as money in the scenario's currency."""
    return money_columns(positions_at(ev, m), ev.scenario.settings.currency)


def positions_at(ev: Evaluation, m: float) -> pd.DataFrame:
    """Each party's position at one performance level (for the live control)."""
    from .contract import risk_share_curve

    curve = risk_share_curve(ev.compiled, np.array([m]))
    names = agency_names(ev)
    return pd.DataFrame(
        [
            {"Party": names.get(k.removeprefix("party:"), k), "Position (PV)": float(v[0])}
            for k, v in curve.items()
            if k.startswith("party:")
            and (k.removeprefix("party:") not in ev.compiled.agency_ids or _involved(ev, k.removeprefix("party:")))
        ]
    )


# --- uncertainty ------------------------------------------------------------------------


def describe_path(ev: Evaluation, path: str) -> str:
    """'Stays out of care: rate with programme' rather than nodes.out-stays-home.rate_with."""
    words = {
        "rate_with": "rate with programme",
        "rate_without": "rate without (counterfactual)",
        "attribution": "attribution",
        "displacement": "displacement",
        "drop_off": "drop-off",
        "price": "outcome price",
        "value": "value per outcome",
        "cashable": "cashable share",
        "setup": "set-up cost",
        "per_year": "yearly cost",
        "per_participant": "cost per participant",
        "engagement_rate": "engagement rate",
        "discount_rate": "discount rate",
    }
    if path == "cohort.engagement_rate":
        return "Engagement rate"
    if path == "settings.discount_rate":
        return "Discount rate"
    labels = {n.id: n.label for n in ev.scenario.nodes}
    names = agency_names(ev)
    field = path.rsplit(".", 1)[-1]
    middle = path.removeprefix("nodes.").rsplit(".", 1)[0]
    node_id = middle.split(".")[0] if "[" not in middle else middle.rsplit(".", 1)[0]
    node_id = node_id if node_id in labels else middle
    text = f"{labels.get(node_id, node_id)}: {words.get(field, field)}"
    if ".benefits[" in path:
        node = next(n for n in ev.scenario.nodes if n.id == node_id)
        j = int(path.split(".benefits[")[1].split("]")[0])
        text += f" ({names.get(node.benefits[j].agency, node.benefits[j].agency)})"
    return text


def uncertain_inputs_table(ev: Evaluation) -> pd.DataFrame:
    rows = [p.model_dump() for p in ev.scenario.uncertainty.parameters]
    return pd.DataFrame(rows, columns=["path", "dist", "low", "mode", "high", "sd"])


def simulation_summary(ev: Evaluation, sim) -> pd.DataFrame:
    """One row per metric: mean, 5% / median / 95%, and the chance it is below zero."""
    names = agency_names(ev)
    cur = ev.scenario.settings.currency
    rows = []
    for name in sim.samples:
        if (
            name.startswith("party:")
            and name.removeprefix("party:") in ev.compiled.agency_ids
            and not _involved(ev, name.removeprefix("party:"))
        ):
            continue
        s = sim.summary(name)
        rows.append(
            {
                "Figure": metric_label(name, names),
                "Mean": format_metric(name, s["mean"], cur),
                "5th percentile": format_metric(name, s["p5"], cur),
                "Median": format_metric(name, s["p50"], cur),
                "95th percentile": format_metric(name, s["p95"], cur),
                "Chance below zero": "n/a" if s["p_below_zero"] is None else f"{s['p_below_zero']:.0%}",
            }
        )
    return pd.DataFrame(rows)


def loss_chances(ev: Evaluation, sim) -> pd.DataFrame:
    """P(position < 0) for each party involved."""
    names = agency_names(ev)
    rows = []
    for name in sim.samples:
        if not name.startswith("party:"):
            continue
        party = name.removeprefix("party:")
        if party in ev.compiled.agency_ids and not _involved(ev, party):
            continue
        p = sim.summary(name)["p_below_zero"]
        rows.append({"party": names.get(party, party), "p_loss": p})
    return pd.DataFrame(rows, columns=["party", "p_loss"])


def distribution(sim, name: str, currency: str = "GBP") -> pd.DataFrame:
    x = sim.samples[name]
    df = pd.DataFrame({"value": x[~np.isnan(x)]})
    df.attrs["currency"] = currency  # for the histogram's money axis
    return df


def tornado_frame(ev: Evaluation, rows: list[dict]) -> pd.DataFrame:
    out = []
    for r in rows:
        label = describe_path(ev, r["path"])
        low, high = f"Low ({r['low']:.4g})", f"High ({r['high']:.4g})"
        out.append({"input": label, "end": low, "side": "Low", "value": r["at_low"], "central": r["central"]})
        out.append({"input": label, "end": high, "side": "High", "value": r["at_high"], "central": r["central"]})
    return _priced(ev, pd.DataFrame(out, columns=["input", "end", "side", "value", "central"]))


def switching_inputs(ev: Evaluation) -> pd.DataFrame:
    """For the key inputs: the value at which NPV fiscal, and the investor, would break even."""
    from .uncertainty import central_value, input_switching_value, key_inputs

    c = ev.compiled
    bond = c.contract_type == "social_impact_bond"
    rows = []
    for path in key_inputs(ev.scenario):
        row = {
            "Input": describe_path(ev, path),
            "Central": central_value(c, path),
            "NPV fiscal breaks even at": input_switching_value(c, path, "npv_fiscal"),
        }
        if bond:
            row["Investor breaks even at"] = input_switching_value(c, path, "party:investor")
        rows.append(row)
    return pd.DataFrame(rows)


def log_table(sc) -> pd.DataFrame:
    """The assumptions log, newest first, with readable column names."""
    rows = [
        {
            "When (UTC)": e.when.replace("T", " ").rstrip("Z"),
            "What changed": e.what,
            "From": e.before if e.before is not None else "(none)",
            "To": e.after if e.after is not None else "(none)",
            "By": e.by or "",
        }
        for e in reversed(sc.log)
    ]
    return pd.DataFrame(rows, columns=["When (UTC)", "What changed", "From", "To", "By"])


def stored_versions_table(versions) -> pd.DataFrame:
    """A scenario's saved versions, newest first, for the history table."""
    rows = [
        {
            "Version": v.version,
            "Saved (UTC)": v.created_at.strftime("%Y-%m-%d %H:%M"),
            "By": v.author,
            "Message": v.message,
            "Signed off": f"yes, by {v.locked_by}" if v.locked else "",
            "SHA-256": v.sha256[:16] + "…",
        }
        for v in versions
    ]
    return pd.DataFrame(rows, columns=["Version", "Saved (UTC)", "By", "Message", "Signed off", "SHA-256"])

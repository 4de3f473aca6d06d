"""The outcomes contract and its risk share as tables and frames: the rate card, who is paid what, each
party's position as performance varies, and the low / central / high table, with their written forms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import Evaluation
from .frames import agency_names, involved, priced
from .presentation import m_value, money, money_columns, risk_cell

CONTRACT_WORDS = {
    "none": "No contract: a plain grant from the first agency listed funds delivery; nothing is paid for outcomes.",
    "fee_for_service": (
        "Fee for service: the outcome payers fund delivery by their shares; nothing is paid for outcomes."
    ),
    "payment_by_results": "Payment by results: the provider funds delivery itself and is paid per outcome.",
    "social_impact_bond": (
        "Social impact bond: investors fund delivery and are repaid per outcome by the commissioners."
    ),
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
    """The parties table as it is read: positions as money in the scenario's currency, 'never' where none
    breaks even."""
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
        if party in ev.compiled.agency_ids and not involved(ev, party):
            continue
        for mi, v in zip(m, values):
            rows.append({"m": float(mi), "party": names.get(party, party), "position": float(v)})
    return priced(ev, pd.DataFrame(rows, columns=["m", "party", "position"]))


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
            if party in ev.compiled.agency_ids and not involved(ev, party):
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
            and (k.removeprefix("party:") not in ev.compiled.agency_ids or involved(ev, k.removeprefix("party:")))
        ]
    )

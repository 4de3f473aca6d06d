"""The two questions of a format-2 business case, as frames and sentences ready to draw.

Is it worth it? The economic case: value to society in real terms, in the
price base, transfers left out. Can we afford it, under this contract? The
financial case: what each budget pays and banks in cash, year by year,
including outcome payments that fall after the horizon. Every number comes
from `evaluate`; this module only picks, labels and words it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import Evaluation
from .frames import agency_names, priced
from .presentation import CONTRACT_NAMES_IN_TEXT, RISK_TAKER, compact_money, irr_text, money, multiple, ratio
from .report_text import (
    ECONOMIC_CASE,
    FINANCIAL_CASE,
    PREMIUM_NONE,
    economic_verdict,
    financial_verdict,
    paid_per_outcome_reason,
)

CONTRACT_NAMES = CONTRACT_NAMES_IN_TEXT  # the name this module gave them first
PUBLIC = "Public sector"


# --- the price base -------------------------------------------------------------------


def price_base(ev: Evaluation) -> str:
    """'2025/26 prices'."""
    return ev.figures["price_base"]


def real_note(ev: Evaluation) -> str:
    """How the economic case's figures are measured, for captions."""
    s = ev.scenario.settings
    rate = f"discounted at {s.discount_rate:.1%} a year"
    if any(b.discount == "health" for o in ev.scenario.outcomes for b in o.benefits):
        rate += f" ({s.health_discount_rate:.1%} for health benefits)"
    return f"Real terms, {price_base(ev)}, {rate}"


def cash_note(ev: Evaluation) -> str:
    """How the financial case's cash figures relate to the price base, for captions."""
    inflation = ev.scenario.settings.inflation
    if not inflation:
        return f"Cash; with inflation set to 0, cash equals {price_base(ev)}"
    return f"Cash: {price_base(ev)} grown by inflation of {inflation:.1%} a year"


# --- is it worth it? -------------------------------------------------------------------


def _economic_values(ev: Evaluation) -> dict[str, float | None]:
    r = ev.figures
    counted_fiscal = r["pv_fiscal"] - r["pv_transfers"]
    return {
        "pv_fiscal_counted": counted_fiscal,
        "pv_economic": r["pv_economic"],
        "pv_social": r["pv_social"],
        "pv_benefits_counted": counted_fiscal + r["pv_economic"] + r["pv_social"],
        "pv_costs": r["pv_costs"],
        "npv_public_value": r["npv_public_value"],
        "bcr_public_value": r["bcr_public_value"],
        "pv_transfers": r["pv_transfers"],
    }


def economic_case_table(ev: Evaluation) -> pd.DataFrame:
    """Figure, value and what it means: the economic case line by line, transfers on a line of their own."""
    cur = ev.scenario.settings.currency
    values = _economic_values(ev)
    rows = [
        {
            "key": key,
            "Figure": label,
            "Value": ratio(values[key]) if key.startswith("bcr") else money(values[key], cur),
            "What it means": text,
        }
        for key, (label, text) in ECONOMIC_CASE.items()
    ]
    df = pd.DataFrame(rows, columns=["key", "Figure", "Value", "What it means"])
    return priced(ev, df)


def economic_lines(ev: Evaluation) -> pd.DataFrame:
    """For the chart: each kind of value, transfers and costs, as present values, and whether it counts."""
    values = _economic_values(ev)
    cur = ev.scenario.settings.currency
    kinds = [
        ("pv_fiscal_counted", "Counted"),
        ("pv_economic", "Counted"),
        ("pv_social", "Counted"),
        ("pv_transfers", "Shown, not counted"),
        ("pv_costs", "Cost"),
    ]
    df = pd.DataFrame(
        [
            {"line": ECONOMIC_CASE[k][0], "amount": values[k], "counts": group, "label": compact_money(values[k], cur)}
            for k, group in kinds
        ],
        columns=["line", "amount", "counts", "label"],
    )
    return priced(ev, df)


def worth_it(ev: Evaluation) -> str:
    r = ev.figures
    return economic_verdict(r["npv_public_value"], r["bcr_public_value"], ev.scenario.settings.currency)


# --- can we afford it, under this contract? ---------------------------------------------


def _premium(ev: Evaluation) -> float | None:
    return ev.figures["contract"]["premium_over_fee_for_service"]


def financial_case_table(ev: Evaluation) -> pd.DataFrame:
    """Figure, value and what it means: the public sector's cash and position under the contract."""
    cur = ev.scenario.settings.currency
    fin, c = ev.figures["financial"], ev.figures["contract"]
    paid = c["type"] in RISK_TAKER
    values = {
        "public_sector_position": money(fin["public_sector_position"], cur),
        "public_sector_total_cash": money(fin["public_sector_total_cash"], cur),
        "premium_over_fee_for_service": PREMIUM_NONE if _premium(ev) is None else money(_premium(ev), cur),
        "outcome_payments_total": money(c["outcome_payments_total"], cur) if paid else "none under this contract",
        "payments_beyond_horizon": money(c["payments_beyond_horizon"], cur) if paid else "none",
    }
    df = pd.DataFrame(
        [
            {"key": k, "Figure": label, "Value": values[k], "What it means": text}
            for k, (label, text) in FINANCIAL_CASE.items()
        ],
        columns=["key", "Figure", "Value", "What it means"],
    )
    return priced(ev, df)


def afford_it(ev: Evaluation) -> str:
    fin, kind = ev.figures["financial"], ev.figures["contract"]["type"]
    return financial_verdict(
        fin["public_sector_position"],
        fin["public_sector_total_cash"],
        _premium(ev),
        CONTRACT_NAMES[kind],
        RISK_TAKER.get(kind, ""),
        ev.scenario.settings.currency,
    )


def _budget_names(ev: Evaluation) -> dict[str, str]:
    names = agency_names(ev)
    words = {"donor": "donor", "people": "not a budget: the people themselves"}
    return {a.id: names[a.id] + (f" ({words[a.kind]})" if a.kind in words else "") for a in ev.scenario.agencies}


def _budgets_shown(ev: Evaluation) -> list[str]:
    """Agencies with any cash in or out: a row of zeros helps nobody."""
    by_year = ev.figures["financial"]["by_year"]
    return [a for a, xs in by_year.items() if any(abs(x) > 0.005 for x in xs)]


def cash_by_budget_year(ev: Evaluation) -> pd.DataFrame:
    """Long form for the chart: year, budget, cash, and whether the year is after the horizon."""
    fin = ev.figures["financial"]
    names = _budget_names(ev)
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    rows = [
        {"year": y, "budget": names[a], "cash": float(x), "after_horizon": y > last}
        for a in _budgets_shown(ev)
        for y, x in zip(fin["years"], fin["by_year"][a])
    ]
    df = pd.DataFrame(rows, columns=["year", "budget", "cash", "after_horizon"])
    df.attrs.update(cash_note=cash_note(ev), last_year=last, order=list(names.values()))
    return priced(ev, df)


def public_sector_cash(ev: Evaluation) -> pd.DataFrame:
    """The public sector's net cash by year (for the line over the bars)."""
    fin = ev.figures["financial"]
    df = pd.DataFrame({"year": fin["years"], "cash": fin["public_sector_by_year"]})
    df["series"] = f"{PUBLIC}, net"
    return df


def cash_by_budget_table(ev: Evaluation) -> pd.DataFrame:
    """One row per budget (and the public sector): cash by year, the total, and the position (PV, real)."""
    fin, parties = ev.figures["financial"], ev.figures["contract"]["parties"]
    names = _budget_names(ev)
    years = [str(y) for y in fin["years"]]
    rows = []
    for a in _budgets_shown(ev):
        row = {"Budget": names[a]} | dict(zip(years, fin["by_year"][a]))
        row |= {"Total (cash)": fin["total_cash"][a], "Position (PV)": parties[a]}
        rows.append(row)
    public = {"Budget": f"{PUBLIC} (all public bodies)"} | dict(zip(years, fin["public_sector_by_year"]))
    public |= {"Total (cash)": fin["public_sector_total_cash"], "Position (PV)": fin["public_sector_position"]}
    rows.append(public)
    df = pd.DataFrame(rows, columns=["Budget", *years, "Total (cash)", "Position (PV)"])
    return priced(ev, df)


# --- per outcome: the price against what the case values --------------------------------


def worth_per_valued_outcome(ev: Evaluation) -> dict[str, float]:
    """By outcome: the fiscal value of one valued outcome to public bodies, undiscounted, over its duration."""
    public = {a.id for a in ev.scenario.agencies if a.kind == "public"}
    out = {}
    for o in ev.scenario.outcomes:
        profile = sum((1.0 - o.drop_off) ** j for j in range(o.duration_years))
        out[o.id] = sum(b.value for b in o.benefits if b.type == "fiscal" and b.agency in public) * profile
    return out


def paid_per_outcome_table(ev: Evaluation) -> pd.DataFrame:
    """Per priced outcome: its price per outcome counted, what is paid per outcome the case values, and its worth."""
    c, f = ev.compiled, ev.flows
    paid_per = ev.figures["contract"]["paid_per_valued_outcome"] or {}
    worth = worth_per_valued_outcome(ev)
    rows = []
    for i, o in enumerate(ev.scenario.outcomes):
        counted = f.gross[0, i] if c.payment_basis == "gross" else np.maximum(0.0, f.gross[0, i] - f.deadweight[0, i])
        rows.append(
            {
                "id": o.id,
                "Outcome": o.label,
                "Price per outcome counted": o.price,
                "Outcomes counted": float(counted.sum()),
                "Outcomes the case values": float(f.valued[0, i]),
                "Paid in total (real)": float((f.payments_by_outcome[0, i] / f.cash_index).sum()),
                "Paid per outcome the case values": paid_per.get(o.id),
                "Worth to the public sector per outcome valued": worth[o.id],
            }
        )
    df = pd.DataFrame(rows)
    return priced(ev, df)


def paid_per_outcome_notes(ev: Evaluation, tolerance: float = 0.005) -> list[str]:
    """A sentence for each priced outcome whose cost per valued outcome differs from its price, saying why."""
    c = ev.figures["contract"]
    if c["paid_per_valued_outcome"] is None:
        return []
    sc, f = ev.scenario, ev.flows
    cur = sc.settings.currency
    fixed_cash = sc.settings.inflation != 0 and c["indexation"] == "none"
    table = paid_per_outcome_table(ev).set_index("id")
    notes = []
    for i, o in enumerate(sc.outcomes):
        row = table.loc[o.id]
        paid = row["Paid per outcome the case values"]
        if o.price <= 0 or row["Paid in total (real)"] <= 0:
            continue
        if paid is not None and not pd.isna(paid) and abs(paid - o.price) <= tolerance * o.price:
            continue
        gross = float(f.gross[0, i].sum())
        notes.append(
            paid_per_outcome_reason(
                o.label,
                o.price,
                None if paid is None or pd.isna(paid) else float(paid),
                basis=c["payment_basis"],
                deadweight_share=float(f.deadweight[0, i].sum()) / gross if gross > 0 else 0.0,
                attribution=o.attribution,
                displacement=o.displacement,
                optimism_bias=sc.settings.optimism_bias.get(o.evidence_grade, 0.0),
                grade=o.evidence_grade,
                cap_cuts=bool(c["cap_binds"] or c["outcome_caps_bind"].get(o.id)),
                fixed_cash_prices=fixed_cash,
                currency=cur,
            )
        )
    return notes


# --- the investor ------------------------------------------------------------------------


def investor_table(ev: Evaluation) -> pd.DataFrame:
    """Peak capital, multiple, and the return nominal and real (bonds only; empty otherwise)."""
    c = ev.figures["contract"]
    if c["type"] != "social_impact_bond":
        return pd.DataFrame(columns=["Figure", "Value", "What it means"])
    inv, cur, pb = c["investor"], ev.scenario.settings.currency, price_base(ev)
    rows = [
        (
            "Capital at risk at the peak",
            money(inv["peak_capital"], cur),
            "The most the investors are out of pocket at once, in cash.",
        ),
        (
            "Return (IRR, cash)",
            irr_text(inv["irr"]),
            "The yearly return on the investors' cash flows as paid: a nominal rate.",
        ),
        (
            f"Return (IRR, real, {pb})",
            irr_text(inv["irr_real"]),
            "The same return with inflation taken out: what the investors gain in buying power.",
        ),
        (
            "Money multiple",
            multiple(inv["multiple"]),
            "Outcome payments received for each 1 put in, in cash, undiscounted.",
        ),
    ]
    return pd.DataFrame(rows, columns=["Figure", "Value", "What it means"])

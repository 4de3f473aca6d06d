"""Chart- and table-ready frames derived from an Evaluation.

The app and the reports draw these as they are: every number on screen is
computed here or in the engine, never in a page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import Evaluation
from .report_text import EXPLANATIONS, compact_money, format_figure, payback, ratio


def agency_names(ev: Evaluation) -> dict[str, str]:
    names = {a.id: a.name for a in ev.scenario.agencies}
    names["provider"] = "Provider (delivery)"
    names["investor"] = "Social investor"
    return names


def key_figures(ev: Evaluation) -> list[dict]:
    """The four tiles of the key-figure strip."""
    r = ev.figures
    cur = ev.scenario.settings.currency
    start = ev.scenario.settings.start_year
    return [
        {"key": "npv_fiscal", "label": "NPV (fiscal)", "value": compact_money(r["npv_fiscal"], cur),
         "help": EXPLANATIONS["npv_fiscal"][1]},
        {"key": "bcr_fiscal", "label": "Benefit-cost ratio", "value": ratio(r["bcr_fiscal"]),
         "help": EXPLANATIONS["bcr_fiscal"][1]},
        {"key": "payback_year", "label": "Payback", "value": payback(r["payback_year"], start),
         "help": EXPLANATIONS["payback_year"][1]},
        {"key": "pv_costs", "label": "PV of costs", "value": compact_money(r["pv_costs"], cur),
         "help": EXPLANATIONS["pv_costs"][1]},
    ]


def headline_table(ev: Evaluation) -> pd.DataFrame:
    r = ev.figures
    start = ev.scenario.settings.start_year
    cur = ev.scenario.settings.currency
    return pd.DataFrame(
        [
            {"Figure": label, "Value": format_figure(k, r[k], start, cur), "What it means": text}
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
    return pd.DataFrame(rows, columns=["year", "agency", "kind", "amount"])


def cumulative_position(ev: Evaluation) -> pd.DataFrame:
    """Discounted cumulative costs, fiscal benefits and net position by year."""
    rows = ev.figures["by_year"]
    df = pd.DataFrame(rows)
    d = df["discount_factor"]
    return pd.DataFrame(
        {
            "year": df["year"],
            "Cumulative costs": (df["costs"] * d).cumsum(),
            "Cumulative fiscal savings": (df["fiscal"] * d).cumsum(),
            "Net position": df["cumulative_discounted_net_fiscal"],
        }
    )


def who_pays_matrix(ev: Evaluation) -> pd.DataFrame:
    """One row per agency (and the provider): what it pays and what it receives, in PV."""
    names = agency_names(ev)
    rows = []
    for a, figs in ev.figures["by_agency"].items():
        rows.append(
            {
                "Organisation": names.get(a, a),
                "Pays (PV costs)": figs["pv_costs"],
                "Fiscal savings (PV)": figs["pv_fiscal"],
                "of which cashable": figs["pv_cashable"],
                "Economic value (PV)": figs["pv_economic"],
                "Social value (PV)": figs["pv_social"],
                "Net fiscal (savings - costs)": figs["pv_fiscal"] - figs["pv_costs"],
            }
        )
    return pd.DataFrame(rows)


def yearly_table(ev: Evaluation) -> pd.DataFrame:
    df = pd.DataFrame(ev.figures["by_year"])
    return df.rename(
        columns={
            "year": "Year", "participants": "Participants", "costs": "Costs", "fiscal": "Fiscal savings",
            "cashable": "Cashable", "economic": "Economic", "social": "Social", "net_fiscal": "Net fiscal",
            "discount_factor": "Discount factor",
            "cumulative_discounted_net_fiscal": "Cumulative discounted net",
        }
    )[["Year", "Participants", "Costs", "Fiscal savings", "Cashable", "Economic", "Social", "Net fiscal",
       "Discount factor", "Cumulative discounted net"]]


def do_nothing_frame(ev: Evaluation) -> pd.DataFrame:
    """Long form: year, need, cost with no action."""
    start = ev.scenario.settings.start_year
    rows = []
    for need in ev.figures["do_nothing"].values():
        for t, v in enumerate(need["by_year"]):
            rows.append({"year": start + t, "need": need["label"], "cost": v})
    return pd.DataFrame(rows, columns=["year", "need", "cost"])


def do_nothing_summary(ev: Evaluation) -> pd.DataFrame:
    names = agency_names(ev)
    return pd.DataFrame(
        [
            {"Need": n["label"], "Borne by": names.get(n["agency"], n["agency"] or "-"),
             "Total over horizon": n["total"], "Present value": n["pv"]}
            for n in ev.figures["do_nothing"].values()
        ],
        columns=["Need", "Borne by", "Total over horizon", "Present value"],
    )


def outcomes_table(ev: Evaluation) -> pd.DataFrame:
    """Per outcome: participants, gross, would-have-happened-anyway, additional."""
    labels = {n.id: n.label for n in ev.scenario.outcomes}
    return pd.DataFrame(
        [
            {"Outcome": labels[o], "Participants": v["participants"], "Achieving it": v["gross"],
             "Would have anyway": v["deadweight"], "Additional (after attribution, displacement)": v["additional"]}
            for o, v in ev.figures["outcomes"].items()
        ]
    )

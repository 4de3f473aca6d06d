"""Chart- and table-ready frames derived from an Evaluation: the headline, savings, who pays, the years,
the cost of doing nothing, the outcomes, and the assumptions log and saved versions.

The app and the reports draw these as they are: every number on screen is computed here or in the
engine, never in a page. The contract's frames are in logic.contract_views and uncertainty's in
logic.uncertainty_views; their names are kept here, so `views.risk_table` and the like still work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .contract_views import (
    CONTRACT_WORDS,
    RISK_LABELS,
    RISK_POINTS,
    cap_zone,
    deadweight_paid,
    fair_shares,
    parties_table,
    parties_table_text,
    positions_at,
    positions_at_text,
    rate_card,
    risk_curve,
    risk_table,
    risk_table_text,
    switching_points,
)
from .evaluation import Evaluation
from .frames import agency_names, priced
from .key_figures import key_figures
from .presentation import format_figure, payback_of
from .report_text import EXPLANATIONS
from .uncertainty_views import (
    describe_path,
    distribution,
    loss_chances,
    simulation_summary,
    switching_inputs,
    tornado_frame,
    uncertain_inputs_table,
)

__all__ = [
    "CONTRACT_WORDS",
    "RISK_LABELS",
    "RISK_POINTS",
    "agency_names",
    "cap_zone",
    "cumulative_position",
    "deadweight_paid",
    "describe_path",
    "distribution",
    "do_nothing_frame",
    "do_nothing_summary",
    "fair_shares",
    "headline_table",
    "key_figures",
    "log_table",
    "loss_chances",
    "outcomes_table",
    "parties_table",
    "parties_table_text",
    "positions_at",
    "positions_at_text",
    "rate_card",
    "risk_curve",
    "risk_table",
    "risk_table_text",
    "savings_by_agency_year",
    "simulation_summary",
    "stored_versions_table",
    "switching_inputs",
    "switching_points",
    "tornado_frame",
    "uncertain_inputs_table",
    "who_pays_matrix",
    "yearly_table",
]


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
    df = priced(ev, pd.DataFrame(rows, columns=["year", "agency", "kind", "amount"]))
    df.attrs["order"] = [names[a] for a in ev.compiled.agency_ids]  # so each agency keeps its colour
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
    return priced(ev, out)


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
    return priced(ev, pd.DataFrame(rows, columns=["year", "need", "cost"]))


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

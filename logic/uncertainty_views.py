"""Uncertainty as tables and frames: inputs in words, the Monte Carlo summary, chances of loss, the
tornado and the inputs' break-even values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluation import Evaluation
from .frames import agency_names, involved, priced
from .presentation import format_metric
from .report_text import metric_label


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
            and not involved(ev, name.removeprefix("party:"))
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
        if party in ev.compiled.agency_ids and not involved(ev, party):
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
    return priced(ev, pd.DataFrame(out, columns=["input", "end", "side", "value", "central"]))


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

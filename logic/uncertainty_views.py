"""Uncertainty as tables and frames: inputs in words, the Monte Carlo summary, chances of loss, the
tornado and the inputs' break-even values."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd

from .engine import UNIT_FIELDS
from .evaluation import Evaluation
from .frames import agency_names, involved, priced
from .model import Scenario
from .presentation import format_metric, money, pct
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


def describe_path_field_first(ev: Evaluation, path: str) -> str:
    """'Rate without (counterfactual): Stays out of care' - for a narrow column, where the end would be cut."""
    text = describe_path(ev, path)
    where, sep, field = text.rpartition(": ")
    if not sep:
        return text
    return f"{field[:1].upper()}{field[1:]}: {where}"


def uncertain_inputs_table(ev: Evaluation) -> pd.DataFrame:
    """One row per uncertain input; a mixture (the room's pooled estimates) shows its range, its components kept."""
    rows = [p.model_dump(exclude={"components"}) for p in ev.scenario.uncertainty.parameters]
    return pd.DataFrame(rows, columns=["path", "dist", "low", "mode", "high", "sd"])


def pooled_inputs(ev: Evaluation) -> list[str]:
    """'Stays out of care: rate without (counterfactual): pooled from 7 estimates' for each mixture."""
    return [
        f"{describe_path(ev, p.path)}: pooled from {len(p.components or [])} estimates"
        for p in ev.scenario.uncertainty.parameters
        if p.dist == "mixture"
    ]


def apply_inputs_table(doc: dict, df: pd.DataFrame) -> dict:
    """The uncertain inputs from the table; a mixture keeps its components, and a correlation whose input
    is no longer uncertain is dropped with it."""
    from .editing import apply_uncertain_table

    new = apply_uncertain_table(doc, df)
    before = {p.get("path"): p for p in (doc.get("uncertainty") or {}).get("parameters") or []}
    params = new["uncertainty"]["parameters"]
    for p in params:
        old = before.get(p.get("path"))
        if p.get("dist") == "mixture" and old is not None and old.get("components") and "components" not in p:
            p["components"] = copy.deepcopy(old["components"])
    paths = {p.get("path") for p in params}
    kept = [c for c in new["uncertainty"].get("correlations") or [] if c.get("a") in paths and c.get("b") in paths]
    _set_correlations(new, kept)
    return new


def _set_correlations(doc: dict, rows: list[dict]) -> None:
    if rows:
        doc.setdefault("uncertainty", {})["correlations"] = rows
    else:
        doc.get("uncertainty", {}).pop("correlations", None)


CORRELATION_COLUMNS = ["a", "b", "rho"]


def correlations_table(ev: Evaluation) -> pd.DataFrame:
    rows = [c.model_dump() for c in ev.scenario.uncertainty.correlations or []]
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS).astype({"rho": float})


def apply_correlations_table(doc: dict, df: pd.DataFrame) -> dict:
    """The correlations from the table: each row two inputs and rho (validation names what is wrong)."""
    from .editing import EditError
    from .model import Problem

    doc = copy.deepcopy(doc)
    rows, problems = [], []
    for i, row in enumerate(df.to_dict("records")):
        cells = {k: row.get(k) for k in CORRELATION_COLUMNS if not _blank(row.get(k))}
        if not cells:
            continue
        if len(cells) < len(CORRELATION_COLUMNS):
            problems.append(
                Problem(f"correlation row {i + 1}", "choose both inputs and how strongly they move together")
            )
            continue
        rows.append({"a": str(cells["a"]), "b": str(cells["b"]), "rho": float(cells["rho"])})
    if problems:
        raise EditError(problems)
    _set_correlations(doc, rows)
    return doc


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and not x.strip())


SUGGESTED_RHO = 0.7  # a starting point for the room to discuss, not evidence


def rate_pairs(sc: Scenario) -> list[tuple[str, str]]:
    """Each outcome's (rate_with, rate_without) where both are uncertain inputs and not yet paired."""
    uncertain = {p.path for p in sc.uncertainty.parameters}
    paired = {frozenset((c.a, c.b)) for c in sc.uncertainty.correlations or []}
    out = []
    for o in sc.outcomes:
        a, b = f"nodes.{o.id}.rate_with", f"nodes.{o.id}.rate_without"
        if a in uncertain and b in uncertain and frozenset((a, b)) not in paired:
            out.append((a, b))
    return out


def unpaired_rates(sc: Scenario) -> list[str]:
    """Outcomes whose rate with the programme is uncertain but whose rate without is not (their ids)."""
    uncertain = {p.path for p in sc.uncertainty.parameters}
    return [
        o.id
        for o in sc.outcomes
        if f"nodes.{o.id}.rate_with" in uncertain and f"nodes.{o.id}.rate_without" not in uncertain
    ]


def with_rate_pairs(doc: dict, sc: Scenario, rho: float = SUGGESTED_RHO) -> dict:
    """The document with each outcome's rate pair correlated at rho (pairs already in the table kept)."""
    doc = copy.deepcopy(doc)
    rows = [c.model_dump() for c in sc.uncertainty.correlations or []]
    rows += [{"a": a, "b": b, "rho": rho} for a, b in rate_pairs(sc)]
    _set_correlations(doc, rows)
    return doc


def input_value_text(path: str, value: float, currency: str = "GBP") -> str:
    """An input's value as it is read: a rate or share as a percentage, an amount as money."""
    field = path.rsplit(".", 1)[-1]
    return pct(value) if field in UNIT_FIELDS or field == "discount_rate" else money(value, currency)


def central_and_mean(ev: Evaluation, sim, name: str = "npv_fiscal") -> dict:
    """Why the simulated mean is not the central figure, in two parts.

    `at_input_means` is the figure with every uncertain input at its average over the draws: the step
    from central to it is the lopsided ranges (inputs whose average is not their planned value); the
    step from it to the mean is the figure not moving in step with its inputs (caps, thresholds,
    ratios, products of two uncertain inputs). `biggest` is the input whose average alone moves the
    figure most: (path, planned value, average, the figure with that input alone at its average).
    """
    from .uncertainty import central_value, metrics

    c = ev.compiled
    s = sim.summary(name)
    paths = list(sim.inputs)
    means = {p: float(np.mean(sim.inputs[p])) for p in paths}
    at_means = float(metrics(c, {p: np.array([m]) for p, m in means.items()})[name][0]) if paths else s["central"]
    biggest = None
    if paths:
        n = len(paths)
        batch = {p: np.full(n, central_value(c, p)) for p in paths}
        for i, p in enumerate(paths):
            batch[p][i] = means[p]
        alone = metrics(c, batch)[name]
        centre = s["central"] if s["central"] is not None else math.nan
        swing = np.abs(np.nan_to_num(alone - centre, nan=-1.0))
        k = int(np.argmax(swing))
        biggest = (paths[k], central_value(c, paths[k]), means[paths[k]], float(alone[k]))
    return {"central": s["central"], "mean": s["mean"], "at_input_means": at_means, "biggest": biggest}


def central_mean_sentence(ev: Evaluation, sim, name: str = "npv_fiscal") -> str:
    """A sentence a board member can read: what the central case and the average are, and why they differ."""
    cur = ev.scenario.settings.currency
    d = central_and_mean(ev, sim, name)
    central, mean, mid = d["central"], d["mean"], d["at_input_means"]
    label = metric_label(name, agency_names(ev))
    if central is None or mean is None or mid is None or math.isnan(mid):
        return f"{label} is not defined in every case, so its central case and average are not compared."
    f = lambda x: format_metric(name, x, cur)  # noqa: E731
    text = (
        f"**{label}: central case {f(central)}, average {f(mean)}.** The central case puts every input at its "
        f"planned value; the average is over the {sim.draws:,} draws. "
    )
    scale = max(abs(central), abs(mean), 1e-9)
    if abs(mean - central) <= 0.01 * scale:
        return text + "They are close: the ranges sit evenly around the planned values."
    reasons = []
    lopsided, bend = mid - central, mean - mid
    if d["biggest"] is not None and abs(lopsided) > 0.005 * scale:
        path, planned, avg, _ = d["biggest"]
        reasons.append(
            "the ranges are lopsided, so the inputs average something other than their planned values "
            f"(most of all, {describe_path(ev, path)} averages {input_value_text(path, avg, cur)} against "
            f"{input_value_text(path, planned, cur)} planned; with every input at its average the figure is {f(mid)})"
        )
    if abs(bend) > 0.005 * scale:
        reasons.append(
            "the figure does not move in step with its inputs (caps on payments, thresholds, two uncertain "
            f"rates multiplied together), which moves the average by {format_metric(name, bend, cur)} more"
        )
    return text + "They differ because " + "; and ".join(reasons) + "."


def simulation_summary(ev: Evaluation, sim) -> pd.DataFrame:
    """One row per metric: the central case, mean, 5% / median / 95%, and the chance it is below zero."""
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
                "Central case": format_metric(name, s["central"], cur),
                "Mean": format_metric(name, s["mean"], cur),
                "Low (5%)": format_metric(name, s["p5"], cur),
                "Median": format_metric(name, s["p50"], cur),
                "High (95%)": format_metric(name, s["p95"], cur),
                "Chance below 0": "n/a" if s["p_below_zero"] is None else f"{s['p_below_zero']:.0%}",
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

"""The figures that matter at a glance, written on the map's boxes (the app's map and the report's alike).

- a need: how many people a year, and what each costs today;
- an activity: the present value of its cost lines (optimism-bias uplift included);
- an outcome: the additional outcomes over the appraisal, and what each is worth a year;
- an impact: nothing (it is not valued on its own).
"""

from __future__ import annotations

import math

from .evaluation import Evaluation
from .presentation import compact_money, number


def activity_costs_pv(ev: Evaluation) -> dict[str, float]:
    """PV of each activity's cost lines, in the engine's own order of lines (node by node)."""
    f = ev.flows
    discount = f.discount[0]
    out: dict[str, float] = {}
    k = 0
    for n in ev.scenario.nodes:
        for _ in n.costs:
            out[n.id] = out.get(n.id, 0.0) + float((f.cost_lines[0, k, :] * discount).sum())
            k += 1
    return out


def box_figures(ev: Evaluation) -> dict[str, list[str]]:
    """Node id -> the lines of figures its box shows."""
    sc = ev.scenario
    cur = sc.settings.currency
    costs = activity_costs_pv(ev)
    extra = ev.figures["additional_outcomes"]
    out: dict[str, list[str]] = {}
    for n in sc.nodes:
        if n.stage == "need" and n.population is not None:
            each = f" \u00b7 {compact_money(n.unit_cost, cur)} each" if n.unit_cost is not None else ""
            out[n.id] = [f"{number(n.population, 0)} a year{each}"]
        elif n.stage == "activity":
            out[n.id] = [f"Costs {compact_money(costs[n.id], cur)} (PV)" if n.id in costs else "No cost yet"]
        elif n.stage == "outcome":
            lines = [f"{_signed(extra.get(n.id, 0.0))} extra outcomes"]
            value = math.fsum(b.value for b in n.benefits)
            lines.append(f"{compact_money(value, cur)} a year each" if n.benefits else "No value yet")
            out[n.id] = lines
    return out


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + number(x, 1)

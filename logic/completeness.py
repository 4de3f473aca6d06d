"""The completeness check a facilitator runs before trusting the figures.

A scenario can be valid and still unfinished: a need nobody acts on, an
outcome nobody measures, a node floating free of the map. These are not
errors (the figures are still right for what is there) but each one is a
question the room should answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .model import STAGES, Scenario
from .toc import build_graph

PLURAL = {"need": "needs", "activity": "activities", "outcome": "outcomes", "impact": "impacts"}


@dataclass(frozen=True)
class Gap:
    stage: str  # the stage page where it is fixed
    node_id: str | None
    message: str


def completeness(sc: Scenario) -> list[Gap]:
    g = build_graph(sc)
    stage_of = {n.id: n.stage for n in sc.nodes}
    gaps: list[Gap] = []
    for stage in STAGES:
        if not sc.nodes_of(stage):
            gaps.append(Gap(stage, None, f"There are no {PLURAL[stage]} yet."))
    for n in sc.nodes:
        after = {stage_of[t] for t in g.successors(n.id)}
        before = {stage_of[s] for s in g.predecessors(n.id)}
        name = f"'{n.label}'"
        if not after and not before:
            gaps.append(Gap(n.stage, n.id, f"{name} is not linked to anything."))
            continue
        if n.stage == "need" and "activity" not in after:
            gaps.append(Gap("need", n.id, f"Need {name} has no activity that answers it."))
        if n.stage == "activity":
            if "need" not in before:
                gaps.append(Gap("activity", n.id, f"Activity {name} answers no need."))
            if "outcome" not in after:
                gaps.append(Gap("activity", n.id, f"Activity {name} leads to no outcome."))
            if not n.costs:
                gaps.append(Gap("activity", n.id, f"Activity {name} has no cost."))
        if n.stage == "outcome":
            if not n.indicator:
                gaps.append(Gap("outcome", n.id, f"Outcome {name} has no indicator: how will we know it happened?"))
            if n.rate_without == 0:
                gaps.append(
                    Gap(
                        "outcome",
                        n.id,
                        f"Outcome {name} has a counterfactual of 0: would really nobody have got there anyway?",
                    )
                )
            if not n.benefits:
                text = f"Outcome {name} has no value: whom does it save money, and how much?"
                gaps.append(Gap("outcome", n.id, text))
            if not any(stage_of[a] == "activity" for a in nx.ancestors(g, n.id)):
                gaps.append(Gap("outcome", n.id, f"Outcome {name} is reached by no activity."))
        if n.stage == "impact" and "outcome" not in before:
            gaps.append(Gap("impact", n.id, f"Impact {name} is reached by no outcome."))
    return gaps

"""The completeness check a facilitator runs before trusting the figures.

A scenario can be valid and still unfinished: a need nobody acts on, an
outcome nobody measures, a node floating free of the map. These are not
errors (the figures are still right for what is there) but each one is a
question the room should answer.

The economic case (format 2) adds questions a finance officer would ask:
a cost line with no confidence grade (so no optimism-bias uplift), a saving
that looks like a welfare benefit no longer paid but is not marked as a
transfer, a Green Book schedule whose later rates assume another discount
rate, and outcome payments owed after the horizon whose savings are cut at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx

from . import unit_costs
from .model import STAGES, Node, Scenario
from .toc import STAGE_TITLES, build_graph

PLURAL = {"need": "needs", "activity": "activities", "outcome": "outcomes", "impact": "impacts"}
# Where each gap is fixed: a stage page, or the Programme page (settings, horizon).
PAGE_TITLES = {"programme": "Programme", **STAGE_TITLES}
GREEN_BOOK_RATE = 0.035  # the rate the Green Book's table after year 30 is built on
PAYING_CONTRACTS = ("payment_by_results", "social_impact_bond")
MAX_HORIZON = 100


@dataclass(frozen=True)
class Gap:
    stage: str  # the page where it is fixed: a stage, or "programme"
    node_id: str | None
    message: str
    kind: str = "map"  # map: the theory of change; economic: the figures of the economic case


def completeness(sc: Scenario) -> list[Gap]:
    return map_gaps(sc) + economic_gaps(sc)


def map_gaps(sc: Scenario) -> list[Gap]:
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


# --- the economic case ------------------------------------------------------------------------


def economic_gaps(sc: Scenario) -> list[Gap]:
    return ungraded_costs(sc) + unmarked_transfers(sc) + green_book_rate(sc) + late_payments(sc)


def _quoted(names: list[str]) -> str:
    quoted = [f"'{x}'" for x in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _percent(x: float) -> str:
    return f"{x * 100:.4g}%"


def ungraded_costs(sc: Scenario) -> list[Gap]:
    """One gap per activity naming its cost lines with no confidence grade (so no uplift)."""
    gaps = []
    for n in sc.nodes_of("activity"):
        items = [c.item or f"line {j + 1}" for j, c in enumerate(n.costs) if c.evidence_grade is None]
        if items:
            lines = "cost line" if len(items) == 1 else "cost lines"
            text = (
                f"Activity '{n.label}': {lines} {_quoted(items)} {'has' if len(items) == 1 else 'have'} no "
                "confidence grade, so no optimism-bias uplift is added. Grade each cost (1 strongest .. 6 weakest)."
            )
            gaps.append(Gap("activity", n.id, text, "economic"))
    return gaps


def unmarked_transfers(sc: Scenario) -> list[Gap]:
    """Fiscal lines that look like welfare benefits no longer paid but are not marked as transfers."""
    welfare = unit_costs.welfare_benefit_codes()
    agencies = {a.id: a for a in sc.agencies}
    gaps = []
    for o in sc.outcomes:
        for b in o.benefits:
            if b.type != "fiscal" or b.transfer:
                continue
            agency = agencies.get(b.agency)
            name = agency.name if agency else b.agency
            codes = [c for c in re.split(r"[\s+,;]+", b.code or "") if c in welfare]  # "E&E1.0.1+HO7.0"
            if codes:
                why = f"its unit-cost code {codes[0]} is a benefit payment"
            elif agency and unit_costs.pays_welfare_benefits(agency.id, agency.name):
                why = f"{name} pays benefits"
            else:
                continue
            text = (
                f"Outcome '{o.label}': the fiscal saving to {name} looks like a welfare benefit no longer paid "
                f"({why}). If it is, mark it as a transfer: it still counts as a saving to that budget, "
                "but not as value to society."
            )
            gaps.append(Gap("outcome", o.id, text, "economic"))
    return gaps


def green_book_rate(sc: Scenario) -> list[Gap]:
    """The Green Book's rates after year 30 are its table for 3.5%: say so when another rate is chosen."""
    s = sc.settings
    if s.discount_schedule != "green_book" or abs(s.discount_rate - GREEN_BOOK_RATE) < 1e-12:
        return []
    text = (
        f"The Green Book schedule's rates after year 30 (3.0%, 2.5% ...) are its table for a 3.5% discount rate; "
        f"with a rate of {_percent(s.discount_rate)} the years after 30 still assume 3.5%."
    )
    if s.horizon_years <= 31:
        text += f" None of these {s.horizon_years} years is after year 30, so no figure is affected yet."
    return [Gap("programme", None, text, "economic")]


# --- the horizon and the streams that outlast it --------------------------------------------


def _last_intake_year(sc: Scenario) -> int | None:
    if sc.cohort.engagement_rate <= 0:
        return None
    years = [t for t, x in enumerate(sc.cohort.intake) if x > 0]
    return years[-1] if years else None


def benefit_years(sc: Scenario, o: Node) -> int:
    """Years from year 0 needed to hold every benefit stream of an outcome (0: it yields none).

    The last intake's stream runs from its lag for duration years (a drop-off of 1 leaves only
    the first); arriving mid-year moves every stream half a year later, into one more year.
    """
    last = _last_intake_year(sc)
    effect = (o.rate_with or 0.0) - (o.rate_without or 0.0)
    if last is None or effect == 0 or o.attribution == 0 or o.displacement == 1 or o.duration_years == 0:
        return 0
    if not any(b.value > 0 for b in o.benefits):
        return 0
    final = 0 if o.drop_off >= 1 else o.duration_years - 1  # the stream's last year, counted from its start
    mid = 1 if sc.cohort.intake_timing == "mid" else 0
    return last + o.lag_years + final + mid + 1


def payment_years(sc: Scenario, o: Node) -> int:
    """Years from year 0 needed to hold every outcome payment for an outcome (0: it is never paid).

    The last intake's payment falls its payment lag later. The caps are not followed here: a cap
    reached earlier can leave the last years unpaid.
    """
    last = _last_intake_year(sc)
    k = sc.contract
    if last is None or k.type not in PAYING_CONTRACTS or o.price <= 0 or o.payment_cap == 0:
        return 0
    w, b = o.rate_with or 0.0, o.rate_without or 0.0
    counted = w > b if k.payment_basis == "above_baseline" else w > 0
    if not counted:
        return 0
    lag = k.payment_lag_years if o.payment_lag_years is None else o.payment_lag_years
    return last + lag + 1


def covering_horizon(sc: Scenario) -> int:
    """The years appraised that would hold every payment and benefit stream (never fewer than now)."""
    needed = [max(benefit_years(sc, o), payment_years(sc, o)) for o in sc.outcomes]
    return max([sc.settings.horizon_years, *needed])


def late_payments(sc: Scenario) -> list[Gap]:
    """Outcome payments owed after the horizon while the same outcomes' benefits are cut at it."""
    H, start = sc.settings.horizon_years, sc.settings.start_year
    late = [o for o in sc.outcomes if payment_years(sc, o) > H and benefit_years(sc, o) > H]
    if not late:
        return []
    last_payment = start + max(payment_years(sc, o) for o in late) - 1
    needed = covering_horizon(sc)
    text = (
        f"Outcome payments for {_quoted([o.label for o in late])} are owed up to {last_payment}, after the "
        f"{H} years appraised (to {start + H - 1}), and are counted; the savings they pay for are cut at "
        f"{start + H - 1}. The agencies' positions are therefore prudent. "
    )
    if needed <= MAX_HORIZON:
        text += f"Appraising {needed} years ({start} to {start + needed - 1}) would cover every payment and benefit."
    else:
        text += f"Covering every payment and benefit would take {needed} years, more than the {MAX_HORIZON} allowed."
    return [Gap("programme", None, text, "economic")]

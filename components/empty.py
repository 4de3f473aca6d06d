"""Empty states: on a programme with nothing in it yet, say what to do next instead of drawing empty charts."""

from __future__ import annotations

import streamlit as st

from logic import Scenario

from .navigation import STEPS, page
from .state import evaluation, scenario

# (what is missing, the step file that fixes it, what to do there)
_NEXT = (
    (
        lambda sc: not sc.nodes_of("need"),
        "2_needs.py",
        "Add the need it meets: who, how many, what it costs now.",
    ),
    (lambda sc: not sc.nodes_of("activity"), "3_activities.py", "Add what the programme does."),
    (lambda sc: not any(n.costs for n in sc.nodes), "3_activities.py", "Put a cost on each activity."),
    (lambda sc: not sc.outcomes, "4_outcomes.py", "Add the outcomes it changes, with and without the programme."),
    (
        lambda sc: not any(o.benefits for o in sc.outcomes),
        "4_outcomes.py",
        "Say what each extra outcome is worth, and to whom.",
    ),
    (lambda sc: sum(sc.cohort.intake) == 0, "1_programme.py", "Say how many people are referred each year."),
    (lambda sc: not sc.nodes_of("impact"), "5_impact.py", "Name the impact the outcomes lead to."),
)


def is_empty(sc: Scenario | None = None) -> bool:
    """Nothing to appraise yet: no cost, no value of any kind."""
    r = evaluation(sc).figures
    return all(r[k] == 0 for k in ("pv_costs", "pv_fiscal", "pv_economic", "pv_social"))


def next_steps(sc: Scenario) -> list[tuple[str, str]]:
    """(step file, what to do there), in the order a room builds a case."""
    return [(file, text) for missing, file, text in _NEXT if missing(sc)]


def empty_state(what: str) -> bool:
    """On an empty programme: say why `what` is not shown yet and link to the next steps. True if it was empty."""
    sc = scenario()
    if not is_empty(sc):
        return False
    steps = next_steps(sc)
    with st.container(border=True):
        st.markdown(
            f"**Nothing to show here yet.** {what} appears once the programme has at least one cost or one "
            "valued outcome. Next:"
        )
        titles = {s.file: s for s in STEPS}
        for file, text in steps[:4]:
            st.page_link(page(titles[file]), label=f"{titles[file].title}: {text}", icon=titles[file].icon)
    return True


def empty_map(sc: Scenario, stage: str | None = None) -> bool:
    """An empty theory of change: a sentence and a way on, not an empty drawing. True if it was empty."""
    if sc.nodes:
        return False
    need = next(s for s in STEPS if s.file == "2_needs.py")
    with st.container(border=True):
        st.markdown(
            "**The map is empty.** A theory of change starts from a need: who has it, how many, and what it costs "
            "today. Then what the programme does, the outcomes it changes, and the impact they lead to."
        )
        if stage == "need":
            st.markdown("Add the first need in the table below.")
        else:
            st.page_link(page(need), label="Needs: add the first need", icon=need.icon)
    return True

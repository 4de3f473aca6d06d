"""The pages, their order, and the workshop's step-through (Back / Next)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

# Not "pages/": on a cold start Streamlit runs a folder of that name as a legacy multipage app, so a
# bookmarked /outcomes URL would run that page alone, without app.py and its navigation.
PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"


@dataclass(frozen=True)
class Step:
    file: str
    title: str
    icon: str
    group: str


STEPS = (
    Step("1_programme.py", "Programme", ":material/account_balance:", "Theory of change"),
    Step("2_needs.py", "Needs", ":material/diversity_3:", "Theory of change"),
    Step("3_activities.py", "Activities", ":material/construction:", "Theory of change"),
    Step("4_outcomes.py", "Outcomes", ":material/flag:", "Theory of change"),
    Step("5_impact.py", "Impact", ":material/eco:", "Theory of change"),
    Step("6_business_case.py", "Business case", ":material/bar_chart:", "The case"),
    Step("7_contract.py", "Outcomes contract", ":material/handshake:", "The case"),
    Step("8_risk_share.py", "Risk share", ":material/balance:", "The case"),
    Step("9_uncertainty.py", "Uncertainty", ":material/casino:", "The case"),
)
# Pages outside the step-through: keeping and sharing the work, and a place made of saved programmes (its own
# group in the sidebar; listed here so every check that walks the pages walks it too).
KEEPING = (
    Step("10_scenarios.py", "Scenarios", ":material/folder_open:", "Keep and share"),
    Step("11_assumptions_log.py", "Assumptions log", ":material/history:", "Keep and share"),
    Step("12_new_programme.py", "New programme", ":material/add_circle:", "Keep and share"),
    Step("13_place.py", "Place", ":material/location_city:", "A place: several programmes"),
)
NEW_PROGRAMME = KEEPING[2]


def page(step: Step) -> st.Page:
    return st.Page(PAGES_DIR / step.file, title=step.title, icon=step.icon, default=step is STEPS[0])


def navigation() -> st.navigation:
    groups: dict[str, list[st.Page]] = {}
    for step in STEPS + KEEPING:
        groups.setdefault(step.group, []).append(page(step))
    # Every page listed: past twelve, Streamlit would fold the last ones under "View N more".
    return st.navigation(groups, expanded=True)


def back_next(current_file: str) -> None:
    """Back / Next buttons to walk the room through the stages in order."""
    files = [s.file for s in STEPS]
    i = files.index(current_file)
    st.divider()
    left, _, right = st.columns([2, 3, 2])
    if i > 0:
        back = STEPS[i - 1]
        if left.button(f"Back: {back.title}", icon=":material/arrow_back:", key="step-back", width="stretch"):
            st.switch_page(page(back))
    if i < len(STEPS) - 1:
        nxt = STEPS[i + 1]
        if right.button(
            f"Next: {nxt.title}", icon=":material/arrow_forward:", type="primary", key="step-next", width="stretch"
        ):
            st.switch_page(page(nxt))

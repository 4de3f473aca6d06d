"""Theory of change to business case: the Streamlit entry point."""

import logging
from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"


def main() -> None:
    st.set_page_config(page_title="Theory of change to business case", page_icon=":material/insights:", layout="wide")
    from components.state import scenario

    scenario()  # loads the bundled example on first visit
    steps = [
        st.Page(PAGES / "1_programme.py", title="Programme", icon=":material/account_balance:", default=True),
        st.Page(PAGES / "2_needs.py", title="Needs", icon=":material/diversity_3:"),
        st.Page(PAGES / "3_activities.py", title="Activities", icon=":material/construction:"),
        st.Page(PAGES / "4_outcomes.py", title="Outcomes", icon=":material/flag:"),
        st.Page(PAGES / "5_impact.py", title="Impact", icon=":material/eco:"),
        st.Page(PAGES / "6_business_case.py", title="Business case", icon=":material/bar_chart:"),
        st.Page(PAGES / "7_contract.py", title="Outcomes contract", icon=":material/handshake:"),
        st.Page(PAGES / "8_risk_share.py", title="Risk share", icon=":material/balance:"),
        st.Page(PAGES / "9_uncertainty.py", title="Uncertainty", icon=":material/casino:"),
    ]
    nav = st.navigation({"Theory of change": steps[:5], "The case": steps[5:]})
    st.sidebar.caption(f"Scenario: **{scenario().name}**")
    try:
        nav.run()
    except Exception as exc:
        if _is_control_flow(exc):
            raise
        # A page must never show a traceback; the log keeps the details.
        logging.getLogger(__name__).exception("page failed")
        st.error(
            "Something went wrong drawing this page. Your scenario is unchanged; "
            "undo the last change or reload the example from the Programme page."
        )


def _is_control_flow(exc: Exception) -> bool:
    """st.rerun / st.stop work by raising; those must pass through."""
    return type(exc).__name__ in {"RerunException", "StopException"} or any(
        c.__name__ == "ScriptControlException" for c in type(exc).__mro__
    )


main()

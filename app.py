"""Theory of change to business case: the Streamlit entry point."""

import logging

import streamlit as st


def main() -> None:
    st.set_page_config(page_title="Theory of change to business case", page_icon=":material/insights:", layout="wide")
    from components.auth import gate
    from components.navigation import navigation
    from components.presenter import PRESENTER
    from components.state import scenario
    from components.style import app_style
    from components.undo import undo_redo_buttons

    app_style()  # first: the sign-in form has captions too
    from components.participant import joining, participant_page

    if joining():  # a participant's phone: only their round's questions, before sign-in and navigation
        participant_page()
        return
    gate()  # sign-in on: only the form until someone signs in (it stops the run); off: nothing
    scenario()  # loads the bundled example on first visit
    nav = navigation()
    st.sidebar.toggle(
        "Presenter mode",
        key=PRESENTER,
        help="For the room's screen: hides the editors and shows the map and the key figures large.",
    )
    st.sidebar.caption(f"Scenario: **{scenario().name}**")
    undo_redo_buttons()
    try:
        nav.run()
    except Exception as exc:
        if _is_control_flow(exc):
            raise
        # A page must never show a traceback; the log keeps the details.
        logging.getLogger(__name__).exception("page failed")
        st.error(
            "Something went wrong drawing this page. Your scenario is unchanged: press Undo in the sidebar to "
            "take back the last change, or start again from a template on the New programme page."
        )


def _is_control_flow(exc: Exception) -> bool:
    """st.rerun / st.stop work by raising; those must pass through."""
    return type(exc).__name__ in {"RerunException", "StopException"} or any(
        c.__name__ == "ScriptControlException" for c in type(exc).__mro__
    )


main()

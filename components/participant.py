"""The way in for the room's participants: `?join=CODE` (the link and the QR code), or /join to type a code.

app.py asks `joining()` before the sign-in gate and the navigation; a participant then sees only their
round's page (components/participant_form.py) and nothing else of the app. Kept light: the main app's
cold start imports this module, and the participant's page, with the store behind it, only when it is used.
"""

from __future__ import annotations

import streamlit as st

JOIN = "join"


def joining() -> bool:
    """Is this visit a participant's (a join link, or the /join page)?"""
    if JOIN in st.query_params:
        return True
    path = (st.context.url or "").split("?", 1)[0].rstrip("/")
    return path.endswith("/join")


def participant_page() -> None:
    from .participant_form import page  # noqa: PLC0415 - the store and the form only for participants

    page()

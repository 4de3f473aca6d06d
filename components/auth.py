"""Optional sign-in for a hosted team dashboard, with viewer and editor roles.

Off unless secrets.toml has an [auth] section (see logic/auth.py): then the app
is as before and everyone is an editor. On: `gate()`, called at the top of
app.py before navigation, shows only a sign-in form until someone signs in.

Only the signed-in *name* is kept in session state; the role is looked up in the
settings on every run, so removing a user or changing a role in secrets.toml
takes effect on their next click, without a restart.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import streamlit as st
from streamlit import config as st_config

from logic.auth import THROTTLE, AuthConfig, ConfigError, User, authenticate

SIGNED_IN = "auth_signed_in_name"  # session-state key; no widget uses it, so a browser cannot set it


def secrets_settings() -> Mapping:
    """Everything in secrets.toml; empty when there is no secrets file at all."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError as exc:
        # Streamlit raises the same error for "no file" and "a file it cannot parse". Only the
        # first means sign-in is off; a broken file might be the one that turns it on.
        # Asked of streamlit.config (as Secrets itself does) rather than st.get_option, so tests can patch it.
        if any(os.path.exists(os.path.expanduser(p)) for p in st_config.get_option("secrets.files")):
            raise ConfigError([f"secrets.toml could not be read: {exc}"]) from exc
        return {}


def _config() -> AuthConfig | None:
    """The sign-in settings; None when sign-in is off. ConfigError when they cannot be used."""
    return AuthConfig.from_secrets(secrets_settings())


def current_user() -> User | None:
    """The signed-in user, with their current role; None when sign-in is off or nobody is signed in."""
    try:
        config = _config()
    except ConfigError:
        return None
    return config.user(st.session_state.get(SIGNED_IN)) if config else None


def can_edit() -> bool:
    """True when sign-in is off (everyone edits) or the signed-in user is an editor."""
    try:
        config = _config()
    except ConfigError:
        return False  # misconfigured: gate() shows the error; nobody may change anything meanwhile
    if config is None:
        return True
    user = config.user(st.session_state.get(SIGNED_IN))
    return user is not None and user.can_edit


def gate() -> User | None:
    """Call first in app.py. Returns the signed-in user, or None when sign-in is off.

    When sign-in is on and nobody is signed in, draws only the sign-in form and stops
    the run, so nothing else of the app (navigation, scenario, figures) is ever sent.
    """
    try:
        config = _config()
    except ConfigError as exc:
        st.error(
            "Sign-in is switched on but its settings cannot be used, so the app stays closed. "
            "Whoever runs this server needs to fix the [auth] section of secrets.toml:\n\n"
            + "\n".join(f"- {p}" for p in exc.problems)
        )
        st.stop()
    if config is None:
        st.session_state.pop(SIGNED_IN, None)
        return None
    user = config.user(st.session_state.get(SIGNED_IN))
    if user is None:
        st.session_state.pop(SIGNED_IN, None)  # e.g. removed from secrets.toml since signing in
        _sign_in_form(config)
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as **{user.name}** ({user.role})")
        st.button("Sign out", key="auth-sign-out", on_click=_sign_out, icon=":material/logout:")
    return user


def _sign_in_form(config: AuthConfig) -> None:
    st.title("Sign in")
    st.caption("Theory of change to business case. Ask whoever runs this dashboard for an account.")
    # clear_on_submit: the password is not kept in session state after the attempt.
    with st.form("auth-sign-in", clear_on_submit=True):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    wait = THROTTLE.locked_for(name.strip())
    if wait:
        st.error(f"Too many wrong attempts for this name. Try again in {math.ceil(wait)} seconds.")
        return
    user = authenticate(config, name, password)
    if user is None:
        # The same words whether the name or the password was wrong: they must not tell who has an account.
        st.error("That name and password do not match.")
        return
    st.session_state[SIGNED_IN] = user.name
    st.rerun()


def _sign_out() -> None:
    # Everything goes, the working scenario included: the next person at this browser starts afresh.
    st.session_state.clear()

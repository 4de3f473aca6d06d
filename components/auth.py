"""Sign-in for a hosted team dashboard: single sign-on (st.login) or passwords, with viewer and editor roles.

Off unless secrets.toml sets it up (see logic/auth.py and logic/identity.py): then the app is as before
and everyone is an editor. On: `gate()`, called at the top of app.py before navigation, shows only a
sign-in page until someone signs in, a "no access" page to someone the settings do not let in, and only
an error to everyone while the settings or the provider are wrong.

Nothing about the role is kept in session state: the signed-in name (passwords) or Streamlit's signed
identity cookie (single sign-on, read through st.user) says who it is, and the role is looked up in the
settings on every run, so a change in secrets.toml takes effect on the person's next click.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping

import streamlit as st
from streamlit import config as st_config

from logic.access import Viewer
from logic.auth import THROTTLE, AuthConfig, ConfigError, User, authenticate
from logic.identity import Identity, identity_from_claims
from logic.provider_check import CHECKS

SIGNED_IN = "auth_signed_in_name"  # session-state key; no widget uses it, so a browser cannot set it
_LOG = logging.getLogger(__name__)
_WARNED: set[str] = set()


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


def _provider_claims() -> dict | None:
    """The identity Streamlit's sign-in cookie carries (st.user), or None when nobody signed in that way."""
    try:
        claims = st.user.to_dict()
    except Exception:  # no script context, or Streamlit's own settings unreadable: nobody
        return None
    return claims if claims.get("is_logged_in") is True else None


def _identity(config: AuthConfig) -> Identity | None:
    if config.sso is None:
        return None
    claims = _provider_claims()
    return identity_from_claims(claims, config.sso.roles) if claims else None


def _signed_in(config: AuthConfig) -> User | None:
    """Who is signed in, with their current role; None when nobody is (or the settings no longer let them in)."""
    user = config.user(st.session_state.get(SIGNED_IN))
    if user is not None:
        return user
    who = _identity(config)
    if who is None or config.sso is None:
        return None
    role = config.sso.roles.role_for(who)
    if role is None:
        return None
    return User(name=who.label, role=role, email=who.email, display_name=who.name, groups=who.groups, key=who.key)


def current_user() -> User | None:
    """The signed-in user, with their current role; None when sign-in is off or nobody is signed in."""
    try:
        config = _config()
    except ConfigError:
        return None
    return _signed_in(config) if config else None


def can_edit() -> bool:
    """True when sign-in is off (everyone edits) or the signed-in user is an editor."""
    try:
        config = _config()
    except ConfigError:
        return False  # misconfigured: gate() shows the error; nobody may change anything meanwhile
    if config is None:
        return True
    user = _signed_in(config)
    return user is not None and user.can_edit


def current_viewer() -> Viewer | None:
    """Who the scenario store serves: None when sign-in is off (everything, as before)."""
    try:
        config = _config()
    except ConfigError:
        return Viewer(key="", label="", can_edit=False)  # sees nothing of anyone's; gate() shows the error
    if config is None:
        return None
    user = _signed_in(config)
    if user is None:
        return Viewer(key="", label="", can_edit=False)
    if user.key:  # single sign-on
        domain = user.email.rsplit("@", 1)[1] if user.email else None
        return Viewer(key=user.key, label=user.name, can_edit=user.can_edit, domain=domain, groups=user.groups)
    return Viewer(key=f"account:{user.name}", label=user.name, can_edit=user.can_edit)


def gate() -> User | None:
    """Call first in app.py. Returns the signed-in user, or None when sign-in is off.

    When sign-in is on and nobody is signed in, draws only the sign-in page and stops the run, so
    nothing else of the app (navigation, scenario, figures) is ever sent.
    """
    try:
        config = _config()
    except ConfigError as exc:
        _closed("Sign-in is switched on but its settings cannot be used", exc.problems)
    if config is None:
        st.session_state.pop(SIGNED_IN, None)
        return None
    for warning in config.warnings:
        if warning not in _WARNED:  # once per server process in the log; on the sign-in page every time
            _WARNED.add(warning)
            _LOG.warning(warning)
    if config.sso is not None:
        problems = [p for p in (CHECKS.problem(pr, config.sso.redirect_uri) for pr in config.sso.providers) if p]
        if problems:
            _closed("Single sign-on is switched on but the sign-in provider does not answer as set up", problems)
    user = _signed_in(config)
    if user is None:
        st.session_state.pop(SIGNED_IN, None)  # e.g. removed from secrets.toml since signing in
        who = _identity(config)
        if who is not None:
            _no_access(who)
        else:
            _sign_in_page(config)
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as **{_md(user.shown_name)}** ({user.role})")
        if user.email:
            st.caption(_md(user.email))
        sso = user.key is not None
        st.button("Sign out", key="auth-sign-out", on_click=_sign_out, args=(sso,), icon=":material/logout:")
    return user


def _closed(what: str, problems: list[str]) -> None:
    """Only the problem, for whoever runs the server; nothing of the app. Never a secret's value."""
    _LOG.error("%s: %s", what, "; ".join(problems))
    st.error(
        f"{what}, so the app stays closed. Whoever runs this server needs to fix secrets.toml "
        '(the README\'s "Hosting it for a team" shows each setting):\n\n' + "\n".join(f"- {p}" for p in problems)
    )
    st.stop()


def _md(text: str) -> str:
    """Text shown as itself in markdown (a name from a provider may hold * or _)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>()#+-.!|~$" else ch for ch in text)


def _sign_in_page(config: AuthConfig) -> None:
    st.title("Sign in")
    st.caption("Theory of change to business case. Ask whoever runs this dashboard for access.")
    for warning in config.warnings:
        st.warning(warning, icon=":material/warning:")
    if config.sso is not None:
        for provider in config.sso.providers:
            st.button(
                f"Sign in with {provider.label}",
                key=f"auth-login-{provider.name}",
                type="primary",
                icon=":material/login:",
                on_click=st.login,
                args=(provider.login_name,),
            )
    if config.users:
        if config.sso is not None:
            st.caption("Or with a name and password:")
        _sign_in_form(config)


def _no_access(who: Identity) -> None:
    st.title("No access")
    shown = f"**{_md(who.name)}**" + (f" ({_md(who.email)})" if who.email and who.email != who.name else "")
    st.write(
        f"You are signed in as {shown}, but this dashboard has not been opened to you. "
        "Ask whoever runs it to add you, or your team, to its list of viewers or editors."
    )
    if who.email is None:
        st.caption("Your sign-in provider did not confirm an email address for you, and access is given by email.")
    st.button("Sign out", key="auth-no-access-sign-out", on_click=_sign_out, args=(True,), icon=":material/logout:")


def _sign_in_form(config: AuthConfig) -> None:
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


def _sign_out(provider: bool) -> None:
    # Everything goes, the working scenario included: the next person at this browser starts afresh.
    st.session_state.clear()
    if provider:  # Streamlit's identity cookie goes too, and the provider is asked to end its session
        st.logout()

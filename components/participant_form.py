"""A participant's page: the room's questions, for a phone or a laptop (components/participant.py routes here).

Nothing else is drawn: no sidebar, no business-case figures, only this round's questions while it is open.
Each browser gets an anonymous token kept in its address (`&p=...`), so a phone that sleeps, a reload or a
server restart brings back the same answers, read from the store.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from logic.elicitation import Answer, RateLimit, check_answer, check_name, display_code, normalise_code, pools
from logic.elicitation_store import ElicitationStore, Round, RoundClosed, RoundFull
from logic.elicitation_use import current_text, plain, spread_text
from logic.store import Store, StoreError, database_url

from .auth import secrets_settings
from .participant import JOIN

ME = "p"  # ?p=TOKEN: this browser's anonymous token
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OUTCOME = "participant_outcome"  # {round id: (stage, kind, words)}: what became of the last sending
TRIES = "participant_code_tries"
MAX_TRIES = 20  # wrong codes typed in one browser session before it is asked to stop
# How often a phone looks for a new stage or a closed round. Each look is a (small) run on the server: 40 phones
# every 8 s are 5 runs a second, which leaves room for the answers themselves to be acknowledged at once.
WATCH_S = 8

# Phones first: one narrow column, big type and big targets; no sidebar, no toolbar.
_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"] { display: none; }
[data-testid="stMainBlockContainer"] { max-width: 40rem; padding: 1.5rem 1rem 4rem; }
[data-testid="stMain"] p, [data-testid="stMain"] label p { font-size: 1.1rem; }
[data-testid="stNumberInput"] input, [data-testid="stTextInput"] input, [data-testid="stTextArea"] textarea {
  font-size: 1.25rem; min-height: 3rem;
}
[data-testid="stFormSubmitButton"] button, [data-testid="stBaseButton-secondary"] { min-height: 3.2rem; }
[data-testid="stFormSubmitButton"] button p { font-size: 1.2rem; }
</style>
"""


@st.cache_resource(show_spinner=False)
def _stores(url: str) -> ElicitationStore:
    return ElicitationStore(Store(url))


def elicitation_store() -> ElicitationStore:
    """The rounds and answers, in the same database as the saved scenarios."""
    return _stores(database_url(secrets_settings()))


@st.cache_resource(show_spinner=False)
def rate_limit() -> RateLimit:
    """Submissions per join code and per participant, for this server process."""
    return RateLimit()


def page() -> None:
    st.html(_CSS)
    try:
        rnd = elicitation_store().by_code(st.query_params.get(JOIN))
    except StoreError:
        st.error("The answers cannot be reached just now. Please try again in a moment.")
        return
    if rnd is None or not rnd.is_open:
        _code_form(typed=bool(st.query_params.get(JOIN)), closed=rnd is not None)
        return
    _questions(rnd, _token())


def _token() -> str:
    token = st.query_params.get(ME, "")
    if not _TOKEN.match(token):
        token = secrets.token_urlsafe(16)
        st.query_params[ME] = token  # in the address, so a reload or a reconnect finds the same answers
    return token


def _code_form(typed: bool, closed: bool) -> None:
    st.title("Give your estimate")
    if closed:
        st.info("This round has closed, so it no longer takes answers. Thank you for taking part.")
    elif typed:
        st.warning("There is no open round with that code. Check the code on the room's screen and try again.")
    tries = st.session_state.get(TRIES, 0)
    with st.form("join-code"):
        code = st.text_input("The code on the room's screen", placeholder="e.g. 7K3M-QX9D", max_chars=20)
        go = st.form_submit_button("Join", type="primary", width="stretch")
    if not go:
        return
    if tries >= MAX_TRIES:
        st.error("Too many codes tried. Ask the facilitator for the link or the QR code.")
        return
    st.session_state[TRIES] = tries + 1
    st.query_params[JOIN] = normalise_code(code) or code.strip()[:20]
    st.rerun()


@st.fragment(run_every=WATCH_S)
def _status(round_id: str, stage: int) -> None:
    """Below the form, redrawn every few seconds: what became of the last sending, and a redraw of the whole
    page when the facilitator starts the second round or closes this one.

    The acknowledgement lives here, not only in the run that kept the answers: when this timer fires just
    as that run ends, Streamlit can drop the end of the run's output (the new run replaces it), and a phone
    must never be left without its "Thank you" for answers that were kept."""
    try:
        now = elicitation_store().get(round_id)
    except StoreError:
        now = None
    if now is not None and (not now.is_open or now.stage != stage):
        st.rerun(scope="app")
    outcome = st.session_state.get(OUTCOME, {}).get(round_id)
    if outcome is None or outcome[0] != stage:
        return
    kind, words = outcome[1], outcome[2]
    if kind == "success":
        st.success(words, icon=":material/check_circle:")
    else:
        getattr(st, kind)(words)


def _questions(rnd: Round, me: str) -> None:
    st.title("Give your estimate")
    st.caption(f"{plain(rnd.title)} · code {display_code(rnd.code)}")
    store = elicitation_store()
    mine = store.mine(rnd.id, me)
    if rnd.stage == 2:
        st.info(
            "**Second round.** Below each question is what the room answered the first time, with no names. "
            "You may change your answers, or leave them as they are.",
            icon=":material/groups:",
        )
    else:
        st.markdown(
            "For each question give the **lowest** value you think plausible, the **most likely**, and the "
            "**highest** plausible. Nobody else sees your answers with your name."
        )
    first = pools(rnd.questions, store.answers(rnd.id), 1, rnd.shape) if rnd.stage == 2 else {}
    reasons = _first_reasons(store, rnd) if rnd.stage == 2 else {}
    typed: dict[str, tuple] = {}
    with st.form(f"answers-{rnd.id}-{rnd.stage}"):
        for i, q in enumerate(rnd.questions):
            st.markdown(f"#### {i + 1}. {plain(q.text)}")
            now = current_text(q)
            if now:
                st.caption(plain(now))
            if rnd.stage == 2:
                st.markdown(f"**The room's first answers:** {plain(spread_text(q, first.get(q.key)))}")
                for reason in reasons.get(q.key, []):
                    st.text(f"“{reason}”")
            before = mine.get(q.key)
            unit = f" ({q.unit})" if q.unit else ""
            key = f"{rnd.id}-{rnd.stage}-{i}"
            values = []
            for label, field in (("Lowest plausible", "low"), ("Most likely", "mode"), ("Highest plausible", "high")):
                start = round(getattr(before.answer, field) * q.scale, 9) if before is not None else None
                values.append(
                    st.number_input(f"{label}{unit}", value=start, format="%g", key=f"{key}-{field}", step=None)
                )
            reason = st.text_area(
                "Why? (optional)",
                value=(before.answer.reason or "") if before is not None else "",
                max_chars=500,
                key=f"{key}-reason",
                placeholder="The evidence or experience behind your range",
            )
            typed[q.key] = (q, *values, reason)
        name_before = next((g.name for g in mine.values() if g.name), "")
        name = st.text_input(
            "Your name (optional)",
            value=name_before,
            max_chars=80,
            key=f"{rnd.id}-name",
            help="The facilitator sees who took part, never whose answer is whose; the room sees no names.",
        )
        send = st.form_submit_button("Send my answers", type="primary", width="stretch")
    if send:
        _send(rnd, me, typed, name)
    _status(rnd.id, rnd.stage)


def _first_reasons(store: ElicitationStore, rnd: Round) -> dict[str, list[str]]:
    """The reasons given in the first round, by question, without names or order of arrival."""
    out: dict[str, list[str]] = {}
    for g in store.answers(rnd.id):
        if g.stage == 1 and g.answer.reason:
            out.setdefault(g.answer.question, []).append(g.answer.reason)
    return {k: sorted(v) for k, v in out.items()}


def _say(rnd: Round, kind: str, words: str) -> None:
    st.session_state.setdefault(OUTCOME, {})[rnd.id] = (rnd.stage, kind, words)


def _send(rnd: Round, me: str, typed: dict[str, tuple], name: str) -> None:
    """Check and keep the answers; what happened is said below the form (by _status)."""
    answers: list[Answer] = []
    problems: list[str] = []
    for i, (q, low, mode, high, reason) in enumerate(typed.values()):
        if low is None and mode is None and high is None and not (reason or "").strip():
            continue  # a question left blank is not answered
        answer, wrong = check_answer(q, low, mode, high, reason)
        problems += [f"Question {i + 1}: {w}" for w in wrong]
        if answer is not None:
            answers.append(answer)
    kept_name, wrong_name = check_name(name)
    problems += wrong_name
    if not problems and not answers:
        problems.append("Please give at least one question's three values.")
    if problems:
        _say(rnd, "error", "Your answers were not sent:\n\n" + "\n".join(f"- {plain(p)}" for p in problems))
        return
    wait = rate_limit().wait(rnd.code, me)
    if wait:
        _say(rnd, "warning", f"Many answers are arriving at once: please send again in {int(wait) + 1} seconds.")
        return
    try:
        when = elicitation_store().submit(rnd.id, me, answers, kept_name)
    except RoundClosed:
        _say(rnd, "info", "This round closed before your answers arrived, so they were not kept. Thank you.")
        return
    except RoundFull as exc:
        _say(rnd, "warning", f"Sorry: {exc}.")
        return
    except StoreError:
        _say(rnd, "error", "Your answers could not be kept just now. Please send them again.")
        return
    _say(
        rnd,
        "success",
        f"Thank you: your answers are in (received at {when:%H:%M:%S} UTC). "
        "You can change them and send again while the round is open.",
    )

"""Asking the room, on the Uncertainty page: the facilitator's panel.

Start a round on one or more inputs (the question in words, its unit, the case's current value shown or
not); the join link, its QR code and the short code for the room's screen; the live view, redrawn every
two seconds while the round is open (how many answered, each answer as an anonymous range, the pooled
distribution with its median and 90% range, the reasons as plain text); a second (Delphi) round; close;
and "Use this", which makes the pool the input's uncertainty and records the round in the assumptions log.
Every figure comes from logic/elicitation*.py.
"""

from __future__ import annotations

import io
from dataclasses import replace
from urllib.parse import urlsplit

import streamlit as st

from logic import Scenario
from logic.elicitation import MAX_QUESTION, MAX_QUESTIONS, MAX_UNIT, answered, current_answers, display_code, pools
from logic.elicitation import written as shown
from logic.elicitation_charts import answers_chart, pool_chart, scale_domain
from logic.elicitation_store import Round, RoundClosed
from logic.elicitation_use import default_text, log_entry, plain, question_for, use_pool
from logic.engine import parameter_paths
from logic.store_records import StoreError
from logic.uncertainty import central_value
from logic.uncertainty_views import describe_path

from .auth import can_edit, current_user
from .participant_form import elicitation_store
from .presenter import presenting
from .state import document, evaluation, show_problems, try_apply

ACTIVE = "elicit_round"  # the id of the round this session shows
AREA = "elicit"  # where a refused "Use this" says why
REFRESH_S = 2


def panel(sc: Scenario) -> None:
    """The whole panel: a round being shown, or the means to start (or follow) one."""
    st.subheader("Ask the room")
    try:
        store = elicitation_store()
        rid = st.session_state.get(ACTIVE)
        rnd = store.get(rid) if rid else None
    except StoreError as exc:
        st.error(f"Rounds cannot be started or shown just now: {exc}")
        return
    if rnd is None:
        st.session_state.pop(ACTIVE, None)
        if not presenting():
            _start(sc)
            _follow()
        return
    _join(rnd)
    _controls(rnd)
    if rnd.is_open:
        _live_open(rnd.id, rnd.stage)
    else:
        _live(rnd.id)
    show_problems(AREA)


def _user() -> str | None:
    user = current_user()
    return user.name if user else None


# --- starting a round -------------------------------------------------------------------------


@st.fragment
def _start(sc: Scenario) -> None:
    ev = evaluation()
    uncertain = [p.path for p in sc.uncertainty.parameters]
    paths = [p for p in uncertain if p in ev.compiled.index] + [
        p for p in parameter_paths(ev.compiled) if p not in uncertain
    ]
    editor = can_edit()
    with st.expander("Start a round: each person gives their own range", expanded=False, icon=":material/groups:"):
        st.markdown(
            "Everyone in the room answers on their own phone or laptop, privately: their lowest plausible, "
            "most likely and highest plausible value, and why. The live view shows the spread and the room's "
            "pooled judgement; a second round lets people revise after hearing the reasons."
        )
        chosen = st.multiselect(
            "Inputs to ask about",
            paths,
            format_func=lambda p: _describe(ev, p),
            max_selections=MAX_QUESTIONS,
            key="elicit-paths",
            disabled=not editor,
        )
        asked = []
        for i, path in enumerate(chosen):
            q = question_for(ev, path)
            text = st.text_input(
                f"Question {i + 1}", value=default_text(ev, path), max_chars=MAX_QUESTION, key=f"elicit-q-{path}"
            )
            left, right = st.columns([1, 3])
            unit = left.text_input(
                "Unit",
                value=q.unit,
                max_chars=MAX_UNIT,
                key=f"elicit-unit-{path}",
                disabled=q.percent,
                help="Rates are asked in per cent (35 for 35%).",
            )
            show = right.checkbox(
                f"Show the room the case's current value ({shown(q, q.current or 0)})"
                + (
                    f" and range ({shown(q, q.current_low)} to {shown(q, q.current_high)})"
                    if q.current_low is not None and q.current_high is not None
                    else ""
                ),
                key=f"elicit-show-{path}",
                help="Left hidden, people give their own view rather than anchoring on the figure in the case.",
            )
            asked.append((path, text, unit, show))
        shape = st.radio(
            "Read each answer as",
            ["pert", "triangular"],
            format_func=lambda s: {"pert": "PERT (most weight near the most likely value)", "triangular": "Triangular"}[
                s
            ],
            horizontal=True,
            key="elicit-shape",
        )
        if not editor:
            st.caption("Only an editor can start a round.")
            return
        if st.button("Start the round", type="primary", key="elicit-start", disabled=not chosen):
            questions = [question_for(ev, path, text, unit, show) for path, text, unit, show in asked]
            try:
                rnd = elicitation_store().start(sc.name, questions, shape, created_by=_user())
            except StoreError as exc:
                st.error(f"The round could not be started: {exc}")
                return
            st.session_state[ACTIVE] = rnd.id
            st.rerun(scope="app")


def _follow() -> None:
    try:
        rounds = elicitation_store().open_rounds()
    except StoreError:
        return
    if not rounds:
        return
    labels = {
        r.id: f"{display_code(r.code)} · {r.title} · started {r.created_at:%d %b %H:%M} UTC · "
        f"{len(r.questions)} question{'s' if len(r.questions) != 1 else ''}"
        for r in rounds
    }
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    pick = left.selectbox("Or show a round that is open", list(labels), format_func=labels.get, key="elicit-follow")
    if right.button("Show this round", key="elicit-follow-go", width="stretch"):
        st.session_state[ACTIVE] = pick
        st.rerun()


def _describe(ev, path: str) -> str:
    try:
        return describe_path(ev, path)
    except (StopIteration, IndexError, ValueError):
        return path


# --- the round on the room's screen ---------------------------------------------------------


def _base_url() -> str:
    """This app's address as the browser sees it (behind a proxy too), with any base path."""
    parts = urlsplit(st.context.url or "http://localhost:8501")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}/{base + '/' if base else ''}"


@st.cache_data(max_entries=16, show_spinner=False)
def _qr_png(url: str) -> bytes:
    import segno  # noqa: PLC0415 - only a facilitator's screen draws one

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


_CODE_STYLE = (
    "font-size: 3.2rem; font-weight: 700; letter-spacing: 0.12em; font-family: monospace; color: #1f5a96; "
    "line-height: 1.1; margin: 0.2rem 0 0.6rem"
)


def _join(rnd: Round) -> None:
    base = _base_url()
    link = f"{base}?join={rnd.code}"
    left, right = st.columns([1, 2], vertical_alignment="center")
    if rnd.is_open:
        left.image(_qr_png(link), width=240, caption="Scan to answer", output_format="PNG", alt=f"QR code for {link}")
    with right:
        st.markdown("**Join on a phone or laptop: scan the QR code, or go to**")
        st.code(f"{base}join", language=None)
        st.markdown("**and type the code**")
        # The code's characters come from logic.elicitation.ALPHABET (digits and capitals) only.
        st.html(f'<div class="elicit-code" style="{_CODE_STYLE}">{display_code(rnd.code)}</div>')
        st.caption(f"Or send the link: {link}")


def _controls(rnd: Round) -> None:
    if not rnd.is_open:
        st.info(
            f"This round closed at {rnd.closed_at:%H:%M} UTC: its code no longer admits anyone. "
            "Use the pooled judgement below, or start a new round.",
            icon=":material/lock:",
        )
    elif rnd.stage == 2:
        st.info(
            "**Second round (Delphi).** Participants now see the room's first answers and reasons, with no names, "
            "and may revise. The view below shows each person's latest answer.",
            icon=":material/groups:",
        )
    else:
        st.success("**Round open.** Answers appear below as they arrive.", icon=":material/how_to_vote:")
    cols = st.columns(3)
    if can_edit() and rnd.is_open:
        if rnd.stage == 1 and cols[0].button("Start the second round", key="elicit-delphi", width="stretch"):
            _act(elicitation_store().second_round, rnd.id)
        if cols[1].button("Close the round", key="elicit-close", width="stretch"):
            _act(elicitation_store().close, rnd.id)
    if cols[2].button("Stop showing this round", key="elicit-forget", width="stretch"):
        st.session_state.pop(ACTIVE, None)
        st.rerun()


def _act(action, round_id: str) -> None:
    try:
        action(round_id)
    except RoundClosed:
        pass  # closed from another screen meanwhile: the redraw says so
    except StoreError as exc:
        st.error(f"That did not work: {exc}")
        return
    st.rerun()


@st.fragment(run_every=REFRESH_S)
def _live_open(round_id: str, stage: int) -> None:
    _view(round_id, stage)


@st.fragment
def _live(round_id: str) -> None:
    _view(round_id)


def _view(round_id: str, drawn_stage: int | None = None) -> None:
    """The live view; drawn_stage: the open round's stage the panel around it was drawn for."""
    store = elicitation_store()
    try:
        rnd = store.get(round_id)
        given = store.answers(round_id)
    except StoreError:
        st.warning("The answers cannot be reached just now; trying again.")
        return
    if rnd is None:
        return
    if drawn_stage is not None and (not rnd.is_open or rnd.stage != drawn_stage):
        st.rerun(scope="app")  # closed or moved on from another screen: redraw the panel's buttons and QR code
    count = answered(given, rnd.stage)
    st.markdown(f"### {count} {'person has' if count == 1 else 'people have'} answered")
    by_question = current_answers(given, rnd.stage)
    pooled = pools(rnd.questions, given, rnd.stage, rnd.shape)
    for i, q in enumerate(rnd.questions):
        st.markdown(f"#### {i + 1}. {plain(q.text)}")
        p = pooled[q.key]
        mine = by_question.get(q.key, [])
        if p is None:
            st.caption("No answers yet.")
            continue
        answers = [g.answer for g in mine]
        domain = scale_domain(q, answers, p)
        st.markdown(
            f"**Pooled median {shown(q, p.median)}**, 90% range {shown(q, p.p5)} to {shown(q, p.p95)} "
            f"(from {p.count} {'answer' if p.count == 1 else 'answers'})"
        )
        left, right = st.columns(2)
        left.altair_chart(answers_chart(q, answers, domain), width="stretch", key=f"elicit-ranges-{i}")
        right.altair_chart(pool_chart(q, p, domain), width="stretch", key=f"elicit-pool-{i}")
        reasons = sorted(g.answer.reason for g in mine if g.answer.reason)
        if reasons:
            with st.expander(f"Reasons given ({len(reasons)})", expanded=True):
                for reason in reasons:
                    st.text(f"“{reason}”")  # as text, never as markdown or HTML
        if can_edit():
            _use_controls(rnd, q.key, i, shown(q, p.median))
    names = sorted({g.name for g in given if g.name})
    if names:
        with st.expander("Who took part (names given; never shown beside an answer)"):
            st.text(", ".join(names) + (f"; {count - len(names)} without a name" if count > len(names) else ""))


def _use_controls(rnd: Round, key: str, i: int, median: str) -> None:
    left, right = st.columns([3, 1], vertical_alignment="center")
    central = left.checkbox(
        f"Also make the pooled median ({median}) the case's value", key=f"elicit-central-{rnd.id}-{i}"
    )
    if right.button("Use this", key=f"elicit-use-{rnd.id}-{i}", type="primary", width="stretch"):
        _use(rnd, key, central)


def _use(rnd: Round, key: str, central: bool) -> None:
    """The pool becomes the input's uncertainty (and the median its value, if chosen); the log says so."""
    store = elicitation_store()
    q = rnd.question(key)
    pooled = pools(rnd.questions, store.answers(rnd.id), rnd.stage, rnd.shape)[key]
    if pooled is None:
        return
    ev = evaluation()
    try:
        q = replace(q, current=central_value(ev.compiled, key))  # the value the case has now, for the log
    except KeyError:
        pass  # the input has gone from the scenario since: use_pool says so
    entry = log_entry(q, _describe(ev, key), pooled, display_code(rnd.code), rnd.stage, central, by=_user())
    try_apply(AREA, lambda: use_pool(document(), q, pooled, central, entry))

"""Asking the room under AppTest: the participant's page (app.py with ?join=CODE, before sign-in and
navigation) and the facilitator's panel on the Uncertainty page, down to "Use this"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.auth import hash_password
from logic.elicitation import Answer, Question
from logic.elicitation_store import ElicitationStore
from logic.store import Store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "app_pages" / "9_uncertainty.py")
PATH = "nodes.out-stays-home.rate_without"
RATE = Question(PATH, "Without the programme, what share would stay out of care anyway?", "%", True, 0.0, 1.0)


@pytest.fixture
def url(tmp_path, monkeypatch):
    """The app's store for this test: a SQLite file of its own."""
    path = tmp_path / "scenarios.sqlite"
    monkeypatch.delenv("TOC_DATABASE_URL", raising=False)
    monkeypatch.setenv("TOC_STORE_PATH", str(path))
    return f"sqlite:///{path}"


@pytest.fixture
def rounds(url) -> ElicitationStore:
    return ElicitationStore(Store(url))


def participant(query: dict[str, str], secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _texts(at: AppTest) -> str:
    out = []
    for kind in ("title", "markdown", "caption", "text", "info", "warning", "error", "success"):
        out += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(out)


def _answer(at: AppTest, low, mode, high, reason: str = "") -> AppTest:
    boxes = {n.label: n for n in at.number_input}
    boxes["Lowest plausible (%)"].set_value(low)
    boxes["Most likely (%)"].set_value(mode)
    boxes["Highest plausible (%)"].set_value(high)
    if reason:
        next(t for t in at.text_area if t.label == "Why? (optional)").input(reason)
    next(b for b in at.button if b.label == "Send my answers").click()
    return at.run()


# --- the participant's page ------------------------------------------------------------------


def test_a_participant_answers_and_sees_it_acknowledged(rounds):
    rnd = rounds.start("Edge of care", [RATE])
    at = participant({"join": rnd.code.lower()})
    assert not at.exception
    assert [t.value for t in at.title] == ["Give your estimate"]
    assert not at.sidebar.children  # no navigation, no scenario, no figures
    assert not at.metric
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    at = _answer(at, 40, 55, 70, "Local data **2024** <b>x</b>")
    assert "Thank you: your answers are in" in at.success[0].value
    (g,) = rounds.answers(rnd.id)
    assert (g.participant, g.answer) == (token, Answer(PATH, 0.40, 0.55, 0.70, "Local data **2024** <b>x</b>"))
    # Back later (a reload, a phone waking up, a restarted server): the same answers, filled in.
    again = participant({"join": rnd.code, "p": token})
    assert [n.value for n in again.number_input] == [40, 55, 70]
    assert again.text_area[0].value == "Local data **2024** <b>x</b>"


def test_low_above_high_is_refused_with_a_message_and_nothing_is_kept(rounds):
    rnd = rounds.start("Edge of care", [RATE])
    at = _answer(participant({"join": rnd.code}), 70, 55, 40)
    assert not at.success
    assert "Your answers were not sent" in at.error[0].value
    assert "is above your highest" in at.error[0].value
    assert rounds.answers(rnd.id) == []


def test_an_unknown_or_closed_code_admits_nobody(rounds):
    at = participant({"join": "ZZZZ-ZZZZ"})
    assert "There is no open round with that code" in at.warning[0].value
    assert not at.number_input and not at.sidebar.children
    rnd = rounds.start("Edge of care", [RATE])
    rounds.close(rnd.id)
    at = participant({"join": rnd.code})
    assert "This round has closed" in at.info[0].value
    assert not at.number_input


def test_a_code_can_be_typed(rounds):
    rnd = rounds.start("Edge of care", [RATE])
    at = participant({"join": ""})
    assert [t.label for t in at.text_input] == ["The code on the room's screen"]
    at.text_input[0].input(f" {rnd.code[:4].lower()} {rnd.code[4:]} ")
    next(b for b in at.button if b.label == "Join").click()
    at = at.run()
    assert [n.label for n in at.number_input][:1] == ["Lowest plausible (%)"]


def test_with_sign_in_on_the_code_alone_admits_to_that_round_and_nothing_else(rounds):
    auth = {"enabled": True, "users": {"alice": {"password_hash": hash_password("x" * 12, n=2**14), "role": "editor"}}}
    rnd = rounds.start("Edge of care", [RATE])
    at = participant({"join": rnd.code}, {"auth": auth})
    assert not at.exception
    assert [t.value for t in at.title] == ["Give your estimate"]
    assert "Password" not in [t.label for t in at.text_input]
    assert not at.sidebar.children and not at.metric
    at = _answer(at, 30, 40, 50)
    assert at.success and len(rounds.answers(rnd.id)) == 1
    rounds.close(rnd.id)
    closed = participant({"join": rnd.code}, {"auth": auth})
    assert "This round has closed" in closed.info[0].value and not closed.number_input
    # Without a join code, the sign-in form as ever.
    stranger = participant({}, {"auth": auth})
    assert [t.label for t in stranger.text_input] == ["Name", "Password"]


def test_the_second_round_shows_the_room_s_first_answers_without_names(rounds):
    rnd = rounds.start("Edge of care", [RATE], "triangular")
    rounds.submit(rnd.id, "a" * 22, [Answer(PATH, 0.2, 0.2, 0.6, "National evaluation")], "Ann Example")
    rounds.submit(rnd.id, "b" * 22, [Answer(PATH, 0.2, 0.6, 0.6)], "Bo Example")
    rounds.second_round(rnd.id)
    at = participant({"join": rnd.code, "p": "a" * 22})
    shown = _texts(at)
    assert "Second round" in shown
    # tri(20, 20, 60) and tri(20, 60, 60) pool to a uniform on 20%..60%: median 40%, 5% at 22%, 95% at 58%.
    assert "2 people answered: most likely values from 20% to 60%; ranges from 20% to 60%" in shown.replace("\\", "")
    assert "median 40%, 90% range 22% to 58%" in shown.replace("\\", "")
    assert "“National evaluation”" in [t.value for t in at.text]
    assert "Ann" not in shown and "Bo Example" not in shown
    assert [n.value for n in at.number_input] == [20, 20, 60]  # their first answer, to revise or keep
    at = _answer(at, 25, 30, 50)
    kept = rounds.mine(rnd.id, "a" * 22)[PATH]
    assert (kept.stage, kept.answer.low) == (2, 0.25)


# --- the facilitator's panel -----------------------------------------------------------------


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _simulation_table(at: AppTest):
    return next(df.value for df in at.dataframe if "Figure" in df.value.columns)


def test_a_facilitator_starts_a_round_watches_it_and_uses_the_pool(rounds):
    at = _page()
    assert not at.exception
    before = _simulation_table(at).copy()
    next(m for m in at.multiselect if m.label == "Inputs to ask about").set_value([PATH])
    at = at.run()
    next(r for r in at.radio if r.label == "Read each answer as").set_value("triangular")
    at = at.run()
    next(b for b in at.button if b.label == "Start the round").click()
    at = at.run()
    (rnd,) = rounds.open_rounds()
    assert rnd.questions[0].key == PATH and rnd.shape == "triangular"
    assert "0 people have answered" in _texts(at)
    assert any(rnd.code[:4] in str(h.body) for h in at.get("html"))  # the code, large, for the room's screen

    # Three answers: tri(20, 20, 60), tri(20, 60, 60) and a point at 40%. Pooled CDF: 2/3 of a uniform on
    # 20%..60% plus 1/3 at 40%: below 40% it is (2/3)(x - 20)/40, so the 5% point is 23%; the median is 40%
    # (1/3 just below it, 2/3 at it); above, 1/3 + (2/3)(x - 20)/40 = 0.95 gives 57%.
    for who, answer in (("a", (0.2, 0.2, 0.6)), ("b", (0.2, 0.6, 0.6)), ("c", (0.4, 0.4, 0.4))):
        rounds.submit(rnd.id, who * 20, [Answer(PATH, *answer, f"reason {who} <i>")])
    at = at.run()
    shown = _texts(at)
    assert "3 people have answered" in shown
    assert "**Pooled median 40%**, 90% range 23% to 57% (from 3 answers)" in shown
    assert ["“reason a <i>”", "“reason b <i>”", "“reason c <i>”"] == [t.value for t in at.text][:3]
    assert len(at.get("arrow_vega_lite_chart")) >= 2 or len(at.get("vega_lite_chart")) >= 2

    next(c for c in at.checkbox if c.label.startswith("Also make the pooled median (40%)")).check()
    at = at.run()
    next(b for b in at.button if b.label == "Use this").click()
    at = at.run()
    assert not at.exception
    sc = at.session_state["scenario"]
    param = next(p for p in sc.uncertainty.parameters if p.path == PATH)
    assert param.dist == "mixture"
    assert [(c.dist, c.low, c.mode, c.high) for c in param.components] == [
        ("triangular", 0.2, 0.2, 0.6),
        ("triangular", 0.2, 0.6, 0.6),
        ("triangular", 0.4, 0.4, 0.4),
    ]
    assert next(n for n in sc.nodes if n.id == "out-stays-home").rate_without == 0.4
    entry = next(e for e in sc.log if e.what.startswith("Asked the room"))
    assert entry.path == PATH and entry.before == "55%" and entry.after.startswith("3 people answered")
    after = _simulation_table(at)
    assert not after.equals(before)  # the Monte Carlo now draws the room's judgement

    next(b for b in at.button if b.label == "Start the second round").click()
    at = at.run()
    assert rounds.get(rnd.id).stage == 2 and "Second round (Delphi)" in _texts(at)
    next(b for b in at.button if b.label == "Close the round").click()
    at = at.run()
    assert not rounds.get(rnd.id).is_open
    assert "its code no longer admits anyone" in _texts(at)
    assert not [b for b in at.button if b.label in ("Close the round", "Start the second round")]
    next(b for b in at.button if b.label == "Stop showing this round").click()
    at = at.run()
    assert [m.label for m in at.multiselect if m.label == "Inputs to ask about"]


def test_a_second_screen_can_follow_an_open_round(rounds):
    rnd = rounds.start("Edge of care", [RATE])
    rounds.submit(rnd.id, "x" * 20, [Answer(PATH, 0.3, 0.4, 0.5)])
    at = _page()
    follow = next(s for s in at.selectbox if s.label == "Or show a round that is open")
    assert follow.value == rnd.id
    next(b for b in at.button if b.label == "Show this round").click()
    at = at.run()
    assert "1 person has answered" in _texts(at)

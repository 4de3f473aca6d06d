"""Rounds and answers in the store, on SQLite and on PostgreSQL: kept across restarts, shared between store
objects (as between app processes), a closed round taking nothing, many participants at once."""

from __future__ import annotations

import threading
from datetime import timezone

import pytest
from sqlalchemy import create_engine, text

from logic import elicitation_store as es_module
from logic.elicitation import Answer, Question, answered, current_answers, display_code, pools
from logic.elicitation_store import ElicitationStore, RoundClosed, RoundFull
from logic.store import Store, StoreError

Q1 = Question("nodes.o.rate_without", "Without the programme, what share?", "%", True, 0.0, 1.0, True, 0.55, 0.5, 0.6)
Q2 = Question("nodes.o.benefits[0].value", "What is one worth?", "£", False, 0.0, None)


@pytest.fixture(scope="module")
def pg_database():
    from test_store import postgres_database  # a fresh database on the test server, dropped afterwards

    with postgres_database("toc_elicit") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def store(url):
    s = Store(url)
    yield ElicitationStore(s)
    s.close()


def test_a_round_reads_back_as_it_was_started(store):
    rnd = store.start("Edge of care", [Q1, Q2], "triangular", created_by="Sam")
    assert rnd.is_open and rnd.stage == 1 and rnd.shape == "triangular" and rnd.created_by == "Sam"
    assert rnd.created_at.tzinfo == timezone.utc
    got = store.get(rnd.id)
    assert got == rnd
    assert got.questions == (Q1, Q2) and got.question(Q2.key) == Q2
    assert store.by_code(display_code(rnd.code).lower()) == rnd  # typed as people type it
    assert store.by_code("nonsense") is None and store.by_code("0000-0000") is None
    assert rnd.id in [r.id for r in store.open_rounds()]
    assert store.get("no-such-round") is None


def test_answers_are_kept_replaced_within_a_stage_and_kept_apart_across_stages(store):
    rnd = store.start("Edge of care", [Q1, Q2])
    first = store.submit(rnd.id, "person-a", [Answer(Q1.key, 0.4, 0.5, 0.6, "local data")], "Ann")
    assert first.tzinfo == timezone.utc
    store.submit(rnd.id, "person-a", [Answer(Q1.key, 0.45, 0.5, 0.65), Answer(Q2.key, 100, 200, 300)], "Ann")
    store.submit(rnd.id, "person-b", [Answer(Q1.key, 0.3, 0.4, 0.5)])
    given = store.answers(rnd.id)
    assert sorted((g.participant, g.stage, g.answer.question, g.answer.low) for g in given) == [
        ("person-a", 1, Q2.key, 100),
        ("person-a", 1, Q1.key, 0.45),  # the second sending replaced the first
        ("person-b", 1, Q1.key, 0.3),
    ]
    assert {g.name for g in given} == {"Ann", None}
    assert store.second_round(rnd.id).stage == 2
    store.submit(rnd.id, "person-b", [Answer(Q1.key, 0.35, 0.45, 0.55, "heard the reasons")])
    given = store.answers(rnd.id)
    assert len(given) == 4  # the first answers are still there
    now = current_answers(given, 2)[Q1.key]
    assert [(g.participant, g.stage, g.answer.low) for g in now] == [("person-a", 1, 0.45), ("person-b", 2, 0.35)]
    assert answered(given, 2) == 2
    mine = store.mine(rnd.id, "person-b")
    assert mine[Q1.key].stage == 2 and mine[Q1.key].answer.reason == "heard the reasons"
    assert store.mine(rnd.id, "nobody") == {}
    p = pools(rnd.questions, given, 2, rnd.shape)
    assert p[Q1.key].count == 2 and p[Q2.key].count == 1


def test_a_closed_round_takes_no_answers_and_cannot_be_reopened(store):
    rnd = store.start("Edge of care", [Q1])
    store.submit(rnd.id, "person-a", [Answer(Q1.key, 0.4, 0.5, 0.6)])
    closed = store.close(rnd.id)
    assert not closed.is_open and closed.closed_at is not None
    with pytest.raises(RoundClosed):
        store.submit(rnd.id, "person-b", [Answer(Q1.key, 0.4, 0.5, 0.6)])
    with pytest.raises(RoundClosed):
        store.second_round(rnd.id)
    with pytest.raises(RoundClosed):
        store.close(rnd.id)
    assert not store.by_code(rnd.code).is_open  # the code names a closed round: it admits nobody
    assert rnd.id not in [r.id for r in store.open_rounds()]
    assert len(store.answers(rnd.id)) == 1  # what was given before it closed is kept
    with pytest.raises(RoundClosed):
        store.submit("no-such-round", "person-a", [Answer(Q1.key, 0.4, 0.5, 0.6)])
    with pytest.raises(StoreError):
        store.close("no-such-round")


def test_answers_outlive_a_restart(url):
    before = Store(url)
    rnd = ElicitationStore(before).start("Edge of care", [Q1])
    ElicitationStore(before).submit(rnd.id, "person-a", [Answer(Q1.key, 0.4, 0.5, 0.6, "why")], "Ann")
    before.close()
    after = ElicitationStore(Store(url))  # as the server starts again
    (g,) = after.answers(rnd.id)
    assert (g.participant, g.answer, g.name) == ("person-a", Answer(Q1.key, 0.4, 0.5, 0.6, "why"), "Ann")
    assert after.by_code(rnd.code).id == rnd.id


def test_forty_participants_at_once_through_two_stores_all_land(url):
    # Two Store objects on one database, as two app processes behind a proxy would have.
    stores = [ElicitationStore(Store(url)), ElicitationStore(Store(url))]
    rnd = stores[0].start("Edge of care", [Q1])
    errors: list[Exception] = []
    start = threading.Barrier(40)

    def answer(i: int) -> None:
        try:
            start.wait()
            stores[i % 2].submit(rnd.id, f"person-{i:02d}", [Answer(Q1.key, 0.3, 0.3 + i / 200, 0.6)])
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    given = stores[1].answers(rnd.id)
    assert answered(given, 1) == 40
    assert sorted(g.answer.mode for g in given) == pytest.approx([0.3 + i / 200 for i in range(40)])
    for s in stores:
        s.store.close()


def test_a_round_has_room_for_a_limited_number_of_people(store, monkeypatch):
    monkeypatch.setattr(es_module, "MAX_PARTICIPANTS", 2)
    rnd = store.start("Edge of care", [Q1])
    for who in ("a", "b"):
        store.submit(rnd.id, who, [Answer(Q1.key, 0.4, 0.5, 0.6)])
    with pytest.raises(RoundFull):
        store.submit(rnd.id, "c", [Answer(Q1.key, 0.4, 0.5, 0.6)])
    store.submit(rnd.id, "a", [Answer(Q1.key, 0.1, 0.5, 0.6)])  # someone already in may still change theirs


def test_what_a_round_refuses(store):
    with pytest.raises(StoreError, match="at least one question"):
        store.start("x", [])
    with pytest.raises(StoreError, match="each input once"):
        store.start("x", [Q1, Q1])
    with pytest.raises(StoreError, match="shape"):
        store.start("x", [Q1], "lognormal")
    rnd = store.start("x", [Q1])
    with pytest.raises(StoreError, match="does not ask"):
        store.submit(rnd.id, "a", [Answer("nodes.other.rate_with", 0.1, 0.2, 0.3)])
    with pytest.raises(StoreError, match="nothing to send"):
        store.submit(rnd.id, "a", [])
    with pytest.raises(StoreError, match="token"):
        store.submit(rnd.id, "x" * 65, [Answer(Q1.key, 0.1, 0.2, 0.3)])
    # The database itself refuses an answer out of order, should anything skip the checks.
    with pytest.raises(StoreError):
        store.submit(rnd.id, "a", [Answer(Q1.key, 0.5, 0.4, 0.6)])
    assert store.answers(rnd.id) == []


def test_a_code_is_never_given_to_two_rounds(store, monkeypatch):
    first = store.start("x", [Q1])
    codes = iter([first.code, first.code, "ZZZZ0000"])
    monkeypatch.setattr(es_module, "new_code", lambda: next(codes))
    second = store.start("y", [Q1])
    assert second.code == "ZZZZ0000" and second.id != first.id


def test_a_store_made_before_rounds_existed_gets_their_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE toc_elicit_answers"))
        conn.execute(text("DROP TABLE toc_elicit_rounds"))
    engine.dispose()
    rnd = ElicitationStore(Store(url)).start("x", [Q1])
    assert ElicitationStore(Store(url)).get(rnd.id) == rnd

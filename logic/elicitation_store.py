"""Rounds of questions to the room and their answers, in the scenario store's database.

Kept in the store (SQLite by default, PostgreSQL by URL) so that several app processes behind a proxy
share them, and so that an answer, once acknowledged, is on disk: a participant's phone going to sleep
or the server restarting mid-round loses nothing. Each submission is one transaction, which checks the
round is still open under the same lock as closing it takes, and writes the participant's answers
(replacing their earlier answers in the same stage). Answers are kept per stage, so a Delphi round's
revisions never overwrite the first answers.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .elicitation import SHAPES, Answer, Given, Question, new_code, normalise_code
from .store import Store
from .store_records import StoreError, db_text, now_utc, utc
from .store_schema import MAX_AUTHOR, elicit_answers_table, elicit_rounds_table

MAX_PARTICIPANTS = 300  # per round: a room, not the internet


class RoundClosed(StoreError):
    """The round has closed (or never existed): the answers were not kept."""


class RoundFull(StoreError):
    """The round already has as many participants as a round may have."""


@dataclass(frozen=True)
class Round:
    id: str
    code: str
    title: str
    questions: tuple[Question, ...]
    shape: str
    stage: int
    status: str
    created_by: str | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


def _round(m) -> Round:
    return Round(
        id=m["id"],
        code=m["code"],
        title=m["title"],
        questions=tuple(Question.from_dict(d) for d in json.loads(m["questions"])),
        shape=m["shape"],
        stage=int(m["stage"]),
        status=m["status"],
        created_by=m["created_by"],
        created_at=utc(m["created_at"]),
        closed_at=utc(m["closed_at"]),
    )


def _given(row) -> Given:
    answer = Answer(row.question, row.low, row.mode, row.high, row.reason)
    return Given(row.participant, row.stage, answer, row.name, utc(row.answered_at))


class ElicitationStore:
    """Rounds and answers in a Store's database (the same file or server, the same transactions)."""

    def __init__(self, store: Store):
        self.store = store

    # --- the facilitator ---

    def start(
        self, title: str, questions: Sequence[Question], shape: str = "pert", created_by: str | None = None
    ) -> Round:
        """Open a new round with a fresh join code (never one any round has had)."""
        if not questions:
            raise StoreError("a round needs at least one question")
        if len({q.key for q in questions}) != len(questions):
            raise StoreError("a round may ask about each input once")
        if shape not in SHAPES:
            raise StoreError(f"shape must be one of {', '.join(SHAPES)}")
        payload = json.dumps([q.to_dict() for q in questions])
        by = db_text(created_by)[:MAX_AUTHOR] if created_by else None
        for _ in range(10):  # a clash of 40-bit codes is all but impossible; another code if it happens
            values = dict(
                id=secrets.token_hex(8),
                code=new_code(),
                title=db_text(title)[:500] or "Untitled",
                questions=payload,
                shape=shape,
                stage=1,
                status="open",
                created_by=by,
                created_at=now_utc(),
                closed_at=None,
            )

            def work(conn: Connection, values=values) -> bool:
                r = elicit_rounds_table.c
                if conn.execute(select(r.id).where(r.code == values["code"])).first() is not None:
                    return False
                conn.execute(elicit_rounds_table.insert().values(**values))
                return True

            if self.store._write(work):
                return _round(values)
        raise StoreError("could not find an unused join code; try again")  # pragma: no cover

    def _set(self, round_id: str, **values) -> Round:
        def work(conn: Connection) -> Round:
            r = elicit_rounds_table.c
            row = conn.execute(select(elicit_rounds_table).where(r.id == round_id).with_for_update()).first()
            if row is None:
                raise StoreError(f"there is no round '{round_id}'")
            if row.status != "open":
                raise RoundClosed("this round has closed")
            conn.execute(elicit_rounds_table.update().where(r.id == round_id).values(**values))
            return _round({**row._mapping, **values})

        return self.store._write(work)

    def second_round(self, round_id: str) -> Round:
        """The Delphi round: participants see the anonymous spread and may revise (same code, same page)."""
        return self._set(round_id, stage=2)

    def close(self, round_id: str) -> Round:
        """Close the round: its code admits nobody from now on, and no answer is taken."""
        return self._set(round_id, status="closed", closed_at=now_utc())

    # --- reading ---

    def get(self, round_id: str) -> Round | None:
        def work(conn: Connection) -> Round | None:
            row = conn.execute(select(elicit_rounds_table).where(elicit_rounds_table.c.id == round_id)).first()
            return _round(row._mapping) if row is not None else None

        return self.store._read(work)

    def by_code(self, text: str | None) -> Round | None:
        """The round a typed code names (any case, with or without the hyphen); None if no round has it."""
        code = normalise_code(text)
        if code is None:
            return None

        def work(conn: Connection) -> Round | None:
            row = conn.execute(select(elicit_rounds_table).where(elicit_rounds_table.c.code == code)).first()
            return _round(row._mapping) if row is not None else None

        return self.store._read(work)

    def open_rounds(self) -> list[Round]:
        """Rounds still open, the newest first."""
        r = elicit_rounds_table.c

        def work(conn: Connection) -> list[Round]:
            rows = conn.execute(select(elicit_rounds_table).where(r.status == "open").order_by(r.created_at.desc()))
            return [_round(row._mapping) for row in rows]

        return self.store._read(work)

    def answers(self, round_id: str) -> list[Given]:
        """Every answer kept for the round, every stage, in the order given."""
        a = elicit_answers_table.c

        def work(conn: Connection) -> list[Given]:
            rows = conn.execute(
                select(elicit_answers_table)
                .where(a.round_id == round_id)
                .order_by(a.answered_at, a.participant, a.question)
            )
            return [_given(row) for row in rows]

        return self.store._read(work)

    def mine(self, round_id: str, participant: str) -> dict[str, Given]:
        """One participant's latest answer to each question (what their page shows them again)."""
        latest: dict[str, Given] = {}
        for g in self.answers_of(round_id, participant):
            if g.answer.question not in latest or g.stage >= latest[g.answer.question].stage:
                latest[g.answer.question] = g
        return latest

    def answers_of(self, round_id: str, participant: str) -> list[Given]:
        a = elicit_answers_table.c

        def work(conn: Connection) -> list[Given]:
            rows = conn.execute(
                select(elicit_answers_table).where(a.round_id == round_id, a.participant == participant)
            )
            return [_given(row) for row in rows]

        return self.store._read(work)

    # --- a participant ---

    def submit(self, round_id: str, participant: str, answers: Sequence[Answer], name: str | None = None) -> datetime:
        """Keep a participant's answers (already checked by logic.elicitation.check_answer), in the round's
        current stage, replacing what they sent before in that stage. Returns when they were kept.
        RoundClosed if the round has closed; RoundFull if it has no room for a new participant."""
        if not answers:
            raise StoreError("there is nothing to send")
        if not participant or len(participant) > 64:
            raise StoreError("a participant token is 1 to 64 characters")
        insert = sqlite.insert if self.store._sqlite else postgresql.insert
        r, a = elicit_rounds_table.c, elicit_answers_table.c

        def work(conn: Connection) -> datetime:
            # FOR SHARE: many participants at once, but not while the facilitator closes the round.
            query = select(r.status, r.stage, r.questions).where(r.id == round_id)
            row = conn.execute(query if self.store._sqlite else query.with_for_update(read=True)).first()
            if row is None or row.status != "open":
                raise RoundClosed("this round has closed")
            keys = {d["key"] for d in json.loads(row.questions)}
            if any(x.question not in keys for x in answers):
                raise StoreError("an answer names a question this round does not ask")
            known = conn.execute(
                select(a.participant).where(a.round_id == round_id, a.participant == participant).limit(1)
            ).first()
            if known is None:
                count = conn.execute(select(func.count(func.distinct(a.participant))).where(a.round_id == round_id))
                if count.scalar_one() >= MAX_PARTICIPANTS:
                    raise RoundFull(f"this round already has {MAX_PARTICIPANTS} participants")
            now = now_utc()
            for x in answers:
                values = dict(
                    round_id=round_id,
                    participant=participant,
                    stage=row.stage,
                    question=x.question,
                    low=x.low,
                    mode=x.mode,
                    high=x.high,
                    reason=x.reason,
                    name=name,
                    answered_at=now,
                )
                stmt = insert(elicit_answers_table).values(**values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[a.round_id, a.participant, a.stage, a.question],
                    set_={k: stmt.excluded[k] for k in ("low", "mode", "high", "reason", "name", "answered_at")},
                )
                conn.execute(stmt)
            return now

        return self.store._write(work)

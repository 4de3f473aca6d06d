"""The scenario store's tables, and the triggers by which the database itself keeps saved versions unchanged.

Table names carry a prefix so the store can share a PostgreSQL database with other things. A saved
version is never rewritten and a locked one never deleted, whatever program connects: SQLite and
PostgreSQL triggers refuse it, with the messages `CHANGED` and `DELETE_LOCKED` (the store turns them
into a LockedError).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
)

SCHEMA_VERSION = 1
MAX_AUTHOR = 200
MAX_MESSAGE = 10_000

metadata = MetaData()

meta_table = Table(
    "toc_store_meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

scenarios_table = Table(
    "toc_scenarios",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # No foreign key: the source may be deleted later and the fork keeps the record of where it came from.
    Column("forked_from_id", String(64), nullable=True),
    Column("forked_from_version", Integer, nullable=True),
)

versions_table = Table(
    "toc_versions",
    metadata,
    Column("scenario_id", String(64), ForeignKey("toc_scenarios.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("author", String(MAX_AUTHOR), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("based_on", Integer, nullable=True),  # the version the editor started from, for the record
    Column("snapshot", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("locked", Boolean, nullable=False, default=False),
    Column("locked_by", String(MAX_AUTHOR), nullable=True),
    Column("locked_at", DateTime(timezone=True), nullable=True),
    # The primary key is the UNIQUE(scenario_id, version) that makes a lost version impossible.
    PrimaryKeyConstraint("scenario_id", "version", name="toc_versions_pk"),
    CheckConstraint("version >= 1", name="toc_versions_positive"),
)

# Places (several programmes and a pooled fund) are versioned as scenarios are; their programmes are named
# by saved scenario id and version, so a place's version always reopens with the same programmes.
places_table = Table(
    "toc_places",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

place_versions_table = Table(
    "toc_place_versions",
    metadata,
    Column("place_id", String(64), ForeignKey("toc_places.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("author", String(MAX_AUTHOR), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("snapshot", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    PrimaryKeyConstraint("place_id", "version", name="toc_place_versions_pk"),
    CheckConstraint("version >= 1", name="toc_place_versions_positive"),
)

# Asking the room (logic/elicitation_store.py): a round of questions with a join code, and each participant's
# answers, kept per stage (1: first answers, 2: the Delphi round's revisions) so neither is lost.
elicit_rounds_table = Table(
    "toc_elicit_rounds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),  # never reused: a closed round's code stays dead
    Column("title", String(500), nullable=False),
    Column("questions", Text, nullable=False),  # JSON
    Column("shape", String(16), nullable=False),
    Column("stage", Integer, nullable=False, default=1),
    Column("status", String(16), nullable=False),  # open | closed
    Column("created_by", String(MAX_AUTHOR), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("status IN ('open', 'closed')", name="toc_elicit_rounds_status"),
    CheckConstraint("stage IN (1, 2)", name="toc_elicit_rounds_stage"),
)

elicit_answers_table = Table(
    "toc_elicit_answers",
    metadata,
    Column("round_id", String(32), ForeignKey("toc_elicit_rounds.id"), nullable=False),
    Column("participant", String(64), nullable=False),  # a random token, not a person
    Column("stage", Integer, nullable=False),
    Column("question", String(1000), nullable=False),  # the input's path
    Column("low", Float, nullable=False),
    Column("mode", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("reason", Text, nullable=True),
    Column("name", String(200), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("round_id", "participant", "stage", "question", name="toc_elicit_answers_pk"),
    CheckConstraint("low <= mode AND mode <= high", name="toc_elicit_answers_order"),
)

# Who may see and change a saved scenario (logic/access.py). New tables, not new columns, so a store made before
# them opens unchanged: they are created on open, and a scenario with no rows (saved before, or while sign-in was
# off) stays open to everyone signed in. No foreign key: the rows outlive a deleted scenario, so its deletion
# record is shown to the people who could see it.
access_table = Table(
    "toc_scenario_access",
    metadata,
    Column("scenario_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # owner | person | domain | group | everyone
    Column("principal", String(320), nullable=False),  # an email, account:NAME, a domain, a group id, or *
    Column("role", String(16), nullable=False),  # owner | editor | viewer
    Column("granted_by", String(MAX_AUTHOR), nullable=True),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("scenario_id", "kind", "principal", name="toc_scenario_access_pk"),
    CheckConstraint("kind IN ('owner', 'person', 'domain', 'group', 'everyone')", name="toc_scenario_access_kind"),
    CheckConstraint("role IN ('owner', 'editor', 'viewer')", name="toc_scenario_access_role"),
)

deletions_table = Table(
    "toc_scenario_deletions",
    metadata,
    Column("scenario_id", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("versions", Integer, nullable=False),
    Column("deleted_by", String(MAX_AUTHOR), nullable=True),
    Column("deleted_at", DateTime(timezone=True), nullable=False),
)

_CONTENT_COLUMNS = "scenario_id, version, author, message, created_at, based_on, snapshot, sha256"
CHANGED = "a saved version cannot be changed; save a new version instead"
DELETE_LOCKED = "a signed-off (locked) version cannot be deleted"

# The database itself refuses to rewrite a saved version or delete a locked one.
for _statement in (
    f"CREATE TRIGGER toc_versions_immutable BEFORE UPDATE OF {_CONTENT_COLUMNS} ON toc_versions "
    f"BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END",
    "CREATE TRIGGER toc_versions_locked_delete BEFORE DELETE ON toc_versions WHEN OLD.locked "
    f"BEGIN SELECT RAISE(ABORT, '{DELETE_LOCKED}'); END",
):
    event.listen(versions_table, "after_create", DDL(_statement).execute_if(dialect="sqlite"))

for _statement in (
    "CREATE OR REPLACE FUNCTION toc_refuse_version_change() RETURNS trigger LANGUAGE plpgsql AS $body$ "
    f"BEGIN IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{DELETE_LOCKED}'; END IF; "
    f"RAISE EXCEPTION '{CHANGED}'; END $body$",
    f"CREATE TRIGGER toc_versions_immutable BEFORE UPDATE OF {_CONTENT_COLUMNS} ON toc_versions "
    "FOR EACH ROW EXECUTE FUNCTION toc_refuse_version_change()",
    "CREATE TRIGGER toc_versions_locked_delete BEFORE DELETE ON toc_versions "
    "FOR EACH ROW WHEN (OLD.locked) EXECUTE FUNCTION toc_refuse_version_change()",
):
    event.listen(versions_table, "after_create", DDL(_statement).execute_if(dialect="postgresql"))

# A saved place version is never rewritten either.
event.listen(
    place_versions_table,
    "after_create",
    DDL(
        "CREATE TRIGGER toc_place_versions_immutable BEFORE UPDATE ON toc_place_versions "
        f"BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END"
    ).execute_if(dialect="sqlite"),
)
for _statement in (
    "CREATE OR REPLACE FUNCTION toc_refuse_version_change() RETURNS trigger LANGUAGE plpgsql AS $body$ "
    f"BEGIN IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{DELETE_LOCKED}'; END IF; "
    f"RAISE EXCEPTION '{CHANGED}'; END $body$",
    "CREATE TRIGGER toc_place_versions_immutable BEFORE UPDATE ON toc_place_versions "
    "FOR EACH ROW EXECUTE FUNCTION toc_refuse_version_change()",
):
    event.listen(place_versions_table, "after_create", DDL(_statement).execute_if(dialect="postgresql"))

PG_CREATE_LOCK = 0x70C5_7011  # advisory lock key: one process creates the tables, the others wait

"""Saved scenarios and their versions: a SQLite file by default, PostgreSQL when a URL is configured.

Rules the store keeps, because a business case is audited after the fact:

- Saving never overwrites. Each save is a new version (1, 2, 3 ...) with its author, message,
  UTC time and the SHA-256 of the canonical snapshot text, which is what is stored, so a version
  reopens exactly as it was saved.
- A locked (signed-off) version never changes and cannot be deleted; saving an edit of it goes to
  a new, forked scenario. The database enforces this too (triggers), so no other program can
  quietly rewrite a saved version either.
- Every write is one transaction: a crash mid-save leaves every earlier version as it was.
- Concurrent saves to one scenario all land: version numbers are assigned under a lock (SQLite:
  BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE on the scenario row), the primary key
  (scenario_id, version) refuses duplicates, and a transient conflict is retried.
"""

from __future__ import annotations

import copy
import hashlib
import random
import secrets as _secrets
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event, func, literal, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from . import access
from .access import Viewer
from .model import Scenario
from .snapshots import ScenarioError, dump_scenario, parse_scenario, read_yaml, scenario_to_dict
from .store_config import DEFAULT_SQLITE_PATH, PROJECT_DIR, database_url, normalise_url
from .store_records import (
    LockedError,
    ScenarioInfo,
    StoreError,
    VersionInfo,
    check_author,
    check_digest,
    check_message,
    db_text,
    new_version_row,
    now_utc,
    slug,
    transient,
    utc,
    version_info,
)
from .store_schema import (
    CHANGED,
    DELETE_LOCKED,
    MAX_AUTHOR,
    MAX_MESSAGE,
    PG_CREATE_LOCK,
    SCHEMA_VERSION,
    meta_table,
    metadata,
    scenarios_table,
    versions_table,
)

# Where the store is, its tables and its records have modules of their own; their names are kept here for callers.
_normalise_url = normalise_url
__all__ = [
    "DEFAULT_SQLITE_PATH",
    "MAX_AUTHOR",
    "MAX_MESSAGE",
    "PROJECT_DIR",
    "SCHEMA_VERSION",
    "LockedError",
    "ScenarioInfo",
    "Store",
    "StoreError",
    "VersionInfo",
    "_normalise_url",
    "database_url",
    "metadata",
]

_RETRIES = 20  # transient conflicts (a busy SQLite file, a PostgreSQL deadlock) before giving up


# --- the store ------------------------------------------------------------------------------

T = TypeVar("T")


class Store:
    """Saved scenarios and their versions. Safe to share between threads and processes.

    As made, a store sees everything (the command line, scripts, sign-in off). `as_viewer(v)` gives the
    same store as one signed-in person sees it: only what they may see (logic/access.py), every other
    scenario answered as not found, and their identity, not a typed name, recorded as the author.
    """

    viewer: Viewer | None = None

    def __init__(self, url: str | None = None):
        self.url = normalise_url(url) if url else database_url()
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise StoreError(f"'{self.url}' is not a database URL (e.g. sqlite:///scenarios.sqlite)") from None
        self._where = parsed.render_as_string(hide_password=True)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        try:
            self._engine = self._make_engine(parsed)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use the scenario store at {self._where}: {exc}") from None
        self._write(self._create_tables)

    def _make_engine(self, url) -> Engine:
        if not self._sqlite:
            return create_engine(url, pool_pre_ping=True)
        memory = url.database in (None, "", ":memory:")
        if memory:  # one shared connection, or each connection would see its own empty database
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # timeout is SQLite's busy timeout: wait this long for another writer before "database is locked".
            engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Take transaction control from the sqlite3 module (which would not BEGIN before a SELECT
            # or CREATE); _on_begin emits BEGIN itself.
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute("PRAGMA synchronous=FULL")  # a committed version survives a power cut, not just a crash
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # A write takes SQLite's write lock at BEGIN, so reading the next version number and
            # inserting it cannot interleave with another writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("toc_write") else "BEGIN")

        return engine

    def as_viewer(self, viewer: Viewer | None) -> Store:
        """This store as `viewer` sees it (None: everything). Shares the connections."""
        scoped = copy.copy(self)
        scoped.viewer = viewer
        return scoped

    def _author(self, author: str) -> str:
        # Signed in, the record names who is signed in, whatever was typed.
        return check_author(self.viewer.label if self.viewer is not None else author)

    def close(self) -> None:
        """Release the connections (the store can still be used; it reconnects)."""
        self._engine.dispose()

    # --- transactions ---

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run work in one write transaction, retrying transient conflicts; errors become StoreError."""
        for attempt in range(_RETRIES):
            try:
                with self._engine.connect() as conn:
                    conn.execution_options(toc_write=True)
                    with conn.begin():
                        return work(conn)
            except DBAPIError as exc:
                if not transient(exc) or attempt == _RETRIES - 1:
                    raise self._store_error(exc) from None
            except SQLAlchemyError as exc:
                raise self._store_error(exc) from None
            time.sleep(min(0.5, 0.005 * 2**attempt) * random.random())
        raise AssertionError("unreachable")

    def _read(self, work: Callable[[Connection], T]) -> T:
        try:
            with self._engine.connect() as conn, conn.begin():
                return work(conn)
        except SQLAlchemyError as exc:
            raise self._store_error(exc) from None

    def _store_error(self, exc: SQLAlchemyError) -> StoreError:
        text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if CHANGED in text_ or DELETE_LOCKED in text_:
            return LockedError(text_)
        if isinstance(exc, OperationalError):
            return StoreError(f"cannot reach the scenario store at {self._where}: {text_}")
        return StoreError(f"the scenario store at {self._where} refused the change: {text_}")

    def _create_tables(self, conn: Connection) -> None:
        if not self._sqlite:
            # DDL is transactional in PostgreSQL; the advisory lock stops two first-time starts racing.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_CREATE_LOCK})
        metadata.create_all(conn, checkfirst=True)
        found = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
        if found is None:
            conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif int(found) > SCHEMA_VERSION:
            raise StoreError(
                f"the scenario store at {self._where} was made by a newer version of this app "
                f"(store format {found}); update the app to open it"
            )

    # --- saving ---

    def save(
        self,
        sc: Scenario,
        author: str,
        message: str,
        scenario_id: str | None = None,
        based_on: int | None = None,
    ) -> VersionInfo:
        """Save sc as the next version of scenario_id (a new scenario when None).

        If based_on names a locked version, the edit is saved as version 1 of a new scenario forked
        from it instead; the returned VersionInfo carries the new scenario_id.
        """
        access.require_editor(self.viewer)
        author, message = self._author(author), check_message(message)
        snapshot, digest = _canonical(sc)
        if scenario_id is None:
            return self._write(lambda conn: self._new_scenario(conn, sc.name, snapshot, digest, author, message))

        def work(conn: Connection) -> VersionInfo:
            # One statement locks the scenario row and reads what the save depends on; the lock is
            # held until commit, so it is kept to this, one INSERT ... SELECT, and the commit.
            allowed = access.require(conn, scenario_id, self.viewer, access.VIEW)
            v = versions_table.c
            base = versions_table.alias("base")
            found = conn.execute(
                select(scenarios_table.c.name, base.c.version, base.c.locked)
                .select_from(
                    scenarios_table.outerjoin(
                        base, (base.c.scenario_id == scenarios_table.c.id) & (base.c.version == based_on)
                    )
                )
                .where(scenarios_table.c.id == scenario_id)
                .with_for_update(of=scenarios_table)
            ).first()
            if found is None:
                raise StoreError(f"there is no saved scenario '{scenario_id}' (it may have been deleted)")
            if based_on is not None and found.version is None:
                raise StoreError(f"'{found.name}' has no version {based_on}")
            if found.locked and based_on is not None:  # editing a signed-off version forks it
                return self._new_scenario(
                    conn, sc.name, snapshot, digest, author, message, forked_from=(scenario_id, based_on)
                )
            if allowed < access.EDIT:
                access.require(conn, scenario_id, self.viewer, access.EDIT, found.name)
            listed = db_text(sc.name)
            if found.name != listed:  # the scenario is listed under the name of its latest version
                conn.execute(scenarios_table.update().where(scenarios_table.c.id == scenario_id).values(name=listed))
            values = new_version_row(scenario_id, snapshot, digest, author, message, based_on, now_utc())
            # The next number is read and used in the same statement, under the row lock (PostgreSQL)
            # or the write lock (SQLite); the primary key would refuse a duplicate regardless.
            next_version = func.coalesce(func.max(v.version), 0) + 1
            columns = [versions_table.c[k] for k in values]
            number = conn.execute(
                versions_table.insert()
                .from_select(
                    ["version", *values],
                    select(next_version, *[literal(values[k], c.type) for k, c in zip(values, columns)]).where(
                        v.scenario_id == scenario_id
                    ),
                )
                .returning(versions_table.c.version)
            ).scalar_one()
            return version_info({**values, "version": number})

        return self._write(work)

    def fork(self, scenario_id: str, version: int, author: str, name: str | None = None) -> VersionInfo:
        """A new scenario whose version 1 is a copy of the given version (renamed if name is given)."""
        access.require_editor(self.viewer)
        author = self._author(author)

        def work(conn: Connection) -> VersionInfo:
            row = self._version_row(conn, scenario_id, version)
            source_name = self._scenario_row(conn, scenario_id).name
            snapshot, digest = row.snapshot, row.sha256
            sc = self._verified(row, source_name)
            if name is not None and name != sc.name:
                try:
                    sc = parse_scenario({**read_yaml(snapshot), "name": name})
                except ScenarioError as exc:
                    raise StoreError(f"cannot use that name: {exc}") from None
                snapshot, digest = _canonical(sc)
            message = f"Forked from '{source_name}' version {version}"
            return self._new_scenario(
                conn, sc.name, snapshot, digest, author, message, forked_from=(scenario_id, version)
            )

        return self._write(work)

    def _new_scenario(
        self,
        conn: Connection,
        name: str,
        snapshot: str,
        digest: str,
        author: str,
        message: str,
        forked_from: tuple[str, int] | None = None,
    ) -> VersionInfo:
        now = now_utc()
        # A random suffix makes a collision practically impossible; the primary key would refuse one anyway.
        new_id = f"{slug(name)}-{_secrets.token_hex(4)}"
        conn.execute(
            scenarios_table.insert().values(
                id=new_id,
                name=db_text(name),
                created_at=now,
                forked_from_id=forked_from[0] if forked_from else None,
                forked_from_version=forked_from[1] if forked_from else None,
            )
        )
        access.grant_defaults(conn, new_id, self.viewer)
        return self._insert_version(conn, new_id, 1, snapshot, digest, author, message, None, now)

    def _insert_version(
        self,
        conn: Connection,
        scenario_id: str,
        version: int,
        snapshot: str,
        digest: str,
        author: str,
        message: str,
        based_on: int | None,
        now: datetime,
    ) -> VersionInfo:
        values = new_version_row(scenario_id, snapshot, digest, author, message, based_on, now) | {"version": version}
        conn.execute(versions_table.insert().values(**values))
        return version_info(values)

    # --- signing off ---

    def lock(self, scenario_id: str, version: int, author: str) -> VersionInfo:
        """Sign a version off: from now on it cannot be deleted, and an edit of it forks."""
        author = self._author(author)

        def work(conn: Connection) -> VersionInfo:
            name = self._lock_scenario(conn, scenario_id).name
            access.require(conn, scenario_id, self.viewer, access.EDIT, name)
            row = self._version_row(conn, scenario_id, version)
            if row.locked:  # already signed off: keep who signed it and when
                return version_info(row._mapping)
            self._set_lock(conn, scenario_id, version, True, author, now_utc())
            return version_info(self._version_row(conn, scenario_id, version)._mapping)

        return self._write(work)

    def unlock(self, scenario_id: str, version: int, author: str) -> VersionInfo:
        """Withdraw the sign-off. The content of the version is unchanged either way."""
        self._author(author)

        def work(conn: Connection) -> VersionInfo:
            name = self._lock_scenario(conn, scenario_id).name
            access.require(conn, scenario_id, self.viewer, access.EDIT, name)
            row = self._version_row(conn, scenario_id, version)
            if row.locked:
                self._set_lock(conn, scenario_id, version, False, None, None)
            return version_info(self._version_row(conn, scenario_id, version)._mapping)

        return self._write(work)

    def _set_lock(self, conn, scenario_id, version, locked, by, at) -> None:
        # The only UPDATE of a version there is: the sign-off columns, never the content.
        conn.execute(
            versions_table.update()
            .where((versions_table.c.scenario_id == scenario_id) & (versions_table.c.version == version))
            .values(locked=locked, locked_by=by, locked_at=at)
        )

    # --- deleting ---

    def delete_scenario(self, scenario_id: str, confirm_name: str, author: str | None = None) -> None:
        """Delete a scenario and all its versions: only when confirm_name is its name and nothing is signed off.

        Who deleted it, when, and how many versions it had are kept (logic/access.py, deletions).
        """
        by = self._author(author or "") if self.viewer is not None or author else None

        def work(conn: Connection) -> None:
            name = self._lock_scenario(conn, scenario_id).name
            access.require(conn, scenario_id, self.viewer, access.MANAGE, name)
            if confirm_name != name:
                raise StoreError(f"to delete '{name}', type its name exactly; nothing was deleted")
            locked = self._locked_versions(conn, scenario_id)
            if locked:
                listed = ", ".join(str(v) for v in locked)
                raise LockedError(
                    f"'{name}' has signed-off (locked) versions ({listed}); unlock them first. Nothing was deleted"
                )
            count = conn.execute(select(func.count()).where(versions_table.c.scenario_id == scenario_id)).scalar_one()
            conn.execute(versions_table.delete().where(versions_table.c.scenario_id == scenario_id))
            conn.execute(scenarios_table.delete().where(scenarios_table.c.id == scenario_id))
            access.record_deletion(conn, scenario_id, name, count, by)

        self._write(work)

    # --- reading ---

    def list_scenarios(self) -> list[ScenarioInfo]:
        """Every scenario the viewer may see, the most recently saved first."""
        v = versions_table.c

        def work(conn: Connection) -> list[ScenarioInfo]:
            latest = (
                select(v.scenario_id, func.max(v.version).label("latest"), func.max(v.created_at).label("saved"))
                .group_by(v.scenario_id)
                .subquery()
            )
            rows = conn.execute(
                select(scenarios_table, latest.c.latest, latest.c.saved)
                .join(latest, latest.c.scenario_id == scenarios_table.c.id)
                .where(access.visible(scenarios_table.c.id, self.viewer))
                .order_by(latest.c.saved.desc(), scenarios_table.c.name, scenarios_table.c.id)
            ).all()
            locks: dict[str, list[int]] = {}
            for sid, version in conn.execute(select(v.scenario_id, v.version).where(v.locked).order_by(v.version)):
                locks.setdefault(sid, []).append(version)
            return [
                ScenarioInfo(
                    id=r.id,
                    name=r.name,
                    created_at=utc(r.created_at),
                    latest_version=r.latest,
                    locked_versions=tuple(locks.get(r.id, ())),
                    forked_from=(r.forked_from_id, r.forked_from_version) if r.forked_from_id else None,
                )
                for r in rows
            ]

        return self._read(work)

    def versions(self, scenario_id: str) -> list[VersionInfo]:
        """The versions of a scenario, newest first."""
        v = versions_table.c
        columns = [c for c in versions_table.c if c.name not in ("snapshot", "based_on")]

        def work(conn: Connection) -> list[VersionInfo]:
            self._scenario_row(conn, scenario_id)
            rows = conn.execute(select(*columns).where(v.scenario_id == scenario_id).order_by(v.version.desc()))
            return [version_info(r._mapping) for r in rows]

        return self._read(work)

    def load(self, scenario_id: str, version: int | None = None) -> Scenario:
        """The scenario as saved (the latest version if version is None), checked against its SHA-256."""

        def work(conn: Connection) -> Scenario:
            row, name = self._stored(conn, scenario_id, version)
            return self._verified(row, name)

        return self._read(work)

    def snapshot_text(self, scenario_id: str, version: int | None = None) -> str:
        """The stored canonical YAML of a version (the latest if version is None), checked against its SHA-256."""

        def work(conn: Connection) -> str:
            row, name = self._stored(conn, scenario_id, version)
            check_digest(row, name)
            return row.snapshot

        return self._read(work)

    # --- helpers (inside a transaction) ---

    def _scenario_row(self, conn: Connection, scenario_id: str, for_update: bool = False):
        query = select(scenarios_table).where(scenarios_table.c.id == scenario_id)
        if for_update:
            query = query.with_for_update()  # PostgreSQL row lock; SQLite is already locked by BEGIN IMMEDIATE
        row = conn.execute(query).first()
        if row is None or (self.viewer is not None and not access.level(conn, scenario_id, self.viewer)):
            raise access.not_found(scenario_id)  # the same words for "not there" and "not yours to see"
        return row

    def _lock_scenario(self, conn: Connection, scenario_id: str):
        return self._scenario_row(conn, scenario_id, for_update=True)

    def _version_row(self, conn: Connection, scenario_id: str, version: int):
        v = versions_table.c
        query = select(versions_table).where((v.scenario_id == scenario_id) & (v.version == version))
        row = conn.execute(query).first()
        if row is None:
            name = self._scenario_row(conn, scenario_id).name
            raise StoreError(f"'{name}' has no version {version}")
        return row

    def _stored(self, conn: Connection, scenario_id: str, version: int | None):
        name = self._scenario_row(conn, scenario_id).name
        if version is None:
            v = versions_table.c
            row = conn.execute(
                select(versions_table).where(v.scenario_id == scenario_id).order_by(v.version.desc()).limit(1)
            ).first()
            if row is None:
                raise StoreError(f"'{name}' has no saved versions")
            return row, name
        return self._version_row(conn, scenario_id, version), name

    def _verified(self, row, name: str) -> Scenario:
        check_digest(row, name)
        try:
            return parse_scenario(read_yaml(row.snapshot))
        except ScenarioError as exc:
            raise StoreError(f"version {row.version} of '{name}' cannot be read: {exc.lines()[0]}") from None

    def _locked_versions(self, conn: Connection, scenario_id: str) -> list[int]:
        v = versions_table.c
        return list(
            conn.execute(select(v.version).where((v.scenario_id == scenario_id) & v.locked).order_by(v.version))
            .scalars()
            .all()
        )


# --- small pieces ---------------------------------------------------------------------------


def _canonical(sc: Scenario) -> tuple[str, str]:
    """The snapshot text to store and its SHA-256, after checking the scenario is valid.

    A Scenario can be built or changed in code without validation, so it is validated again here
    (from its plain data: YAML parsing would double the cost of a save). That the canonical YAML
    reads back as the same scenario is the snapshot module's promise, tested property by property.
    """
    try:
        back = parse_scenario(scenario_to_dict(sc))
    except ScenarioError as exc:
        raise StoreError(f"the scenario cannot be saved until it is valid: {exc.lines()[0]}") from None
    if back != sc:
        raise StoreError("the scenario would not reopen exactly as it is; it was not saved")
    snapshot = dump_scenario(sc)
    return snapshot, hashlib.sha256(snapshot.encode("utf-8")).hexdigest()

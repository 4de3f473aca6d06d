"""Saved places and their versions, in the scenario store's database (tables toc_places, toc_place_versions).

As for scenarios: saving never overwrites (each save is the next version, with its author, message, UTC time
and the SHA-256 of the canonical YAML stored), and a version reopens exactly as it was saved.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from .place_loading import PlaceError, parse_place
from .place_model import Place
from .snapshots import read_yaml
from .store import Store
from .store_records import StoreError, check_author, check_message, db_text, now_utc, slug, utc
from .store_schema import place_versions_table, places_table


@dataclass(frozen=True)
class PlaceInfo:
    id: str
    name: str
    latest_version: int
    saved_at: datetime


@dataclass(frozen=True)
class PlaceVersion:
    place_id: str
    version: int
    author: str
    message: str
    created_at: datetime
    sha256: str


def dump_place(place: Place) -> str:
    """The canonical YAML of a place: what is stored and downloaded, and reads back as the same Place."""
    data = place.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _canonical(place: Place) -> tuple[str, str]:
    text = dump_place(place)
    try:
        back = parse_place(read_yaml(text))
    except PlaceError as exc:
        raise StoreError(f"the place cannot be saved until it is valid: {exc.lines()[0]}") from None
    if back != place:
        raise StoreError("the place would not reopen exactly as it is; it was not saved")
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


class PlaceStore:
    """Places in a Store's database (the same file or PostgreSQL server, the same transactions)."""

    def __init__(self, store: Store):
        self.store = store

    def save(self, place: Place, author: str, message: str, place_id: str | None = None) -> PlaceVersion:
        """Save as the next version of place_id (a new place when None)."""
        author, message = check_author(author), check_message(message)
        snapshot, digest = _canonical(place)

        def work(conn: Connection) -> PlaceVersion:
            now = now_utc()
            p = places_table.c
            if place_id is None:
                new_id = f"{slug(place.name)}-{secrets.token_hex(4)}"
                conn.execute(places_table.insert().values(id=new_id, name=db_text(place.name), created_at=now))
                pid, number = new_id, 1
            else:
                row = conn.execute(select(places_table).where(p.id == place_id).with_for_update()).first()
                if row is None:
                    raise StoreError(f"there is no saved place '{place_id}' (it may have been deleted)")
                conn.execute(places_table.update().where(p.id == place_id).values(name=db_text(place.name)))
                v = place_versions_table.c
                latest = conn.execute(select(func.max(v.version)).where(v.place_id == place_id)).scalar()
                pid, number = place_id, (latest or 0) + 1
            values = dict(
                place_id=pid,
                version=number,
                author=author,
                message=message,
                created_at=now,
                snapshot=snapshot,
                sha256=digest,
            )
            conn.execute(place_versions_table.insert().values(**values))
            return _version(values)

        return self.store._write(work)

    def list_places(self) -> list[PlaceInfo]:
        """Every saved place, the most recently saved first."""
        v = place_versions_table.c

        def work(conn: Connection) -> list[PlaceInfo]:
            latest = (
                select(v.place_id, func.max(v.version).label("latest"), func.max(v.created_at).label("saved"))
                .group_by(v.place_id)
                .subquery()
            )
            rows = conn.execute(
                select(places_table, latest.c.latest, latest.c.saved)
                .join(latest, latest.c.place_id == places_table.c.id)
                .order_by(latest.c.saved.desc(), places_table.c.name)
            ).all()
            return [PlaceInfo(r.id, r.name, r.latest, utc(r.saved)) for r in rows]

        listed = self.store._read(work)
        if getattr(self.store, "viewer", None) is None:
            return listed
        return [info for info in listed if self._visible(self._parse(info.id, self._text(info.id, None)))]

    def _visible(self, place: Place) -> bool:
        """A signed-in person sees a place only if they may see every saved programme in it."""
        for entry in place.programmes:
            if entry.saved is None:
                continue
            try:
                self.store.versions(entry.saved)
            except StoreError:
                return False
        return True

    def versions(self, place_id: str) -> list[PlaceVersion]:
        """The versions of a place, newest first."""
        v = place_versions_table.c

        def work(conn: Connection) -> list[PlaceVersion]:
            rows = conn.execute(select(place_versions_table).where(v.place_id == place_id).order_by(v.version.desc()))
            return [_version(r._mapping) for r in rows]

        return self.store._read(work)

    def snapshot_text(self, place_id: str, version: int | None = None) -> str:
        """The stored YAML of a version (the latest if None), checked against its SHA-256.

        Signed in, a place with a programme the person may not see is 'not there', as a scenario would be.
        """
        text = self._text(place_id, version)
        if getattr(self.store, "viewer", None) is not None and not self._visible(self._parse(place_id, text)):
            raise StoreError(f"there is no saved place '{place_id}'")
        return text

    def _text(self, place_id: str, version: int | None) -> str:
        v = place_versions_table.c

        def work(conn: Connection) -> str:
            query = select(place_versions_table).where(v.place_id == place_id)
            query = query.where(v.version == version) if version is not None else query.order_by(v.version.desc())
            row = conn.execute(query.limit(1)).first()
            if row is None:
                which = f"version {version} of " if version is not None else ""
                raise StoreError(f"there is no {which}saved place '{place_id}'")
            if hashlib.sha256(row.snapshot.encode("utf-8")).hexdigest() != row.sha256:
                raise StoreError(f"version {row.version} of the place '{place_id}' is damaged (SHA-256 mismatch)")
            return row.snapshot

        return self.store._read(work)

    def load(self, place_id: str, version: int | None = None) -> Place:
        return self._parse(place_id, self.snapshot_text(place_id, version))

    @staticmethod
    def _parse(place_id: str, text: str) -> Place:
        try:
            return parse_place(read_yaml(text))
        except PlaceError as exc:
            raise StoreError(f"the saved place '{place_id}' cannot be read: {exc.lines()[0]}") from None


def _version(m) -> PlaceVersion:
    return PlaceVersion(m["place_id"], m["version"], m["author"], m["message"], utc(m["created_at"]), m["sha256"])


def store_resolver(store: Store):
    """Programmes named `saved: ID` (and `version`) in a place, read from this store."""

    def resolve(scenario_id: str, version: int | None):
        try:
            return store.load(scenario_id, version)
        except StoreError as exc:
            raise LookupError(str(exc)) from None

    return resolve

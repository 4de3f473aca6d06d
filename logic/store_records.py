"""What the store keeps of each scenario and version, and the checks on what goes in and comes out.

The records the store hands back (ScenarioInfo, VersionInfo), the errors it raises, the checks on an
author and a message before they are written, and the conversions of what a database hands back
(SQLite gives naive datetimes, PostgreSQL aware ones) into one form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, overload

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .store_schema import MAX_AUTHOR, MAX_MESSAGE


class StoreError(Exception):
    """Something the user can read and act on: the message says what went wrong."""


class LockedError(StoreError):
    """The version (or a version of the scenario) is signed off and cannot be changed."""


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    name: str
    created_at: datetime
    latest_version: int
    locked_versions: tuple[int, ...]
    forked_from: tuple[str, int] | None


@dataclass(frozen=True)
class VersionInfo:
    scenario_id: str
    version: int
    author: str
    message: str
    created_at: datetime
    sha256: str
    locked: bool
    locked_by: str | None
    locked_at: datetime | None


def check_digest(row, name: str) -> None:
    if hashlib.sha256(row.snapshot.encode("utf-8")).hexdigest() != row.sha256:
        raise StoreError(
            f"version {row.version} of '{name}' is damaged: its content does not match the fingerprint "
            "(SHA-256) recorded when it was saved"
        )


def db_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; the snapshot itself is YAML, where it is escaped, so only
    # the listing name, author and message need this, and the same on every backend.
    return value.replace("\x00", "\ufffd")


def check_author(author: str) -> str:
    author = db_text((author or "").strip())
    if not author:
        raise StoreError("say who is saving (author): every version records its author")
    if len(author) > MAX_AUTHOR:
        raise StoreError(f"the author's name is too long (at most {MAX_AUTHOR} characters)")
    return author


def check_message(message: str) -> str:
    message = db_text(message or "")
    if len(message) > MAX_MESSAGE:
        raise StoreError(f"the message is too long (at most {MAX_MESSAGE} characters)")
    return message


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "scenario"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes (we only ever write UTC); PostgreSQL aware ones in the session's zone.
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def new_version_row(
    scenario_id: str, snapshot: str, digest: str, author: str, message: str, based_on: int | None, now: datetime
) -> dict[str, Any]:
    """A new version's row, less its number: never locked when saved."""
    return dict(
        scenario_id=scenario_id,
        author=author,
        message=message,
        created_at=now,
        based_on=based_on,
        snapshot=snapshot,
        sha256=digest,
        locked=False,
        locked_by=None,
        locked_at=None,
    )


def version_info(m: Mapping[Any, Any]) -> VersionInfo:
    return VersionInfo(
        scenario_id=m["scenario_id"],
        version=m["version"],
        author=m["author"],
        message=m["message"],
        created_at=utc(m["created_at"]),
        sha256=m["sha256"],
        locked=bool(m["locked"]),
        locked_by=m["locked_by"],
        locked_at=utc(m["locked_at"]),
    )


def transient(exc: DBAPIError) -> bool:
    """A conflict another attempt would get past: a busy SQLite file, a PostgreSQL deadlock or duplicate key."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "23505"):  # serialization failure, deadlock, unique violation
        return True
    message = str(orig).lower()
    if isinstance(exc, OperationalError) and ("locked" in message or "busy" in message):
        return True
    return isinstance(exc, IntegrityError) and "unique constraint failed" in message

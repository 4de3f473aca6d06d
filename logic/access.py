"""Who may see and change a saved scenario: its owner, and whom it is shared with.

A scenario saved by someone signed in has an owner (them) and, by default, is visible to the people
of the owner's email domain (with single sign-on), or to everyone who signs in (with passwords, where
there are no domains: one small team, as before). The owner may share it with named people, a whole
domain, a group (as the provider's `groups` claim names it) or everyone, each as viewer or editor, may
stop sharing, and may hand the scenario to another owner. A scenario with no rows at all (saved before
sharing existed, or while sign-in was off) is open to everyone signed in, and any editor may take it on.

What a person may do is the lesser of their role (from sign-in) and their right on the scenario: an
editor who is shared a scenario as viewer can open and fork it, not save over it. Someone with no right
is told the scenario does not exist, in the words used for one that does not: a guessed id tells nothing.

The Store applies this itself (Store.as_viewer), so every page that lists or opens scenarios through it
is covered. Pure Python, no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, false, or_, select, true
from sqlalchemy.engine import Connection

from .identity import email_or_none
from .store_records import StoreError, now_utc, utc
from .store_schema import access_table, deletions_table

NONE, VIEW, EDIT, MANAGE = 0, 1, 2, 3
KINDS = ("owner", "person", "domain", "group", "everyone")
EVERYONE = "*"
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(frozen=True)
class Viewer:
    """Someone signed in, as far as the store is concerned."""

    key: str  # an email address (single sign-on), or account:NAME (a password account)
    label: str  # how records name them, e.g. "Alice Smith <alice@anytown.gov.uk>"
    can_edit: bool  # their role from sign-in is editor
    domain: str | None = None
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Grant:
    kind: str
    principal: str
    role: str  # owner | editor | viewer

    @property
    def who(self) -> str:
        """The grant as a person reads it."""
        if self.kind == "everyone":
            return "Everyone who signs in"
        if self.kind == "domain":
            return f"Everyone at {self.principal}"
        if self.kind == "group":
            return f"Group {self.principal}"
        return self.principal.removeprefix("account:")


@dataclass(frozen=True)
class Sharing:
    owner: str | None  # None: saved before sharing existed (open to everyone signed in)
    grants: tuple[Grant, ...]  # the owner's row left out
    level: int  # what the person asking may do: VIEW, EDIT or MANAGE


@dataclass(frozen=True)
class DeletionInfo:
    scenario_id: str
    name: str
    versions: int
    deleted_by: str | None
    deleted_at: datetime


def deletion_rows(deleted: list[DeletionInfo]) -> list[dict[str, object]]:
    """The deleted scenarios as the page's table shows them."""
    return [
        {
            "Scenario": d.name,
            "Versions": d.versions,
            "Deleted by": d.deleted_by or "(not recorded)",
            "When (UTC)": d.deleted_at.strftime("%Y-%m-%d %H:%M"),
        }
        for d in deleted
    ]


def not_found(scenario_id: str) -> StoreError:
    """The one message for a scenario that is not there and one that is not yours to see."""
    return StoreError(f"there is no saved scenario '{scenario_id}' (it may have been deleted)")


# --- what a person may do ----------------------------------------------------------------------


def _matches(viewer: Viewer):
    a = access_table.c
    return or_(
        and_(a.kind.in_(("owner", "person")), a.principal == viewer.key),
        and_(a.kind == "domain", a.principal == viewer.domain) if viewer.domain else false(),
        and_(a.kind == "group", a.principal.in_(sorted(viewer.groups))) if viewer.groups else false(),
        a.kind == "everyone",
    )


def visible(scenario_id_column, viewer: Viewer | None):
    """A WHERE clause: the scenario is one `viewer` may see (everything when viewer is None)."""
    if viewer is None:
        return true()
    a = access_table.c
    open_to_all = ~exists().where(a.scenario_id == scenario_id_column)
    return or_(open_to_all, exists().where(and_(a.scenario_id == scenario_id_column, _matches(viewer))))


def level(conn: Connection, scenario_id: str, viewer: Viewer | None) -> int:
    """What viewer may do with the scenario: NONE, VIEW, EDIT or MANAGE (share, hand over, delete)."""
    if viewer is None:
        return MANAGE
    rows = conn.execute(select(access_table).where(access_table.c.scenario_id == scenario_id)).all()
    if not rows:  # open to everyone signed in; any editor may take it on
        return MANAGE if viewer.can_edit else VIEW
    best = NONE
    for r in rows:
        if r.kind in ("owner", "person"):
            hit = r.principal == viewer.key
        elif r.kind == "domain":
            hit = r.principal == viewer.domain
        elif r.kind == "group":
            hit = r.principal in viewer.groups
        else:
            hit = True
        if hit:
            best = max(best, {"owner": MANAGE, "editor": EDIT, "viewer": VIEW}[r.role])
    return min(best, VIEW) if best and not viewer.can_edit else best


def require(conn: Connection, scenario_id: str, viewer: Viewer | None, need: int, name: str | None = None) -> int:
    """The viewer's level, if at least `need`; else "not found" (cannot see it) or a plain refusal."""
    found = level(conn, scenario_id, viewer)
    if found == NONE:
        raise not_found(scenario_id)
    if found < need:
        what = f"'{name}'" if name else "this scenario"
        if need == EDIT:
            raise StoreError(f"you can open {what} but not change it: save your edits as a new scenario instead")
        raise StoreError(f"only the owner of {what} can share it, hand it over or delete it")
    return found


def require_editor(viewer: Viewer | None) -> None:
    if viewer is not None and not viewer.can_edit:
        raise StoreError("you are signed in as a viewer: you can open, compare and download, but not save")


def grant_defaults(conn: Connection, scenario_id: str, viewer: Viewer | None) -> None:
    """A new scenario's rows: its owner, and its owner's domain as viewers (everyone, with passwords).

    Someone signed in through a provider that gave no email has no domain: only they see it until shared.
    """
    if viewer is None:  # sign-in off: nobody to own it, so it stays open to all, as before
        return
    rows = [Grant("owner", viewer.key, "owner")]
    if viewer.domain:
        rows.append(Grant("domain", viewer.domain, "viewer"))
    elif viewer.key.startswith("account:"):  # passwords: one small team, everyone an editor as before
        rows.append(Grant("everyone", EVERYONE, "editor"))
    _insert(conn, scenario_id, rows, viewer)


def _insert(conn: Connection, scenario_id: str, grants: list[Grant], viewer: Viewer | None) -> None:
    now = now_utc()
    by = viewer.label if viewer else None
    for g in grants:
        conn.execute(
            access_table.insert().values(
                scenario_id=scenario_id, kind=g.kind, principal=g.principal, role=g.role, granted_by=by, granted_at=now
            )
        )


def record_deletion(conn: Connection, scenario_id: str, name: str, versions: int, by: str | None) -> None:
    conn.execute(
        deletions_table.insert().values(
            scenario_id=scenario_id, name=name, versions=versions, deleted_by=by, deleted_at=now_utc()
        )
    )


# --- reading what someone types ----------------------------------------------------------------


def parse_who(text: str) -> Grant:
    """A person, a domain, a group or everyone, from what the owner typed; the role is filled in later.

    `alice@anytown.gov.uk` a person; `@anytown.gov.uk` (or `anytown.gov.uk`) everyone there;
    `group:ID` a group; `everyone` everyone who signs in; `account:NAME` a password account.
    """
    t = " ".join((text or "").split())
    low = t.lower()
    if low in ("everyone", "*", "all"):
        return Grant("everyone", EVERYONE, "viewer")
    if low.startswith("group:") and t[6:].strip():
        return Grant("group", t[6:].strip(), "viewer")
    if low.startswith("account:") and t[8:].strip():
        return Grant("person", "account:" + t[8:].strip(), "viewer")
    if email_or_none(low):
        return Grant("person", low, "viewer")
    domain = low.removeprefix("@")
    if _DOMAIN.match(domain):
        return Grant("domain", domain, "viewer")
    raise StoreError(
        f"'{t}' is not an email address, a domain such as @anytown.gov.uk, group:ID, account:NAME or everyone"
    )


# --- sharing, through a store ------------------------------------------------------------------


class ScenarioAccess:
    """Read and change who may see a saved scenario, as the store's viewer (Store.as_viewer)."""

    def __init__(self, store):
        self.store = store

    @property
    def viewer(self) -> Viewer | None:
        return self.store.viewer

    def sharing(self, scenario_id: str) -> Sharing:
        def work(conn: Connection) -> Sharing:
            self.store._scenario_row(conn, scenario_id)  # there, and the viewer may see it
            found = require(conn, scenario_id, self.viewer, VIEW)
            rows = conn.execute(
                select(access_table).where(access_table.c.scenario_id == scenario_id).order_by(access_table.c.kind)
            ).all()
            owner = next((r.principal for r in rows if r.kind == "owner"), None)
            grants = tuple(
                Grant(r.kind, r.principal, r.role)
                for r in sorted(rows, key=lambda r: (KINDS.index(r.kind), r.principal))
                if r.kind != "owner"
            )
            return Sharing(owner=owner, grants=grants, level=found)

        return self.store._read(work)

    def share(self, scenario_id: str, who: str, role: str) -> Grant:
        """Share with who (see parse_who) as viewer or editor; replaces what that person or group had."""
        if role not in ("viewer", "editor"):
            raise StoreError(f"share as viewer or editor, not {role!r}")
        grant = Grant(parse_who(who).kind, parse_who(who).principal, role)

        def work(conn: Connection) -> Grant:
            self.store._scenario_row(conn, scenario_id, for_update=True)
            require(conn, scenario_id, self.viewer, MANAGE)
            self._take_on(conn, scenario_id)
            a = access_table.c
            owner = conn.execute(
                select(a.principal).where((a.scenario_id == scenario_id) & (a.kind == "owner"))
            ).scalar()
            if grant.kind == "person" and grant.principal == owner:
                raise StoreError("that is the owner, who can already do everything with it")
            self._remove(conn, scenario_id, grant.kind, grant.principal)
            _insert(conn, scenario_id, [grant], self.viewer)
            return grant

        return self.store._write(work)

    def unshare(self, scenario_id: str, kind: str, principal: str) -> None:
        if kind == "owner":
            raise StoreError("a scenario always has an owner: hand it to someone else instead")

        def work(conn: Connection) -> None:
            self.store._scenario_row(conn, scenario_id, for_update=True)
            require(conn, scenario_id, self.viewer, MANAGE)
            self._take_on(conn, scenario_id)
            self._remove(conn, scenario_id, kind, principal)

        self.store._write(work)

    def hand_over(self, scenario_id: str, new_owner: str) -> None:
        """Make someone else the owner; the old owner keeps editor's rights on it."""
        target = parse_who(new_owner)
        if target.kind != "person":
            raise StoreError("an owner is one person: give their email address")

        def work(conn: Connection) -> None:
            self.store._scenario_row(conn, scenario_id, for_update=True)
            require(conn, scenario_id, self.viewer, MANAGE)
            self._take_on(conn, scenario_id)
            a = access_table.c
            old = conn.execute(select(a.principal).where((a.scenario_id == scenario_id) & (a.kind == "owner"))).scalar()
            if old == target.principal:
                return
            self._remove(conn, scenario_id, "owner", old)
            self._remove(conn, scenario_id, "person", target.principal)
            grants = [Grant("owner", target.principal, "owner")]
            if old:
                self._remove(conn, scenario_id, "person", old)
                grants.append(Grant("person", old, "editor"))
            _insert(conn, scenario_id, grants, self.viewer)

        self.store._write(work)

    def take_on(self, scenario_id: str) -> None:
        """Own a scenario saved before sharing existed (open to everyone until now): shared as a new one is."""

        def work(conn: Connection) -> None:
            self.store._scenario_row(conn, scenario_id, for_update=True)
            require(conn, scenario_id, self.viewer, MANAGE)
            self._take_on(conn, scenario_id)

        self.store._write(work)

    def deletions(self) -> list[DeletionInfo]:
        """Scenarios deleted, who deleted them and when, newest first: those the viewer could see."""
        d = deletions_table.c

        def work(conn: Connection) -> list[DeletionInfo]:
            rows = conn.execute(
                select(deletions_table).where(visible(d.scenario_id, self.viewer)).order_by(d.deleted_at.desc())
            ).all()
            return [DeletionInfo(r.scenario_id, r.name, r.versions, r.deleted_by, utc(r.deleted_at)) for r in rows]

        return self.store._read(work)

    def _take_on(self, conn: Connection, scenario_id: str) -> None:
        # A scenario with no rows gets its first owner the first time its sharing changes.
        has_rows = conn.execute(select(exists().where(access_table.c.scenario_id == scenario_id))).scalar()
        if not has_rows and self.viewer is not None:
            grant_defaults(conn, scenario_id, self.viewer)

    @staticmethod
    def _remove(conn: Connection, scenario_id: str, kind: str, principal: str | None) -> None:
        a = access_table.c
        conn.execute(
            delete(access_table).where((a.scenario_id == scenario_id) & (a.kind == kind) & (a.principal == principal))
        )

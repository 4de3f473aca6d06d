"""Scenarios a team can keep to itself: owners, sharing, and a store that answers each person with only
what they may see, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from test_store import edited, postgres_database, reset_postgres

from logic import parse_scenario
from logic.access import EDIT, MANAGE, VIEW, Grant, ScenarioAccess, Viewer, parse_who
from logic.place_store import store_resolver
from logic.store import Store, StoreError

ALICE = Viewer("alice@anytown.gov.uk", "Alice Smith <alice@anytown.gov.uk>", True, "anytown.gov.uk")
BOB = Viewer("bob@anytown.gov.uk", "Bob Jones <bob@anytown.gov.uk>", True, "anytown.gov.uk")
VERA = Viewer("vera@anytown.gov.uk", "Vera <vera@anytown.gov.uk>", False, "anytown.gov.uk")  # a viewer by role
CAROL = Viewer("carol@othertown.gov.uk", "Carol <carol@othertown.gov.uk>", True, "othertown.gov.uk")
DAVE = Viewer("dave@othertown.gov.uk", "Dave <dave@othertown.gov.uk>", True, "othertown.gov.uk", frozenset({"fin"}))
PAT = Viewer("account:pat", "pat", True)  # password accounts: no domain
QUINN = Viewer("account:quinn", "quinn", True)


@pytest.fixture(scope="module")
def pg_access_url():
    with postgres_database("toc_access") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    url = request.getfixturevalue("pg_access_url")
    reset_postgres(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS toc_scenario_access, toc_scenario_deletions"))
    engine.dispose()
    return url


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def sc(valid_doc):
    return parse_scenario(valid_doc)


def as_(store: Store, viewer: Viewer) -> Store:
    return store.as_viewer(viewer)


def _refusal(call, *args) -> str:
    with pytest.raises(StoreError) as caught:
        call(*args)
    return str(caught.value)


def _listed(store: Store, viewer: Viewer) -> list[str]:
    return [s.id for s in as_(store, viewer).list_scenarios()]


def _hidden_exactly_like_a_missing_one(store: Store, viewer: Viewer, scenario_id: str, sc) -> None:
    """Every way in with a guessed id gives the words a scenario that does not exist gives."""
    s = as_(store, viewer)
    access = ScenarioAccess(s)
    for sid in (scenario_id, "no-such-scenario-0000"):
        expected = f"there is no saved scenario '{sid}' (it may have been deleted)"
        for call, args in (
            (s.load, (sid,)),
            (s.load, (sid, 1)),
            (s.snapshot_text, (sid, 1)),
            (s.versions, (sid,)),
            (lambda i: s.save(sc, "x", "m", scenario_id=i, based_on=1), (sid,)),
            (s.fork, (sid, 1, "x")),
            (s.lock, (sid, 1, "x")),
            (s.unlock, (sid, 1, "x")),
            (lambda i: s.delete_scenario(i, confirm_name=sc.name), (sid,)),
            (access.sharing, (sid,)),
            (access.share, (sid, "everyone", "editor")),
            (access.unshare, (sid, "domain", "anytown.gov.uk")),
            (access.hand_over, (sid, "carol@othertown.gov.uk")),
            (access.take_on, (sid,)),
        ):
            assert _refusal(call, *args) == expected, (call, args)
    assert scenario_id not in _listed(store, viewer)


# --- owners and the default ----------------------------------------------------------------------


def test_the_saver_owns_it_is_its_author_and_their_domain_may_view_it(store, sc):
    info = as_(store, ALICE).save(sc, author="Someone Else Typed", message="first")
    assert info.author == "Alice Smith <alice@anytown.gov.uk>"  # the identity, not what was typed
    assert store.versions(info.scenario_id)[0].author == ALICE.label  # and that is what the store keeps
    sharing = ScenarioAccess(as_(store, ALICE)).sharing(info.scenario_id)
    assert sharing.owner == "alice@anytown.gov.uk" and sharing.level == MANAGE
    assert sharing.grants == (Grant("domain", "anytown.gov.uk", "viewer"),)
    # Bob, an editor at the same council: can see and open it, fork it, not save over it.
    assert _listed(store, BOB) == [info.scenario_id]
    assert as_(store, BOB).load(info.scenario_id) == sc
    message = _refusal(lambda: as_(store, BOB).save(edited(sc, name="Bob's"), "b", "m", info.scenario_id, 1))
    assert message == f"you can open '{sc.name}' but not change it: save your edits as a new scenario instead"
    forked = as_(store, BOB).fork(info.scenario_id, 1, author="typed")
    assert forked.author == BOB.label
    assert ScenarioAccess(as_(store, BOB)).sharing(forked.scenario_id).owner == "bob@anytown.gov.uk"
    assert _refusal(lambda: as_(store, BOB).lock(info.scenario_id, 1, "b")).startswith("you can open")
    assert "only the owner" in _refusal(lambda: as_(store, BOB).delete_scenario(info.scenario_id, sc.name))


def test_another_council_cannot_list_or_open_it_by_any_route(store, sc):
    info = as_(store, ALICE).save(sc, author="a", message="first")
    _hidden_exactly_like_a_missing_one(store, CAROL, info.scenario_id, sc)
    assert store.load(info.scenario_id) == sc  # the command line (no viewer) still sees everything


def test_a_viewer_by_role_only_views_even_when_shared_as_editor(store, sc):
    info = as_(store, ALICE).save(sc, author="a", message="first")
    ScenarioAccess(as_(store, ALICE)).share(info.scenario_id, "vera@anytown.gov.uk", "editor")
    assert ScenarioAccess(as_(store, VERA)).sharing(info.scenario_id).level == VIEW
    assert "signed in as a viewer" in _refusal(lambda: as_(store, VERA).save(sc, "v", "m", info.scenario_id, 1))
    assert "signed in as a viewer" in _refusal(lambda: as_(store, VERA).save(sc, "v", "m"))


# --- sharing -------------------------------------------------------------------------------------


def test_sharing_with_a_person_a_group_and_everyone_and_stopping(store, sc):
    info = as_(store, ALICE).save(sc, author="a", message="first")
    sid = info.scenario_id
    owner = ScenarioAccess(as_(store, ALICE))
    owner.share(sid, " Carol@Othertown.GOV.uk ", "editor")
    assert sid in _listed(store, CAROL) and sid not in _listed(store, DAVE)
    v2 = as_(store, CAROL).save(edited(sc, description="Carol's edit"), "c", "by Carol", sid, 1)
    assert (v2.version, v2.author) == (2, CAROL.label)
    assert as_(store, CAROL).lock(sid, 2, "c").locked_by == CAROL.label
    assert "only the owner" in _refusal(lambda: ScenarioAccess(as_(store, CAROL)).share(sid, "everyone", "viewer"))
    owner.share(sid, "group:fin", "viewer")
    assert sid in _listed(store, DAVE) and ScenarioAccess(as_(store, DAVE)).sharing(sid).level == VIEW
    owner.share(sid, "group:fin", "editor")  # a second share replaces the first
    assert ScenarioAccess(as_(store, DAVE)).sharing(sid).level == EDIT
    owner.unshare(sid, "domain", "anytown.gov.uk")
    _hidden_exactly_like_a_missing_one(store, BOB, sid, sc)
    owner.share(sid, "everyone", "viewer")
    assert sid in _listed(store, BOB) and sid in _listed(store, PAT)
    grants = ScenarioAccess(as_(store, ALICE)).sharing(sid).grants
    assert [(g.kind, g.principal, g.role) for g in grants] == [
        ("person", "carol@othertown.gov.uk", "editor"),
        ("group", "fin", "editor"),
        ("everyone", "*", "viewer"),
    ]
    assert [g.who for g in grants] == ["carol@othertown.gov.uk", "Group fin", "Everyone who signs in"]


def test_handing_over_makes_a_new_owner_and_keeps_the_old_one_as_editor(store, sc):
    sid = as_(store, ALICE).save(sc, author="a", message="first").scenario_id
    ScenarioAccess(as_(store, ALICE)).hand_over(sid, "bob@anytown.gov.uk")
    assert ScenarioAccess(as_(store, BOB)).sharing(sid).owner == "bob@anytown.gov.uk"
    assert ScenarioAccess(as_(store, ALICE)).sharing(sid).level == EDIT
    assert as_(store, ALICE).save(edited(sc, description="still mine to edit"), "a", "m", sid, 1).version == 2
    assert "only the owner" in _refusal(lambda: as_(store, ALICE).delete_scenario(sid, sc.name))
    assert "one person" in _refusal(lambda: ScenarioAccess(as_(store, BOB)).hand_over(sid, "@anytown.gov.uk"))


# --- scenarios saved before sharing, or with sign-in off ------------------------------------------


def test_a_scenario_with_no_owner_is_open_to_all_and_an_editor_may_take_it_on(store, sc):
    sid = store.save(sc, author="Typed Name", message="saved with sign-in off").scenario_id
    for who in (ALICE, CAROL, VERA, PAT):
        assert sid in _listed(store, who)
    assert ScenarioAccess(as_(store, VERA)).sharing(sid).level == VIEW
    assert ScenarioAccess(as_(store, CAROL)).sharing(sid).owner is None
    as_(store, CAROL).save(edited(sc, description="Carol"), "c", "m", sid, 1)  # any editor, as before
    ScenarioAccess(as_(store, CAROL)).take_on(sid)
    assert ScenarioAccess(as_(store, CAROL)).sharing(sid).owner == "carol@othertown.gov.uk"
    _hidden_exactly_like_a_missing_one(store, ALICE, sid, sc)
    assert sid in _listed(store, DAVE)  # Carol's domain


def test_a_store_made_before_sharing_opens_unchanged_and_gains_the_new_tables(store_url, sc):
    old = Store(store_url)
    sid = old.save(sc, author="Typed Name", message="before").scenario_id
    old.close()
    engine = create_engine(store_url)
    with engine.begin() as conn:  # what a store made by the previous release looks like
        conn.execute(text("DROP TABLE toc_scenario_access"))
        conn.execute(text("DROP TABLE toc_scenario_deletions"))
    assert "toc_scenario_access" not in inspect(engine).get_table_names()
    reopened = Store(store_url)
    assert {"toc_scenario_access", "toc_scenario_deletions"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM toc_store_meta WHERE key = 'schema_version'")).scalar() == "1"
    engine.dispose()
    assert as_(reopened, CAROL).load(sid) == sc and as_(reopened, CAROL).versions(sid)[0].author == "Typed Name"
    reopened.close()


# --- deletions and password accounts ---------------------------------------------------------------


def test_a_deletion_records_who_and_is_seen_by_those_who_could_see_the_scenario(store, sc):
    sid = as_(store, ALICE).save(sc, author="a", message="first").scenario_id
    as_(store, ALICE).save(edited(sc, description="2"), "a", "second", sid, 1)
    as_(store, ALICE).delete_scenario(sid, confirm_name=sc.name, author="typed")
    (gone,) = ScenarioAccess(as_(store, BOB)).deletions()
    assert (gone.scenario_id, gone.name, gone.versions, gone.deleted_by) == (sid, sc.name, 2, ALICE.label)
    assert ScenarioAccess(as_(store, CAROL)).deletions() == []
    _hidden_exactly_like_a_missing_one(store, ALICE, sid, sc)


def test_password_accounts_share_with_everyone_as_editors_by_default(store, sc):
    sid = as_(store, PAT).save(sc, author="p", message="first").scenario_id
    assert ScenarioAccess(as_(store, PAT)).sharing(sid).grants == (Grant("everyone", "*", "editor"),)
    assert as_(store, QUINN).save(edited(sc, description="q"), "q", "m", sid, 1).author == "quinn"
    ScenarioAccess(as_(store, PAT)).unshare(sid, "everyone", "*")
    ScenarioAccess(as_(store, PAT)).share(sid, "account:quinn", "viewer")
    assert ScenarioAccess(as_(store, QUINN)).sharing(sid).level == VIEW
    assert sid not in _listed(store, Viewer("account:ruth", "ruth", True))


def test_a_place_cannot_take_in_a_scenario_its_viewer_may_not_see(store, sc):
    sid = as_(store, ALICE).save(sc, author="a", message="first").scenario_id
    assert store_resolver(as_(store, BOB))(sid, 1) == sc
    with pytest.raises(LookupError, match=f"there is no saved scenario '{sid}'"):
        store_resolver(as_(store, CAROL))(sid, 1)


# --- what the owner types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind", "principal"),
    [
        ("Bob@Anytown.gov.uk", "person", "bob@anytown.gov.uk"),
        ("@Anytown.gov.uk", "domain", "anytown.gov.uk"),
        ("anytown.gov.uk", "domain", "anytown.gov.uk"),
        ("group:6f1c-Finance", "group", "6f1c-Finance"),
        ("Everyone", "everyone", "*"),
        ("account:pat", "person", "account:pat"),
    ],
)
def test_who_is_read_from_what_is_typed(typed, kind, principal):
    found = parse_who(typed)
    assert (found.kind, found.principal) == (kind, principal)


@pytest.mark.parametrize("typed", ["", "bob", "bob@", "group:", "@", "two words"])
def test_what_cannot_be_read_is_refused_plainly(typed):
    with pytest.raises(StoreError, match="is not an email address, a domain"):
        parse_who(typed)


def test_someone_without_an_email_owns_what_they_save_and_only_they_see_it_until_shared(store, sc):
    noemail = Viewer("sub:council:5a1b", "Sam", True, None, frozenset({"fin"}))
    sid = as_(store, noemail).save(sc, author="s", message="first").scenario_id
    sharing = ScenarioAccess(as_(store, noemail)).sharing(sid)
    assert (sharing.owner, sharing.grants) == ("sub:council:5a1b", ())
    _hidden_exactly_like_a_missing_one(store, DAVE, sid, sc)  # same group, but groups are not shared by default
    _hidden_exactly_like_a_missing_one(store, PAT, sid, sc)  # nor is everyone

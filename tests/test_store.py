"""The scenario store, on SQLite and on PostgreSQL: every function of its API."""

from __future__ import annotations

import copy
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, make_url, text
from system_deps import postgres_url

from logic import dump_scenario, parse_scenario, snapshot_sha256
from logic.store import (
    DEFAULT_SQLITE_PATH,
    PROJECT_DIR,
    LockedError,
    ScenarioInfo,
    Store,
    StoreError,
    VersionInfo,
    database_url,
)
from logic.store import _normalise_url as normalise_url

# --- PostgreSQL: a fresh database per test module -------------------------------------------


@contextmanager
def postgres_database(prefix: str = "toc_store"):
    """A new, empty database on the test server (dropped afterwards); yields its URL."""
    server = normalise_url(postgres_url())
    name = f"{prefix}_{secrets.token_hex(5)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_postgres(url: str) -> None:
    """Empty the store's tables (the triggers would refuse to delete locked versions, so drop them)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = "toc_place_versions, toc_places, toc_versions, toc_scenarios, toc_store_meta"
        conn.execute(text(f"DROP TABLE IF EXISTS {tables} CASCADE"))
        conn.execute(text("DROP FUNCTION IF EXISTS toc_refuse_version_change()"))
    engine.dispose()


@pytest.fixture(scope="module")
def pg_url():
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    url = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def sc(valid_doc):
    return parse_scenario(valid_doc)


def edited(sc, **changes):
    """A copy of sc with top-level document keys replaced (validated)."""
    doc = copy.deepcopy(sc.model_dump(exclude_none=True))
    doc.update(changes)
    return parse_scenario(doc)


def with_rate(sc, rate: float):
    doc = sc.model_dump(exclude_none=True)
    next(n for n in doc["nodes"] if n["id"] == "out-stays-home")["rate_with"] = rate
    return parse_scenario(doc)


# --- saving and loading -------------------------------------------------------------------


def test_save_then_load_gives_back_the_same_scenario(store, sc):
    start = datetime.now(timezone.utc)
    v = store.save(sc, "Asha Patel", "first draft")
    assert isinstance(v, VersionInfo)
    assert v.version == 1 and v.author == "Asha Patel" and v.message == "first draft"
    assert v.sha256 == snapshot_sha256(sc)
    assert not v.locked and v.locked_by is None and v.locked_at is None
    assert v.created_at.tzinfo is not None and v.created_at.utcoffset() == timedelta(0)
    assert start - timedelta(seconds=1) <= v.created_at <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert store.load(v.scenario_id) == sc
    assert store.load(v.scenario_id, 1) == sc
    assert store.snapshot_text(v.scenario_id) == dump_scenario(sc)
    assert store.snapshot_text(v.scenario_id, 1) == dump_scenario(sc)
    (listed,) = store.versions(v.scenario_id)
    assert listed == v  # what save returned is what the store keeps, times included


def test_saving_never_overwrites(store, sc):
    first = store.save(sc, "asha", "v1")
    sid = first.scenario_id
    second = store.save(with_rate(sc, 0.75), "ben", "more optimistic", sid, based_on=1)
    third = store.save(edited(sc, name="Edge of care (renamed)"), "asha", "renamed", sid, based_on=2)
    assert (second.scenario_id, second.version) == (sid, 2)
    assert (third.scenario_id, third.version) == (sid, 3)
    assert [v.version for v in store.versions(sid)] == [3, 2, 1]  # newest first
    assert [v.author for v in store.versions(sid)] == ["asha", "ben", "asha"]
    assert store.load(sid, 1) == sc
    assert store.load(sid, 2) == with_rate(sc, 0.75)
    assert store.load(sid) == edited(sc, name="Edge of care (renamed)")
    for v in store.versions(sid):
        assert v.sha256 == snapshot_sha256(store.load(sid, v.version))
    (info,) = store.list_scenarios()
    assert info.latest_version == 3 and info.name == "Edge of care (renamed)"  # the name of the latest version


def test_list_scenarios(store, sc):
    assert store.list_scenarios() == []
    a = store.save(sc, "asha", "a")
    b = store.save(edited(sc, name="Another scenario"), "asha", "b")
    store.save(sc, "asha", "a2", a.scenario_id)
    found = store.list_scenarios()
    assert all(isinstance(i, ScenarioInfo) for i in found)
    assert [i.id for i in found] == [a.scenario_id, b.scenario_id]  # the most recently saved first
    info = found[0]
    assert info.name == sc.name and info.latest_version == 2 and info.locked_versions == () and info.forked_from is None
    assert info.created_at == a.created_at
    assert found[1].name == "Another scenario" and found[1].latest_version == 1
    # ids are readable: a slug of the name and a random suffix
    assert a.scenario_id.startswith("edge-of-care-intensive-family-therapy-")
    assert b.scenario_id.startswith("another-scenario-")


def test_lock_and_unlock(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    store.save(with_rate(sc, 0.75), "asha", "v2", sid)
    locked = store.lock(sid, 1, "Finance director")
    assert locked.locked and locked.locked_by == "Finance director" and locked.locked_at is not None
    assert locked.sha256 == snapshot_sha256(sc)
    again = store.lock(sid, 1, "Someone else")  # already signed off: who and when stay as they were
    assert again == locked
    assert store.list_scenarios()[0].locked_versions == (1,)
    assert [v.locked for v in store.versions(sid)] == [False, True]
    store.lock(sid, 2, "Finance director")
    assert store.list_scenarios()[0].locked_versions == (1, 2)
    unlocked = store.unlock(sid, 1, "Finance director")
    assert not unlocked.locked and unlocked.locked_by is None and unlocked.locked_at is None
    assert store.list_scenarios()[0].locked_versions == (2,)
    assert store.load(sid, 1) == sc  # the content never moved


def test_editing_a_locked_version_forks_it(store, sc):
    original = store.save(sc, "asha", "signed off")
    sid = original.scenario_id
    store.lock(sid, 1, "Finance director")
    change = with_rate(sc, 0.8)
    v = store.save(change, "ben", "what if 80%", sid, based_on=1)
    assert v.scenario_id != sid and v.version == 1 and v.message == "what if 80%"
    assert store.load(v.scenario_id) == change
    assert [x.version for x in store.versions(sid)] == [1]  # the signed-off scenario is untouched
    assert store.load(sid) == sc
    fork = next(i for i in store.list_scenarios() if i.id == v.scenario_id)
    assert fork.forked_from == (sid, 1)
    # an edit of a version that is not locked stays in the same scenario
    store.unlock(sid, 1, "Finance director")
    assert store.save(change, "ben", "again", sid, based_on=1).scenario_id == sid


def test_fork(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    store.save(with_rate(sc, 0.75), "asha", "v2", sid)
    copy_ = store.fork(sid, 1, "ben")
    assert copy_.version == 1 and copy_.author == "ben" and copy_.scenario_id != sid
    assert copy_.sha256 == snapshot_sha256(sc)  # an exact copy of version 1
    assert sc.name in copy_.message and "version 1" in copy_.message
    renamed = store.fork(sid, 2, "ben", name="Edge of care - pilot")
    back = store.load(renamed.scenario_id)
    assert back.name == "Edge of care - pilot" and back == edited(with_rate(sc, 0.75), name="Edge of care - pilot")
    infos = {i.id: i for i in store.list_scenarios()}
    assert infos[copy_.scenario_id].forked_from == (sid, 1)
    assert infos[renamed.scenario_id].forked_from == (sid, 2)
    assert infos[renamed.scenario_id].name == "Edge of care - pilot"
    with pytest.raises(StoreError, match="name"):
        store.fork(sid, 1, "ben", name="")


def test_delete_needs_the_right_name(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    store.save(sc, "asha", "v2", sid)
    other = store.save(edited(sc, name="Keep me"), "asha", "v1").scenario_id
    with pytest.raises(StoreError, match="type its name exactly"):
        store.delete_scenario(sid, "edge of care")
    assert len(store.versions(sid)) == 2
    store.delete_scenario(sid, sc.name)
    assert [i.id for i in store.list_scenarios()] == [other]
    with pytest.raises(StoreError, match="no saved scenario"):
        store.versions(sid)
    with pytest.raises(StoreError, match="no saved scenario"):
        store.load(sid)


def test_a_locked_version_cannot_be_deleted_or_changed(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    store.save(sc, "asha", "v2", sid)
    store.lock(sid, 2, "Finance director")
    with pytest.raises(LockedError, match=r"signed-off.*\(2\)"):
        store.delete_scenario(sid, sc.name)
    assert len(store.versions(sid)) == 2
    # The database refuses too, whoever asks: no version's content can be rewritten, no locked one deleted.
    engine = create_engine(store.url)
    for statement in (
        "UPDATE toc_versions SET snapshot = 'format: x' WHERE version = 2",
        "UPDATE toc_versions SET sha256 = 'x', message = 'x' WHERE version = 1",
        "DELETE FROM toc_versions WHERE version = 2",
    ):
        with pytest.raises(Exception, match="cannot be (changed|deleted)"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
    assert store.load(sid, 2) == sc and store.versions(sid)[0].locked
    store.unlock(sid, 2, "Finance director")
    store.delete_scenario(sid, sc.name)
    assert store.list_scenarios() == []


def test_a_damaged_version_is_reported(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    store.save(with_rate(sc, 0.75), "asha", "v2", sid)
    # Simulate damage from outside the app (a disk fault, a hand edit): get past the trigger first.
    engine = create_engine(store.url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER toc_versions_immutable"))
        else:
            conn.execute(text("ALTER TABLE toc_versions DISABLE TRIGGER toc_versions_immutable"))
        conn.execute(text("UPDATE toc_versions SET snapshot = replace(snapshot, '0.7', '0.9') WHERE version = 1"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"version 1 of 'Edge of care - intensive family therapy' is damaged"):
        store.load(sid, 1)
    with pytest.raises(StoreError, match="is damaged"):
        store.snapshot_text(sid, 1)
    with pytest.raises(StoreError, match="is damaged"):
        store.fork(sid, 1, "ben")
    assert store.load(sid) == with_rate(sc, 0.75)  # the other versions are unaffected


def test_readable_errors(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    with pytest.raises(StoreError, match="no saved scenario 'nope'"):
        store.load("nope")
    with pytest.raises(StoreError, match="has no version 7"):
        store.load(sid, 7)
    with pytest.raises(StoreError, match="has no version 7"):
        store.lock(sid, 7, "x")
    with pytest.raises(StoreError, match="no saved scenario"):
        store.save(sc, "asha", "to nowhere", "nope")
    with pytest.raises(StoreError, match="has no version 5"):
        store.save(sc, "asha", "based on nothing", sid, based_on=5)
    with pytest.raises(StoreError, match="author"):
        store.save(sc, "  ", "no author")
    bad = sc.model_copy(update={"cohort": sc.cohort.model_copy(update={"engagement_rate": 1.5})})
    with pytest.raises(StoreError, match="engagement_rate must be between 0 and 1"):
        store.save(bad, "asha", "invalid", sid)
    assert [v.version for v in store.versions(sid)] == [1]  # nothing half-saved


def test_awkward_text_in_names_authors_and_messages(store, valid_doc):
    valid_doc["name"] = "nul\x00 tab\t é 🙂 'q' \"dq\" ; DROP TABLE toc_versions; --"
    sc = parse_scenario(valid_doc)
    v = store.save(sc, "Zoë\x00 O'Neil", "msg\x00 ✓\nsecond line")
    assert store.load(v.scenario_id) == sc  # the snapshot keeps the name exactly (YAML escapes it)
    (info,) = store.list_scenarios()
    # PostgreSQL text cannot hold NUL: listings show U+FFFD instead, the same on every backend
    assert info.name == sc.name.replace("\x00", "\ufffd")
    assert v.author == "Zoë\ufffd O'Neil" and store.versions(v.scenario_id)[0].message == "msg\ufffd ✓\nsecond line"
    assert info.id.startswith("nul-tab-q-dq-drop-table-toc-versions-")
    store.delete_scenario(v.scenario_id, info.name)
    assert store.list_scenarios() == []


def test_reopening_the_store(store_url, sc):
    first = Store(store_url)
    v = first.save(sc, "asha", "v1")
    first.close()
    second = Store(store_url)  # tables exist already: opened, not recreated
    assert second.load(v.scenario_id) == sc
    assert second.versions(v.scenario_id) == [v]
    second.close()


def test_threads_sharing_one_store(store, sc):
    sid = store.save(sc, "asha", "v1").scenario_id
    errors: list[Exception] = []

    def work(k: int) -> None:
        try:
            for i in range(10):
                store.save(sc, f"thread {k}", f"{k}-{i}", sid)
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = store.versions(sid)
    assert [v.version for v in versions] == list(range(41, 0, -1))
    assert {v.message for v in versions} == {"v1"} | {f"{k}-{i}" for k in range(4) for i in range(10)}


def test_unreachable_or_wrong_url_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="cannot reach the scenario store"):
        Store("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreError, match="not a database URL"):
        Store("not a url")
    try:
        Store("postgresql://nobody:secret@127.0.0.1:1/none")
    except StoreError as exc:
        assert "secret" not in str(exc)  # never show the password


def test_sqlite_in_a_new_folder_and_in_memory(tmp_path, sc):
    s = Store(f"sqlite:///{tmp_path / 'new' / 'folder' / 'store.sqlite'}")
    assert s.load(s.save(sc, "asha", "v1").scenario_id) == sc
    m = Store("sqlite://")
    assert m.load(m.save(sc, "asha", "v1").scenario_id) == sc


# --- where the store is -------------------------------------------------------------------


def test_database_url_precedence(tmp_path):
    pg = "postgresql+psycopg://u:p@db.example/toc"
    env = {"TOC_DATABASE_URL": pg, "TOC_STORE_PATH": str(tmp_path / "env.sqlite")}
    secrets_ = {"database_url": "postgresql+psycopg://s@secret.example/toc", "store_path": str(tmp_path / "s.sqlite")}
    assert database_url(secrets_, env) == pg  # the environment wins
    assert database_url(secrets_, {"TOC_STORE_PATH": env["TOC_STORE_PATH"]}) == secrets_["database_url"]
    assert database_url({"store_path": secrets_["store_path"]}, env | {"TOC_DATABASE_URL": ""}) == (
        f"sqlite:///{tmp_path / 'env.sqlite'}"
    )
    assert database_url({"store_path": secrets_["store_path"]}, {}) == f"sqlite:///{tmp_path / 's.sqlite'}"
    assert database_url({"store_path": "data/team.sqlite"}, {}) == f"sqlite:///{PROJECT_DIR / 'data' / 'team.sqlite'}"
    assert database_url(None, {}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert database_url({}, {}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH == PROJECT_DIR / "scenarios.sqlite"
    # the URL forms hosts hand out are read with psycopg 3
    assert database_url(None, {"TOC_DATABASE_URL": "postgres://u@h/db"}) == "postgresql+psycopg://u@h/db"
    assert database_url({"database_url": "postgresql://u@h/db"}, {}) == "postgresql+psycopg://u@h/db"


def test_database_url_with_streamlit_style_secrets_missing():
    class NoSecretsFile(dict):  # st.secrets raises FileNotFoundError when there is no secrets.toml
        def get(self, key, default=None):
            raise FileNotFoundError("no secrets.toml")

    assert database_url(NoSecretsFile(), {}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"

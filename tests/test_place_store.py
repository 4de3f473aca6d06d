"""Places saved in the store, on SQLite and PostgreSQL: versions, reopening exactly, saved programmes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from test_store import pg_url, reset_postgres  # noqa: F401 - pg_url is a fixture used by store_url

from logic import load_scenario
from logic.place import EXAMPLE_PLACE, evaluate_place, load_place, resolve_place
from logic.place_store import PlaceStore, dump_place, store_resolver
from logic.store import Store, StoreError

EXAMPLES = EXAMPLE_PLACE.parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
        reset_postgres(url)
    s = Store(url)
    yield s
    s.close()


def saved_example_place(store: Store):
    """The example place with its two programmes saved in the store and named by id and version."""
    ids = [
        store.save(load_scenario(EXAMPLES / name), "Ann Analyst", "for the place").scenario_id
        for name in ("edge_of_care.yaml", "employment_support.yaml")
    ]
    place = load_place(EXAMPLE_PLACE).place
    programmes = [
        entry.model_copy(update={"scenario": None, "saved": sid, "version": 1})
        for entry, sid in zip(place.programmes, ids)
    ]
    return place.model_copy(update={"programmes": programmes}), ids


def test_a_place_of_saved_programmes_gives_the_same_figures_as_the_files(store):
    place, _ = saved_example_place(store)
    from_store = evaluate_place(resolve_place(place, resolver=store_resolver(store))).to_dict()
    from_files = evaluate_place(load_place(EXAMPLE_PLACE)).to_dict()
    for key in ("years", "fund", "agencies", "economic", "double_counting"):
        assert from_store[key] == from_files[key]


def test_saving_a_place_makes_versions_that_reopen_exactly(store):
    places = PlaceStore(store)
    place, _ = saved_example_place(store)
    first = places.save(place, "Ann Analyst", "first draft")
    changed = place.model_copy(update={"fund": place.fund.model_copy(update={"savings_returned": 0.25})})
    second = places.save(changed, "Bob Budget", "keep a quarter", place_id=first.place_id)
    assert (first.version, second.version) == (1, 2)
    assert places.load(first.place_id, 1) == place
    assert places.load(first.place_id) == changed
    assert dump_place(places.load(first.place_id, 2)) == dump_place(changed)
    assert [v.version for v in places.versions(first.place_id)] == [2, 1]
    assert [v.author for v in places.versions(first.place_id)] == ["Bob Budget", "Ann Analyst"]
    [info] = places.list_places()
    assert (info.name, info.latest_version) == ("Anytown early action fund", 2)


def test_a_programme_version_that_is_not_there_is_named(store):
    place, ids = saved_example_place(store)
    entry = place.programmes[1].model_copy(update={"version": 7})
    broken = place.model_copy(update={"programmes": [place.programmes[0], entry]})
    with pytest.raises(Exception) as info:
        resolve_place(broken, resolver=store_resolver(store))
    assert f"programmes[1] saved scenario '{ids[1]}' version 7" in str(info.value)
    assert "has no version 7" in str(info.value)


def test_the_database_refuses_to_rewrite_a_saved_place_and_a_damaged_one_is_refused(store):
    places = PlaceStore(store)
    place, _ = saved_example_place(store)
    saved = places.save(place, "Ann Analyst", "")
    engine = create_engine(store.url)
    rewrite = text("UPDATE toc_place_versions SET snapshot = snapshot || ' ' WHERE version = 1")
    with pytest.raises(DBAPIError, match="cannot be changed"), engine.begin() as conn:
        conn.execute(rewrite)
    # Another program that gets round the trigger still cannot pass a damaged version off as saved.
    on = "" if store.url.startswith("sqlite") else " ON toc_place_versions"
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER toc_place_versions_immutable{on}"))
        conn.execute(rewrite)
    engine.dispose()
    with pytest.raises(StoreError, match="damaged"):
        places.load(saved.place_id)


def test_saving_needs_an_author_and_an_existing_place(store):
    places = PlaceStore(store)
    place, _ = saved_example_place(store)
    with pytest.raises(StoreError, match="author"):
        places.save(place, " ", "")
    with pytest.raises(StoreError, match="no saved place"):
        places.save(place, "Ann", "", place_id="nowhere-1234")


def test_a_signed_in_person_sees_a_place_only_if_they_may_see_all_its_programmes(store):
    from logic.access import Viewer

    alice = Viewer("alice@anytown.gov.uk", "Alice <alice@anytown.gov.uk>", True, "anytown.gov.uk")
    carol = Viewer("carol@othertown.gov.uk", "Carol <carol@othertown.gov.uk>", True, "othertown.gov.uk")
    as_alice = store.as_viewer(alice)
    place, _ = saved_example_place(as_alice)  # Alice's programmes: visible to her domain only
    saved = PlaceStore(as_alice).save(place, "typed", "")
    assert [p.id for p in PlaceStore(as_alice).list_places()] == [saved.place_id]
    assert PlaceStore(as_alice).load(saved.place_id) == place
    as_carol = PlaceStore(store.as_viewer(carol))
    assert as_carol.list_places() == []
    with pytest.raises(StoreError, match=f"there is no saved place '{saved.place_id}'"):
        as_carol.load(saved.place_id)

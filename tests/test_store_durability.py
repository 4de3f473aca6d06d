"""The store under stress, on SQLite and PostgreSQL: many processes saving at once, and a process
killed (SIGKILL) in the middle of saving. No committed version may be lost or damaged."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_store import postgres_database

from logic import parse_scenario
from logic.store import Store

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 8
SAVES_EACH = 100
KILL_ROUNDS = 3

# A small scenario, so the test measures the store rather than YAML; the description carries the
# save's own label, so each version's content can be checked against its message.
DOC = {
    "format": "toc-business-case/1",
    "name": "Durability",
    "settings": {"start_year": 2026, "horizon_years": 3},
    "agencies": [{"id": "council", "name": "Council"}],
    "cohort": {"intake": [10], "engagement_rate": 1.0},
    "nodes": [{"id": "o", "stage": "outcome", "label": "O", "rate_with": 0.5, "rate_without": 0.25}],
}

# Run in a fresh interpreter (like a second app server): open the store, say ready, wait for "go",
# then save. count < 0 means save until killed.
CHILD = """
import json, sys
from logic import parse_scenario
from logic.store import Store

url, sid, worker, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
doc = json.loads(sys.argv[5])
pause_on = int(sys.argv[6])  # > 0: stop inside the transaction of that save, after its INSERT, until killed
store = Store(url)
if pause_on:
    import time
    from sqlalchemy import event

    inserts = 0

    @event.listens_for(store._engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        global inserts
        if statement.lstrip().upper().startswith("INSERT INTO TOC_VERSIONS"):
            inserts += 1
            if inserts == pause_on:
                print("inside", flush=True)
                time.sleep(600)
print("ready", flush=True)
sys.stdin.readline()
i = 0
while count < 0 or i < count:
    label = f"{{worker}}-{{i}}"
    store.save(parse_scenario({{**doc, "description": label}}), f"worker {{worker}}", label, sid)
    i += 1
print("done", flush=True)
""".format()


def scenario(label: str):
    return parse_scenario({**DOC, "description": label})


def start_child(url: str, sid: str, worker: str, count: int, pause_on: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, sid, worker, str(count), json.dumps(DOC), str(pause_on)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"child did not start: {line!r} {proc.stderr.read()}")


@pytest.fixture(scope="module")
def pg_url():
    with postgres_database("toc_store_durability") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    return request.getfixturevalue("pg_url")


def check_every_version(store: Store, sid: str, versions=None) -> None:
    """Each version loads (its SHA-256 checks out) and holds the content its message names."""
    for v in versions if versions is not None else store.versions(sid):
        sc = store.load(sid, v.version)
        assert sc.description == v.message, (v.version, v.message)


def test_concurrent_processes_lose_no_version(url):
    store = Store(url)
    sid = store.save(scenario("seed"), "test", "seed").scenario_id
    started = time.perf_counter()
    children = [start_child(url, sid, str(k), SAVES_EACH) for k in range(WORKERS)]
    try:
        for proc in children:
            wait_ready(proc)
        go = time.perf_counter()
        for proc in children:  # all start saving at the same moment
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in children:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and out.strip() == "done", err
        saving = time.perf_counter() - go
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.kill()
    versions = store.versions(sid)
    # the seed, then every worker's 100 saves: numbered without a gap or a repeat
    assert [v.version for v in versions] == list(range(1 + WORKERS * SAVES_EACH, 0, -1))
    saved = [v for v in versions if v.message != "seed"]
    assert sorted(v.message for v in saved) == sorted(f"{k}-{i}" for k in range(WORKERS) for i in range(SAVES_EACH))
    for k in range(WORKERS):  # each process saved one after another, so its numbers rise with its count
        mine = sorted((v for v in saved if v.author == f"worker {k}"), key=lambda v: v.version)
        assert [v.message for v in mine] == [f"{k}-{i}" for i in range(SAVES_EACH)]
    checking = time.perf_counter()
    check_every_version(store, sid, versions)
    checking = time.perf_counter() - checking
    store.close()
    print(
        f"\n{url.split(':')[0]}: {WORKERS} processes started in {go - started:.1f} s, saved {WORKERS} x {SAVES_EACH} "
        f"in {saving:.1f} s ({WORKERS * SAVES_EACH / saving:.0f} saves/s), {len(versions)} versions loaded and "
        f"checked in {checking:.1f} s"
    )


def test_a_process_killed_mid_save_leaves_earlier_versions_intact(url):
    store = Store(url)
    sid = store.save(scenario("seed"), "test", "seed").scenario_id
    rng = random.Random(20261125)
    checked: dict[int, str] = {1: store.versions(sid)[0].sha256}  # version -> sha256, each one verified
    for round_ in range(KILL_ROUNDS):
        proc = start_child(url, sid, f"k{round_}", -1)
        try:
            wait_ready(proc)
            proc.stdin.write("go\n")
            proc.stdin.flush()
            before = len(checked)
            deadline = time.monotonic() + 60
            while len(store.versions(sid)) <= before:  # the child is saving (a slow start is no test)
                assert time.monotonic() < deadline and proc.poll() is None, "the child saved nothing"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))
            committed = {v.version: v.sha256 for v in store.versions(sid)}
            time.sleep(rng.uniform(0.0, 0.05))  # and kill it somewhere in a later save
        finally:
            proc.kill()  # SIGKILL: no cleanup, no rollback by the child
            proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
        proc.stderr.close()
        proc.stdout.close()
        proc.stdin.close()

        reopened = Store(url)  # as a freshly started app would see it
        versions = reopened.versions(sid)
        numbers = [v.version for v in versions]
        assert numbers == list(range(len(numbers), 0, -1))
        now = {v.version: v.sha256 for v in versions}
        for version, sha in committed.items():  # everything committed before the kill is still there
            assert now[version] == sha
        for version, sha in checked.items():
            assert now[version] == sha
        assert len(versions) > len(checked)  # the child did save in this round
        check_every_version(reopened, sid, [v for v in versions if v.version not in checked])
        checked = now
        after = reopened.save(scenario(f"after-{round_}"), "test", f"after-{round_}", sid)  # still writable
        assert after.version == len(numbers) + 1
        checked[after.version] = after.sha256
        reopened.close()
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
    check_every_version(store, sid)
    print(f"\n{url.split(':')[0]}: {KILL_ROUNDS} kills, {len(checked)} versions intact")
    store.close()


def test_a_process_killed_inside_the_transaction_commits_nothing(url):
    """The kill lands for certain between the INSERT of a version and its COMMIT."""
    store = Store(url)
    sid = store.save(scenario("seed"), "test", "seed").scenario_id
    proc = start_child(url, sid, "paused", -1, pause_on=3)  # two saves commit, the third stops mid-way
    try:
        wait_ready(proc)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line.strip() == "inside", (line, proc.stderr.read() if proc.poll() is not None else "")
    finally:
        proc.kill()
        proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        stream.close()
    started = time.perf_counter()
    after = store.save(scenario("after"), "test", "after", sid)  # the dead writer's lock is gone
    waited = time.perf_counter() - started
    assert waited < 10, f"the store stayed locked for {waited:.1f} s after the kill"
    versions = store.versions(sid)
    assert [v.message for v in versions] == ["after", "paused-1", "paused-0", "seed"]  # paused-2 never landed
    assert after.version == 4
    check_every_version(store, sid, versions)
    store.close()

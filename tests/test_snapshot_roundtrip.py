"""export -> import gives back the same scenario, exactly (DESIGN.md rule 4)."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logic
from logic import (
    ScenarioError,
    dump_scenario,
    load_scenario,
    parse_scenario,
    snapshot_sha256,
)
from logic.model import BENEFIT_TYPES, CONTRACT_TYPES, PAYMENT_BASES, STRENGTHS
from logic.store import Store


def roundtrip(sc):
    text = dump_scenario(sc)
    back = load_scenario(text)
    assert back == sc
    assert dump_scenario(back) == text
    return text


def test_example_roundtrip(example_path):
    sc = load_scenario(example_path)
    text = roundtrip(sc)
    assert text == dump_scenario(sc)  # dumping twice gives the same text
    assert text.startswith("format: toc-business-case/2\n")  # a format-1 file is written back as format 2


def test_bundled_examples_roundtrip():
    for path in sorted(logic.EXAMPLES.glob("*.yaml")):
        roundtrip(load_scenario(path))


def test_dump_is_stable_and_hash_follows_content(example_path, valid_doc):
    a = load_scenario(example_path)
    b = load_scenario(example_path)
    assert dump_scenario(a) == dump_scenario(b)
    assert snapshot_sha256(a) == snapshot_sha256(b)
    valid_doc["nodes"][2]["rate_with"] = 0.71
    c = parse_scenario(valid_doc)
    assert c != a
    assert snapshot_sha256(c) != snapshot_sha256(a)


def test_defaults_survive_the_roundtrip(valid_doc):
    # a minimal scenario: everything optional left out
    doc = {
        "format": "toc-business-case/1",
        "name": "Minimal",
        "settings": {"start_year": 2026, "horizon_years": 3},
        "agencies": [{"id": "council", "name": "Council"}],
        "cohort": {"intake": [10], "engagement_rate": 1},
        "nodes": [{"id": "o", "stage": "outcome", "label": "O", "rate_with": 0.5, "rate_without": 0.25}],
    }
    sc = parse_scenario(doc)
    assert sc.settings.discount_rate == 0.035
    assert sc.nodes[0].attribution == 1 and sc.nodes[0].duration_years == 1 and sc.nodes[0].evidence_grade == 3
    assert sc.contract.type == "none" and sc.contract.payment_lag_years == 1 and sc.contract.cap is None
    roundtrip(sc)


def test_awkward_text_roundtrips(valid_doc):
    valid_doc["name"] = "yes"  # would read back as true if not quoted
    valid_doc["description"] = "line one\nline two: with a colon\n\n  indented # not a comment\t"
    valid_doc["nodes"][0]["label"] = "2026"  # would read back as a number
    valid_doc["nodes"][1]["label"] = "null"
    valid_doc["nodes"][2]["label"] = "Café – £5 \"quoted\" 'single' {braces} [brackets] & *star !bang %pct @at"
    valid_doc["nodes"][3]["label"] = " leading and trailing spaces "
    valid_doc["agencies"][0]["name"] = "next\x85line"  # NEL: YAML reads it as a line break unless quoted
    valid_doc["agencies"][1]["name"] = "bell\x07 nul\x00 bom\ufeff crlf\r\n ls\u2028"
    valid_doc["nodes"][3]["notes"] = "x" * 300  # longer than the dump width
    roundtrip(parse_scenario(valid_doc))


# --- generated scenarios ------------------------------------------------------------

_ID = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
# Labels: any text at all (control characters, line breaks of every kind, emoji),
# with the awkward characters drawn often.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\n\r\t\x85\u2028\ufeff\x00 :#'\"-"),
    max_size=30,
)
_FRACTION = st.floats(0, 1, allow_nan=False, allow_infinity=False)
_AMOUNT = st.one_of(st.integers(0, 10**9), st.floats(0, 1e12, allow_nan=False, allow_infinity=False))


@st.composite
def scenarios(draw) -> dict:
    horizon = draw(st.integers(1, 12))
    agencies = draw(st.lists(_ID, min_size=1, max_size=3, unique=True).filter(lambda ids: "provider" not in ids))
    payers = agencies + ["provider"]
    ids = iter(draw(st.lists(_ID, min_size=5, max_size=5, unique=True)))
    need, act, out1, out2, impact = (next(ids) for _ in range(5))
    grades = draw(st.sampled_from([None, {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}, {1: 0.0, 7: 0.5}]))
    table = grades or {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}

    def outcome(node_id):
        node = {
            "id": node_id,
            "stage": "outcome",
            "label": draw(_TEXT),
            "rate_with": draw(_FRACTION),
            "rate_without": draw(_FRACTION),
        }
        optional = {
            "attribution": _FRACTION,
            "displacement": _FRACTION,
            "drop_off": _FRACTION,
            "evidence_grade": st.sampled_from(sorted(table)),
            "lag_years": st.integers(0, 5),
            "duration_years": st.integers(0, 5),
            "price": _AMOUNT,
            "accountable": st.booleans(),
            "indicator": _TEXT,
        }
        for key, strategy in optional.items():
            if draw(st.booleans()):
                node[key] = draw(strategy)
        if grades is not None and "evidence_grade" not in node and 3 not in table:
            node["evidence_grade"] = 1
        benefits = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"agency": st.sampled_from(agencies), "value": _AMOUNT, "type": st.sampled_from(BENEFIT_TYPES)},
                    optional={"cashable": _FRACTION},
                ),
                max_size=2,
            )
        )
        if benefits:
            node["benefits"] = benefits
        return node

    costs = draw(
        st.lists(
            st.fixed_dictionaries(
                {"item": _TEXT, "payer": st.sampled_from(payers)},
                optional={"setup": _AMOUNT, "per_year": _AMOUNT, "per_participant": _AMOUNT},
            ),
            max_size=2,
        )
    )
    need_node = {"id": need, "stage": "need", "label": draw(_TEXT)}
    if draw(st.booleans()):
        need_node.update(
            population=draw(_AMOUNT),
            unit_cost=draw(_AMOUNT),
            growth_rate=draw(st.floats(-1, 1, allow_nan=False)),
            agency=draw(st.sampled_from(agencies)),
        )
    nodes = [
        need_node,
        {"id": act, "stage": "activity", "label": draw(_TEXT), "costs": costs},
        outcome(out1),
        outcome(out2),
        {"id": impact, "stage": "impact", "label": draw(_TEXT), "notes": draw(_TEXT)},
    ]
    edges = [
        {"source": need, "target": act, "strength": draw(st.sampled_from(STRENGTHS))},
        {"source": act, "target": out1},
        {"source": out1, "target": out2, "assumption": draw(_TEXT)},
        {"source": out2, "target": impact},
    ]
    ctype = draw(st.sampled_from(CONTRACT_TYPES))
    contract: dict = {"type": ctype, "payment_basis": draw(st.sampled_from(PAYMENT_BASES))}
    if ctype != "none" or draw(st.booleans()):
        first = agencies[0]
        if len(agencies) > 1 and draw(st.booleans()):
            contract["outcome_payers"] = [{"agency": first, "share": 0.25}, {"agency": agencies[1], "share": 0.75}]
        else:
            contract["outcome_payers"] = [{"agency": first, "share": 1.0}]
    if draw(st.booleans()):
        contract["cap"] = draw(_AMOUNT)
        contract["provider_margin"] = draw(_FRACTION)
        contract["payment_lag_years"] = draw(st.integers(0, 3))
    settings_doc: dict = {
        "start_year": draw(st.integers(1990, 2100)),
        "horizon_years": horizon,
        "discount_rate": draw(st.floats(0, 0.2, allow_nan=False)),
        "discount_schedule": draw(st.sampled_from(["constant", "green_book"])),
    }
    if grades is not None:
        settings_doc["optimism_bias"] = grades
    doc = {
        "format": "toc-business-case/1",
        "name": draw(_TEXT.filter(lambda s: s != "")),
        "settings": settings_doc,
        "agencies": [{"id": a, "name": draw(_TEXT)} for a in agencies],
        "cohort": {
            "intake": draw(st.lists(_AMOUNT, min_size=1, max_size=horizon)),
            "engagement_rate": draw(_FRACTION),
        },
        "nodes": nodes,
        "edges": edges,
        "contract": contract,
    }
    if draw(st.booleans()):
        doc["description"] = draw(_TEXT)
    if draw(st.booleans()):  # the assumptions log travels with the snapshot
        doc["log"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"when": _TEXT, "what": _TEXT},
                    optional={"path": _TEXT, "before": _TEXT, "after": _TEXT, "by": _TEXT},
                ),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        low = draw(st.floats(0, 0.5, allow_nan=False))
        doc["uncertainty"] = {
            "draws": draw(st.integers(1, 1000)),
            "seed": draw(st.integers(0, 2**31)),
            "parameters": [
                {"path": f"nodes.{out1}.rate_with", "dist": "triangular", "low": low, "mode": low, "high": low + 0.25},
                {"path": "cohort.engagement_rate", "dist": "uniform", "low": low, "high": 0.9},
            ],
        }
    return doc


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_roundtrip(doc):
    try:
        sc = parse_scenario(doc)
    except ScenarioError as exc:  # the generator must only make valid scenarios
        raise AssertionError(f"generated an invalid scenario: {exc.lines()}") from None
    text = dump_scenario(sc)
    back = load_scenario(text)
    assert back == sc
    assert dump_scenario(back) == text
    # and the text is plain YAML a person or another tool can read
    plain = yaml.safe_load(text)
    assert plain["format"] == "toc-business-case/2"
    assert all(math.isfinite(x) for x in plain["cohort"]["intake"])


# --- through the scenario store: saved, reopened, exported, imported: the same scenario ------------


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.sqlite'}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def postgres_store():
    from test_store import postgres_database  # the helper that makes (and drops) a fresh database

    with postgres_database("toc_store_roundtrip") as url:
        store = Store(url)
        yield store
        store.close()


def store_roundtrip(store: Store, doc: dict) -> None:
    sc = parse_scenario(doc)
    saved = store.save(sc, "hypothesis", "generated")
    assert saved.sha256 == snapshot_sha256(sc)
    assert store.load(saved.scenario_id) == sc
    text = store.snapshot_text(saved.scenario_id)
    assert text == dump_scenario(sc)  # the stored text is the canonical snapshot, byte for byte
    assert load_scenario(text) == sc  # export -> import
    again = store.save(load_scenario(text), "hypothesis", "re-saved", saved.scenario_id, based_on=1)
    assert again.version == 2 and again.sha256 == saved.sha256  # same scenario, same fingerprint


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_roundtrip_through_the_sqlite_store(sqlite_store, doc):
    store_roundtrip(sqlite_store, doc)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_roundtrip_through_the_postgres_store(postgres_store, doc):
    store_roundtrip(postgres_store, doc)

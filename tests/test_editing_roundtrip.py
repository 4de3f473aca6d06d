"""Applying an editor's table exactly as shown gives back the same scenario: no trimmed notes, no
float drift, no reordering. Otherwise every edit would log (and save) changes nobody made."""

import pytest

from logic import EXAMPLES, load_scenario, parse_scenario
from logic import editing as ed
from logic.model import STAGES


@pytest.fixture(params=sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def example(request):
    return load_scenario(request.param)


def _same(sc, doc):
    assert parse_scenario(doc) == sc


@pytest.mark.parametrize("stage", STAGES)
def test_nodes_and_links_tables(example, stage):
    _same(example, ed.apply_nodes_table(ed.document(example), stage, ed.nodes_table(example, stage)))
    if stage != "need":
        _same(example, ed.apply_links_table(ed.document(example), stage, ed.links_table(example, stage)))


def test_line_and_programme_tables(example):
    doc = ed.document
    _same(example, ed.apply_costs_table(doc(example), ed.costs_table(example)))
    _same(example, ed.apply_benefits_table(doc(example), ed.benefits_table(example)))
    _same(example, ed.apply_agencies_table(doc(example), ed.agencies_table(example)))
    _same(example, ed.apply_intake_table(doc(example), ed.intake_table(example)))
    _same(example, ed.apply_prices_table(doc(example), ed.prices_table(example)))
    _same(example, ed.apply_payers_table(doc(example), ed.payers_table(example)))

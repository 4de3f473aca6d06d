"""Shared fixtures: the valid example scenario, as a file and as a dict."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_PATH = DATA / "edge_of_care.yaml"

_EXAMPLE_DOC = yaml.safe_load(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def example_path() -> Path:
    """A small valid scenario (the one in DESIGN.md) on disk."""
    return EXAMPLE_PATH


@pytest.fixture
def valid_doc() -> dict:
    """The valid example as a plain dict; a fresh copy for each test to mutate."""
    return copy.deepcopy(_EXAMPLE_DOC)

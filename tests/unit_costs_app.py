"""A page with only the unit-cost library, on the bundled example, for AppTest (and `streamlit run`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from components.state import scenario  # noqa: E402
from components.unit_costs import unit_cost_library  # noqa: E402

unit_cost_library(scenario())

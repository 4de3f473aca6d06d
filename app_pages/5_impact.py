"""Step: impacts of the theory of change."""

from components.step import stage_page

stage_page("impact")

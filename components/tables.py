"""Read-only tables of figures written by logic (money in the scenario's currency, shares, ratios)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

cc = st.column_config


def figures_table(df: pd.DataFrame, names: tuple[str, ...] = (), **column_config) -> None:
    """The table as a finance officer reads one: figures written as text, right-aligned as numbers are, so
    the pounds line up down a column; the columns in `names` (and those given a config) keep their own."""
    config = {c: cc.Column(alignment="right") for c in df.columns if c not in names and c not in column_config}
    st.dataframe(df, hide_index=True, width="stretch", column_config=config | column_config)

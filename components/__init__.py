"""Reusable Streamlit pieces: state access, graph view, editors, key figures, charts."""

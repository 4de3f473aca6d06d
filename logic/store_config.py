"""Where the scenario store is: its database URL, from the environment, the app's secrets or the default file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_DIR / "scenarios.sqlite"


def database_url(secrets: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The store's SQLAlchemy URL.

    TOC_DATABASE_URL wins, then secrets["database_url"] (.streamlit/secrets.toml), then a SQLite
    file named by TOC_STORE_PATH or secrets["store_path"], else DEFAULT_SQLITE_PATH. A relative
    store path is taken from the project folder, not the working directory, so the app finds the
    same file however it was started.
    """
    url = environ.get("TOC_DATABASE_URL") or _secret(secrets, "database_url")
    if url:
        return normalise_url(str(url).strip())
    path = environ.get("TOC_STORE_PATH") or _secret(secrets, "store_path")
    if path:
        p = Path(str(path).strip()).expanduser()
        return f"sqlite:///{p if p.is_absolute() else PROJECT_DIR / p}"
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _secret(secrets: Mapping | None, key: str) -> Any:
    if secrets is None:
        return None
    try:
        return secrets.get(key)
    except FileNotFoundError:  # st.secrets with no secrets.toml raises this on access
        return None


def normalise_url(url: str) -> str:
    # "postgres://" (as many hosts write it) and a bare "postgresql://" would pick psycopg2,
    # which is not installed; psycopg 3 is.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url

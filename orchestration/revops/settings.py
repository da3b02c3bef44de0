"""Where things live. Every path can be overridden by an environment variable, so a user points the
project at their own exports and warehouse without editing files."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var) or default
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path


def raw_dir() -> Path:
    """Folder of raw exports: ``<raw_dir>/<system>/<table>.csv|.parquet`` or a folder of part files."""
    return _path("REVOPS_RAW_DIR", "data/raw")


def truth_dir() -> Path:
    """Ground truth written by the sample generator (never read by the models)."""
    return _path("REVOPS_TRUTH_DIR", "data/ground_truth")


def duckdb_path() -> Path:
    """The embedded warehouse file (the dbt ``dev`` target)."""
    return _path("REVOPS_DUCKDB_PATH", "warehouse/revops.duckdb")


def artifacts_dir() -> Path:
    """Run artefacts: Data Docs, reports, published copies."""
    return _path("REVOPS_ARTIFACTS_DIR", "warehouse/artifacts")

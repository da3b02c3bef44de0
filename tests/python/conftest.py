"""Shared fixtures: one sample warehouse built per test session, in a temporary folder.

Tests that need the built warehouse take ``sample_warehouse``; they read it with ``sample_warehouse.query``.
The sample is the generator's default company at ``REVOPS_TEST_SCALE`` (default 1, the README's sample) and
``REVOPS_TEST_SEED`` (default 42, the README's sample).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from revops.build import BuildResult, run_dbt
from revops.load import load_all

TEST_SCALE = float(os.environ.get("REVOPS_TEST_SCALE", "1"))
# Another seed checks the truth-based tests on another company (e.g. REVOPS_TEST_SEED=2 for the leakage truth).
TEST_SEED = int(os.environ.get("REVOPS_TEST_SEED", "42"))
# Developers iterating on one part may restrict the session build, e.g. REVOPS_TEST_SELECT="+raw_row_accounting".
TEST_SELECT = os.environ.get("REVOPS_TEST_SELECT", "").split()


@dataclass
class Warehouse:
    database: Path
    raw_dir: Path
    truth_dir: Path
    target_dir: Path
    build: BuildResult

    @property
    def env(self) -> dict[str, str]:
        return {"REVOPS_DUCKDB_PATH": str(self.database), "REVOPS_RAW_DIR": str(self.raw_dir)}

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def df(self, sql: str):
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql).df()


def build_warehouse(root: Path, raw_dir: Path, truth_dir: Path, select: list[str] | None = None,
                    extra_env: dict[str, str] | None = None) -> Warehouse:
    """Load ``raw_dir`` into a new DuckDB file under ``root`` and run ``dbt build`` on it."""
    database = root / "warehouse.duckdb"
    target = root / "target"
    env = {"REVOPS_DUCKDB_PATH": str(database), "REVOPS_RAW_DIR": str(raw_dir), **(extra_env or {})}
    load_all(raw_dir, database, progress=False)
    args = ["build"] + (["--select", *select] if select else [])
    result = run_dbt(args, target_path=target, env=env, quiet=True)
    return Warehouse(database, raw_dir, truth_dir, target, result)


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory) -> tuple[Path, Path]:
    """The generated sample company: (raw folder, ground-truth folder)."""
    from revops.generator import generate

    root = tmp_path_factory.mktemp("sample")
    raw, truth = root / "raw", root / "ground_truth"
    generate(raw, truth, seed=TEST_SEED, scale=TEST_SCALE, fmt="csv")
    return raw, truth


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory, sample_raw) -> Warehouse:
    """The sample company loaded and built with `dbt build` (fails the session if the build fails)."""
    raw, truth = sample_raw
    warehouse = build_warehouse(tmp_path_factory.mktemp("warehouse"), raw, truth, select=TEST_SELECT or None)
    assert warehouse.build.returncode == 0, "dbt build failed on the sample:\n" + "\n".join(warehouse.build.failures)
    return warehouse

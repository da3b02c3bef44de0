"""Idempotence and recovery: building twice yields identical marts, and a build killed halfway then run again
yields the same marts as an uninterrupted one (content hashes of every table of the selection)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from revops.build import dbt_executable, run_dbt
from revops.load import load_all
from revops.settings import PROJECT_DIR

# A selection that stays fast but crosses every layer: staging, intermediate revenue, the MRR mart, quality.
SELECTION = ["+fct_mrr", "+fct_revenue_leakage", "+raw_quarantine"]
SCHEMAS = ("staging", "intermediate", "marts", "quality")
SCALE = 0.1
# Only the tests of the selection (cautious): other layers' tests need models outside it.
BUILD_ARGS = ["build", "--select", *SELECTION, "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious"]


def content_hashes(database: Path) -> dict[str, str]:
    """schema.table -> sha256 of its rows in a canonical order (row order in a table carries no meaning)."""
    out: dict[str, str] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
            f"and table_schema in ({', '.join(repr(s) for s in SCHEMAS)}) order by 1, 2").fetchall()
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            digest = hashlib.sha256()
            for line in sorted(repr(r) for r in rows):
                digest.update(line.encode())
            out[f"{schema}.{table}"] = digest.hexdigest()
    return out


def _dbt_args(target: Path) -> list[str]:
    return [dbt_executable(), *BUILD_ARGS, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target-path", str(target)]


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    from revops.generator import generate

    root = tmp_path_factory.mktemp("idem")
    generate(root / "raw", root / "truth", seed=7, scale=SCALE)
    return root / "raw"


def _env(database: Path, raw: Path) -> dict[str, str]:
    return {"REVOPS_DUCKDB_PATH": str(database), "REVOPS_RAW_DIR": str(raw)}


@pytest.fixture(scope="module")
def uninterrupted(small_raw, tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    root = tmp_path_factory.mktemp("straight")
    database = root / "w.duckdb"
    load_all(small_raw, database, progress=False)
    args = BUILD_ARGS
    first = run_dbt(args, target_path=root / "target", env=_env(database, small_raw), quiet=True)
    assert first.returncode == 0, first.failures
    hashes_1 = content_hashes(database)
    second = run_dbt(args, target_path=root / "target", env=_env(database, small_raw), quiet=True)
    assert second.returncode == 0, second.failures
    return hashes_1, content_hashes(database)


def test_building_twice_yields_identical_tables(uninterrupted):
    first, second = uninterrupted
    assert "marts.fct_mrr" in first and "quality.raw_quarantine" in first
    assert len(first) > 40
    assert first == second


def test_build_killed_halfway_then_rerun_matches_an_uninterrupted_build(small_raw, tmp_path, uninterrupted):
    database = tmp_path / "w.duckdb"
    load_all(small_raw, database, progress=False)
    env = {**os.environ, "DO_NOT_TRACK": "1", **_env(database, small_raw)}
    proc = subprocess.Popen(_dbt_args(tmp_path / "target"), cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    created = 0
    deadline = time.monotonic() + 600
    for line in proc.stdout:  # kill it once a good part of the models exist, well before the end
        created += " OK created " in line
        if created >= 25 or time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert created >= 25, "the build ended before it could be killed halfway"
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables where table_name = 'fct_mrr'").fetchone() == (0,)
    rerun = run_dbt(BUILD_ARGS,
                    target_path=tmp_path / "target", env=_env(database, small_raw), quiet=True)
    assert rerun.returncode == 0, rerun.failures
    assert content_hashes(database) == uninterrupted[0]

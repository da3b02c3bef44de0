"""Settings shared by the load and the build: DuckDB's memory cap and the release of its table cache."""

from __future__ import annotations

import duckdb

from revops.settings import duckdb_memory_limit, release_duckdb_cache


def _cached_table_mib(con) -> float:
    row = con.execute("select memory_usage_bytes / 2^20 from duckdb_memory() where tag = 'BASE_TABLE'").fetchone()
    return row[0] if row else 0.0


def test_release_drops_cached_table_blocks_and_restores_the_cap(tmp_path, monkeypatch):
    monkeypatch.setenv("REVOPS_DUCKDB_MEMORY_LIMIT", "2GB")
    assert duckdb_memory_limit() == "2GB"
    with duckdb.connect(str(tmp_path / "w.duckdb"), config={"memory_limit": "2GB"}) as con:
        con.execute("create table t as select range as id, md5(range::varchar) as v from range(3000000)")
        con.execute("checkpoint")
        con.execute("select count(distinct v) from t").fetchall()  # reading the table caches its blocks
        assert _cached_table_mib(con) > 50
        cap = con.execute("select current_setting('memory_limit')").fetchone()[0]
        assert release_duckdb_cache(con.cursor(), headroom_mib=16) is True
        assert _cached_table_mib(con) < 40
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == cap
        assert con.execute("select count(*) from t").fetchone()[0] == 3000000


def test_default_memory_cap_matches_the_profile(monkeypatch):
    from revops.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, PROJECT_DIR

    monkeypatch.delenv("REVOPS_DUCKDB_MEMORY_LIMIT", raising=False)
    assert duckdb_memory_limit() == DEFAULT_DUCKDB_MEMORY_LIMIT
    profile = (PROJECT_DIR / "profiles.yml").read_text()
    assert f"env_var('REVOPS_DUCKDB_MEMORY_LIMIT', '{DEFAULT_DUCKDB_MEMORY_LIMIT}')" in profile


def test_dbt_target_dir_follows_dbt_target_path(monkeypatch, tmp_path):
    from revops.settings import PROJECT_DIR, dbt_target_dir

    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    assert dbt_target_dir() == PROJECT_DIR / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", "build/target")
    assert dbt_target_dir() == PROJECT_DIR / "build" / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    assert dbt_target_dir() == tmp_path

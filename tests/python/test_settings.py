"""Settings shared by the load and the build: DuckDB's memory cap and the release of its table cache."""

from __future__ import annotations

import duckdb
import pytest

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


def test_a_build_on_another_target_keeps_its_own_dbt_folder(monkeypatch, tmp_path):
    """`REVOPS_TARGET=postgres revops build` must not share target/ with the dev builds: dbt's saved partial parse
    belongs to one target, so each target's next build would parse the whole project again."""
    import revops.build as build_module
    from revops.build import BuildResult, build
    from revops.settings import PROJECT_DIR, dbt_target_dir

    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    assert dbt_target_dir("dev") == dbt_target_dir() == PROJECT_DIR / "target"
    assert dbt_target_dir("postgres") == PROJECT_DIR / "target" / "postgres"
    used = []
    monkeypatch.setattr(build_module, "run_dbt", lambda args, target_path=None, **_: (
        used.append(target_path), BuildResult(returncode=0))[1])
    monkeypatch.setenv("REVOPS_TARGET", "postgres")
    assert build(unit_tests=False, log=lambda _: None).returncode == 0
    assert used == [PROJECT_DIR / "target" / "postgres"]
    # a folder named by DBT_TARGET_PATH is the user's choice, on every target
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    assert dbt_target_dir("postgres") == tmp_path
    assert build(unit_tests=False, log=lambda _: None).returncode == 0
    assert used[-1] == tmp_path


@pytest.mark.parametrize("value, is_set", [(None, False), ("", False), ("data/raw", False), ("data/raw/", False),
                                           ("./data/../data/raw", False), ("<project>/data/raw", False),
                                           ("exports", True), ("data/raw/salesforce", True), ("/srv/exports", True)])
def test_only_a_raw_folder_other_than_the_default_counts_as_set(monkeypatch, tmp_path, value, is_set):
    from revops import settings

    monkeypatch.setattr(settings, "PROJECT_DIR", tmp_path)
    if value is None:
        monkeypatch.delenv("REVOPS_RAW_DIR", raising=False)
    else:
        monkeypatch.setenv("REVOPS_RAW_DIR", value.replace("<project>", str(tmp_path)))
    assert settings.raw_dir_is_set() is is_set


@pytest.mark.parametrize("value, threads", [(None, 2), ("4", 4), (" 8 ", 8), ("1", 1)])
def test_threads_are_a_positive_whole_number(value, threads):
    from revops.settings import dbt_threads

    assert dbt_threads({} if value is None else {"REVOPS_THREADS": value}) == threads


@pytest.mark.parametrize("value", ["abc", "2.5", "0", "-1", "", "2 threads"])
def test_threads_that_dbt_would_misread_are_refused_with_the_variable_and_value(value):
    from revops.settings import dbt_threads

    with pytest.raises(ValueError, match=f"REVOPS_THREADS={value!r} is not a positive whole number"):
        dbt_threads({"REVOPS_THREADS": value})


def test_default_threads_match_the_profile():
    from revops.settings import DEFAULT_THREADS, PROJECT_DIR

    profile = (PROJECT_DIR / "profiles.yml").read_text()
    assert profile.count(f"env_var('REVOPS_THREADS', '{DEFAULT_THREADS}')") == 2  # dev and postgres


def test_dbt_does_not_start_with_bad_threads(tmp_path, monkeypatch):
    """`REVOPS_THREADS=abc` made dbt say "Concurrency: 0 threads" and end in a traceback (max_workers must be
    greater than 0); `2.5` silently became 2. Now neither starts dbt, from the CLI's run_dbt or from Dagster."""
    import revops.build as build_module

    def no_dbt():
        raise AssertionError("dbt started")

    monkeypatch.setattr(build_module, "dbt_executable", no_dbt)
    monkeypatch.delenv("REVOPS_THREADS", raising=False)
    for value in ("abc", "2.5"):
        with pytest.raises(ValueError, match=f"REVOPS_THREADS='{value}'"):
            build_module.run_dbt(["build"], target_path=tmp_path, env={"REVOPS_THREADS": value})
    monkeypatch.setenv("REVOPS_THREADS", "abc")
    with pytest.raises(ValueError, match="REVOPS_THREADS='abc'"):
        build_module.run_dbt(["build"], target_path=tmp_path)

    from revops.dagster_assets.dbt import dbt_resource, make_project

    with pytest.raises(ValueError, match="REVOPS_THREADS='abc'"):
        make_project()
    monkeypatch.setenv("REVOPS_THREADS", "3")
    project = make_project()
    monkeypatch.setenv("REVOPS_THREADS", "0")
    with pytest.raises(ValueError, match="REVOPS_THREADS='0'"):
        dbt_resource(project)


@pytest.mark.parametrize("env, message", [
    ({"REVOPS_TARGET": "postgres", "REVOPS_PG_PORT": "abc"}, "REVOPS_PG_PORT='abc' is not a port number"),
    ({"REVOPS_TARGET": "postgres", "REVOPS_PG_PORT": "0"}, "REVOPS_PG_PORT='0' is not a port number"),
    ({"REVOPS_TARGET": "postgres", "REVOPS_PG_PORT": "70000"}, "REVOPS_PG_PORT='70000' is not a port number"),
    ({"REVOPS_TARGET": "postgres", "REVOPS_THREADS": "0"}, "REVOPS_THREADS='0'"),
    ({"REVOPS_TARGET": "spark", "REVOPS_SPARK_CORES": "two"}, "REVOPS_SPARK_CORES='two' is not a positive"),
    ({"REVOPS_TARGET": "spark", "REVOPS_SPARK_CORES": "0"}, "REVOPS_SPARK_CORES='0' is not a positive"),
])
def test_profile_numbers_of_the_target_are_checked_before_dbt_starts(tmp_path, monkeypatch, env, message):
    """profiles.yml's `| int` made REVOPS_PG_PORT=abc port 0 (dbt: 'invalid port number: "0"'), and a bad
    REVOPS_SPARK_CORES failed inside Spark's start-up; run_dbt now refuses them before dbt starts."""
    import revops.build as build_module

    def no_dbt():
        raise AssertionError("dbt started")

    monkeypatch.setattr(build_module, "dbt_executable", no_dbt)
    for name in ("REVOPS_THREADS", "REVOPS_PG_PORT", "REVOPS_SPARK_CORES"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match=message):
        build_module.run_dbt(["build"], target_path=tmp_path, env=env)


@pytest.mark.parametrize("env", [
    {},
    {"REVOPS_TARGET": "postgres", "REVOPS_PG_PORT": "5433"},
    {"REVOPS_TARGET": "spark", "REVOPS_SPARK_CORES": "*"},
    {"REVOPS_TARGET": "spark", "REVOPS_SPARK_CORES": "4", "REVOPS_THREADS": "abc"},  # spark's threads are fixed
    {"REVOPS_TARGET": "dev", "REVOPS_PG_PORT": "abc"},  # not read on DuckDB
])
def test_profile_numbers_that_are_fine_or_unused_pass(env):
    from revops.settings import check_profile_env

    check_profile_env(env)

"""`revops build` says in one line why it cannot start dbt on the DuckDB target (no warehouse, a warehouse never
loaded, a folder or file it cannot write, bad REVOPS_THREADS) instead of dbt's couple of hundred lines of
IO Error or Catalog Error traceback. Nothing here starts dbt."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

import revops.build as build_module
from revops.cli import main
from revops.contract import get_table
from revops.load import load_all


@pytest.fixture
def revops_build(tmp_path, monkeypatch, capsys):
    """`revops build` on the warehouse given: (exit code, what it wrote to stderr); dbt must not start."""
    def no_dbt():
        raise AssertionError("dbt started")

    monkeypatch.setattr(build_module, "dbt_executable", no_dbt)
    monkeypatch.setenv("REVOPS_TARGET", "dev")
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))

    def run(database: Path, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
        code = main(["build", *args])
        return code, capsys.readouterr().err

    return run


def _loaded_warehouse(tmp_path: Path) -> Path:
    """A warehouse `revops load` landed one raw table in (header only: an empty table)."""
    database = tmp_path / "wh" / "w.duckdb"
    table = get_table("finance", "fx_rate")
    path = tmp_path / "raw" / table.system / f"{table.table}.csv"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(table.columns) + "\n")
    load_all(tmp_path / "raw", database, tables=[table], progress=False)
    return database


def test_no_warehouse_file_or_folder(tmp_path, revops_build):
    for database in (tmp_path / "missing" / "w.duckdb", tmp_path / "w.duckdb"):
        code, err = revops_build(database)
        assert (code, err) == (2, f"error: no loaded warehouse at {database}: run `revops load` first\n")


def test_a_warehouse_never_loaded(tmp_path, revops_build):
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:  # a DuckDB file, but no raw_meta: `revops load` never ran
        con.execute("create table t as select 1 as x")
    for args in ((), ("--changed",)):
        code, err = revops_build(database, *args)
        assert (code, err) == (2, f"error: no loaded warehouse at {database}: run `revops load` first\n")


def test_a_file_that_is_not_a_warehouse(tmp_path, revops_build):
    database = tmp_path / "w.duckdb"
    database.write_text("not a database")
    code, err = revops_build(database)
    assert code == 2 and err.startswith(f"error: cannot open the warehouse {database}: ") and err.count("\n") == 1


def test_a_folder_or_warehouse_it_cannot_write(tmp_path, revops_build, monkeypatch):
    database = _loaded_warehouse(tmp_path)
    real_access = os.access
    for read_only in (database.parent, database):  # root writes whatever the mode: os.access says what others see
        monkeypatch.setattr(os, "access", lambda path, mode, ro=read_only:
                            not (Path(path) == ro and mode & os.W_OK) and real_access(path, mode))
        code, err = revops_build(database)
        assert code == 2 and err.startswith(f"error: {read_only} is not writable: "), err
        assert err.count("\n") == 1


def test_a_loaded_warehouse_goes_on_to_dbt(tmp_path, revops_build):
    database = _loaded_warehouse(tmp_path)
    build_module.check_loaded_warehouse(database)
    code, err = revops_build(database)
    assert (code, err) == (2, "error: dbt started\n")  # past every check, as far as starting dbt


def test_bad_threads_stop_before_dbt(tmp_path, revops_build, monkeypatch):
    database = _loaded_warehouse(tmp_path)
    monkeypatch.setenv("REVOPS_THREADS", "abc")
    code, err = revops_build(database)
    assert (code, err) == (2, "error: REVOPS_THREADS='abc' is not a positive whole number: set it to the number of "
                              "dbt threads (e.g. 4), or unset it for 2\n")


def test_a_warehouse_locked_by_another_process_says_what_to_do(tmp_path):
    """DuckDB's lock error names the other process but not what to do; the quality gate, publish and
    score-identity printed a traceback, and score-identity took the locked file for an empty warehouse and
    started a full run into it. Each now stops in one line that says to stop or wait for the other process."""
    import subprocess
    import sys

    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(database)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        truth = tmp_path / "truth"
        truth.mkdir()
        (truth / "persons.csv").write_text("source_system,source_table,source_id,true_person_id\n")
        env = {**os.environ, "REVOPS_DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(tmp_path / "target"),
               "REVOPS_ARTIFACTS_DIR": str(tmp_path / "artifacts")}
        commands = {
            "quality marts": [sys.executable, "-m", "revops.quality", "marts"],
            "publish": [sys.executable, "-m", "revops.publish", "--skip-build-check", "--out", str(tmp_path / "pub")],
            "score-identity": [sys.executable, "-m", "revops.cli", "score-identity", "--truth", str(truth)],
            "score-identity --no-build": [sys.executable, "-m", "revops.cli", "score-identity", "--no-build",
                                          "--truth", str(truth)],
        }
        for name, command in commands.items():
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 2, (name, done.returncode, done.stdout[-1500:], done.stderr[-1500:])
            assert "Traceback" not in done.stderr, (name, done.stderr[-1500:])
            assert "lock" in done.stderr and "one process at a time" in done.stderr, (name, done.stderr[-1500:])
            assert "building the default sample" not in done.stdout, name
    finally:
        holder.kill()
        holder.wait()


def _damage_a_data_page(path: Path, column: str) -> None:
    """Overwrite the page header of ``column``'s first data page: the footer stays sound, so the file lands, and
    DuckDB's error on reading it names no file ("don't know what type:")."""
    with duckdb.connect() as con:
        offset = con.execute("select data_page_offset from parquet_metadata(?) where path_in_schema = ?",
                             [str(path), column]).fetchone()[0]
    data = bytearray(path.read_bytes())
    data[offset:offset + 6] = b"\x7f" * 6
    path.write_bytes(bytes(data))


def test_a_damaged_parquet_data_page_is_named_after_the_failed_build(tmp_path, monkeypatch, capsys):
    table = get_table("finance", "fx_rate")
    folder = tmp_path / "raw" / table.system / table.table
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        for part, day in (("part-1", 1), ("part-2", 2)):
            con.execute(
                f"copy (select '2024-01-0{day}' as date, 'EUR' as currency, '1.08' as rate_to_usd, "
                f"'2026-11-02T02:00:00Z' as _loaded_at from range(1000)) to '{folder / part}.parquet' "
                "(format parquet, compression uncompressed)")
    damaged = folder / "part-2.parquet"
    _damage_a_data_page(damaged, "rate_to_usd")
    database = tmp_path / "wh" / "w.duckdb"
    load_all(tmp_path / "raw", database, tables=[table], progress=False)  # reads footers: lands both files

    monkeypatch.setenv("REVOPS_TARGET", "dev")
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(database))
    monkeypatch.setenv("REVOPS_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    capsys.readouterr()
    code = main(["build", "--no-unit-tests", "--", "--select", "+base_finance__fx_rate"])
    err = capsys.readouterr().err
    assert code != 0
    assert f"error: raw file finance.fx_rate: {damaged.resolve()} cannot be read whole" in err
    assert "part-1" not in err
    # the check itself: only the failed parse models' tables are read, and a sound file is never named
    assert build_module.unreadable_files_of_failed_parse_models(database, ["model.revops.stg_finance__fx_rate: x"]) == []
    damaged.write_bytes((folder / "part-1.parquet").read_bytes())
    assert build_module.unreadable_files_of_failed_parse_models(
        database, ["model.revops.base_finance__fx_rate: don't know what type:"]) == []

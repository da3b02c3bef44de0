"""The same models on PostgreSQL 15 (a local server started here on 127.0.0.1): every mart and quality table
equals the DuckDB build of the same raw files, BI readers may read the marts but not the raw schemas, and the
Great Expectations gates (raw and marts) pass when GX runs their queries on PostgreSQL."""

from __future__ import annotations

import pytest

from revops.parity import run_parity
from revops.quality import validate_marts, validate_raw

pytestmark = pytest.mark.postgres


def test_postgres_build_equals_duckdb_build(tmp_path):
    grants: dict[str, bool] = {}
    gates: dict[str, object] = {}

    def inspect(server):
        with server.connect() as con:
            cur = con.cursor()
            cur.execute("select has_table_privilege('bi_reader', 'quality.raw_row_accounting', 'select'), "
                        "has_table_privilege('bi_reader', 'raw_stripe.invoice', 'select')")
            grants["quality"], grants["raw"] = cur.fetchone()
            cur.execute("select table_schema || '.' || table_name from information_schema.tables "
                        "where table_schema = 'marts' limit 1")
            mart = cur.fetchone()
            assert mart, "the PostgreSQL build made no table in schema marts"
            cur.execute("select has_table_privilege('bi_reader', %s, 'select'), "
                        "has_schema_privilege('bi_reader', 'marts', 'usage')", [mart[0]])
            grants["marts"], grants["marts usage"] = cur.fetchone()
        # the Great Expectations gates on PostgreSQL: GX's SQL datasource runs each suite's query there
        url = f"postgresql+psycopg2://{server.user}@{server.host}:{server.port}/{server.database}"
        gates["raw"] = validate_raw(url, docs_dir=tmp_path / "gx", state_path=tmp_path / "gx" / "counts.json",
                                    raise_on_failure=False)
        gates["marts"] = validate_marts(url, docs_dir=tmp_path / "gx", raise_on_failure=False)
        # last (it changes a raw table): the catalog schema suite catches a contract column gone on PostgreSQL
        with server.connect() as con:
            con.cursor().execute("alter table raw_salesforce.account drop column name")
            con.commit()
        gates["dropped column"] = validate_raw(url, docs_dir=tmp_path / "gx-dropped", update_state=False,
                                               state_path=tmp_path / "gx" / "counts.json", raise_on_failure=False)

    report = run_parity(scale=0.3, workdir=tmp_path, on_server=inspect, log=print)
    assert not report.problems, "\n".join(f"{t}: {p}" for t, p in report.problems.items())
    assert len(report.compared) >= 2
    assert grants.get("raw") is False, "raw schemas must not be readable by bi_reader"
    assert grants["marts"] is True and grants["marts usage"] is True, grants
    assert gates["raw"].success and gates["marts"].success, gates["raw"].message() + gates["marts"].message()
    # the catalog schema suite and one suite per raw table
    assert len(gates["raw"].suites) == 32 and gates["raw"].expectations > 100
    dropped = gates["dropped column"]
    assert not dropped.success
    assert [(f.suite, f.table) for s in dropped.suites for f in s.failures] == \
        [("raw.schema", "raw_salesforce.account")], dropped.message()
    assert "['name']" in dropped.message()
    assert {s.suite for s in gates["marts"].suites} >= {"marts.fct_mrr", "marts.fct_mrr.bridge",
                                                        "marts.xref_companies.completeness"}


def test_postgres_load_copies_the_landed_raw_tables_to_your_server(tmp_path):
    """`python -m revops.postgres load`: the raw tables `revops load` landed in DuckDB, copied to the server the
    REVOPS_PG_* variables name (here a local one started for the test), row for row, ready for
    `REVOPS_TARGET=postgres dbt build`; `revops run` on that target says these steps instead of building."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import duckdb

    from revops.load import load_all
    from revops.postgres import local_postgres

    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "bad_input"
    raw = tmp_path / "raw" / "stripe"
    raw.mkdir(parents=True)
    shutil.copyfile(corpus / "negative_amount" / "stripe" / "charge.csv.fixture", raw / "charge.csv")
    database = tmp_path / "w.duckdb"
    load_all(tmp_path / "raw", database, progress=False)
    with duckdb.connect(str(database), read_only=True) as con:
        landed = con.execute("select id, amount from raw_stripe.charge order by id").fetchall()
    assert len(landed) == 2
    with local_postgres() as server:
        env = {**os.environ, **server.env, "REVOPS_DUCKDB_PATH": str(database)}
        env.pop("REVOPS_TARGET")
        done = subprocess.run([sys.executable, "-m", "revops.postgres", "load"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "copied to 127.0.0.1" in done.stdout
        with server.connect() as pg:
            cur = pg.cursor()
            cur.execute("select id, amount from raw_stripe.charge order by id")
            assert cur.fetchall() == landed
        refused = subprocess.run([sys.executable, "-m", "revops.cli", "run"], env={**env, "REVOPS_TARGET": "postgres"},
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2 and "python -m revops.postgres load" in refused.stderr, refused.stderr


def test_the_bad_input_corpus_builds_on_postgres_with_the_same_quarantine(tmp_path):
    """Every damaged row of tests/fixtures/bad_input on PostgreSQL: the build has no error (a number beyond
    numeric(18, 6) raised 'numeric field overflow' there and failed its model, where DuckDB's try_cast gives NULL)
    and the quarantine holds the same rows with the same reasons as on DuckDB."""
    from revops.build import run_dbt
    from revops.load import load_all
    from revops.postgres import load_landed_into_postgres, local_postgres
    from test_bad_input import land_corpus

    import duckdb

    raw = tmp_path / "raw"
    land_corpus(raw)
    database = tmp_path / "w.duckdb"
    load_all(raw, database, progress=False)
    select = ["build", "--select", "+raw_quarantine", "+raw_row_accounting", "--exclude-resource-type", "unit_test"]
    query = ("select source_table, source_file, reason_code, reason from quality.raw_quarantine "
             "order by 1, 2, 3, 4")
    duck_build = run_dbt(select, target_path=tmp_path / "target-duckdb", quiet=True,
                         env={"REVOPS_DUCKDB_PATH": str(database), "REVOPS_RAW_DIR": str(raw)})
    assert duck_build.returncode == 0, duck_build.failures
    with duckdb.connect(str(database), read_only=True) as con:
        on_duckdb = con.execute(query).fetchall()
    with local_postgres() as server:
        load_landed_into_postgres(database, server)
        pg_build = run_dbt(select, target_path=tmp_path / "target-postgres", quiet=True,
                           env={**server.env, "REVOPS_RAW_DIR": str(raw)})
        assert pg_build.returncode == 0, pg_build.failures
        with server.connect() as pg:
            cur = pg.cursor()
            cur.execute(query)
            on_postgres = cur.fetchall()
    assert len(on_duckdb) >= 20
    assert on_postgres == on_duckdb

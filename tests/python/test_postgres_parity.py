"""The same models on PostgreSQL 15 (a local server started here on 127.0.0.1): every mart and quality table
equals the DuckDB build of the same raw files, and BI readers may read the marts but not the raw schemas."""

from __future__ import annotations

import pytest

from revops.parity import run_parity

pytestmark = pytest.mark.postgres


def test_postgres_build_equals_duckdb_build(tmp_path):
    grants: dict[str, bool] = {}

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

    report = run_parity(scale=0.3, workdir=tmp_path, on_server=inspect, log=print)
    assert not report.problems, "\n".join(f"{t}: {p}" for t, p in report.problems.items())
    assert len(report.compared) >= 2
    assert grants.get("raw") is False, "raw schemas must not be readable by bi_reader"
    assert grants["marts"] is True and grants["marts usage"] is True, grants

"""The parse macros' DuckDB fast paths give the same result as the plain SQL they stand in for."""

from __future__ import annotations

import json
import os
import subprocess

import duckdb

from revops.build import dbt_executable
from revops.settings import PROJECT_DIR

# The values trim_spaces must treat like trim: every character (but surrogates) up to U+3100 and a few beyond, at
# either end, inside, alone and doubled, plus plain ASCII shapes and NULL.
_CODE_POINTS = [c for c in [*range(0x3100), 0xFEFF, 0x205F, 0x180E, 0x1F600] if not 0xD800 <= c <= 0xDFFF]


def _values() -> list[str | None]:
    values: list[str | None] = [None, "", " ", "  ", "a", " a", "a ", " a b ", "abc", "Café", " Café ", "Café\u00a0"]
    for c in _CODE_POINTS:
        ch = chr(c)
        values += [ch, ch + "a", "a" + ch, ch + "a" + ch, "a" + ch + "b", ch + ch + "é" + ch]
    return values


def _compile(sql: str, tmp_path) -> str:
    """The SQL dbt compiles ``sql`` (Jinja calling project macros) to, on the DuckDB target."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "REVOPS_TARGET": "dev",
           "REVOPS_DUCKDB_PATH": str(tmp_path / "compile.duckdb")}
    out = subprocess.run(
        [dbt_executable(), "--quiet", "--log-format", "json", "compile", "--inline", sql,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(tmp_path / "target")],
        cwd=PROJECT_DIR, env=env, text=True, capture_output=True, check=False)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    for line in out.stdout.splitlines():
        data = json.loads(line).get("data", {})
        if "compiled" in data:
            return data["compiled"]
    raise AssertionError(f"no compiled SQL in dbt's output: {out.stdout[-2000:]}")


# Timestamps in the shape the DuckDB fast path takes (and near it), valid and not.
_TIMESTAMPS = [
    "2024-06-01T12:00:00Z", "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
    "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "1969-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-01-01T10:00:00+02:00", "2024-01-01 10:00:00Z",
    "2024-01-01T10:00:00z", "2024-01-01T10:00Z", "2024-01-01T10:00:00.5Z", "2024-1-01T10:00:00Z", "x", None,
]


def test_duckdb_fast_paths_equal_the_general_sql(tmp_path):
    compiled = _compile(
        "select s, {{ trim_spaces('s') }} as fast_trim, trim(s) as plain_trim, "
        "{{ safe_timestamp_utc('s') }} as fast_ts, {{ default__safe_timestamp_utc('s') }} as general_ts "
        "from strings", tmp_path)
    assert "strlen" in compiled and "glob" in compiled  # the DuckDB fast paths, not the defaults
    values = _values() + _TIMESTAMPS
    with duckdb.connect() as con:
        con.execute("create table strings (i integer, s varchar)")
        con.executemany("insert into strings values (?, ?)", list(enumerate(values)))
        con.execute(f"create table result as {compiled}")
        assert con.execute("select s from result where fast_trim is distinct from plain_trim").fetchall() == []
        assert con.execute("select s from result where fast_ts is distinct from general_ts").fetchall() == []
        changed = con.execute("select count(*) from strings where trim(s) <> s").fetchone()[0]
        parsed = con.execute("select count(fast_ts) from result").fetchone()[0]
    # the comparisons cover values the general SQL changes: spaces and the Unicode space separators DuckDB trims
    # too, timestamps that parse (Z, an offset, a space for the T, a fraction) and ones that do not
    assert changed > 40
    assert 5 <= parsed < len(_TIMESTAMPS)


def test_trim_breaks_fast_path_equals_the_general_sql(tmp_path):
    """trim_breaks (ids and emails) on DuckDB trims what the portable trim(both ... from ...) trims: tabs, CR, LF and
    spaces at either end, nothing inside, nothing else."""
    compiled = _compile(
        "select s, {{ trim_breaks('s') }} as fast, {{ default__trim_breaks('s') }} as general from strings", tmp_path)
    assert "like chr(9)" in compiled  # the DuckDB fast path, not the default
    edges = ["\t", "\n", "\r", "\r\n", " ", "\t \r\n", "\u00a0", "\x0b", "\x0c"]
    values = [None, "", "cus_1", "a\tb", "a\r\nb"] + [e + "cus_1" for e in edges] + ["cus_1" + e for e in edges] \
        + [e + "cus_1" + e for e in edges] + edges
    with duckdb.connect() as con:
        con.execute("create table strings (i integer, s varchar)")
        con.executemany("insert into strings values (?, ?)", list(enumerate(values)))
        rows = con.execute(f"select s, fast, general from ({compiled}) as r").fetchall()
    assert [(s, fast) for s, fast, general in rows if fast != general and (fast, general) != (None, None)] == []
    trimmed = {s: fast for s, fast, _ in rows}
    assert trimmed["cus_1\t"] == trimmed["\r\ncus_1\r\n"] == trimmed["\t \r\ncus_1"] == "cus_1"
    assert trimmed["a\tb"] == "a\tb" and trimmed["\t"] == "" and trimmed["cus_1\u00a0"] == "cus_1\u00a0"

"""Model SQL stays portable: engine-specific functions and syntax live in dispatch macros (macros/), never in
models, so the same models build on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import re

import pytest

from revops.settings import PROJECT_DIR

# DuckDB- or PostgreSQL-only constructs, with the portable way to say them.
FORBIDDEN = {
    r"\bqualify\b": "a window in a CTE, then `where`",
    r"::\s*\w": "cast(x as type) or dbt.safe_cast",
    r"\bgroup\s+by\s+all\b": "explicit group-by columns",
    r"\btry_cast\s*\(": "the safe_* macros or dbt.safe_cast",
    r"\b(list_\w+|array_agg|struct_pack|unnest|string_split|str_split)\s*\(": "a project macro with adapter.dispatch",
    r"\b(regexp_matches|regexp_extract|regexp_full_match)\s*\(": "a project macro with adapter.dispatch",
    r"\b(strftime|strptime|epoch_ms|make_date|make_timestamp|date_diff|date_sub|datediff|date_add)\s*\(":
        "dbt.datediff / dbt.dateadd / a dispatch macro",
    r"\b(ilike|similar\s+to)\b": "lower(x) like ...",
    r"\bexclude\s*\(": "an explicit column list",
}


def _sql_models():
    return sorted(p for p in (PROJECT_DIR / "models").rglob("*.sql"))


def _strip_comments(sql: str) -> str:
    """SQL as written by hand: comments and Jinja (macro calls such as {{ dbt.datediff(...) }}) removed."""
    sql = re.sub(r"\{#.*?#\}", "", sql, flags=re.S)
    sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", sql, flags=re.S)
    sql = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


@pytest.mark.parametrize("path", _sql_models(), ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_model_sql_has_no_engine_specific_constructs(path):
    sql = _strip_comments(path.read_text()).lower()
    found = [f"{pattern!r} (use {fix})" for pattern, fix in FORBIDDEN.items() if re.search(pattern, sql)]
    assert not found, f"{path.relative_to(PROJECT_DIR)}: engine-specific SQL outside macros: {found}"


def test_the_check_catches_engine_specific_sql(tmp_path):
    sample = "select a::int, list_sum(b) from t qualify row_number() over () = 1"
    hits = [p for p in FORBIDDEN if re.search(p, sample)]
    assert len(hits) == 3


def test_unit_test_and_model_names_fit_a_postgresql_identifier():
    """dbt names a relation after each model and each unit test (its fixture); PostgreSQL refuses a relation
    name over 63 bytes, so such a name passes on DuckDB and fails the PostgreSQL build."""
    import yaml

    too_long = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
            if len(test["name"].encode()) > 63:
                too_long.append(f"{path.relative_to(PROJECT_DIR)}: unit test {test['name']}")
    too_long += [f"{p.relative_to(PROJECT_DIR)}: model {p.stem}" for p in (PROJECT_DIR / "models").rglob("*.sql")
                 if len(p.stem.encode()) > 63]
    assert not too_long, "names over 63 bytes:\n" + "\n".join(too_long)

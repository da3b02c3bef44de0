"""The raw contract is stated once for people (sources yml) and once for Python (contract.py): they agree,
and every contract table has its parse and staging model."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from revops.contract import CONTRACT, raw_tables
from revops.settings import PROJECT_DIR

STAGING = PROJECT_DIR / "models" / "staging"


def _sources() -> dict[tuple[str, str], list[str]]:
    found = {}
    for path in STAGING.glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source["name"] == "raw_meta":
                continue
            for table in source["tables"]:
                found[(source["name"], table["name"])] = [c["name"] for c in table.get("columns", [])]
    return found


def test_sources_yml_lists_every_contract_table_with_its_columns():
    sources = _sources()
    assert set(sources) == {(t.system, t.table) for t in raw_tables()}
    for table in raw_tables():
        assert sources[(table.system, table.table)] == [*table.columns, "_loaded_at"], table.qualified_name


def test_every_contract_table_has_a_base_and_a_staging_model():
    for table in raw_tables():
        folder = STAGING / table.system
        assert (folder / "base" / f"base_{table.system}__{table.table}.sql").is_file()
        assert (folder / f"stg_{table.system}__{table.table}.sql").is_file()


def test_base_models_parse_exactly_the_contract_columns():
    for table in raw_tables():
        sql = (STAGING / table.system / "base" / f"base_{table.system}__{table.table}.sql").read_text()
        declared = dict(re.findall(r"'(\w+)': '(\w+)'", sql))
        assert declared == table.columns, table.qualified_name


def test_raw_table_list_macro_matches_the_contract():
    macro = (PROJECT_DIR / "macros" / "raw_table_list.sql").read_text()
    listed = re.findall(r"\['(\w+)', '(\w+)'\]", macro)
    assert listed == [(t.system, t.table) for t in raw_tables()]


def test_project_never_reads_the_shared_folder():
    for path in list(PROJECT_DIR.glob("models/**/*")) + list(PROJECT_DIR.glob("orchestration/**/*.py")):
        if path.is_file():
            assert "../shared" not in path.read_text(errors="ignore"), path


def test_contract_systems():
    assert list(CONTRACT) == ["salesforce", "hubspot", "ads", "finance", "stripe", "zendesk", "product"]

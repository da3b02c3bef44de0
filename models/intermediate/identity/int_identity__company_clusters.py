"""Company clusters (DuckDB): every company-like record with its company_id and the evidence behind it.

Records sharing a corporate domain, a normalised name or a Salesforce account id are one company; human
decisions in seeds/identity/identity_overrides.csv win. Logic: revops.identity.companies.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.identity.companies import resolve_companies
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    company_records_rel = dbt.ref("int_identity__company_records")
    # only the columns resolution reads cross into pandas
    records = company_records_rel.project("source_system, source_table, source_id, record_label").df()
    company_keys_rel = dbt.ref("int_identity__company_keys")
    keys = company_keys_rel.project("source_system, source_table, source_id, key_type, key_value").df()
    overrides_rel = dbt.ref("identity_overrides")
    overrides = overrides_rel.df()
    return resolve_companies(records, keys, overrides)

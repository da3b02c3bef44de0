"""Each person record's phone in E.164 (phonenumbers, offline), parsed once for both matching models
(int_identity__person_pairs and int_identity__person_clusters). Logic: revops.identity.persons.read_phones
(plain international forms in DuckDB, the rest with phones_e164).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.identity import persons
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    person_records_rel = dbt.ref("int_identity__person_records")
    disposable_domains_rel = dbt.ref("identity_disposable_domains")
    disposable = set(disposable_domains_rel.df()["domain"])
    return persons.read_phones(person_records_rel, disposable)

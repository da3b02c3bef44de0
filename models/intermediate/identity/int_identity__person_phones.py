"""Each person record's phone in E.164 (phonenumbers, offline), parsed once for both matching models
(int_identity__person_pairs and int_identity__person_clusters). Logic: revops.identity.persons.phones_e164.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.identity import persons
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    person_records_rel = dbt.ref("int_identity__person_records")
    disposable_domains_rel = dbt.ref("identity_disposable_domains")
    disposable = set(disposable_domains_rel.df()["domain"])
    records = persons.read_records(person_records_rel.filter("phone is not null"), with_names=False)
    enriched = persons.enrich(records.assign(phone_e164=None), disposable)  # email parts, disposable blanked
    enriched["phone_e164"] = persons.phones_e164(enriched)
    return enriched[["source_system", "source_table", "source_id", "phone", "phone_e164"]]

"""Each person record's phone in E.164 (phonenumbers, offline), parsed once for both matching models
(int_identity__person_pairs and int_identity__person_clusters). Logic: revops.identity.persons.read_phones
(plain international forms in DuckDB, the rest with phones_e164; a national form's region from the record's
country hint, else its company's country, else its email's country TLD).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.identity import persons
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    person_records_rel = dbt.ref("int_identity__person_records")
    disposable_domains_rel = dbt.ref("identity_disposable_domains")
    disposable = set(disposable_domains_rel.df()["domain"])
    # a national form without a country hint takes the country of the record's company (its Salesforce account)
    record_companies_rel = dbt.ref("int_identity__person_record_companies")
    company_clusters_rel = dbt.ref("int_identity__company_clusters")
    accounts_rel = dbt.ref("stg_salesforce__account")
    countries = persons.company_countries_relation(record_companies_rel, company_clusters_rel, accounts_rel)
    return persons.read_phones(person_records_rel, disposable, countries)

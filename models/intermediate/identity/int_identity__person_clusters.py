"""Person clusters (DuckDB): every person-like record with its person_id and the evidence behind it.

Exact normalised email first, then splink pairs at or above the match threshold (not forbidden by a business
rule, and never joining two clusters at different known companies), human overrides always winning. Also the
record's normalised email and E.164 phone.
Logic: revops.identity.persons.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.identity import persons
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    threshold = float(dbt.config.get("match_threshold"))
    person_records_rel = dbt.ref("int_identity__person_records")
    person_phones_rel = dbt.ref("int_identity__person_phones")
    # clustering reads each record's key, label, email, phone and company only: no names
    person_record_companies_rel = dbt.ref("int_identity__person_record_companies")
    records = persons.read_cluster_records(person_records_rel, person_phones_rel, person_record_companies_rel)
    person_pairs_rel = dbt.ref("int_identity__person_pairs")
    pairs = person_pairs_rel.filter(f"match_probability >= {threshold} and not is_blocked_by_rule").df()
    overrides_rel = dbt.ref("identity_overrides")
    overrides = overrides_rel.df()
    pairs = pairs.assign(
        profile_id_l=pairs["left_source_system"] + "|" + pairs["left_source_table"] + "|" + pairs["left_source_id"],
        profile_id_r=pairs["right_source_system"] + "|" + pairs["right_source_table"] + "|" + pairs["right_source_id"],
    )
    out = persons.resolve_persons(records, pairs, threshold, overrides)
    return out[["source_system", "source_table", "source_id", "person_id", "match_rule", "match_probability",
                "is_override", "email_normalised", "phone_e164"]]

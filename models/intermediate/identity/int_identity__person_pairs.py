"""Scored person-profile pairs from splink (DuckDB), at or above the review band's lower bound.

Profiles are the distinct (email, names, phone, company) combinations of records with a name or a phone;
a pair names each side by its representative source record. The trained model is
orchestration/revops/identity/person_model.json (retrain: python -m revops.identity.train).
Logic: revops.identity.persons.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from revops.identity import persons
    from revops.settings import release_duckdb_cache

    release_duckdb_cache(session)  # the cached blocks of earlier models' tables and these frames add up
    low = float(dbt.config.get("review_band_low"))
    person_records_rel = dbt.ref("int_identity__person_records")
    person_record_companies_rel = dbt.ref("int_identity__person_record_companies")
    person_phones_rel = dbt.ref("int_identity__person_phones")
    disposable_domains_rel = dbt.ref("identity_disposable_domains")
    placeholder_domains_rel = dbt.ref("identity_placeholder_domains")
    # an address at a disposable or placeholder domain (unknown@unknown.com) says nothing about who it is
    disposable = set(disposable_domains_rel.df()["domain"]) | set(placeholder_domains_rel.df()["domain"])
    # the records are grouped into profiles in DuckDB: only the profiles come into pandas
    prof = persons.read_profiles(session, person_records_rel, person_record_companies_rel, person_phones_rel,
                                 disposable)
    pairs = persons.guard_pairs(persons.predict_pairs(prof, low), prof)
    out = pd.DataFrame({
        "left_key": pairs["profile_id_l"].astype(str),
        "right_key": pairs["profile_id_r"].astype(str),
        "match_probability": pairs["match_probability"].astype(float),
        "is_blocked_by_rule": pairs["is_blocked_by_rule"].astype(bool),
    })
    for side in ("left", "right"):
        parts = out[f"{side}_key"].str.split("|", n=2, expand=True) if len(out) else pd.DataFrame(columns=[0, 1, 2])
        out[f"{side}_source_system"], out[f"{side}_source_table"], out[f"{side}_source_id"] = parts[0], parts[1], parts[2]
    return out[["left_source_system", "left_source_table", "left_source_id", "right_source_system",
                "right_source_table", "right_source_id", "match_probability", "is_blocked_by_rule"]]

"""Syntax check of every distinct normalised email of a person record, with email-validator (offline:
check_deliverability=False). The SQL-only variant int_identity__email_syntax_rules uses a regular expression."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from revops.identity.email_verification import check_syntax

    person_records_rel = dbt.ref("int_identity__person_records")
    # the distinct addresses are taken in DuckDB: only they cross into Python
    emails = (person_records_rel.filter("email_normalised is not null").project("email_normalised").distinct()
              .order("email_normalised").df()["email_normalised"])
    checked = [check_syntax(e) for e in emails]
    return pd.DataFrame({
        "email_normalised": emails.to_numpy(),
        "is_syntax_valid": [c[0] for c in checked],
        "syntax_reason": [c[1] for c in checked],
    })

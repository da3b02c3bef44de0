"""Syntax check of every distinct normalised email of a person record, with email-validator (offline:
check_deliverability=False). The SQL-only variant int_identity__email_syntax_rules uses a regular expression."""


def model(dbt, session):
    dbt.config(materialized="table")
    import pandas as pd

    from revops.isolated import call_isolated

    person_records_rel = dbt.ref("int_identity__person_records")
    # the distinct addresses are taken in DuckDB: only they cross into Python
    emails = (person_records_rel.filter("email_normalised is not null").project("email_normalised").distinct()
              .order("email_normalised").df()["email_normalised"])
    # checked in a child process: pure Python that would hold the interpreter lock the phone parsing running
    # beside it in this process needs (revops.isolated); there the two use both cores
    valid, reasons = call_isolated("revops.identity.email_verification:check_syntax_many", emails.tolist())
    return pd.DataFrame({
        "email_normalised": emails.to_numpy(),
        "is_syntax_valid": valid,
        "syntax_reason": reasons,
    })

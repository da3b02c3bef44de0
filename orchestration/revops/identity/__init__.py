"""Identity resolution: people and companies across every source system (plain Python, no Dagster).

The dbt Python models in ``models/intermediate/identity`` call these functions on DuckDB:

- :mod:`revops.identity.cluster`   union-find clustering with cannot-link constraints, stable ids, evidence
- :mod:`revops.identity.companies` company clusters from shared keys (domain, normalised name, account id)
- :mod:`revops.identity.persons`   person clusters: exact normalised email, then splink on profiles
- :mod:`revops.identity.phones`    phone numbers to E.164 with ``phonenumbers``
- :mod:`revops.identity.email_verification` offline email verification
- :mod:`revops.identity.score`     pairwise precision / recall / F1 and purity against ground truth
"""

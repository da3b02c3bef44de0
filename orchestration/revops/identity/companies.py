"""Company resolution: records that share a key (corporate domain, normalised name, Salesforce account id)
are one company; human overrides win. Input frames come from ``int_identity__company_records`` and
``int_identity__company_keys``."""

from __future__ import annotations

import pandas as pd

from revops.identity.cluster import Edge, cluster, key_edges, override_constraints, record_key

KEY_RULES = {"salesforce_account_id": "stripe_salesforce_account_id", "domain": "email_domain",
             "name": "normalised_name"}
COMPANY_TABLES = {"account", "customer", "organization"}


def resolve_companies(records: pd.DataFrame, keys: pd.DataFrame, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per company record: source_system, source_table, source_id, company_id, match_rule,
    match_probability, is_override, is_identified (False for a HubSpot contact / lead that names no company)."""
    rec = records[["source_system", "source_table", "source_id", "record_label"]].copy()
    rec["source_id"] = rec["source_id"].astype(str)
    rec = rec.sort_values("record_label", kind="stable").reset_index(drop=True)
    rec["idx"] = range(len(rec))
    rec["key"] = [record_key(*t) for t in zip(rec.source_system, rec.source_table, rec.source_id)]
    index = dict(zip(rec["key"], rec["idx"]))

    k = keys.copy()
    k["source_id"] = k["source_id"].astype(str)
    k["key"] = [record_key(*t) for t in zip(k.source_system, k.source_table, k.source_id)]
    k["idx"] = k["key"].map(index)
    k = k.dropna(subset=["idx"])
    k["idx"] = k["idx"].astype(int)
    k["label"] = k["record_label"]
    k["group"] = k["key_type"] + ":" + k["key_value"].astype(str)
    k["rule"] = k["key_type"].map(KEY_RULES)
    edges = key_edges(k, "group", "rule")
    o_edges, cannot = override_constraints(overrides, "company", index)
    out = cluster(rec["record_label"].tolist(), edges + o_edges, cannot, "company")
    out.insert(0, "source_id", rec["source_id"].to_numpy())
    out.insert(0, "source_table", rec["source_table"].to_numpy())
    out.insert(0, "source_system", rec["source_system"].to_numpy())
    out = out.rename(columns={"entity_id": "company_id"})
    size = out.groupby("company_id")["company_id"].transform("size")
    out["is_identified"] = out["source_table"].isin(COMPANY_TABLES) | (size > 1) | \
        rec["idx"].isin(k["idx"]).to_numpy()
    return out

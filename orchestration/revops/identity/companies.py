"""Company resolution: records that share a key (corporate domain, normalised name, Salesforce account id)
are one company; human overrides win. Input frames come from ``int_identity__company_records`` and
``int_identity__company_keys``.

Connected components come from scipy (near-linear at a million records); the components a human decision
touches are clustered again with the constrained union-find of :mod:`revops.identity.cluster`, so a
``no_match`` always wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from revops.identity.cluster import RULE_PRIORITY, Edge, cluster, entity_id, override_constraints

KEY_RULES = {"salesforce_account_id": "stripe_salesforce_account_id", "domain": "email_domain",
             "name": "normalised_name"}
COMPANY_TABLES = {"account", "customer", "organization"}


def resolve_companies(records: pd.DataFrame, keys: pd.DataFrame, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per company record: source_system, source_table, source_id, company_id, match_rule,
    match_probability, is_override, is_identified (False for a HubSpot contact / lead that names no company)."""
    rec = records[["source_system", "source_table", "source_id", "record_label"]].copy()
    rec["source_id"] = rec["source_id"].astype(str)
    rec = rec.sort_values("record_label", kind="stable").reset_index(drop=True)  # position = label order
    n = len(rec)
    labels = rec["record_label"].tolist()
    rec_keys = rec["source_system"].astype(str) + "|" + rec["source_table"].astype(str) + "|" + rec["source_id"]
    index = dict(zip(rec_keys.tolist(), range(n)))

    k = keys[["source_system", "source_table", "source_id", "key_type", "key_value"]].copy()
    k["source_id"] = k["source_id"].astype(str)
    positions = rec[["source_system", "source_table", "source_id"]].assign(idx=np.arange(n, dtype="int64"))
    k = k.merge(positions, on=["source_system", "source_table", "source_id"], how="inner")
    k["group"] = k["key_type"] + ":" + k["key_value"].astype(str)
    k = k.sort_values(["group", "idx"], kind="stable")
    k["first"] = k.groupby("group", sort=False)["idx"].transform("first")
    k["group_size"] = k.groupby("group", sort=False)["idx"].transform("size")
    k["rule"] = k["key_type"].map(KEY_RULES)
    star = k[k["first"] != k["idx"]]

    o_edges, cannot = override_constraints(overrides, "company", index)
    left = np.concatenate([star["first"].to_numpy(), np.array([e.left for e in o_edges], dtype="int64")])
    right = np.concatenate([star["idx"].to_numpy(), np.array([e.right for e in o_edges], dtype="int64")])
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)

    # anchor = lowest label = lowest position in its component
    anchor = pd.Series(np.arange(n)).groupby(comp).transform("min").to_numpy()
    # one md5 per component, not per record
    comps, first_of_comp = np.unique(comp, return_index=True)
    comp_ids = np.array([entity_id("company", labels[anchor[i]]) for i in first_of_comp], dtype=object)
    company_id = comp_ids[np.searchsorted(comps, comp)]
    shared = k[k["group_size"] > 1].assign(priority=lambda d: d["rule"].map(RULE_PRIORITY))
    best = shared.sort_values(["idx", "priority"]).drop_duplicates("idx").set_index("idx")["rule"]
    kinds = (rec["source_system"] + "_" + rec["source_table"]).to_numpy()
    rule = np.where(np.arange(n) == anchor, kinds, best.reindex(range(n)).to_numpy())
    prob = np.ones(n)
    is_override = np.zeros(n, dtype=bool)

    hard = {comp[e.left] for e in o_edges} | {comp[a] for a, b in cannot if comp[a] == comp[b]}
    if hard:
        members = np.flatnonzero(np.isin(comp, list(hard)))
        local = {int(g): i for i, g in enumerate(members)}
        sub_edges = [Edge(local[int(a)], local[int(b)], r, 1.0) for a, b, r in
                     zip(star["first"], star["idx"], star["rule"]) if int(a) in local]
        sub_edges += [Edge(local[e.left], local[e.right], e.rule, e.probability, e.is_override) for e in o_edges]
        sub_cannot = [(local[a], local[b]) for a, b in cannot if a in local and b in local]
        sub = cluster([labels[i] for i in members], sub_edges, sub_cannot, "company")
        company_id[members] = sub["entity_id"].to_numpy()
        rule[members] = sub["match_rule"].to_numpy()
        prob[members] = sub["match_probability"].to_numpy()
        is_override[members] = sub["is_override"].to_numpy()

    out = pd.DataFrame({"source_system": rec["source_system"].to_numpy(), "source_table": rec["source_table"].to_numpy(),
                        "source_id": rec["source_id"].to_numpy(), "company_id": company_id, "match_rule": rule,
                        "match_probability": prob, "is_override": is_override})
    size = out.groupby("company_id")["company_id"].transform("size")
    out["is_identified"] = out["source_table"].isin(COMPANY_TABLES).to_numpy() | (size > 1).to_numpy() | \
        np.isin(np.arange(n), k["idx"].to_numpy())
    return out

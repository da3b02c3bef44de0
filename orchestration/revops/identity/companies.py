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

    positions = rec[["source_system", "source_table", "source_id"]].assign(idx=np.arange(n, dtype="int64"))
    star, best, keyed = _key_groups(positions, keys)

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
        np.isin(np.arange(n), keyed)
    return out


def _key_groups(positions: pd.DataFrame, keys: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """The key groups of the records, in DuckDB (a join and two windows over a million keys took pandas some
    12 s, all of it holding the interpreter lock that the identity models running beside this one need).

    Returns ``star``: an edge (``first``, ``idx``, ``rule``) from the first record of each key group (lowest
    position) to every other record in it, in (group, position) order; ``best``: per record in a group of two or
    more, the rule of its strongest shared key (``RULE_PRIORITY``); ``keyed``: the positions of the records
    that have any key."""
    import duckdb

    if keys.empty or positions.empty:
        return (pd.DataFrame({"first": pd.Series(dtype="int64"), "idx": pd.Series(dtype="int64"),
                              "rule": pd.Series(dtype=object)}), pd.Series(dtype=object), np.array([], dtype="int64"))
    rules = " ".join(f"when '{t}' then '{r}'" for t, r in KEY_RULES.items())
    priorities = " ".join(f"when '{r}' then {p}" for r, p in RULE_PRIORITY.items())
    with duckdb.connect() as con:
        con.register("positions", positions)
        con.register("record_keys", keys[["source_system", "source_table", "source_id", "key_type", "key_value"]])
        con.execute(f"""
            create temp table grouped as
            select
                p.idx,
                case k.key_type {rules} end as rule,
                k.key_type || ':' || cast(k.key_value as varchar) as key_group,
                min(p.idx) over key_group as first,
                count(*) over key_group as group_size
            from record_keys as k
            inner join positions as p
                on k.source_system = p.source_system
                and k.source_table = p.source_table
                and cast(k.source_id as varchar) = p.source_id
            window key_group as (partition by k.key_type, cast(k.key_value as varchar))
        """)
        star = con.execute("select first, idx, rule from grouped where first <> idx order by key_group, idx").df()
        best = con.execute(f"""
            select idx, arg_min(rule, case rule {priorities} end) as rule
            from grouped where group_size > 1 group by idx
        """).df().set_index("idx")["rule"]
        keyed = con.execute("select distinct idx from grouped").df()["idx"].to_numpy()
    return star, best, keyed

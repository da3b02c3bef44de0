"""Clustering of source records into entities: union-find over scored edges with cannot-link constraints.

Edges are taken strongest first (human overrides, then deterministic rules, then probabilities), and a union
that would put two records of a human ``no_match`` decision in one cluster is skipped: a human override
always wins. Given each record's *exclusive key* (a person's company), a probabilistic (``splink``) edge
never joins two clusters known at disjoint keys either: the pairwise guard alone let a record without a
company chain namesakes at several companies into one person. A cluster's id is the md5 of its anchor, the
record with the lowest ``record_label`` (live before soft-deleted, then system rank, then key), the same
string the SQL macro ``identity_record_label`` builds, so ids are stable across rebuilds and identical on the
SQL-only path.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Evidence priority: lower wins when a record is reached by several kinds of evidence.
RULE_PRIORITY = {
    "override": 0,
    "stripe_salesforce_account_id": 1,
    "email_domain": 2,
    "normalised_name": 3,
    "exact_email": 4,
    "splink": 5,
}


def record_key(system: str, table: str, source_id: str) -> str:
    return f"{system}|{table}|{source_id}"


def record_label(is_deleted: bool, rank: int, system: str, table: str, source_id: str) -> str:
    """Same string as the SQL macro identity_record_label."""
    return f"{'1' if is_deleted else '0'}{int(rank):02d}|{system}|{table}|{source_id}"


def entity_id(entity: str, anchor_label: str) -> str:
    """Stable id of a cluster: md5 of '<entity>:<system>|<table>|<id>' of its anchor (label minus its prefix)."""
    return hashlib.md5(f"{entity}:{anchor_label[4:]}".encode()).hexdigest()


@dataclass(frozen=True)
class Edge:
    left: int
    right: int
    rule: str
    probability: float
    is_override: bool = False


class _UnionFind:
    def __init__(self, n: int, cannot: dict[int, set[int]], keys: dict[int, frozenset] | None = None):
        self.parent = list(range(n))
        self.size = [1] * n
        # per root: the records its members must never be clustered with
        self.cannot = {i: set(v) for i, v in cannot.items()}
        # per root: the exclusive keys (companies) its members are known at; absent = none known
        self.keys = dict(keys or {})

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int, exclusive: bool = False) -> bool:
        """Join the clusters of ``a`` and ``b`` unless a cannot-link forbids it, or (``exclusive``) both are
        known at exclusive keys and share none of them. False when refused."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ka, kb = self.keys.get(ra), self.keys.get(rb)
        if exclusive and ka and kb and ka.isdisjoint(kb):
            return False
        ca, cb = self.cannot.get(ra), self.cannot.get(rb)
        if ca and any(self.find(x) == rb for x in ca):
            return False
        if cb and any(self.find(x) == ra for x in cb):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        # the joined root keeps what its new member must never join (after the swap above, so the set of
        # whichever side became the member moves to the root; it used to move the wrong way and crash, or drop
        # a no_match, when the constrained side was the smaller one)
        member_cannot = self.cannot.pop(rb, None)
        if member_cannot:
            self.cannot.setdefault(ra, set()).update(member_cannot)
        member_keys = self.keys.pop(rb, None)
        if member_keys:
            self.keys[ra] = ka | member_keys if ka else member_keys
        return True


# Edges held back by exclusive keys: probabilistic evidence. Rules and human overrides are not.
EXCLUSIVE_RULES = frozenset({"splink"})


def cluster(labels: list[str], edges: list[Edge], cannot_link: list[tuple[int, int]], entity: str,
            exclusive_keys: dict[int, frozenset] | None = None) -> pd.DataFrame:
    """Cluster records ``0..n-1`` (their labels given) with ``edges``; never join a ``cannot_link`` pair.

    ``exclusive_keys`` maps a record to the keys it is known at (a person record to its company): an edge of
    ``EXCLUSIVE_RULES`` that is not an override never joins two clusters whose known keys are disjoint, so a
    record without a company, matched by name to people at two companies, cannot chain them into one.

    Returns one row per record: entity id, match_rule, match_probability, is_override. The anchor's rule is
    its own kind (``<system>_<table>``); any other record carries the weakest link of its strongest path
    to the anchor (a record reached through an exact email and then a splink pair shows ``splink``; one that
    needs a human decision to be there shows ``override``).
    """
    n = len(labels)
    cannot: dict[int, set[int]] = {}
    for a, b in cannot_link:
        cannot.setdefault(a, set()).add(b)
        cannot.setdefault(b, set()).add(a)
    uf = _UnionFind(n, cannot, exclusive_keys)
    order = sorted(edges, key=lambda e: (not e.is_override, RULE_PRIORITY.get(e.rule, 9), -e.probability,
                                         labels[e.left], labels[e.right]))
    accepted: list[Edge] = []
    for e in order:
        held = exclusive_keys is not None and not e.is_override and e.rule in EXCLUSIVE_RULES
        if e.left != e.right and uf.union(e.left, e.right, held):
            accepted.append(e)
    roots = np.fromiter(map(uf.find, range(n)), dtype=np.int64, count=n)
    # anchor of each cluster: its member with the lowest label (labels usually arrive sorted: no sort then)
    positions = np.arange(n, dtype=np.int64)
    in_order = all(a <= b for a, b in zip(labels, labels[1:]))
    order = positions if in_order else np.argsort(np.asarray(labels, dtype=object), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = positions
    best_rank = np.full(n, n, dtype=np.int64)
    np.minimum.at(best_rank, roots, rank)
    anchor_of = order[best_rank[roots]] if n else positions
    is_anchor = anchor_of == positions
    evidence = _bottleneck_evidence(n, accepted, np.flatnonzero(is_anchor).tolist())

    anchors, anchor_index = np.unique(anchor_of, return_inverse=True)
    ids = np.asarray(entity_ids(entity, [labels[a] for a in anchors]), dtype=object)[anchor_index] \
        if n else np.array([], dtype=object)
    rules = np.empty(n, dtype=object)
    probs = np.ones(n)
    overrides = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(~is_anchor).tolist():
        if evidence[i] is not None:
            rules[i], probs[i], overrides[i] = evidence[i][0], float(evidence[i][1]), bool(evidence[i][2])
    own = np.flatnonzero(rules == None)  # noqa: E711 (elementwise): anchors and records without evidence
    rules[own] = ["_".join(labels[i][4:].split("|", 2)[:2]) for i in own.tolist()]
    return pd.DataFrame({"entity_id": ids, "match_rule": rules, "match_probability": probs, "is_override": overrides,
                         "is_anchor": is_anchor})


def entity_ids(entity: str, anchor_labels: list[str]) -> list[str]:
    """``entity_id`` of many anchors at once: hashed in DuckDB (md5 of the same UTF-8 string) when there are
    many (a million md5 calls from Python take a second)."""
    if len(anchor_labels) < 10_000:
        return [entity_id(entity, label) for label in anchor_labels]
    import duckdb

    frame = pd.DataFrame({"label": pd.Series(anchor_labels, dtype=object)})
    with duckdb.connect() as con:
        con.register("anchor_labels", frame)
        # insertion order is kept (a projection over one registered frame)
        hashed = con.execute("select md5(? || substr(label, 5)) as id from anchor_labels",
                             [f"{entity}:"]).df()["id"]
    return hashed.tolist()


def _edge_rank(e: Edge) -> tuple:
    """Evidence rank, larger = weaker. A human override counts as the decisive (weakest-of-path) link, so a
    record whose membership depends on one shows ``override``; without one, rules beat probabilities."""
    return (e.is_override, RULE_PRIORITY.get(e.rule, 9), -e.probability)


def _bottleneck_evidence(n: int, accepted: list[Edge], anchors: list[int]) -> list[tuple | None]:
    """Per record, the weakest edge on its best (widest) path from its cluster's anchor over accepted edges."""
    adj: dict[int, list[Edge]] = {}
    for e in accepted:
        adj.setdefault(e.left, []).append(e)
        adj.setdefault(e.right, []).append(e)
    best: list[tuple | None] = [None] * n  # (rank, rule, probability, is_override)
    done = [False] * n
    heap: list[tuple] = []
    for a in anchors:
        done[a] = True
        for e in adj.get(a, ()):
            heapq.heappush(heap, (_edge_rank(e), e.right if e.left == a else e.left, e.rule, e.probability, e.is_override))
    while heap:
        rank, node, rule, p, ov = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        best[node] = (rule, p, ov)
        for e in adj.get(node, ()):
            other = e.right if e.left == node else e.left
            if not done[other]:
                er = _edge_rank(e)
                if er > rank:
                    heapq.heappush(heap, (er, other, e.rule, e.probability, e.is_override))
                else:
                    heapq.heappush(heap, (rank, other, rule, p, ov))
    return best


def key_edges(df: pd.DataFrame, group_col: str, rule_of_group) -> list[Edge]:
    """Star edges tying every record of a group (same key) to the group's lowest-labelled record.

    ``df`` has columns ``idx`` (record position), ``label`` and ``group_col``; ``rule_of_group(value)`` names
    the rule (or a column name with per-row rules may be given as a string).
    """
    edges: list[Edge] = []
    d = df.dropna(subset=[group_col]).sort_values([group_col, "label"])
    first = d.groupby(group_col, sort=False)["idx"].transform("first")
    rules = d[rule_of_group] if isinstance(rule_of_group, str) else None
    for pos, (a, b) in enumerate(zip(first.to_numpy(), d["idx"].to_numpy())):
        if a != b:
            rule = rules.iloc[pos] if rules is not None else rule_of_group(None)
            edges.append(Edge(int(a), int(b), rule, 1.0))
    return edges


def override_constraints(overrides: pd.DataFrame, entity: str, index: dict[str, int]) -> tuple[list[Edge], list[tuple[int, int]]]:
    """Human decisions for ``entity`` as must-link edges and cannot-link pairs (later decisions win)."""
    edges: list[Edge] = []
    cannot: list[tuple[int, int]] = []
    if overrides is None or overrides.empty:
        return edges, cannot
    o = overrides[overrides["entity"].astype(str).str.strip().str.lower() == entity].copy()
    if o.empty:
        return edges, cannot
    o["_left"] = [record_key(*t) for t in zip(o.left_source_system.astype(str), o.left_source_table.astype(str),
                                              o.left_source_id.astype(str))]
    o["_right"] = [record_key(*t) for t in zip(o.right_source_system.astype(str), o.right_source_table.astype(str),
                                               o.right_source_id.astype(str))]
    o["_pair"] = [tuple(sorted(p)) for p in zip(o._left, o._right)]
    o = o.sort_values("decided_at", kind="stable", na_position="first").drop_duplicates("_pair", keep="last")
    for left, right, decision in zip(o._left, o._right, o.decision.astype(str).str.strip().str.lower()):
        if left not in index or right not in index:
            continue
        a, b = index[left], index[right]
        if decision == "match":
            edges.append(Edge(a, b, "override", 1.0, True))
        elif decision == "no_match":
            cannot.append((a, b))
    return edges, cannot

"""Person resolution: exact normalised email first, then splink (DuckDB) on person profiles.

A *profile* is one distinct combination of (normalised email, first name, last name, phone, company) among
the records that carry a name or a phone (Salesforce contacts and leads, HubSpot contacts, Zendesk users);
records with an email alone (forms, events, NPS, Stripe payers) join their person through the exact email.
Splink scores profile pairs produced by blocking rules that keep the work near-linear; pairs at or above the
match threshold link the records they stand for. The trained model is saved as JSON
(``person_model.json`` beside this file) and reused, so a rebuild is deterministic.
"""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from revops.identity.cluster import Edge, cluster, override_constraints, record_key
from revops.identity.phones import region_of, to_e164

log = logging.getLogger(__name__)
MODEL_PATH = Path(__file__).with_name("person_model.json")
PROFILE_COLUMNS = ["email_local", "email_domain", "first_name_std", "last_name_std", "phone_e164", "company_id"]


def _std_name(value) -> str | None:
    if not isinstance(value, str):
        return None
    v = unicodedata.normalize("NFKD", value.strip().lower())
    v = "".join(c for c in v if not unicodedata.combining(c))
    v = re.sub(r"[^a-z0-9 ]+", "", v)
    v = re.sub(r"\s+", " ", v).strip()
    return v or None


def std_names(names: pd.Series) -> pd.Series:
    """Vectorised _std_name: lower case, accents folded, punctuation dropped, whitespace collapsed.

    Computed once per distinct name (a million records carry a few thousand first names) and mapped back.
    """
    present = names.notna()
    uniq = pd.unique(names[present].astype(str))
    v = pd.Series(uniq, dtype="string").str.strip().str.lower().str.normalize("NFKD")
    v = v.str.encode("ascii", "ignore").str.decode("ascii")
    v = v.str.replace(r"[^a-z0-9 ]+", "", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    v = v.where(v.notna() & (v != ""), None).astype(object)
    lookup = dict(zip(uniq, v.where(v.notna(), None)))
    out = pd.Series([None] * len(names), index=names.index, dtype=object)
    out[present] = names[present].astype(str).map(lookup)
    return out.where(out.notna(), None)


RECORD_COLUMNS = ["source_system", "source_table", "source_id", "record_label", "email_normalised", "phone",
                  "country_hint"]
NAME_COLUMNS = ["first_name", "last_name"]


def read_records(records, record_companies=None, *, named_only: bool = False, with_names: bool = True,
                 phones=None) -> pd.DataFrame:
    """Person records (a DuckDB relation of int_identity__person_records) as pandas, with only the columns
    matching reads: the projection, the filter and the join to each record's company (a relation of
    int_identity__person_record_companies) run in DuckDB, so millions of records never cross into pandas
    with columns nobody reads.

    ``named_only`` keeps the records that may form a profile (a name or a phone); ``with_names=False`` leaves
    the name columns out (clustering needs only the email and the phone). ``phones`` (a relation of
    int_identity__person_phones) brings each record's E.164 phone, parsed once for both matching models.
    """
    return _records_relation(records, record_companies, named_only=named_only, with_names=with_names,
                             phones=phones).order("record_label").df()


def _records_relation(records, record_companies=None, *, named_only: bool = False, with_names: bool = True,
                      phones=None):
    """The DuckDB relation ``read_records`` reads (unordered)."""
    columns = RECORD_COLUMNS + (NAME_COLUMNS if with_names or named_only else [])
    at = "strpos(email_normalised, '@')"
    rel = records.project(", ".join([
        *(f'"{c}"' for c in columns),
        # what enrich would otherwise compute row by row in pandas: the record key and the email's parts
        # (split at the first @, as str.split("@", 1): no @ leaves the whole address as the local part)
        "source_system || '|' || source_table || '|' || source_id as key",
        f"case when {at} > 0 then substr(email_normalised, 1, {at} - 1) else email_normalised end as email_local",
        f"case when {at} > 0 then substr(email_normalised, {at} + 1) end as email_domain",
    ]))
    if named_only:
        rel = rel.filter("first_name is not null or last_name is not null or phone is not null")
    if record_companies is not None:
        companies = record_companies.project("source_system, source_table, source_id, company_id")
        rel = rel.join(companies, ["source_system", "source_table", "source_id"], how="left")
    if phones is not None:
        e164 = phones.project("source_system, source_table, source_id, phone_e164")
        rel = rel.join(e164, ["source_system", "source_table", "source_id"], how="left")
    return rel


def read_cluster_records(records, phones, record_companies=None) -> pd.DataFrame:
    """What ``resolve_persons`` reads of every person record, in label order: its key, label, normalised email,
    the email's match key (``email_match_key``: a shared role mailbox carries the record's name), E.164 phone
    (a relation of int_identity__person_phones) and, given ``record_companies`` (a relation of
    int_identity__person_record_companies), its company_id. Nothing else crosses into pandas: clustering needs
    no names and no email parts."""
    e164 = phones.project("source_system, source_table, source_id, phone_e164")
    rel = records.project("source_system, source_table, source_id, record_label, email_normalised, email_match_key, "
                          "source_system || '|' || source_table || '|' || source_id as key")
    rel = rel.join(e164, ["source_system", "source_table", "source_id"], how="left")
    if record_companies is not None:
        companies = record_companies.project("source_system, source_table, source_id, company_id")
        rel = rel.join(companies, ["source_system", "source_table", "source_id"], how="left")
    return rel.order("record_label").df()


def read_profiles(con, records, record_companies, phones, disposable_domains: set[str] | None = None) -> pd.DataFrame:
    """``profiles(enrich(read_records(records, record_companies, named_only=True, phones=phones), disposable))``
    (the same rows, a missing first initial as None rather than NaN) with the grouping done in DuckDB (``con``: the connection of the relations): only the profiles cross into
    pandas, not the records behind them. Names are standardised in Python once per distinct name (``std_names``)
    and joined back; rows come in the order of each profile's lowest record label, as ``profiles`` gives them."""
    rel = _records_relation(records, record_companies, named_only=True, phones=phones)
    view = f"_revops_person_records_{id(rel)}"
    names = rel.query(view, f"select distinct first_name as name from {view} where first_name is not null union "
                            f"select distinct last_name from {view} where last_name is not null").df()["name"]
    lookup = pd.DataFrame({"name": names.astype(object), "name_std": std_names(names).astype(object)})
    throwaway = pd.DataFrame({"domain": sorted(disposable_domains or ())}, dtype=object)
    con.register(f"{view}_names", lookup)
    con.register(f"{view}_disposable", throwaway)
    try:
        prof = rel.query(view, f"""
            with standardised as (
                select
                    r.key,
                    r.record_label,
                    r.email_normalised,
                    case when d.domain is null then r.email_local end as email_local,
                    case when d.domain is null then r.email_domain end as email_domain,
                    cast(f.name_std as varchar) as first_name_std,
                    cast(l.name_std as varchar) as last_name_std,
                    r.phone_e164,
                    r.company_id
                from {view} as r
                left join {view}_names as f on r.first_name = cast(f.name as varchar)
                left join {view}_names as l on r.last_name = cast(l.name as varchar)
                left join {view}_disposable as d on r.email_domain = cast(d.domain as varchar)
            )
            select
                arg_min(key, record_label) as profile_id,
                email_normalised, {", ".join(PROFILE_COLUMNS)},
                substr(first_name_std, 1, 1) as first_initial,
                min(record_label) as first_label
            from standardised
            where first_name_std is not null or last_name_std is not null or phone_e164 is not null
            group by email_normalised, {", ".join(PROFILE_COLUMNS)}
            order by first_label
        """).df()
    finally:
        for name in (f"{view}_names", f"{view}_disposable"):
            con.unregister(name)
    return prof.drop(columns="first_label")


def enrich(records: pd.DataFrame, disposable_domains: set[str] | None = None) -> pd.DataFrame:
    """Add phone_e164 (unless joined already) and standardised names to person records read by ``read_records``
    (which brings the key and the email parts); ``company_id`` is kept when present, else empty; names are
    empty when the records carry none.

    The email parts of a disposable address are left empty: such an address says nothing about who it is.
    """
    r = records.copy()
    r["source_id"] = r["source_id"].astype(str)
    if not r["record_label"].is_monotonic_increasing:  # read_records returns them in label order
        r = r.sort_values("record_label", kind="stable")
    r = r.reset_index(drop=True)
    r["idx"] = range(len(r))
    if disposable_domains:
        throwaway = r["email_domain"].isin(disposable_domains)
        r.loc[throwaway, ["email_local", "email_domain"]] = None
    for name in ("first_name", "last_name"):
        r[f"{name}_std"] = std_names(r[name]) if name in r.columns else None
    if "phone_e164" not in r.columns:
        r["phone_e164"] = phones_e164(r)
    if "company_id" not in r.columns:
        r["company_id"] = None
    return r


def read_phones(records, disposable_domains: set[str] | None = None, company_countries=None) -> pd.DataFrame:
    """source_system, source_table, source_id, phone and phone_e164 of each person record with a phone (a DuckDB
    relation of int_identity__person_records): ``phones_e164`` of the records. The plain international forms
    are turned into E.164 in DuckDB (``international_e164_sql``); only the other records (national forms,
    which need a region from the record's country or email) cross into Python for ``phonenumbers``.

    ``company_countries`` (a relation of source_system, source_table, source_id, company_country: the country
    of the record's company, ``company_countries_relation``) stands in for a record's missing country hint: a
    HubSpot contact or a lead carries none, and its national phone (415.555.0100) would otherwise parse only
    when its email has a country TLD."""
    from revops.identity.phones import international_e164_sql

    columns = ["source_system", "source_table", "source_id", "phone", "phone_e164"]
    rel = records.filter("phone is not null").project(f"*, {international_e164_sql('phone')} as _fast_e164")
    fast = rel.filter("_fast_e164 is not null").project(
        "source_system, source_table, source_id, phone, _fast_e164 as phone_e164").df()
    national = rel.filter("_fast_e164 is null")
    if company_countries is not None:
        countries = company_countries.project("source_system, source_table, source_id, company_country")
        national = national.join(countries, ["source_system", "source_table", "source_id"], how="left").project(
            "* exclude (country_hint, company_country), coalesce(country_hint, company_country) as country_hint")
    rest = read_records(national, with_names=False)
    rest = enrich(rest.assign(phone_e164=None), disposable_domains)  # email parts, disposable blanked
    rest["phone_e164"] = phones_e164(rest)
    return pd.concat([fast.astype({"source_id": str}), rest[columns]], ignore_index=True)[columns]


def company_countries_relation(record_companies, company_clusters, accounts):
    """Each person record's company country (relations of int_identity__person_record_companies,
    int_identity__company_clusters and stg_salesforce__account): the billing country of the company's
    Salesforce account (the lowest account id when it has several); records of a company without one are left
    out."""
    acct = accounts.filter("billing_country is not null").project("account_id, billing_country")
    per_company = company_clusters.filter("source_system = 'salesforce' and source_table = 'account'").project(
        "company_id, source_id as account_id").join(acct, "account_id").aggregate(
        "company_id, arg_min(billing_country, account_id) as company_country", "company_id")
    return record_companies.filter("company_id is not null").project(
        "source_system, source_table, source_id, company_id").join(per_company, "company_id").project(
        "source_system, source_table, source_id, company_country")


def phones_e164(r: pd.DataFrame) -> pd.Series:
    """Each record's phone in E.164 (None when it has none or it is not a possible number). The region of a
    national form comes from the record's country hint, else its email domain's country TLD (a disposable
    domain's parts are already blanked by ``enrich``: it says nothing of where the person is)."""
    out = pd.Series([None] * len(r), index=r.index, dtype=object)
    has_phone = r["phone"].notna()
    if has_phone.any():
        with_phone = r.loc[has_phone, ["phone", "country_hint", "email_domain"]]
        regions = [region_of(c if isinstance(c, str) else None, d if isinstance(d, str) else None)
                   for c, d in zip(with_phone["country_hint"], with_phone["email_domain"])]
        out[has_phone] = [to_e164(p, reg) for p, reg in zip(with_phone["phone"], regions)]
    return out


def profiles(r: pd.DataFrame) -> pd.DataFrame:
    """Distinct profiles of the records that carry a name or a phone; profile_id is the lowest record key."""
    has = r["first_name_std"].notna() | r["last_name_std"].notna() | r["phone_e164"].notna()
    p = r.loc[has, ["idx", "key", "record_label", "email_normalised", *PROFILE_COLUMNS]].copy()
    p = p.sort_values("record_label", kind="stable")
    group_cols = ["email_normalised", *PROFILE_COLUMNS]
    p["_g"] = p.groupby(group_cols, dropna=False, sort=False).ngroup()
    rep = p.drop_duplicates("_g", keep="first")[["_g", "key", "idx"]].rename(columns={"key": "profile_id",
                                                                                      "idx": "profile_idx"})
    p = p.merge(rep, on="_g", how="left")
    prof = p.drop_duplicates("_g")[["profile_id", "profile_idx", "email_normalised", *PROFILE_COLUMNS]]
    prof = prof.assign(first_initial=prof["first_name_std"].str[:1]).reset_index(drop=True)
    return prof


def _settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def null_level(*cols: str) -> dict:
        return {"sql_condition": " or ".join(f'"{c}_l" is null or "{c}_r" is null' for c in cols),
                "label_for_charts": "null", "is_null_level": True}

    email = cl.CustomComparison(
        output_column_name="email",
        comparison_description="email local part and domain (disposable addresses are blanked: no evidence)",
        comparison_levels=[
            null_level("email_local", "email_domain"),
            {"sql_condition": '"email_local_l" = "email_local_r" and "email_domain_l" = "email_domain_r"',
             "label_for_charts": "same address"},
            {"sql_condition": '"email_domain_l" = "email_domain_r" and '
                              'damerau_levenshtein("email_local_l", "email_local_r") <= 2',
             "label_for_charts": "same domain, local part within 2 edits (typo)"},
            {"sql_condition": '"email_local_l" = "email_local_r"',
             "label_for_charts": "same local part, other domain"},
            {"sql_condition": "else", "label_for_charts": "different"},
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="profile_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name_std", [0.88]),
            cl.JaroWinklerAtThresholds("last_name_std", [0.88]),
            email,
            cl.ExactMatch("phone_e164"),
            cl.ExactMatch("company_id"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name_std", "last_name_std"),
            block_on("email_local", "email_domain"),
            block_on("phone_e164"),
            block_on("company_id", "last_name_std"),
            block_on("email_domain", "last_name_std"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _linker(prof: pd.DataFrame, settings):
    from splink import DuckDBAPI, Linker

    # splink works in an in-memory DuckDB of its own, beside the warehouse's: cap it too (it spills past it),
    # so a build's peak memory stays bounded (REVOPS_SPLINK_MEMORY_LIMIT, default 1GB)
    con = duckdb.connect(config={"memory_limit": os.environ.get("REVOPS_SPLINK_MEMORY_LIMIT", "1GB")})
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(prof[["profile_id", *PROFILE_COLUMNS, "first_initial"]])
    return Linker(sdf, settings)


def train(prof: pd.DataFrame, path: Path = MODEL_PATH) -> dict:
    """Train the splink model on profiles (u by seeded random sampling, m by EM) and save it as JSON."""
    from splink import block_on

    linker = _linker(prof, _settings())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email_local", "email_domain")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name_std", "last_name_std"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email_local", "email_domain"))
    model = linker.misc.save_model_to_json(str(path), overwrite=True)
    return model


def predict_pairs(prof: pd.DataFrame, threshold: float, model_path: Path = MODEL_PATH) -> pd.DataFrame:
    """Scored profile pairs with match_probability >= threshold (left/right profile ids)."""
    if len(prof) < 2:
        return pd.DataFrame(columns=["profile_id_l", "profile_id_r", "match_probability"])
    if not Path(model_path).exists():
        log.warning("no trained person model at %s: training one now (run `python -m revops.identity.train`)",
                    model_path)
        settings = json.loads(json.dumps(train(prof, Path("/tmp/revops_person_model.json"))))
    else:
        settings = json.loads(Path(model_path).read_text())
    linker = _linker(prof, settings)
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    out = pred[["profile_id_l", "profile_id_r", "match_probability"]].copy()
    a = out[["profile_id_l", "profile_id_r"]].min(axis=1)
    b = out[["profile_id_l", "profile_id_r"]].max(axis=1)
    out["profile_id_l"], out["profile_id_r"] = a, b
    return out.sort_values(["profile_id_l", "profile_id_r"]).reset_index(drop=True)


def first_names_compatible(a, b) -> bool:
    """Two first names that may be the same person's: either unknown, equal, close (Jaro-Winkler >= 0.88),
    or sharing the first letter (Mike / Michael)."""
    if not isinstance(a, str) or not isinstance(b, str):
        return True
    return a[:1] == b[:1] or _jaro_winkler(a, b) >= 0.88


def _jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity (the same measure as DuckDB's jaro_winkler_similarity)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    ma, mb = [False] * la, [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(lb, i + window + 1)):
            if not mb[j] and b[j] == ch:
                ma[i] = mb[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    bs = [b[j] for j in range(lb) if mb[j]]
    transpositions = sum(1 for ch, k in zip((a[i] for i in range(la) if ma[i]), bs) if ch != k) / 2
    jaro = (matches / la + matches / lb + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def guard_pairs(pairs: pd.DataFrame, prof: pd.DataFrame) -> pd.DataFrame:
    """Flag pairs that business rules forbid whatever their probability (``is_blocked_by_rule``): the two
    profiles sit at two different known companies, or their first names cannot be the same person's."""
    if pairs.empty:
        return pairs.assign(is_blocked_by_rule=pd.Series(dtype=bool))
    attrs = prof.set_index("profile_id")[["first_name_std", "company_id"]]
    left = attrs.reindex(pairs["profile_id_l"]).reset_index(drop=True)
    right = attrs.reindex(pairs["profile_id_r"]).reset_index(drop=True)
    other_company = left["company_id"].notna() & right["company_id"].notna() & (left["company_id"] != right["company_id"])
    names_ok = [first_names_compatible(a, b) for a, b in zip(left["first_name_std"], right["first_name_std"])]
    out = pairs.copy()
    out["is_blocked_by_rule"] = (other_company | ~pd.Series(names_ok, dtype=bool)).to_numpy()
    return out


def _override_keys(overrides: pd.DataFrame | None) -> list[str]:
    """The record keys (``system|table|id``) a human decision names, either side."""
    if overrides is None or overrides.empty:
        return []
    keys = set()
    for side in ("left", "right"):
        keys.update(record_key(str(a), str(b), str(c)) for a, b, c in zip(
            overrides[f"{side}_source_system"], overrides[f"{side}_source_table"], overrides[f"{side}_source_id"]))
    return sorted(keys)


def resolve_persons(r: pd.DataFrame, pairs: pd.DataFrame, threshold: float,
                    overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cluster person records (``read_cluster_records``: the source columns, key, record_label, email_normalised,
    email_match_key and phone_e164 are all it reads): exact email, splink pairs >= threshold, overrides.

    Given a ``company_id`` column (``read_cluster_records`` with the record companies), a splink pair never
    joins two clusters at different known companies: ``guard_pairs`` forbids such a pair, but a profile without
    a company (a contact of an account that never arrived) matched by name alone to namesakes at several
    companies would otherwise chain them all into one person.

    Records sharing an email match key (the normalised email; for a role mailbox such as info@, the address and
    the record's name: see int_identity__person_records; the normalised email when the frame has no such column)
    are collapsed into one node first (near-linear at a million records); a record named in a human decision
    stays a node of its own, tied to its email group by an exact-email edge, so a ``no_match`` can split even
    two records with one address.
    """
    if not r["record_label"].is_monotonic_increasing:
        r = r.sort_values("record_label", kind="stable")
    r = r.reset_index(drop=True)
    n = len(r)
    keys = pd.Index(r["key"].to_numpy())
    labels = r["record_label"].to_numpy()
    named = _override_keys(overrides)
    found = keys.get_indexer(named) if named else np.array([], dtype=np.int64)
    index = {key: int(pos) for key, pos in zip(named, found) if pos >= 0}  # the records a human decision names
    o_edges, cannot = override_constraints(overrides, "person", index)
    special = {e.left for e in o_edges} | {e.right for e in o_edges} | {x for pair in cannot for x in pair}
    email = r["email_match_key"] if "email_match_key" in r.columns else r["email_normalised"]
    is_special = np.zeros(n, dtype=bool)
    is_special[list(special)] = True
    # one node per normalised email (a record kept apart for a human decision, or without an email: its own
    # node), numbered in order of first appearance; records are in label order, so a node's label is that of
    # its first record
    codes, addresses = pd.factorize(email.where(email.notna() & ~is_special))
    alone = codes < 0
    codes[alone] = len(addresses) + np.arange(int(alone.sum()))
    _, first_of_code = np.unique(codes, return_index=True)  # codes are 0..k-1: first record of each
    by_appearance = np.argsort(first_of_code, kind="stable")
    node_of_code = np.empty_like(by_appearance)
    node_of_code[by_appearance] = np.arange(len(by_appearance))
    node_of = node_of_code[codes]
    first_pos = first_of_code[by_appearance]
    node_labels = labels[first_pos].tolist()

    edges: list[Edge] = []
    # a record kept apart for a human decision: exact-email edge to its address's group (or first such record)
    if special:
        sp = r.loc[is_special & email.notna().to_numpy(), ["record_label"]].assign(email_key=email)
        sp["node"] = node_of[sp.index.to_numpy()] if len(sp) else []
        address_code = addresses.get_indexer(sp["email_key"]) if len(sp) else np.array([], dtype=np.int64)
        group_node = {mail: int(node_of_code[c]) for mail, c in zip(sp["email_key"], address_code) if c >= 0}
        sp = sp.sort_values("record_label")
        first_special = sp.drop_duplicates("email_key").set_index("email_key")["node"].to_dict()
        for node, mail in zip(sp["node"], sp["email_key"]):
            target = group_node.get(mail, first_special[mail])
            if target != node:
                edges.append(Edge(int(target), int(node), "exact_email", 1.0))
    strong = pairs[pairs["match_probability"] >= threshold]
    if "is_blocked_by_rule" in strong.columns:
        strong = strong[~strong["is_blocked_by_rule"].astype(bool)]
    left_pos, right_pos = keys.get_indexer(strong["profile_id_l"]), keys.get_indexer(strong["profile_id_r"])
    known = (left_pos >= 0) & (right_pos >= 0)
    left_node, right_node = node_of[left_pos[known]], node_of[right_pos[known]]
    for a, b, prob in zip(left_node.tolist(), right_node.tolist(), strong["match_probability"].to_numpy()[known].tolist()):
        if a != b:
            edges.append(Edge(a, b, "splink", float(prob)))
    for e in o_edges:
        edges.append(Edge(int(node_of[e.left]), int(node_of[e.right]), e.rule, e.probability, e.is_override))
    node_cannot = [(int(node_of[a]), int(node_of[b])) for a, b in cannot]
    node_companies = None
    if "company_id" in r.columns:
        known = r["company_id"].notna().to_numpy()
        at = pd.DataFrame({"node": node_of[known], "company_id": r["company_id"].to_numpy()[known]}).drop_duplicates()
        node_companies = {}
        for node, company in zip(at["node"].tolist(), at["company_id"].tolist()):  # a plain loop: one group each
            seen = node_companies.get(node)
            node_companies[node] = frozenset((company,)) if seen is None else seen | {company}
    nodes = cluster(node_labels, edges, node_cannot, "person", node_companies)

    per = nodes.iloc[node_of].reset_index(drop=True)
    is_anchor_record = per["is_anchor"].to_numpy() & (np.arange(n) == first_pos[node_of])
    in_anchor_node = per["is_anchor"].to_numpy() & ~is_anchor_record
    rule = per["match_rule"].to_numpy().copy()
    rule[in_anchor_node] = "exact_email"
    anchor_records = np.flatnonzero(is_anchor_record)
    rule[anchor_records] = (r["source_system"].to_numpy()[anchor_records] + "_"
                            + r["source_table"].to_numpy()[anchor_records])
    out = pd.DataFrame({
        "source_system": r["source_system"].to_numpy(),
        "source_table": r["source_table"].to_numpy(),
        "source_id": r["source_id"].to_numpy(),
        "person_id": per["entity_id"].to_numpy(),
        "match_rule": rule,
        "match_probability": per["match_probability"].where(~(in_anchor_node | is_anchor_record), 1.0).to_numpy(),
        "is_override": (per["is_override"] & ~(in_anchor_node | is_anchor_record)).to_numpy(),
        "email_normalised": r["email_normalised"].to_numpy(),
        "phone_e164": r["phone_e164"].to_numpy(),
    })
    return out

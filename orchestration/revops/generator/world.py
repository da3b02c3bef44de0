"""The company-independent part of the world: name pools, staff, catalogue, campaigns, ads, finance, fx."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from faker import Faker

from . import config as C
from .sink import Sink
from .util import add_months, ascii_slug, sf_id, stripe_id

COMPANY_PREFIXES = (
    "Blue", "North", "Apex", "Bright", "Cedar", "Silver", "Iron", "Clear", "Swift", "Nova", "Summit", "River",
    "Stone", "Pine", "Harbor", "Red", "Golden", "Maple", "Oak", "Quantum", "Vertex", "Atlas", "Beacon",
    "Crescent", "Delta", "Echo", "Falcon", "Granite", "Horizon", "Indigo", "Juniper", "Kestrel", "Lumen",
    "Meridian", "Nimbus", "Orbit", "Pioneer", "Quartz", "Radiant", "Sierra", "Tidal", "Unity", "Vector",
    "Willow", "Zenith", "Arrow", "Bison", "Cobalt", "Dune", "Ember", "Fjord", "Glacier", "Helix", "Ivy",
    "Jade", "Keystone", "Lynx", "Mosaic", "Nexus", "Onyx", "Prism", "Raven", "Sage", "Terra", "Ultra",
    "Vivid", "Wren", "Yonder", "Zephyr", "Alpine", "Boulder", "Canyon", "Drift", "Elm", "Flint", "Grove",
)
COMPANY_SUFFIXES = (
    "wave", "stack", "ly", "forge", "point", "works", "data", "cloud", "loop", "gate", "line", "field",
    "bridge", "path", "scale", "shift", "spark", "base", "craft", "mark", "sync", "hub", "core", "flow",
    "view", "nest", "peak", "labs", "bit", "wise", "grid", "port", "ware", "mind", "sense", "logic",
)
INDUSTRY_WORDS = (
    "Analytics", "Logistics", "Health", "Foods", "Systems", "Software", "Consulting", "Robotics", "Energy",
    "Media", "Capital", "Bio", "Retail", "Partners", "Solutions", "Labs", "Technologies", "Group",
    "Manufacturing", "Networks", "Studios", "Holdings", "Dynamics", "Security", "Payments",
)
LEGAL_SUFFIX = {
    "US": ("Inc.", "LLC", "Corp.", "Inc."), "GB": ("Ltd", "PLC", "Ltd"), "DE": ("GmbH", "AG", "GmbH"),
    "FR": ("SAS", "SA"), "NL": ("B.V.",), "ES": ("S.L.", "S.A."), "JP": ("K.K.", "Co., Ltd."),
    "CA": ("Inc.", "Ltd."), "AU": ("Pty Ltd",),
}
TOPICS = (
    "Pipeline forecasting", "Revenue analytics", "Churn playbook", "Board metrics", "Q-end readiness",
    "Data stack 101", "RevOps benchmark", "Product-led growth", "Customer health", "Pricing teardown",
)


@dataclass
class NamePools:
    first_male: dict[str, list[str]]
    first_female: dict[str, list[str]]
    last: dict[str, list[str]]


@dataclass
class Price:
    id: str
    code: str
    currency: str
    unit: int  # minor units
    months: int  # 0 = one-off


@dataclass
class World:
    seed: int
    scale: float
    start: datetime
    end: datetime  # exclusive
    export_at: datetime
    months: int
    pools: NamePools
    reps: list[tuple[str, datetime, datetime | None]]  # (user id, hired, left)
    agents: list[str]
    prices: dict[tuple[str, str, int], Price]
    campaigns: list[dict]
    by_type: dict[str, list[int]]
    email_campaign_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    email_campaign_days: np.ndarray = field(default_factory=lambda: np.array([], dtype="datetime64[D]"))
    fx: dict[str, dict] = field(default_factory=dict)  # currency -> {date: rate}
    month_weights: np.ndarray = field(default_factory=lambda: np.array([]))
    used_slugs: set[str] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)

    def rate_on_or_before(self, currency: str, day: datetime) -> float:
        table = self.fx[currency]
        d = day.date()
        while d not in table:
            d -= timedelta(days=1)
        return table[d]

    def campaign_for(self, ctype: str, when: datetime, r: random.Random) -> dict | None:
        cands = [self.campaigns[i] for i in self.by_type.get(ctype, ())
                 if self.campaigns[i]["start"] <= when <= self.campaigns[i]["end"] + timedelta(days=14)]
        return r.choice(cands) if cands else None

    def rep_at(self, when: datetime, r: random.Random) -> str:
        active = [rid for rid, hired, left in self.reps if hired <= when and (left is None or left > when)]
        return r.choice(active or [self.reps[0][0]])


def _pools(seed: int) -> NamePools:
    fm, ff, ln = {}, {}, {}
    for country, (_, _, locale, _, _) in C.COUNTRIES.items():
        f = Faker(locale)
        f.seed_instance(seed)
        if locale == "ja_JP":
            fm[country] = sorted({f.first_romanized_name_male() for _ in range(300)})
            ff[country] = sorted({f.first_romanized_name_female() for _ in range(300)})
            ln[country] = sorted({f.last_romanized_name() for _ in range(500)})
        else:
            fm[country] = sorted({f.first_name_male() for _ in range(400)})
            ff[country] = sorted({f.first_name_female() for _ in range(400)})
            ln[country] = sorted({f.last_name() for _ in range(800)})
    # the common English nicknames must be reachable in English-speaking countries
    for country in ("US", "GB", "CA", "AU"):
        fm[country] = sorted(set(fm[country]) | {"Robert", "William", "James", "Michael", "Thomas", "Richard"})
        ff[country] = sorted(set(ff[country]) | {"Elizabeth", "Katherine", "Jennifer", "Margaret"})
    return NamePools(fm, ff, ln)


def build_world(sink: Sink, seed: int, scale: float, months: int, end_month: str) -> World:
    y, m = (int(p) for p in end_month.split("-"))
    end = add_months(datetime(y, m, 1), 1)
    start = add_months(end, -months)
    export_at = end + timedelta(days=1, hours=2)
    r = random.Random(seed * 31 + 5)
    g = np.random.Generator(np.random.PCG64([seed, 7]))
    pools = _pools(seed)
    world = World(seed, scale, start, end, export_at, months, pools, [], [], {}, [], {})

    _fx(world, sink, g)
    _users(world, sink, r)
    _catalogue(world, sink)
    paid_usd = _campaigns_and_ads(world, sink, r, g)
    _expenses(world, sink, r, paid_usd)

    # arrival weights by month: growth trend x seasonality (Q4 strong, summer dip)
    w = []
    for i in range(months):
        mo = add_months(start, i).month
        season = 1.25 if mo in (10, 11, 12) else 0.75 if mo in (7, 8) else 1.0
        w.append((1 + 1.2 * i / months) * season)
    world.month_weights = np.array(w) / sum(w)
    return world


def _fx(world: World, sink: Sink, g: np.random.Generator) -> None:
    d0 = world.start - timedelta(days=31)
    n = (world.end - d0).days
    for cur in C.CURRENCIES:
        table = {}
        logr = math.log(C.FX_START[cur])
        base = logr
        for i in range(n):
            day = d0 + timedelta(days=i)
            if cur != "USD":
                logr += float(g.normal(0, 0.004)) - 0.01 * (logr - base)
            rate = 1.0 if cur == "USD" else round(math.exp(logr), 8)
            table[day.date()] = rate
            sink.emit("finance", "fx_rate", {"date": day.date(), "currency": cur, "rate_to_usd": rate})
        world.fx[cur] = table


def _users(world: World, sink: Sink, r: random.Random) -> None:
    n_ae = max(4, round(10 * world.scale ** 0.8))
    roles = ([("Account Executive", True)] * n_ae + [("Sales Development Rep", False)] * max(2, n_ae // 2)
             + [("Customer Success Manager", False)] * max(2, n_ae // 2) + [("Sales Manager", False)] * max(1, n_ae // 6)
             + [("VP Sales", False)])
    pool = world.pools
    span = (world.end - world.start).days
    for role, is_ae in roles:
        n = sink.next("sf_user")
        uid = sf_id("005", n)
        first = r.choice(pool.first_male["US"] + pool.first_female["US"])
        last = r.choice(pool.last["US"])
        hired = world.start - timedelta(days=r.randint(0, 400)) if r.random() < 0.6 else \
            world.start + timedelta(days=r.randint(0, span - 60))
        left = hired + timedelta(days=r.randint(200, 900)) if r.random() < 0.25 else None
        if left is not None and left >= world.end:
            left = None
        if is_ae:
            world.reps.append((uid, hired, left))
        sink.emit("salesforce", "user", {
            "id": uid, "name": f"{first} {last}", "email": f"{ascii_slug(first)}.{ascii_slug(last)}{n}@getlumen.io",
            "role": role, "is_active": left is None})
    world.reps.sort(key=lambda t: t[1])
    # support staff: Zendesk agents and admins are people too (persons.csv, their own true ids)
    for i in range(max(3, round(5 * world.scale ** 0.7))):
        n = sink.next("zd_user")
        zid = str(360000000 + n)
        first, last = r.choice(pool.first_female["GB"] + pool.first_male["GB"]), r.choice(pool.last["GB"])
        sink.emit("zendesk", "user", {"id": zid, "email": f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@getlumen.io",
                                      "name": f"{first} {last}", "organization_id": None,
                                      "role": "admin" if i == 0 else "agent"})
        sink.person("zendesk", "user", zid, f"EMP-{i:05d}")
        world.agents.append(zid)


def _catalogue(world: World, sink: Sink) -> None:
    for code, (name, add_on, usd_month, _per_seat) in C.PRODUCTS.items():
        pid = stripe_id("prod", sink.next("prod"))
        sink.emit("stripe", "product", {"id": pid, "name": name, "is_add_on": add_on})
        for cur in C.CURRENCIES:
            exp = 10 ** C.EXPONENT[cur]
            monthly = round(usd_month * C.PRICE_FACTOR[cur])
            if code == "onboarding":
                variants = [(0, monthly)]
            else:
                variants = [(1, monthly), (12, monthly * C.ANNUAL_MONTHS_CHARGED),
                            (3, round(monthly * 3 * C.QUARTER_FACTOR))]
            for months, major in variants:
                price = Price(stripe_id("price", sink.next("price")), code, cur, int(major * exp), months)
                world.prices[(code, cur, months)] = price
                sink.emit("stripe", "price", {
                    "id": price.id, "product_id": pid, "unit_amount": price.unit, "currency": cur,
                    "recurring_interval": None if months == 0 else "year" if months == 12 else "month",
                    "recurring_interval_count": None if months == 0 else 1 if months == 12 else months})


def _campaigns_and_ads(world: World, sink: Sink, r: random.Random, g: np.random.Generator) -> dict:
    scale = world.scale
    paid_usd: dict[datetime, float] = {}
    email_ids, email_days = [], []
    for mi in range(world.months):
        m0 = add_months(world.start, mi)
        for _ in range(C.CAMPAIGNS_PER_MONTH):
            ctype = r.choices(C.CAMPAIGN_TYPES, C.CAMPAIGN_TYPE_WEIGHTS)[0]
            start = m0 + timedelta(days=r.randint(0, 24))
            length = {"email": 14, "webinar": 21, "paid_search": r.randint(30, 90),
                      "paid_social": r.randint(30, 75), "event": 30, "content": 60}[ctype]
            end = start + timedelta(days=length)
            budget = {"email": 1500, "webinar": 4000, "paid_search": 25000, "paid_social": 18000,
                      "event": 40000, "content": 6000}[ctype] * r.uniform(0.5, 1.5) * max(scale, 0.05) ** 0.9
            currency = "EUR" if r.random() < 0.15 else "USD"
            cid = str(9_000_000 + sink.next("hs_campaign") * 7)
            topic = r.choice(TOPICS)
            camp = {"id": cid, "type": ctype, "start": start, "end": end, "budget": round(budget, 2),
                    "currency": currency, "name": f"{start:%Y-%m} {ctype.replace('_', ' ').title()}: {topic}"}
            world.by_type.setdefault(ctype, []).append(len(world.campaigns))
            world.campaigns.append(camp)
            sink.emit("hubspot", "campaign", {
                "id": cid, "name": camp["name"], "type": ctype, "start_date": start.date(),
                "end_date": end.date(), "budget": camp["budget"], "currency": currency})
            if ctype == "email":
                email_ids.append(cid)
                email_days.append(np.datetime64(start.date(), "D"))
            if ctype in ("paid_search", "paid_social"):
                _ads_for(world, sink, r, g, camp, paid_usd)
    world.email_campaign_ids = np.array(email_ids, dtype=object)
    world.email_campaign_days = np.array(email_days, dtype="datetime64[D]")
    return paid_usd


PLATFORMS = {  # platform: (cpm range, ctr range, currency, id prefix)
    "google_ads": ((6.0, 14.0), (0.025, 0.05), "USD", "gads"),
    "linkedin_ads": ((30.0, 60.0), (0.004, 0.009), "USD", "li"),
    "meta_ads": ((5.0, 11.0), (0.008, 0.015), "EUR", "fb"),
}


def _ads_for(world: World, sink: Sink, r: random.Random, g: np.random.Generator, camp: dict, paid_usd: dict) -> None:
    if camp["type"] == "paid_search":
        platforms = ["google_ads"] + (["meta_ads"] if r.random() < 0.25 else [])
    else:
        platforms = ["linkedin_ads"] + (["meta_ads"] if r.random() < 0.6 else [])
    n_pc = sum(1 + int(world.scale >= 10) for _ in platforms)
    days = [camp["start"] + timedelta(days=i) for i in range((camp["end"] - camp["start"]).days)]
    days = [d for d in days if d < world.end]
    if not days:
        return
    budget_usd = camp["budget"] * (world.rate_on_or_before(camp["currency"], camp["start"]))
    per_day = budget_usd / len(days) / n_pc
    for platform in platforms:
        (cpm_lo, cpm_hi), (ctr_lo, ctr_hi), cur, prefix = PLATFORMS[platform]
        for _ in range(1 + int(world.scale >= 10)):
            pcid = f"{prefix}-{scramble_num(sink.next('ads_pc'))}"
            cpm, ctr = r.uniform(cpm_lo, cpm_hi), r.uniform(ctr_lo, ctr_hi)
            for d in days:
                wk = 0.6 if d.weekday() >= 5 else 1.0
                usd = per_day * wk * float(g.lognormal(0, 0.25))
                spend = usd / world.rate_on_or_before(cur, d)
                imps = int(usd / cpm * 1000)
                clicks = int(g.binomial(imps, ctr)) if imps else 0
                key = datetime(d.year, d.month, 1)
                paid_usd[key] = paid_usd.get(key, 0.0) + usd
                sink.emit("ads", "ad_spend_daily", {
                    "date": d.date(), "platform": platform, "platform_campaign_id": pcid,
                    "hubspot_campaign_id": camp["id"], "spend": round(spend, 2), "currency": cur,
                    "impressions": imps, "clicks": clicks})


def scramble_num(n: int) -> int:
    return 10_000_000 + (n * 2_654_435_761) % 89_999_999


def _expenses(world: World, sink: Sink, r: random.Random, paid_usd: dict) -> None:
    s = max(world.scale, 0.05)
    for mi in range(world.months):
        month = add_months(world.start, mi)
        growth = 1 + 0.8 * mi / world.months
        lines = {
            ("sales", "salaries"): 160_000, ("sales", "commissions"): 35_000, ("sales", "travel"): 9_000,
            ("sales", "software"): 6_000, ("marketing", "salaries"): 90_000,
            ("marketing", "paid_media"): None, ("marketing", "events"): 15_000, ("marketing", "content"): 8_000,
            ("marketing", "software"): 7_000, ("customer_success", "salaries"): 80_000,
            ("customer_success", "software"): 4_000, ("other", "rent"): 30_000, ("other", "g_and_a"): 45_000,
            ("other", "r_and_d"): 220_000,
        }
        for (dept, cat), base in lines.items():
            if base is None:
                amount = paid_usd.get(month, 0.0)
            else:
                amount = base * s * growth * r.uniform(0.9, 1.1)
                if cat == "events" and month.month in (5, 10):
                    amount *= 2.5
            sink.emit("finance", "expense", {"month": month.date(), "department": dept, "category": cat,
                                             "amount": round(amount, 2), "currency": "USD"})

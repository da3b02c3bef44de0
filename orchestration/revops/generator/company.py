"""One customer-company's life across every source system: people, funnel, deals, billing, support, usage.

Each company draws from its own seeded random streams, so output does not depend on chunking.
"""

from __future__ import annotations

import functools
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from . import config as C
from .people import (BILLING_LOCALS, CALLING_CODE, DISPOSABLE, FREE_MAIL, NICKNAMES, ROLE_LOCALS, TITLES,
                     Company, Person, company_name_variant, email_case_variant, email_typo,
                     local_part, person_name_variant, phone_text)
from .sink import Sink
from .util import add_months, ascii_slug, midnight, month_start, sf_id, stripe_id
from .world import INDUSTRY_WORDS, LEGAL_SUFFIX, COMPANY_PREFIXES, COMPANY_SUFFIXES, Price, World

SOURCES = (  # hubspot original_source, salesforce lead_source, campaign type, first form, weight
    ("PAID_SEARCH", "Paid Search", "paid_search", "demo-request", 0.18),
    ("PAID_SOCIAL", "Paid Social", "paid_social", "content-download", 0.14),
    ("EMAIL_MARKETING", "Email", "email", "contact-us", 0.10),
    ("ORGANIC_SEARCH", "Web", "content", "content-download", 0.20),
    ("OFFLINE", "Event", "event", None, 0.08),
    ("OFFLINE", "Webinar", "webinar", "webinar-registration", 0.12),
    ("REFERRALS", "Referral", None, "contact-us", 0.08),
    ("DIRECT_TRAFFIC", "Web", None, "demo-request", 0.10),
)
FORM_CAMPAIGN = {"webinar-registration": "webinar", "content-download": "content", "demo-request": "paid_search",
                 "contact-us": "email", "trial-signup": None}
TICKET_SUBJECTS = {
    "question": ("How do I add seats?", "Exporting a report to CSV", "Changing the billing contact",
                 "SSO setup question", "Where is the API key?"),
    "incident": ("Dashboard not loading", "Sync from CRM failing", "Login error after password reset",
                 "Numbers differ from last week"),
    "problem": ("Recurring timeouts on large reports", "Forecast page slow"),
    "task": ("Please update our VAT number", "Cancel our add-on", "Add a new admin user"),
}
TAX = {"GB": 0.20, "AU": 0.10}


def rh(x: float) -> int:
    """Round half away from zero (minor units)."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


@functools.lru_cache(maxsize=None)
def _utc_offset_hours_of_day(zone: str, day: int) -> int:
    """Whole hours ``zone`` is ahead of UTC at local noon of ``day`` (days since 1970-01-01): the offset of the
    day's working hours (a daylight-saving switch happens at night)."""
    noon = datetime(1970, 1, 1, 12) + timedelta(days=day)
    return int(ZoneInfo(zone).utcoffset(noon).total_seconds() // 3600)


def utc_offset_hours(zone: str, days: np.ndarray) -> np.ndarray:
    """The UTC offset (hours) of ``zone`` on each of ``days`` (datetime64[D]), daylight saving included."""
    numbers = days.astype("int64")
    unique, where = np.unique(numbers, return_inverse=True)
    return np.array([_utc_offset_hours_of_day(zone, int(d)) for d in unique], dtype="int64")[where]


class CompanySim:
    def __init__(self, world: World, sink: Sink, idx: int):
        self.w, self.s, self.idx = world, sink, idx
        self.m = sink.mess
        self.r = random.Random(world.seed * 1_000_003 + idx * 7 + 1)
        self.g = np.random.Generator(np.random.PCG64([world.seed, 1000 + idx]))
        self.segments: list[tuple[datetime, datetime, int, int, int]] = []  # (start, end, full days, net minor, months)
        self.seat_spans: list[tuple[datetime, datetime, list[tuple[datetime, int]]]] = []
        self.account_id: str | None = None
        self.contact_ids: list[str] = []
        self.owner: str | None = None
        self.customer_id: str | None = None
        self.paying = False
        # revenue leakage: its own random stream (planting does not shift the other draws), rates, and the
        # records as emitted, from which the leakage ground truth is decided
        self.lk = random.Random(world.seed * 2_000_029 + idx * 13 + 5)
        # refunds without a credit note draw from a stream of their own, so adding them shifted no other plant
        self.lk_refund = random.Random(world.seed * 2_000_029 + idx * 13 + 7)
        # deals entered twice draw from a stream of their own (the company's other draws stay as they were)
        self.dup_deal = random.Random(world.seed * 3_000_017 + idx * 17 + 3)
        self.f_refunds: list[dict] = []  # charges refunded beyond their invoice's credit notes, as staging sees them
        self.lrates = sink.leak_rates
        self.leak_planted: dict[str, set] = {}
        self.f_opps: list[dict] = []
        self.f_invoices: list[dict] = []
        self.f_subs: list[dict] = []

    # ------------------------------------------------------------------------------------------- identity
    def make_company(self) -> None:
        r, w = self.r, self.w
        country = r.choices(list(C.COUNTRIES), [v[0] for v in C.COUNTRIES.values()])[0]
        _, currency, _, tz, tlds = C.COUNTRIES[country]
        segment = r.choices(C.SEGMENTS, C.SEGMENT_WEIGHTS)[0]
        lo, hi = {"smb": (3, 49), "mid_market": (50, 999), "enterprise": (1000, 60000)}[segment]
        employees = int(math.exp(r.uniform(math.log(lo), math.log(hi + 1))))
        employees = min(max(employees, lo), hi)
        for attempt in range(60):
            pat = r.randrange(4)
            if pat == 0:
                base = r.choice(COMPANY_PREFIXES) + r.choice(COMPANY_SUFFIXES)
            elif pat == 1:
                base = f"{r.choice(w.pools.last[country])} {r.choice(INDUSTRY_WORDS)}"
            elif pat == 2:
                base = f"{r.choice(COMPANY_PREFIXES)}{r.choice(COMPANY_SUFFIXES)} {r.choice(INDUSTRY_WORDS)}"
            else:
                base = f"{r.choice(w.pools.last[country])} & {r.choice(w.pools.last[country])}"
            if attempt > 30:
                base = f"{base} {r.choice(('North', 'Global', 'International', 'Europe', 'One', 'Digital'))}"
            slug = ascii_slug(base.replace("&", "and"))
            if slug and slug not in w.used_slugs and len(slug) > 3:
                break
        w.used_slugs.add(slug)
        tld = r.choice(tlds) if r.random() < 0.7 else r.choice((".com", ".io", ".co"))
        self.co = Company(self.idx, f"CO-{self.idx:07d}", base, r.choice(LEGAL_SUFFIX[country]), slug + tld,
                          country, currency, tz, r.choice(C.INDUSTRIES), employees, segment)
        self.model = C.SEGMENT_MODEL[segment]
        mi = int(self.g.choice(len(w.month_weights), p=w.month_weights))
        m0 = add_months(w.start, mi)
        self.t0 = m0 + timedelta(days=r.randrange(28), hours=r.randint(7, 19), minutes=r.randrange(60))

    def make_people(self) -> None:
        r, co, w = self.r, self.co, self.w
        n = 1 + int(self.g.poisson(self.model["people"]))
        pattern = r.choices(range(5), (0.55, 0.2, 0.1, 0.1, 0.05))[0]
        self.people: list[Person] = []
        used = set()
        for k in range(n):
            male = r.random() < 0.55
            first = r.choice((w.pools.first_male if male else w.pools.first_female)[co.country])
            last = r.choice(w.pools.last[co.country])
            free = r.random() < (0.12 if co.segment == "smb" else 0.04)
            if free:
                for _ in range(20):
                    email = f"{local_part(first, last, r.choice((0, 4)))}{r.randint(1, 9999)}@{r.choice(FREE_MAIL)}"
                    if email not in w.used_emails:
                        break
                w.used_emails.add(email)
            else:
                local = local_part(first, last, pattern)
                if local in used:
                    local = local_part(first, last, 0) + str(k)
                used.add(local)
                email = f"{local}@{co.domain}"
            cc = CALLING_CODE[co.country]
            nat = str(r.randint(201, 989)) + str(r.randint(1000000, 9999999))
            created = self.t0 if k == 0 else self.t0 + timedelta(days=float(self.g.exponential(90)),
                                                                 hours=r.randint(0, 9))
            p = Person(f"P-{self.idx:07d}-{k:02d}", first, last, email, cc, nat, r.choice(TITLES), created)
            p.mkt_email = email
            if r.random() < self.m.email_typo:
                p.mkt_email, p.mkt_mess = email_typo(email, r), "email_typo"
            elif r.random() < self.m.disposable_email:
                p.mkt_email = f"{ascii_slug(first)}{ascii_slug(last)[:1]}{r.randint(1, 999)}@{r.choice(DISPOSABLE)}"
                p.mkt_mess = "disposable_email"
            p.has_hubspot = k == 0 or r.random() < 0.85
            self.people.append(p)
        self.role_person = None
        if r.random() < self.m.role_email:
            self.role_person = f"P-{self.idx:07d}-role"

    # ------------------------------------------------------------------------------------ record helpers
    def cname(self, system: str, table: str, rid: str) -> str:
        name, changed = company_name_variant(self.co, self.r, self.m.company_name_variant)
        if changed:
            self.s.log("company_name_variant", system, table, rid, name)
        return name

    def pname(self, p: Person, system: str, table: str, rid: str, nick_ok: bool = False) -> tuple[str, str]:
        first = p.first
        if nick_ok and first in NICKNAMES and self.r.random() < self.m.nickname * 8:
            first = NICKNAMES[first]
            self.s.log("nickname", system, table, rid, f"{p.first} -> {first}")
        first, last, changed = person_name_variant(first, p.last, self.r, self.m.person_name_variant)
        if changed:
            self.s.log("name_variant", system, table, rid, f"{first}|{last}")
        return first, last

    def email(self, p: Person, system: str, table: str, rid: str, marketing: bool) -> str:
        e = p.mkt_email if marketing else p.email
        if marketing and p.mkt_mess:
            self.s.log(p.mkt_mess, system, table, rid, e)
        e2, changed = email_case_variant(e, self.r, self.m.email_case)
        if changed:
            self.s.log("email_case", system, table, rid, e2)
        return e2

    def orphan(self, value: str | None, prefix: str, system: str, table: str, rid: str, column: str) -> str | None:
        if value and self.r.random() < self.m.orphan_fk:
            fake = sf_id(prefix, 10 ** 15 + self.s.next("orphan")) if prefix else str(8_000_000_000 + self.s.next("orphan"))
            self.s.log("orphan_fk", system, table, rid, f"{column}={fake} (was {value})")
            return fake
        return value

    def deleted(self, system: str, table: str, rid: str) -> bool:
        if self.r.random() < self.m.soft_delete:
            self.s.log("soft_delete", system, table, rid)
            return True
        return False

    # ---------------------------------------------------------------------------------------- run
    def leak(self, kind: str) -> bool:
        """Draw whether to plant one case of ``kind`` (at its LeakageRates rate)."""
        return self.lk.random() < getattr(self.lrates, kind)

    def planted(self, kind: str, key) -> None:
        self.leak_planted.setdefault(kind, set()).add(key)
        self.s.leakage.plant(kind)

    def run(self) -> None:
        self.make_company()
        self.make_people()
        r, model, w = self.r, self.model, self.w
        self.src = r.choices(SOURCES, [s[4] for s in SOURCES])[0]
        roll = r.random()
        self.path = "sales" if roll < model["sales"] else \
            "self" if roll < model["sales"] + (1 - model["sales"]) * model["self_serve"] else "marketing"
        p0 = self.people[0]
        self.mql_at = self.sql_at = None
        if self.path == "sales":
            self.mql_at = p0.created + timedelta(days=float(self.g.exponential(6)), hours=r.randint(1, 6))
            self.sql_at = self.mql_at + timedelta(days=float(self.g.exponential(10)) + 1)
        elif self.path == "marketing" and r.random() < 0.35:
            self.mql_at = p0.created + timedelta(days=float(self.g.exponential(20)))
        self.won_at: datetime | None = None
        self.opp_open = False
        self.deal: dict | None = None
        self.sales()
        if self.path == "self":
            self.self_serve()
        elif self.won_at is not None:
            if self.leak("closed_won_not_invoiced"):  # billing never sets the customer up
                self.planted("closed_won_not_invoiced", self.won_opp_id)
            else:
                self.sales_customer()
        self.finish_customer()
        self.hubspot()
        if self.customer_id is not None:
            self.support_and_usage()
        self.truth_mrr()
        self.s.leakage.add_company(self)

    # ------------------------------------------------------------------------------------ salesforce
    def lead(self, p: Person, created: datetime, converted: bool, status: str) -> str:
        s = self.s
        lid = sf_id("00Q", s.next("sf_lead"))
        first, last = self.pname(p, "salesforce", "lead", lid, nick_ok=True)
        row = {"id": lid, "first_name": first, "last_name": last,
               "email": self.email(p, "salesforce", "lead", lid, marketing=False),
               "phone": phone_text(p, self.r, self.m.phone_format),
               "company": self.cname("salesforce", "lead", lid), "status": status, "lead_source": self.src[1],
               "is_converted": converted, "created_date": created,
               "is_deleted": self.deleted("salesforce", "lead", lid)}
        p.extra["lead_row"] = row
        return lid

    def emit_lead(self, p: Person) -> None:
        row = p.extra.pop("lead_row")
        if self.s.emit("salesforce", "lead", row, stale=_stale_lead if row["is_converted"] else None):
            self.s.person("salesforce", "lead", row["id"], p.pid)
            self.s.company("salesforce", "lead", row["id"], self.co.cid)

    def contact(self, p: Person, created: datetime, dup_of: str | None = None) -> str:
        s, r = self.s, self.r
        # Contacts created late in a deal (or duplicates entered later) never postdate the export window.
        created = min(created, self.w.end - timedelta(hours=r.randint(1, 72)))
        cid = sf_id("003", s.next("sf_contact"))
        first, last = self.pname(p, "salesforce", "contact", cid, nick_ok=True)
        email = self.email(p, "salesforce", "contact", cid, marketing=False)
        if dup_of:
            email = email.upper() if r.random() < 0.4 else email
        modified = max(created, min(created + timedelta(days=float(self.g.exponential(120))),
                                    self.w.export_at - timedelta(days=2)))
        row = {"id": cid, "account_id": self.orphan(self.account_id, "001", "salesforce", "contact", cid, "account_id"),
               "first_name": first, "last_name": last, "email": email,
               "phone": phone_text(p, r, 1.0 if dup_of else self.m.phone_format),
               "title": p.title, "lead_source": self.src[1], "created_date": created,
               "last_modified_date": modified,
               "is_deleted": (r.random() < 0.5 if dup_of else False) or self.deleted("salesforce", "contact", cid)}
        if dup_of:
            s.log("duplicate_contact", "salesforce", "contact", cid, f"same person as {dup_of}")
        if s.emit("salesforce", "contact", row, stale=_stale_contact):
            s.person("salesforce", "contact", cid, p.pid)
        self.contact_ids.append(cid)
        if not dup_of and r.random() < self.m.duplicate_contact:
            self.contact(p, created + timedelta(days=r.randint(1, 200)), dup_of=cid)
        return cid

    def account(self, created: datetime) -> None:
        s, co = self.s, self.co
        aid = sf_id("001", s.next("sf_account"))
        self.account_id = aid
        self.owner = self.owner or self.w.rep_at(created, self.r)
        row = {"id": aid, "name": self.cname("salesforce", "account", aid),
               "website": self.r.choice((f"www.{co.domain}", f"https://{co.domain}", co.domain, f"https://www.{co.domain}/")),
               "industry": co.industry, "number_of_employees": co.employees,
               "billing_country": C.COUNTRY_NAMES[co.country] if self.r.random() < 0.8 else co.country,
               "owner_id": self.owner, "created_date": created,
               "is_deleted": self.deleted("salesforce", "account", aid)}
        stale = (lambda d: {**d, "name": co.base}) if self.r.random() < 0.5 else None
        if s.emit("salesforce", "account", row, stale=stale):
            s.company("salesforce", "account", aid, co.cid)

    def sales(self) -> None:
        r, w, p0 = self.r, self.w, self.people[0]
        # leads: the primary person when marketing-qualified, and a few other people as unconverted leads
        for k, p in enumerate(self.people):
            if k == 0 and self.mql_at is not None and self.mql_at < w.end:
                converted = self.sql_at is not None and self.sql_at < w.end
                status = "Closed - Converted" if converted else r.choice(
                    ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"))
                self.lead(p, self.mql_at, converted, status)
            elif k > 0 and r.random() < (0.25 if self.path == "sales" else 0.12) and p.created < w.end:
                self.lead(p, p.created + timedelta(hours=r.randint(1, 48)), False,
                          r.choice(("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")))
        if self.path == "sales" and self.sql_at is not None and self.sql_at < w.end:
            t = self.sql_at
            self.owner = w.rep_at(t, r)
            self.account(t)
            c0 = self.contact(p0, t)
            others = [p for p in self.people[1:] if r.random() < 0.6]
            for p in others:
                self.contact(p, max(t, p.created) + timedelta(days=r.randint(0, 60)))
            opp_id = self.new_business(t)
            lead = p0.extra.get("lead_row")
            if lead is not None:
                lead.update(converted_contact_id=c0, converted_account_id=self.account_id,
                            converted_opportunity_id=opp_id, converted_date=t.date())
        for p in self.people:
            if "lead_row" in p.extra:
                self.emit_lead(p)

    def opportunity(self, otype: str, created: datetime, close: datetime, won: bool, amount: float,
                    start_stage: int = 0, lines: list | None = None, expected: datetime | None = None) -> str | None:
        """Stage history, quote and line items of one opportunity; the row is its state at export."""
        s, r, w = self.s, self.r, self.w
        if created >= w.end:
            return None
        oid = sf_id("006", s.next("sf_opp"))
        final_stage = len(C.OPP_STAGES) - 1 if won else r.randint(start_stage, len(C.OPP_STAGES) - 1)
        path = list(range(start_stage, final_stage + 1))
        times = sorted(created + (close - created) * u for u in [0.0] + sorted(r.random() * 0.95 for _ in path[1:]))
        expected = expected or close
        est = amount * (r.uniform(0.7, 1.3) if r.random() < 0.5 else 1.0)
        events = []  # (time, stage tuple, amount, close date)
        for st, t in zip(path, times):
            stage = C.OPP_STAGES[st]
            if stage[0] == "Proposal/Price Quote":
                est = amount
            events.append((t, stage, est, expected))
        if close > expected and r.random() < 0.7:  # the close date slipped: a history row for the change
            t_slip = min(max(created, expected - timedelta(days=r.randint(1, 10))), close - timedelta(hours=1))
            last_stage = [e for e in events if e[0] <= t_slip][-1][1] if any(e[0] <= t_slip for e in events) else events[0][1]
            events.append((t_slip, last_stage, est, close))
            events.sort(key=lambda e: e[0])
            expected = close
            events = [(t, st, a, close if t >= t_slip else cd) for t, st, a, cd in events]
        events.append((close, C.WON if won else C.LOST, amount, close))
        visible = [e for e in events if e[0] < w.end]
        is_closed = close < w.end
        cur = visible[-1]
        history_ids = []
        for t, stage, amt, cd in visible:
            hid = sf_id("008", s.next("sf_opp_hist"))
            history_ids.append(hid)
            s.emit("salesforce", "opportunity_history", {
                "id": hid, "opportunity_id": oid, "stage_name": stage[0], "amount": round(amt, 2),
                "probability": stage[1], "forecast_category": stage[2], "close_date": cd.date(), "created_date": t})
        owner = self.owner or w.rep_at(created, r)
        camp = w.campaign_for(self.src[2], self.people[0].created, r) if self.src[2] and otype == "New Business" else None
        row = {"id": oid, "account_id": self.orphan(self.account_id, "001", "salesforce", "opportunity", oid, "account_id"),
               "name": f"{self.co.base} - {otype} - {close:%Y-%m}", "type": otype, "stage_name": cur[1][0],
               "amount": round(cur[2], 2), "currency_iso_code": self.co.currency, "probability": cur[1][1],
               "forecast_category": cur[1][2], "close_date": cur[3].date(), "is_closed": is_closed,
               "is_won": won and is_closed, "lead_source": self.src[1] if otype == "New Business" else "Existing Customer",
               "campaign_id": camp["id"] if camp else None, "owner_id": owner, "created_date": created,
               "last_modified_date": cur[0], "is_deleted": self.deleted("salesforce", "opportunity", oid)}
        stale = None
        if len(visible) > 1:
            prev = visible[-2]
            stale = lambda d, prev=prev: {**d, "stage_name": prev[1][0], "probability": prev[1][1],  # noqa: E731
                                          "forecast_category": prev[1][2], "is_closed": False, "is_won": False,
                                          "amount": round(prev[2], 2), "last_modified_date": prev[0]}
        s.emit("salesforce", "opportunity", row, stale=stale)
        seen = s.last_staged  # the leakage truth reads the version staging keeps (none when quarantined)
        if seen is not None:
            self.f_opps.append({"id": oid, "account_id": seen["account_id"], "type": otype, "won": seen["is_won"],
                                "closed": seen["is_closed"], "close_date": seen["close_date"], "amount": seen["amount"],
                                "currency": seen["currency_iso_code"], "deleted": seen["is_deleted"]})
            if otype == "New Business" and is_closed and seen is row and not row["is_deleted"] \
                    and row["account_id"] == self.account_id and self.dup_deal.random() < self.m.duplicate_deal:
                self.duplicate_deal(row)
        for code, qty, unit in lines or []:
            s.emit("salesforce", "opportunity_line_item", {
                "id": sf_id("00k", s.next("sf_oli")),
                "opportunity_id": self.orphan(oid, "006", "salesforce", "opportunity_line_item", oid, "opportunity_id"),
                "product_code": code.upper(), "quantity": qty, "unit_price": float(unit), "total_price": float(unit * qty)})
        proposal_t = next((e[0] for e in visible if e[1][0] == "Proposal/Price Quote"), None)
        if proposal_t is not None:
            status = "Signed" if (won and is_closed) else "Rejected" if is_closed else "Sent"
            s.emit("salesforce", "quote", {
                "id": sf_id("0Q0", s.next("sf_quote")),
                "opportunity_id": self.orphan(oid, "006", "salesforce", "quote", oid, "opportunity_id"),
                "status": status, "total": round(amount, 2), "sent_at": proposal_t + timedelta(hours=r.randint(1, 30)),
                "signed_at": close if status == "Signed" else None})
            if r.random() < 0.15:
                s.emit("salesforce", "quote", {"id": sf_id("0Q0", s.next("sf_quote")), "opportunity_id": oid,
                                               "status": "Draft", "total": round(est * 1.1, 2), "sent_at": None,
                                               "signed_at": None})
        return oid

    def deal_terms(self) -> dict:
        r, model, co = self.r, self.model, self.co
        lo, hi = model["seats"]
        seats = max(1, int(math.exp(r.uniform(math.log(lo), math.log(hi)))))
        plan = model["plan"]
        if r.random() < 0.2:
            plan = C.PLAN_ORDER[max(0, C.PLAN_ORDER.index(plan) - 1)]
        roll = r.random()
        months = 12 if roll < model["annual"] else 3 if roll < model["annual"] + 0.05 else 1
        addons = [a for a, p in (("analytics", 0.25), ("sso", 0.3 if co.segment != "smb" else 0.05),
                                 ("support", 0.25 if co.segment == "enterprise" else 0.02)) if r.random() < p]
        disc = r.choice((0.1, 0.15, 0.2, 0.25)) if r.random() < 0.25 else 0.0
        return {"plan": plan, "seats": seats, "months": months, "addons": addons, "discount": disc,
                "discount_periods": None if r.random() < 0.5 else max(1, 12 // months),
                "onboarding": co.segment != "smb" and r.random() < 0.6}

    def annual_lines(self, terms: dict) -> list[tuple[str, int, float]]:
        cur = self.co.currency
        out = []
        for code in [terms["plan"]] + terms["addons"]:
            qty = terms["seats"] if C.PRODUCTS[code][3] else 1
            price = self.w.prices[(code, cur, 12)]
            out.append((code, qty, price.unit / 10 ** C.EXPONENT[cur]))
        return out

    def new_business(self, created: datetime) -> str:
        r, model = self.r, self.model
        terms = self.deal_terms()
        lines = self.annual_lines(terms)
        acv = sum(q * u for _, q, u in lines) * (1 - terms["discount"])
        cycle = model["cycle"] * float(self.g.lognormal(0, 0.5))
        close = created + timedelta(days=max(3.0, cycle))
        close = close.replace(hour=r.randint(9, 18), minute=r.randrange(60))
        q4 = close.month in (10, 11, 12)
        won = r.random() < min(0.95, model["win"] * (1.15 if q4 else 1.0))
        expected = created + timedelta(days=model["cycle"] * r.uniform(0.6, 1.0))
        oid = self.opportunity("New Business", created, close, won, acv, lines=lines, expected=expected)
        if won and close < self.w.end:
            self.won_at = close
            self.deal = terms
            self.won_opp_id = oid
        self.opp_open = close >= self.w.end
        return oid

    # ------------------------------------------------------------------------------------------ stripe
    def stripe_customer(self, created: datetime, payer: Person) -> None:
        s, r, co = self.s, self.r, self.co
        cid = stripe_id("cus", s.next("cus"))
        self.customer_id = cid
        self.inv_prefix = f"{(self.idx * 2654435761) % 0xFFFFFFFF:08X}"
        self.inv_seq = 0
        if self.m.role_email and r.random() < self.m.role_email:
            email, true_person = f"{r.choice(BILLING_LOCALS)}@{co.domain}", f"P-{self.idx:07d}-billing"
            s.log("role_email", "stripe", "customer", cid, email)
        else:
            email, true_person = self.email(payer, "stripe", "customer", cid, marketing=False), payer.pid
        link = self.account_id if (self.account_id and r.random() < 0.4) else None
        self.customer_row = ({"id": cid, "email": email, "name": self.cname("stripe", "customer", cid),
                              "currency": co.currency.lower(), "created": created, "salesforce_account_id": link,
                              "is_deleted": False}, true_person, payer.email)

    def finish_customer(self) -> None:
        """Emit the Stripe customer once its fate is known: a never-paying trial customer may be deleted."""
        if self.customer_id is None:
            return
        s = self.s
        row, true_person, clean_email = self.customer_row
        if not self.paying:
            row["is_deleted"] = self.deleted("stripe", "customer", row["id"])
        emitted = s.emit("stripe", "customer", row, stale=lambda d: {**d, "email": clean_email})
        # billing ties to the company only through a customer row staging keeps (a bad value quarantines it)
        self.customer_linked = s.last_staged is not None
        if emitted:
            s.person("stripe", "customer", row["id"], true_person)
            s.company("stripe", "customer", row["id"], self.co.cid)

    def self_serve(self) -> None:
        r, w = self.r, self.w
        p0 = self.people[0]
        t = p0.created + timedelta(days=float(self.g.exponential(4)))
        p0.extra["trial_form_at"] = t
        if t >= w.end - timedelta(days=1):
            return
        self.stripe_customer(t, p0)
        lo, hi = self.model["seats"]
        terms = {"plan": "starter" if r.random() < 0.8 else "growth", "seats": r.randint(1, max(2, hi // 3)),
                 "months": 12 if r.random() < 0.2 else 1, "addons": ["analytics"] if r.random() < 0.1 else [],
                 "discount": 0.0, "discount_periods": None, "onboarding": False}
        converts = r.random() < 0.6
        self.subscription_chain(midnight(t) + timedelta(days=1), terms, trial_days=14, converts=converts, sales_led=False)
        if self.paying and r.random() < 0.3 and self.first_paid_at is not None:
            t_acc = self.first_paid_at + timedelta(days=r.randint(5, 120))
            if t_acc < w.end:
                self.owner = w.rep_at(t_acc, r)
                self.account(t_acc)
                for p in self.people:
                    if r.random() < 0.6 and p.created < t_acc:
                        self.contact(p, t_acc + timedelta(hours=r.randint(1, 200)))

    def sales_customer(self) -> None:
        r = self.r
        t = self.won_at
        payer = self.people[0] if len(self.people) == 1 or r.random() < 0.6 else r.choice(self.people[1:])
        # created up to three days after the win, but never after the export that carries it
        self.stripe_customer(min(t + timedelta(hours=r.randint(1, 72)), self.w.export_at - timedelta(minutes=5)), payer)
        start = midnight(t) + timedelta(days=r.randint(1, 10))
        if start >= self.w.end:
            start = midnight(t) + timedelta(days=1)
        if start >= self.w.end:
            return
        trial = 14 if r.random() < 0.15 else 0
        if self.leak("invoiced_below_contract"):  # the first invoice carries a discount nobody approved
            self.deal = dict(self.deal, leak_discount=round(self.lk.uniform(0.3, 0.5), 2))
            self.planted("invoiced_below_contract", self.won_opp_id)
        self.subscription_chain(start, self.deal, trial_days=trial, converts=r.random() < 0.9 if trial else True,
                                sales_led=True)

    def subscription_chain(self, start: datetime, terms: dict, trial_days: int, converts: bool, sales_led: bool) -> None:
        self.first_paid_at = None
        ended, voluntary = self.subscription(start, terms, trial_days, converts, sales_led)
        while ended is not None and voluntary and self.r.random() < 0.18:
            back = midnight(ended) + timedelta(days=self.r.randint(60, 300))
            if back >= self.w.end - timedelta(days=5):
                break
            terms = dict(terms, seats=max(1, int(terms["seats"] * self.r.uniform(0.6, 1.1))), discount=0.0,
                         onboarding=False)
            self.s.event("reactivation")
            ended, voluntary = self.subscription(back, terms, 0, True, sales_led)

    def price(self, code: str, months: int) -> Price:
        return self.w.prices[(code, self.co.currency, months)]

    def subscription(self, start: datetime, terms: dict, trial_days: int, converts: bool,
                     sales_led: bool) -> tuple[datetime | None, bool]:
        s, r, w, co = self.s, self.r, self.w, self.co
        sub_id = stripe_id("sub", s.next("sub"))
        months = terms["months"]
        seats = terms["seats"]
        items = []

        def add_item(code: str, qty: int, created: datetime) -> dict:
            it = {"id": stripe_id("si", s.next("si")), "code": code, "price": self.price(code, months),
                  "qty": qty, "created": created, "deleted": None}
            items.append(it)
            return it

        if start.day > 28:  # billing anchors stay on days 1..28, so every period is exactly one interval long
            start = add_months(month_start(start), 1)
        if start >= w.end:
            return None, False
        add_item(terms["plan"], seats, start)
        for a in terms["addons"]:
            add_item(a, seats if C.PRODUCTS[a][3] else 1, start)
        anchor = start + timedelta(days=trial_days)
        if anchor.day > 28:
            anchor = add_months(month_start(anchor), 1)
        timeline = [(start, seats)]
        end_cap = w.end
        ended = canceled_at = None
        voluntary = False
        cancel_at = None
        status_open_failed = False
        cur_ps, cur_pe = start, anchor
        if trial_days and not converts:
            if anchor <= w.end:
                ended = canceled_at = anchor
            self.seat_spans.append((start, min(anchor, end_cap), timeline))
            self.emit_subscription(sub_id, start, anchor if trial_days else None, "canceled" if ended else "trialing",
                                   False, canceled_at, ended, cur_ps, cur_pe, items)
            return None, False
        disc = terms["discount"]
        k = 0
        while True:
            ps, pe = add_months(anchor, k * months), add_months(anchor, (k + 1) * months)
            if ps >= w.end:
                break
            if cancel_at is not None and ps >= cancel_at:
                ended = cancel_at
                break
            cur_ps, cur_pe = ps, pe
            base = items[0]
            if k > 0 and r.random() < 0.04 * months ** 0.5 and base["qty"] > 1:  # downgrade at renewal
                new = max(1, int(base["qty"] * r.uniform(0.6, 0.9)))
                for it in items:
                    if it["deleted"] is None and C.PRODUCTS[it["code"]][3]:
                        it["qty"] = new
                timeline.append((ps, new))
            if k > 0 and sales_led and months == 12:
                acv = sum(it["price"].unit * it["qty"] for it in items if it["deleted"] is None) / 10 ** C.EXPONENT[co.currency]
                # leakage: the CRM records the renewal as lost while billing goes on charging
                lost = self.account_id is not None and self.leak("active_in_billing_churned_in_crm")
                if lost:
                    self.planted("active_in_billing_churned_in_crm", sub_id)
                self.opportunity("Renewal", ps - timedelta(days=75), ps + timedelta(hours=10), not lost, acv,
                                 start_stage=3)
            disc_on = disc > 0 and (terms["discount_periods"] is None or k < terms["discount_periods"])
            leak_disc = terms.get("leak_discount", 0.0) if k == 0 else 0.0  # planted: unapproved first discount
            lines = []
            for it in items:
                if it["deleted"] is None:
                    amt = it["price"].unit * it["qty"]
                    lines.append(self.line(it, it["qty"], amt, rh(amt * (disc if disc_on else 0.0)) + rh(amt * leak_disc),
                                           ps, pe, False, f"{it['qty']} × {C.PRODUCTS[it['code']][0]}"))
            if k == 0 and terms["onboarding"]:
                op = self.w.prices[("onboarding", co.currency, 0)]
                lines.append({"price": op, "qty": 1, "amount": op.unit, "disc": rh(op.unit * leak_disc), "ps": ps,
                              "pe": ps, "proration": False, "desc": "Onboarding package", "months": 0})
            status, fail_end = self.invoice(sub_id, lines, ps, ps, pe, months, proration=False,
                                            send_invoice=months == 12 and co.segment != "smb")
            if status == "paid" and self.first_paid_at is None:
                self.first_paid_at = ps
            if status == "paid":
                self.paying = True
            if status == "uncollectible":
                ended = canceled_at = fail_end
                s.event("involuntary_churn")
                break
            status_open_failed = status == "open_failed"
            # mid-period changes, prorated
            if not status_open_failed:
                for j in range(months):
                    ws, we = add_months(ps, j), min(add_months(ps, j + 1), pe, w.end)
                    span = (we - ws).days
                    if span < 3:
                        continue
                    ev = r.random()
                    d = ws + timedelta(days=r.randint(1, span - 1))
                    if d >= pe or d <= ps:
                        continue
                    base = items[0]
                    if ev < 0.05:
                        new = base["qty"] + max(1, int(base["qty"] * r.uniform(0.1, 0.5)))
                        self.change_seats(sub_id, items, new, d, ps, pe, months, disc if disc_on else 0.0, timeline)
                        if sales_led and self.account_id:
                            self.opportunity("Upsell", d - timedelta(days=r.randint(10, 40)), d - timedelta(hours=2),
                                             True, (items[0]["price"].unit * 12 / months) * (new - timeline[-2][1])
                                             / 10 ** C.EXPONENT[co.currency], start_stage=2)
                    elif ev < 0.065 and base["qty"] > 2:
                        new = max(1, int(base["qty"] * r.uniform(0.6, 0.9)))
                        self.change_seats(sub_id, items, new, d, ps, pe, months, disc if disc_on else 0.0, timeline)
                    elif ev < 0.075:
                        have = {it["code"] for it in items if it["deleted"] is None}
                        choices = [a for a in ("analytics", "sso", "support") if a not in have]
                        if choices:
                            code = r.choice(choices)
                            it = add_item(code, base["qty"] if C.PRODUCTS[code][3] else 1, d)
                            self.prorate(sub_id, [(it, 0, it["qty"])], d, ps, pe, months, disc if disc_on else 0.0)
                    elif ev < 0.083 and base["code"] != "enterprise":
                        nxt = C.PLAN_ORDER[C.PLAN_ORDER.index(base["code"]) + 1]
                        base["deleted"] = d
                        items.remove(base)
                        items.append(base)  # keep deleted items at the end
                        new_it = {"id": stripe_id("si", s.next("si")), "code": nxt, "price": self.price(nxt, months),
                                  "qty": base["qty"], "created": d, "deleted": None}
                        items.insert(0, new_it)
                        self.prorate(sub_id, [(base, base["qty"], 0), (new_it, 0, new_it["qty"])], d, ps, pe, months,
                                     disc if disc_on else 0.0)
            # churn: cancel at period end
            if cancel_at is None:
                p_churn = 1 - (1 - self.model["churn"]) ** months
                if r.random() < p_churn:
                    lim = min(pe, w.end)
                    req = ps + (lim - ps) * r.uniform(0.2, 0.95)
                    canceled_at, cancel_at, voluntary = req, pe, True
                    s.event("cancel_requested")
                    if sales_led and months == 12 and self.account_id:
                        if self.leak("churned_in_billing_active_in_crm"):  # the lost renewal is never recorded
                            self.planted("churned_in_billing_active_in_crm", sub_id)
                        else:
                            acv = sum(it["price"].unit * it["qty"] for it in items if it["deleted"] is None) / 10 ** C.EXPONENT[co.currency]
                            self.opportunity("Renewal", pe - timedelta(days=75), pe + timedelta(hours=10), False, acv,
                                             start_stage=3)
            k += 1
        if ended is None and cancel_at is None and sales_led and months == 12 and self.account_id \
                and cur_pe - timedelta(days=100) < w.end <= cur_pe:
            # the rep opens the renewal opportunity of the coming yearly renewal ahead of it (unless leakage)
            if self.leak("renewal_without_opportunity"):
                self.planted("renewal_without_opportunity", sub_id)
            else:
                acv = sum(it["price"].unit * it["qty"] for it in items if it["deleted"] is None) / 10 ** C.EXPONENT[co.currency]
                self.opportunity("Renewal", cur_pe - timedelta(days=100), cur_pe + timedelta(hours=10), True, acv,
                                 start_stage=3)
        if ended is not None:
            for it in items:
                if it["deleted"] is None:
                    it["deleted"] = ended
        status = ("canceled" if ended is not None and ended <= w.export_at else
                  "past_due" if status_open_failed else
                  "trialing" if anchor > w.export_at else "active")
        if status == "trialing":
            cur_ps, cur_pe = start, anchor
        self.seat_spans.append((start, min(ended or end_cap, end_cap), timeline))
        self.emit_subscription(sub_id, start, anchor if trial_days else None, status,
                               cancel_at is not None and ended is None, canceled_at, ended, cur_ps, cur_pe, items)
        return ended, voluntary

    def duplicate_deal(self, row: dict) -> None:
        """A second rep enters a closed new-business deal again: a new opportunity with the same account, outcome,
        amount, currency and close date, without stage history or line items. Logged as mess (duplicate_deal)
        with whether it reached staging as written: then fct_opportunities must flag it is_duplicate_entry."""
        s, r = self.s, self.dup_deal
        oid = sf_id("006", s.next("sf_opp"))
        created = min(row["created_date"] + timedelta(days=r.randint(0, 20), hours=r.randint(0, 8)),
                      row["last_modified_date"])
        dup = {**row, "id": oid, "owner_id": self.w.rep_at(created, r), "created_date": created,
               "last_modified_date": max(created, row["last_modified_date"])}
        s.emit("salesforce", "opportunity", dup)
        if s.last_staged is not None:
            self.f_opps.append({"id": oid, "account_id": dup["account_id"], "type": dup["type"], "won": dup["is_won"],
                                "closed": dup["is_closed"], "close_date": dup["close_date"], "amount": dup["amount"],
                                "currency": dup["currency_iso_code"], "deleted": False})
        s.log("duplicate_deal", "salesforce", "opportunity", oid,
              f"same deal as {row['id']}" + ("" if s.last_clean else " (a bad value: not comparable)"))

    def emit_subscription(self, sub_id, start, trial_end, status, cape, canceled_at, ended, cps, cpe, items) -> None:
        s = self.s
        row = {"id": sub_id, "customer_id": self.customer_id, "status": status, "created": start, "start_date": start,
               "trial_end": trial_end, "cancel_at_period_end": cape, "canceled_at": canceled_at, "ended_at": ended,
               "current_period_start": cps, "current_period_end": cpe}
        stale = (lambda d: {**d, "status": "active", "canceled_at": None, "ended_at": None,
                            "cancel_at_period_end": False}) if status == "canceled" else None
        s.emit("stripe", "subscription", row, stale=stale)
        seen = s.last_staged  # the version staging keeps: none when a bad value quarantined it and no stale one
        if seen is not None:
            # end: when it stopped billing, as the leakage mart dates a churned company (ended, canceled, period end)
            self.f_subs.append({"id": sub_id, "customer": self.customer_id, "status": seen["status"],
                                "cape": seen["cancel_at_period_end"], "cpe": cpe,
                                "end": seen["ended_at"] or seen["canceled_at"] or cpe,
                                "items": [(it["price"], it["qty"], it["deleted"]) for it in items]})
        for it in items:
            s.emit("stripe", "subscription_item", {"id": it["id"], "subscription_id": sub_id, "price_id": it["price"].id,
                                                   "quantity": it["qty"], "created": it["created"],
                                                   "deleted_at": it["deleted"]})

    def line(self, it: dict, qty: int, amount: int, disc: int, ps, pe, proration: bool, desc: str) -> dict:
        return {"price": it["price"], "qty": qty, "amount": amount, "disc": disc, "ps": ps, "pe": pe,
                "proration": proration, "desc": desc, "months": it["price"].months}

    def change_seats(self, sub_id, items, new, d, ps, pe, months, disc, timeline) -> None:
        changes = []
        for it in items:
            if it["deleted"] is None and C.PRODUCTS[it["code"]][3]:
                changes.append((it, it["qty"], new))
        self.prorate(sub_id, changes, d, ps, pe, months, disc)
        for it, _, q in changes:
            it["qty"] = q
        timeline.append((d, new))

    def prorate(self, sub_id, changes, d, ps, pe, months, disc) -> None:
        frac = (pe - d).days / (pe - ps).days
        lines = []
        for it, old, new in changes:
            name = C.PRODUCTS[it["code"]][0]
            if old:
                amt = -rh(it["price"].unit * old * frac)
                lines.append(self.line(it, old, amt, rh(amt * disc), d, pe, True,
                                       f"Unused time on {old} × {name} after {d:%d %b %Y}"))
            if new:
                amt = rh(it["price"].unit * new * frac)
                lines.append(self.line(it, new, amt, rh(amt * disc), d, pe, True,
                                       f"Remaining time on {new} × {name} after {d:%d %b %Y}"))
        self.invoice(sub_id, lines, d, ps, pe, months, proration=True, send_invoice=False)

    def invoice(self, sub_id, lines, created, ps, pe, months, proration: bool, send_invoice: bool):
        """Emit one invoice with its lines, charges and credit note. Returns (status, uncollectible_at)."""
        s, r, w, co = self.s, self.r, self.w, self.co
        if not proration and r.random() < 0.004:  # issued by mistake, voided, re-issued
            self.write_invoice(sub_id, lines, created, lines[0]["ps"] if proration else ps, pe, "void", None, [], None)
            s.event("void_invoice")
        subtotal = sum(li["amount"] for li in lines)
        discount = sum(li["disc"] for li in lines)
        tax = max(0, rh((subtotal - discount) * TAX.get(co.country, 0.0)))
        total = subtotal - discount + tax
        due = max(total, 0)
        charges = []  # (time, status)
        paid_at = None
        unc_at = None
        status = "paid"
        ignored = due > 0 and not proration and self.leak("invoice_unpaid_past_due")
        self.ignored_pending = ignored
        if due == 0:
            paid_at = created
        elif ignored:  # planted: the customer ignores the invoice; it stays open, never charged
            pass
        elif send_invoice:
            paid_at = created + timedelta(days=int(self.g.gamma(2.0, 9.0)) + 1, hours=r.randint(8, 17))
            charges.append((paid_at, "succeeded"))
        elif r.random() < 0.06 and not proration:
            outcome = r.random()
            tries = [created + timedelta(minutes=5), created + timedelta(days=3), created + timedelta(days=8),
                     created + timedelta(days=15)]
            if outcome < 0.6:
                charges = [(tries[0], "failed"), (tries[1], "succeeded")]
            elif outcome < 0.8:
                charges = [(tries[0], "failed"), (tries[1], "failed"), (tries[2], "succeeded")]
            else:
                charges = [(t, "failed") for t in tries[:3]]
                unc_at = created + timedelta(days=21)
            if charges[-1][1] == "succeeded":
                paid_at = charges[-1][0]
        else:
            paid_at = created + timedelta(minutes=r.randint(1, 50))
            charges.append((paid_at, "succeeded"))
        charges = [c for c in charges if c[0] < w.export_at]
        if unc_at is not None:
            status = "uncollectible" if unc_at <= w.export_at else "open_failed"
        elif paid_at is None or paid_at >= w.export_at:
            status = "open_failed" if any(c[1] == "failed" for c in charges) else "open"
            paid_at = None
        credit = None
        if status == "paid" and due > 0 and not proration and r.random() < 0.02:
            recurring = sum(li["amount"] - li["disc"] for li in lines if li["months"])
            amt = rh(recurring * r.uniform(0.1, 1.0))
            t = paid_at + timedelta(days=r.randint(1, 25))
            if amt > 0 and t < w.export_at:
                credit = (amt, t)
        refund = None  # planted: the paid charge refunded in part or in full, with no credit note
        if credit is None and status == "paid" and due > 0 and not proration and charges \
                and self.lk_refund.random() < self.lrates.refunded_without_credit_note:
            refund = max(1, rh(due * self.lk_refund.uniform(0.1, 1.0)))
        self.write_invoice(sub_id, lines, created, ps, pe, "open" if status.startswith("open") else status,
                           paid_at, charges, credit, tax=tax, due=due, refund=refund)
        if status not in ("void", "uncollectible"):
            for li in lines:
                if li["months"]:
                    covered = (li["pe"] - li["ps"]).days
                    full = (li["pe"] - add_months(li["pe"], -li["months"])).days if li["proration"] else covered
                    self.segments.append((li["ps"], li["pe"], full, li["amount"] - li["disc"], li["months"]))
            if credit:
                self.segments.append((ps, pe, (pe - ps).days, -credit[0], months))
        s.event(f"invoice_{status}")
        if credit:
            s.event("credit_note")
        if proration:
            s.event("proration_invoice")
        return status, unc_at

    def write_invoice(self, sub_id, lines, created, ps, pe, status, paid_at, charges, credit, tax=0, due=None,
                      refund=None) -> None:
        s, r, co = self.s, self.r, self.co
        iid = stripe_id("in", s.next("in"))
        self.inv_seq += 1
        subtotal = sum(li["amount"] for li in lines)
        discount = sum(li["disc"] for li in lines)
        total = subtotal - discount + tax
        due = max(total, 0) if due is None else due
        cur = co.currency.lower()
        row = {"id": iid, "customer_id": self.customer_id, "subscription_id": sub_id,
               "number": f"{self.inv_prefix}-{self.inv_seq:04d}", "status": status, "currency": cur,
               "subtotal": subtotal, "discount": discount, "tax": tax, "total": total,
               "amount_paid": due if status == "paid" else 0, "amount_due": due, "created": created,
               "due_date": created + timedelta(days=30) if charges and charges[0][0] > created + timedelta(days=1) else None,
               "period_start": ps, "period_end": pe, "paid_at": paid_at}
        stale = (lambda d: {**d, "status": "open", "amount_paid": 0, "paid_at": None}) if status == "paid" and due else None
        s.emit("stripe", "invoice", row, stale=stale)
        seen = s.last_staged  # the version staging keeps: none when a bad value quarantined it and no stale one
        invoice_seen = seen is not None
        if invoice_seen:
            self.f_invoices.append({"id": iid, "customer": self.customer_id, "sub": sub_id, "status": seen["status"],
                                    "currency": co.currency, "subtotal": subtotal, "discount": discount,
                                    "paid": seen["amount_paid"], "due": due, "created": created,
                                    "due_date": seen["due_date"], "ps": ps, "pe": pe,
                                    "credit": credit[0] if credit else 0})
        if status != "void" and getattr(self, "ignored_pending", False):
            self.ignored_pending = False
            self.planted("invoice_unpaid_past_due", iid)
        staged_lines = []  # the lines staging keeps: a bad currency takes the invoice's, other bad values quarantine
        for li in lines:
            s.emit("stripe", "invoice_line_item", {
                "id": stripe_id("il", s.next("il")), "invoice_id": iid, "subscription_id": sub_id,
                "price_id": li["price"].id, "description": li["desc"], "quantity": li["qty"], "amount": li["amount"],
                "discount_amount": li["disc"], "currency": cur, "period_start": li["ps"], "period_end": li["pe"],
                "proration": li["proration"]})
            if s.last_bad in (None, "bad_currency"):
                staged_lines.append(li)
        # what bills a deal: the charges of recurring prices (an onboarding fee is one-off), as the leakage checks
        # read them: of the lines staging keeps, or the header's when none arrived
        if invoice_seen:
            f = self.f_invoices[-1]
            if staged_lines:
                f["recurring"] = sum(li["amount"] for li in staged_lines if li["months"])
                f["recurring_net"] = sum(li["amount"] - li["disc"] for li in staged_lines if li["months"])
            else:
                f["recurring"], f["recurring_net"] = subtotal, subtotal - discount
        refunds_seen = []  # (refunded, charged at) of the charges that reach staging
        for t, st in charges:
            refunded = credit[0] if (credit and st == "succeeded" and credit[0] <= due) else 0
            if refund and st == "succeeded":
                refunded = refund
            s.emit("stripe", "charge", {"id": stripe_id("ch", s.next("ch")), "customer_id": self.customer_id,
                                        "invoice_id": iid, "amount": due, "currency": cur, "status": st,
                                        "amount_refunded": refunded, "created": t})
            if refunded and s.last_clean:
                refunds_seen.append((refunded, t))
        credit_seen = 0
        if credit:
            s.emit("stripe", "credit_note", {
                "id": stripe_id("cn", s.next("cn")), "invoice_id": iid, "amount": credit[0], "currency": cur,
                "reason": r.choice(("product_unsatisfactory", "order_change", "duplicate", "order_change")),
                "created": credit[1]})
            credit_seen = credit[0] if s.last_clean else 0
            if invoice_seen:  # the leakage checks net only the credit notes staging sees
                self.f_invoices[-1]["credit"] = credit_seen
        # refunded beyond the credit notes staging sees: planted, or a refund whose credit note the export garbled
        if refunds_seen and sum(a for a, _ in refunds_seen) > credit_seen:
            self.f_refunds.append({"invoice": iid, "customer": self.customer_id, "sub": sub_id, "currency": co.currency,
                                   "at_risk": sum(a for a, _ in refunds_seen) - credit_seen,
                                   "charged_at": max(t for _, t in refunds_seen), "planted": bool(refund),
                                   "credited": credit_seen > 0})
        if refund:
            self.planted("refunded_without_credit_note", iid)

    # ------------------------------------------------------------------------------------------- hubspot
    def hubspot(self) -> None:
        s, r, w, co = self.s, self.r, self.w, self.co
        customer = self.paying
        for k, p in enumerate(self.people):
            if not p.has_hubspot or p.created >= w.end:
                continue
            hid = str(100_000 + s.next("hs_contact") * 3)
            mql = sql = None
            if k == 0:
                mql, sql = self.mql_at, self.sql_at
                if self.path == "self" and customer and self.first_paid_at:
                    mql = mql or p.created + timedelta(hours=2)
            elif r.random() < 0.2:
                mql = p.created + timedelta(days=float(self.g.exponential(30)))
            mql = mql if mql and mql < w.end else None
            sql = sql if sql and mql and sql < w.end else None
            if customer and (k == 0 or r.random() < 0.5):
                stage = "evangelist" if r.random() < 0.05 else "customer"
            elif sql is not None:
                stage = "opportunity"
            elif mql is not None:
                stage = "marketingqualifiedlead"
            else:
                stage = r.choices(("subscriber", "lead", "other"), (0.45, 0.5, 0.05))[0]
            src = self.src if k == 0 else r.choices(SOURCES, [x[4] for x in SOURCES])[0]
            if k == 0 and self.path == "self":
                src = ("ORGANIC_SEARCH", "Web", None, "trial-signup", 0)
            first, last = self.pname(p, "hubspot", "contact", hid)
            updated = max(t for t in (p.created, mql, sql, self.won_at) if t is not None) + timedelta(hours=r.randint(1, 400))
            row = {"id": hid, "email": self.email(p, "hubspot", "contact", hid, marketing=True),
                   "first_name": first, "last_name": last,
                   "company": self.cname("hubspot", "contact", hid) if r.random() < 0.97 else None,
                   "phone": phone_text(p, r, self.m.phone_format) if r.random() < 0.5 else None,
                   "lifecycle_stage": stage, "original_source": src[0], "created_at": p.created,
                   "updated_at": min(updated, w.export_at - timedelta(hours=3)), "became_mql_at": mql,
                   "became_sql_at": sql}
            stale = (lambda d: {**d, "lifecycle_stage": "lead", "became_sql_at": None}) if stage in ("customer", "opportunity") else None
            if s.emit("hubspot", "contact", row, stale=stale):
                s.person("hubspot", "contact", hid, p.pid)
                s.company("hubspot", "contact", hid, co.cid)
            # forms and events
            forms = []
            first_form = src[3]
            if first_form:
                forms.append((p.extra.get("trial_form_at", p.created) if first_form == "trial-signup" else p.created, first_form))
            elif src[2] == "event":
                self.attendance(p, "event", p.created)
            for _ in range(int(self.g.poisson(0.6))):
                t = p.created + timedelta(days=float(self.g.exponential(150)), hours=r.randint(0, 8))
                forms.append((t, r.choice(("content-download", "webinar-registration", "contact-us", "demo-request"))))
            for t, form in forms:
                if t >= w.end:
                    continue
                ctype = FORM_CAMPAIGN[form]
                camp = w.campaign_for(ctype, t, r) if ctype else None
                fid = f"fs-{s.next('hs_form'):08d}"
                row = {"id": fid, "form_name": form, "email": self.email(p, "hubspot", "form_submission", fid, True),
                       "campaign_id": self.orphan(camp["id"] if camp else None, "", "hubspot", "form_submission", fid, "campaign_id"),
                       "page_url": f"{C.SITE}/{form.replace('-', '/')}" + (f"?utm_campaign={camp['id']}" if camp else ""),
                       "submitted_at": t}
                if s.emit("hubspot", "form_submission", row):
                    s.person("hubspot", "form_submission", fid, p.pid)
                if form == "webinar-registration":
                    self.attendance(p, "webinar", t, camp)
            self.email_events(p, row_email=p.mkt_email)
        if self.role_person is not None:
            hid = str(100_000 + s.next("hs_contact") * 3)
            t = self.people[0].created + timedelta(days=r.randint(0, 60))
            if t < w.end:
                email = f"{r.choice(ROLE_LOCALS)}@{co.domain}"
                s.log("role_email", "hubspot", "contact", hid, email)
                row = {"id": hid, "email": email, "first_name": None, "last_name": None,
                       "company": self.cname("hubspot", "contact", hid), "phone": None, "lifecycle_stage": "lead",
                       "original_source": "DIRECT_TRAFFIC", "created_at": t, "updated_at": t + timedelta(hours=1),
                       "became_mql_at": None, "became_sql_at": None}
                if s.emit("hubspot", "contact", row):
                    s.person("hubspot", "contact", hid, self.role_person)
                    s.company("hubspot", "contact", hid, co.cid)
                fid = f"fs-{s.next('hs_form'):08d}"
                if s.emit("hubspot", "form_submission", {"id": fid, "form_name": "contact-us", "email": email,
                                                         "campaign_id": None, "page_url": f"{C.SITE}/contact/us",
                                                         "submitted_at": t}):
                    s.person("hubspot", "form_submission", fid, self.role_person)

    def attendance(self, p: Person, ctype: str, t: datetime, camp: dict | None = None) -> None:
        s, r = self.s, self.r
        camp = camp or self.w.campaign_for(ctype, t, r)
        if camp is None or t >= self.w.end:
            return
        eid = f"ev-{s.next('hs_event'):08d}"
        attended = r.random() < 0.55
        row = {"id": eid, "campaign_id": camp["id"], "email": self.email(p, "hubspot", "event_attendance", eid, True),
               "registered_at": t, "attended": attended,
               "minutes_attended": r.randint(5, 60) if attended else 0}
        if s.emit("hubspot", "event_attendance", row):
            s.person("hubspot", "event_attendance", eid, p.pid)

    def email_events(self, p: Person, row_email: str) -> None:
        w, g, model, co = self.w, self.g, self.model, self.co
        days = w.email_campaign_days
        created = np.datetime64(p.created.date(), "D")
        sel = np.flatnonzero((days >= created) & (days < np.datetime64(w.end.date(), "D")))
        sel = sel[g.random(len(sel)) < 0.7]
        n = len(sel)
        if n == 0:
            return
        # send-time experiments: each recipient gets the campaign on one of five days at a local hour 6..20
        day = days[sel] + g.integers(0, 5, n)
        hour_local = g.integers(6, 21, n)
        minute = g.integers(0, 60, n)
        offset = utc_offset_hours(co.tz, day)  # of each send's local day, daylight saving included
        sent = day.astype("datetime64[s]") + ((hour_local - offset) * 3600 + minute * 60).astype("timedelta64[s]")
        end_s = np.datetime64(w.end, "s")
        keep = sent < end_s
        sel, day, hour_local, sent = sel[keep], day[keep], hour_local[keep], sent[keep]
        n = len(sel)
        if n == 0:
            return
        order = np.argsort(sent, kind="stable")
        sel, day, hour_local, sent = sel[order], day[order], hour_local[order], sent[order]
        weekday = (day.astype("int64") - 4) % 7  # 0 = Monday
        hour_f = 0.45 + 1.1 * np.exp(-((hour_local - model["send_hour"]) ** 2) / 6.0)
        day_f = np.where(weekday == model["send_weekday"], 1.35, np.where(weekday >= 5, 0.5, 1.0))
        base = {"smb": 0.22, "mid_market": 0.27, "enterprise": 0.2}[co.segment]
        bounced = g.random(n) < (1.0 if p.mkt_mess == "email_typo" else 0.015)
        opened = (~bounced) & (g.random(n) < np.clip(base * hour_f * day_f, 0, 0.95))
        clicked = opened & (g.random(n) < 0.16)
        unsub = opened & (g.random(n) < 0.006)
        stop = np.flatnonzero(bounced | unsub)
        if len(stop):
            cut = stop[0] + 1
            sel, sent, bounced, opened, clicked, unsub = sel[:cut], sent[:cut], bounced[:cut], opened[:cut], clicked[:cut], unsub[:cut]
            n = cut
        open_t = sent + (g.lognormal(3.5, 1.0, n) * 60).astype("timedelta64[s]")
        click_t = open_t + (g.integers(5, 600, n)).astype("timedelta64[s]")
        unsub_t = open_t + (g.integers(10, 900, n)).astype("timedelta64[s]")
        deliver_t = sent + g.integers(1, 30, n).astype("timedelta64[s]")
        camp = w.email_campaign_ids[sel]
        parts = [(camp, sent, "SENT"), (camp[~bounced], deliver_t[~bounced], "DELIVERED"),
                 (camp[bounced], deliver_t[bounced], "BOUNCE"), (camp[opened], open_t[opened], "OPEN"),
                 (camp[clicked], click_t[clicked], "CLICK"), (camp[unsub], unsub_t[unsub], "UNSUBSCRIBED")]
        c_ids = np.concatenate([pp[0] for pp in parts])
        ts = np.concatenate([pp[1] for pp in parts])
        types = np.concatenate([np.full(len(pp[0]), pp[2], dtype=object) for pp in parts])
        keep = ts < np.datetime64(w.export_at, "s")
        c_ids, ts, types = c_ids[keep], ts[keep], types[keep]
        m = len(ts)
        start_id = self.s.counters["hs_email"] + 1
        self.s.counters["hs_email"] += m
        ids = np.char.add("ee-", np.arange(start_id, start_id + m).astype(str)).astype(object)
        self.s.emit_columns("hubspot", "email_event", {
            "id": ids, "campaign_id": c_ids, "recipient": np.full(m, row_email.lower(), dtype=object), "type": types,
            "created_at": np.datetime_as_string(ts, unit="s", timezone="UTC").astype(object)})

    # ----------------------------------------------------------------------------------- zendesk + usage
    def support_and_usage(self) -> None:
        s, r, w, co, g = self.s, self.r, self.w, self.co, self.g
        spans = [sp for sp in self.seat_spans if sp[1] > sp[0]]
        if not spans:
            return
        first = spans[0][0]
        # product usage, vectorised per subscription span
        util = 0.95 if r.random() < 0.1 else float(g.beta(5, 3))
        for start, end, timeline in spans:
            d0, d1 = np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D")
            days = np.arange(d0, d1)
            if len(days) == 0:
                continue
            t_days = np.array([np.datetime64(t.date(), "D") for t, _ in timeline])
            t_seats = np.array([q for _, q in timeline])
            seats = t_seats[np.clip(np.searchsorted(t_days, days, side="right") - 1, 0, None)]
            weekday = (days.astype("int64") - 4) % 7
            p = np.where(weekday >= 5, util * 0.15, util) * np.clip(g.normal(1, 0.05, len(days)), 0.5, 1.08)
            active = g.binomial(seats, np.clip(p, 0, 1))
            over = g.random(len(days)) < 0.005
            active = np.where(over, seats + g.integers(1, 3, len(days)), active)
            events = g.poisson(active * 12.0)
            cid = self.customer_id
            s.emit_columns("product", "usage_daily", {
                "date": np.datetime_as_string(days).astype(object), "stripe_customer_id": np.full(len(days), cid, dtype=object),
                "active_users": active.astype(str).astype(object), "seats_purchased": seats.astype(str).astype(object),
                "key_events": events.astype(str).astype(object)})
        if not self.paying:
            return
        # zendesk organisation, users, tickets, satisfaction, NPS
        oid = str(20_000_000 + s.next("zd_org"))
        org_created = first + timedelta(days=r.randint(1, 12), hours=r.randint(8, 18))
        if org_created >= w.end:
            return
        if s.emit("zendesk", "organization", {
                "id": oid, "name": self.cname("zendesk", "organization", oid),
                "domain_names": co.domain if r.random() < 0.8 else f"{co.domain};mail.{co.domain}",
                "created_at": org_created}):
            s.company("zendesk", "organization", oid, co.cid)
        users = []
        candidates = self.people[:]
        r.shuffle(candidates)
        for p in candidates[:max(1, min(len(candidates), 1 + int(g.poisson(1.2))))]:
            uid = str(360_000_000 + s.next("zd_user"))
            first_n, last_n = self.pname(p, "zendesk", "user", uid)
            if s.emit("zendesk", "user", {"id": uid, "email": self.email(p, "zendesk", "user", uid, False),
                                          "name": f"{first_n} {last_n}", "organization_id": oid, "role": "end-user"}):
                s.person("zendesk", "user", uid, p.pid)
            users.append((uid, p))
        for start, end, timeline in spans:
            t = max(start, org_created)
            seats = timeline[-1][1]
            lam = min(4.0, 0.25 + seats / 120)
            while t < end:
                t = t + timedelta(days=float(g.exponential(30 / lam)), hours=r.randint(0, 10))
                if t >= end or t >= w.end:
                    break
                uid, _p = r.choice(users)
                self.ticket(oid, uid, t)
            for q in range(0, 12 * 4):
                survey = datetime(w.start.year, 3, 15) + timedelta(days=91 * q)
                if survey >= w.end:
                    break
                if survey < start or survey >= end:
                    continue
                for _uid, p in users:
                    if r.random() < 0.25:
                        nid = f"nps-{s.next('zd_nps'):08d}"
                        score = int(np.clip(round(g.normal(5 + util * 5, 2)), 0, 10))
                        if s.emit("zendesk", "nps_response", {"id": nid, "email": self.email(p, "zendesk", "nps_response", nid, False),
                                                              "score": score,
                                                              "submitted_at": survey + timedelta(days=r.randint(0, 10), hours=r.randint(0, 23))}):
                            s.person("zendesk", "nps_response", nid, p.pid)

    def ticket(self, oid: str, uid: str, t: datetime) -> None:
        s, r, w = self.s, self.r, self.w
        ttype = r.choices(("question", "incident", "problem", "task"), (0.5, 0.3, 0.08, 0.12))[0]
        prio = r.choices(("low", "normal", "high", "urgent"), (0.2, 0.55, 0.2, 0.05))[0]
        tid = str(s.next("zd_ticket"))
        mean = {"low": 60, "normal": 30, "high": 12, "urgent": 4}[prio]
        hours = float(self.g.exponential(mean))
        # most tickets are solved within hours, a long tail waits weeks on the customer or on engineering: the same
        # draw stretched (9x at twice the mean, 19x at three times), so some are still open at any export
        stretch = hours / mean
        hours *= 1 + 2 * stretch * stretch
        solved = t + timedelta(hours=hours)
        if solved < w.export_at:
            status = "closed" if solved < w.export_at - timedelta(days=28) else "solved"
        else:
            status, solved = r.choice(("open", "pending", "hold")), None
        updated = (solved or t) + timedelta(hours=r.randint(0, 72))
        row = {"id": tid, "requester_id": self.orphan(uid, "", "zendesk", "ticket", tid, "requester_id"),
               "organization_id": oid, "subject": r.choice(TICKET_SUBJECTS[ttype]), "type": ttype, "priority": prio,
               "status": status, "channel": r.choice(("email", "web", "chat", "api", "email")), "created_at": t,
               "solved_at": solved, "updated_at": min(updated, w.export_at - timedelta(minutes=30))}
        stale = (lambda d: {**d, "status": "open", "solved_at": None, "updated_at": t}) if solved else None
        s.emit("zendesk", "ticket", row, stale=stale)
        if solved and r.random() < 0.45:
            score = r.choices(("good", "bad", "offered"), (0.5, 0.1, 0.4))[0]
            s.emit("zendesk", "satisfaction_rating", {
                "id": str(s.next("zd_csat") + 5_000_000),
                "ticket_id": self.orphan(tid, "", "zendesk", "satisfaction_rating", tid, "ticket_id"),
                "score": score, "created_at": min(solved + timedelta(hours=r.randint(1, 48)), w.export_at - timedelta(minutes=5))})

    # -------------------------------------------------------------------------------------------- truth
    def truth_mrr(self) -> None:
        if not self.segments:
            return
        w, co = self.w, self.co
        exp = 10 ** C.EXPONENT[co.currency]
        mrr: dict[datetime, float] = {}
        for start, end, full, net, months in self.segments:
            covered = (end - start).days
            if covered <= 0 or net == 0:
                continue
            rate = net / exp * full / covered / months
            # MRR is the run-rate at month end: the full monthly rate in every month whose end the period
            # [start, end) covers (start < next month's first day <= end), not a spread by overlap days
            m = month_start(start)
            while m < w.end:
                nm = add_months(m, 1)
                if nm > end:
                    break
                if m >= w.start:
                    mrr[m] = mrr.get(m, 0.0) + rate
                m = nm
        for m in sorted(mrr):
            v = mrr[m]
            if v > 1e-9:
                self.s.mrr(co.cid, m.date().isoformat(), co.currency, v, v * w.rate_on_or_before(co.currency, m))


def _stale_contact(d: dict) -> dict:
    return {**d, "title": None, "last_modified_date": d["created_date"]}


def _stale_lead(d: dict) -> dict:
    return {**d, "status": "Working - Contacted", "is_converted": False, "converted_contact_id": None,
            "converted_account_id": None, "converted_opportunity_id": None, "converted_date": None}

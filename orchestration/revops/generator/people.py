"""People and company identities, and the realistic ways systems mis-spell them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from .util import ascii_slug

NICKNAMES = {
    "Robert": "Bob", "William": "Bill", "James": "Jim", "Michael": "Mike", "Thomas": "Tom", "Richard": "Rick",
    "Elizabeth": "Liz", "Katherine": "Kate", "Jennifer": "Jen", "Margaret": "Peggy", "Christopher": "Chris",
    "Daniel": "Dan", "Matthew": "Matt", "Joseph": "Joe", "Anthony": "Tony", "Andrew": "Andy", "Nicholas": "Nick",
    "Benjamin": "Ben", "Alexander": "Alex", "Samuel": "Sam", "Jonathan": "Jon", "Steven": "Steve",
    "Timothy": "Tim", "Rebecca": "Becky", "Susan": "Sue", "Deborah": "Debbie", "Stephanie": "Steph",
    "Kimberly": "Kim", "Jessica": "Jess", "Edward": "Ed", "Charles": "Charlie", "David": "Dave", "Peter": "Pete",
    "Patricia": "Pat", "Gregory": "Greg", "Kenneth": "Ken", "Ronald": "Ron", "Donald": "Don",
}
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com")
FREE_MAIL_TYPOS = {"gmail.com": "gmial.com", "outlook.com": "outlok.com", "yahoo.com": "yaho.com",
                   "hotmail.com": "hotmial.com", "icloud.com": "iclod.com"}
DISPOSABLE = ("mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "trashmail.com")
ROLE_LOCALS = ("info", "sales", "hello", "contact", "office")
BILLING_LOCALS = ("billing", "accounts", "finance", "ap")
TITLES = (
    "CEO", "CFO", "COO", "VP Sales", "VP Marketing", "Head of Revenue Operations", "Sales Operations Manager",
    "Director of Finance", "Marketing Manager", "Data Analyst", "Account Manager", "Customer Success Lead",
    "Controller", "RevOps Analyst", "Head of Growth", "Business Intelligence Lead", "Founder",
)
CALLING_CODE = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "ES": "34", "JP": "81", "AU": "61"}
LEGAL_EXPANSIONS = {"Inc.": "Incorporated", "Corp.": "Corporation", "Ltd": "Limited", "Ltd.": "Limited",
                    "LLC": "L.L.C.", "Co., Ltd.": "Company Limited", "Pty Ltd": "Pty. Limited", "GmbH": "G.m.b.H."}


@dataclass
class Company:
    idx: int
    cid: str
    base: str
    suffix: str
    domain: str
    country: str
    currency: str
    tz: str  # IANA time zone
    industry: str
    employees: int
    segment: str

    @property
    def name(self) -> str:
        return f"{self.base} {self.suffix}"


@dataclass
class Person:
    pid: str
    first: str
    last: str
    email: str
    phone_cc: str
    phone_nat: str
    title: str
    created: datetime
    mkt_email: str = ""  # the address used on the marketing side (may carry a typo / be disposable)
    mkt_mess: str = ""  # kind of mess on mkt_email, if any
    has_hubspot: bool = True
    extra: dict = field(default_factory=dict)


def company_name_variant(co: Company, r: random.Random, rate: float) -> tuple[str, bool]:
    if rate <= 0 or r.random() >= rate:
        return co.name, False
    v = r.randrange(7)
    if v == 0:
        out = co.base
    elif v == 1:
        out = co.name.upper()
    elif v == 2:
        out = co.name.lower()
    elif v == 3:
        out = f"{co.base}, {co.suffix}"
    elif v == 4:
        out = f"{co.base} {LEGAL_EXPANSIONS.get(co.suffix, co.suffix.replace('.', ''))}"
    elif v == 5:
        out = f" {co.base}  {co.suffix} "
    else:
        out = co.base.upper()
    return out, out != co.name


def person_name_variant(first: str, last: str, r: random.Random, rate: float) -> tuple[str, str, bool]:
    if rate <= 0 or r.random() >= rate:
        return first, last, False
    v = r.randrange(3)
    if v == 0:
        return first.upper(), last.upper(), True
    if v == 1:
        return first.lower(), last.lower(), True
    return f" {first}", f"{last} ", True


def email_case_variant(email: str, r: random.Random, rate: float) -> tuple[str, bool]:
    if rate <= 0 or r.random() >= rate:
        return email, False
    v = r.randrange(3)
    if v == 0:
        local, _, dom = email.partition("@")
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + dom.capitalize(), True
    if v == 1:
        return email.upper(), True
    return f" {email} ", True


def email_typo(email: str, r: random.Random) -> str:
    local, _, dom = email.partition("@")
    if dom in FREE_MAIL_TYPOS and r.random() < 0.5:
        return f"{local}@{FREE_MAIL_TYPOS[dom]}"
    letters = [i for i in range(len(local) - 1) if local[i].isalpha() and local[i + 1].isalpha() and local[i] != local[i + 1]]
    if letters and r.random() < 0.6:
        i = r.choice(letters)
        local = local[:i] + local[i + 1] + local[i] + local[i + 2:]
    elif len(local) > 3:
        i = r.randrange(1, len(local) - 1)
        local = local[:i] + local[i + 1:] if r.random() < 0.5 else local[:i] + local[i] + local[i:]
    else:
        local = local + local[-1]
    return f"{local}@{dom}"


def phone_text(p: Person, r: random.Random, rate: float) -> str:
    n = p.phone_nat
    canonical = f"+{p.phone_cc} {n[:3]} {n[3:6]} {n[6:]}"
    if rate <= 0 or r.random() >= rate:
        return canonical
    v = r.randrange(4)
    if v == 0:
        return f"+{p.phone_cc}{n}"
    if v == 1:
        return f"({n[:3]}) {n[3:6]}-{n[6:]}" if p.phone_cc == "1" else f"0{n[:3]} {n[3:]}"
    if v == 2:
        return f"{n[:3]}.{n[3:6]}.{n[6:]}"
    return f"00{p.phone_cc}-{n[:3]}-{n[3:6]}-{n[6:]}"


def local_part(first: str, last: str, pattern: int) -> str:
    f, l_ = ascii_slug(first) or "x", ascii_slug(last) or "y"
    return (f"{f}.{l_}", f"{f[0]}{l_}", f, f"{f}{l_[0]}", f"{f}_{l_}")[pattern]

"""Knobs of the sample-company generator: mess rates (one dataclass) and the business model's constants."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class MessRates:
    """Rates of injected mess. Every rate is a probability per record (or per row for row-level kinds).

    ``MessRates.none()`` turns every kind off (``--no-mess``).
    """

    # identity noise (person and company records)
    company_name_variant: float = 0.45  # a record spells its company differently (case, suffix, whitespace)
    person_name_variant: float = 0.03  # a record writes the person's name in other case / with stray spaces
    nickname: float = 0.02  # a Salesforce record uses the nickname (Robert -> Bob)
    email_case: float = 0.03  # a record writes the email in mixed case or with surrounding spaces
    email_typo: float = 0.015  # a person's marketing email (HubSpot side) carries a typo
    disposable_email: float = 0.01  # a person signs up with a disposable address (mailinator.com...)
    role_email: float = 0.05  # a company has a role address (info@, sales@...) in HubSpot / as Stripe payer
    duplicate_contact: float = 0.02  # a rep enters a Salesforce contact twice
    duplicate_deal: float = 0.03  # a second rep enters a closed new-business deal again (same amount, close date)
    phone_format: float = 0.35  # a record formats the phone number differently
    # row-level noise
    exact_duplicate: float = 0.003  # the same row written twice (same _loaded_at)
    resend: float = 0.004  # a row first written stale, then re-sent later with a later _loaded_at
    soft_delete: float = 0.01  # is_deleted = true
    orphan_fk: float = 0.004  # a foreign key points at a row that never arrived
    currency_case: float = 0.05  # currency code in mixed case (usd, Eur)
    timestamp_offset: float = 0.05  # timestamps written with a non-UTC offset or without one
    bad_value: float = 0.002  # unparseable value: bad timestamp / amount / currency, or empty primary key

    @classmethod
    def none(cls) -> "MessRates":
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @property
    def enabled(self) -> bool:
        return any(getattr(self, f.name) > 0 for f in fields(self))


# Countries: (weight, currency, faker locale, IANA time zone of local send times (daylight saving included; the
# same zone as the dbt seed country_timezones), tlds)
COUNTRIES: dict[str, tuple[float, str, str, str, tuple[str, ...]]] = {
    "US": (0.44, "USD", "en_US", "America/New_York", (".com",)),
    "GB": (0.12, "GBP", "en_GB", "Europe/London", (".co.uk", ".com")),
    "DE": (0.10, "EUR", "de_DE", "Europe/Berlin", (".de", ".com")),
    "FR": (0.06, "EUR", "fr_FR", "Europe/Paris", (".fr", ".com")),
    "NL": (0.04, "EUR", "nl_NL", "Europe/Amsterdam", (".nl", ".com")),
    "ES": (0.03, "EUR", "es_ES", "Europe/Madrid", (".es", ".com")),
    "JP": (0.07, "JPY", "ja_JP", "Asia/Tokyo", (".co.jp", ".jp", ".com")),
    "CA": (0.07, "CAD", "en_CA", "America/Toronto", (".ca", ".com")),
    "AU": (0.06, "AUD", "en_AU", "Australia/Sydney", (".com.au", ".com")),
}
COUNTRY_NAMES = {
    "US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France", "NL": "Netherlands",
    "ES": "Spain", "JP": "Japan", "CA": "Canada", "AU": "Australia",
}
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD")
# starting rate_to_usd of each currency; the daily rate follows a gentle random walk
FX_START = {"USD": 1.0, "EUR": 1.08, "GBP": 1.26, "JPY": 0.0068, "CAD": 0.74, "AUD": 0.66}
# minor units per major unit (Stripe): JPY is zero-decimal
EXPONENT = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CAD": 2, "AUD": 2}
# list price multiplier from USD (major units), rounded to whole units
PRICE_FACTOR = {"USD": 1.0, "EUR": 0.92, "GBP": 0.8, "JPY": 150.0, "CAD": 1.35, "AUD": 1.5}

SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_WEIGHTS = (0.56, 0.34, 0.10)

INDUSTRIES = (
    "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education", "Media",
    "Logistics", "Professional Services", "Energy", "Telecommunications", "Real Estate", "Hospitality",
)

# Per segment: people per company (Poisson mean beyond one), sales-engagement probability, self-serve trial
# probability, win rate, sales cycle median days, monthly churn hazard, share on annual billing.
SEGMENT_MODEL = {
    "smb": dict(people=1.7, sales=0.38, self_serve=0.5, win=0.5, cycle=28, churn=0.028, annual=0.25,
                seats=(2, 25), plan="starter", send_hour=8, send_weekday=1),
    "mid_market": dict(people=3.6, sales=0.58, self_serve=0.12, win=0.45, cycle=55, churn=0.014, annual=0.55,
                       seats=(10, 150), plan="growth", send_hour=10, send_weekday=2),
    "enterprise": dict(people=6.5, sales=0.68, self_serve=0.02, win=0.38, cycle=110, churn=0.008, annual=0.8,
                       seats=(60, 900), plan="enterprise", send_hour=14, send_weekday=3),
}

# Products: code -> (name, is_add_on, monthly USD list price per unit in major units, per_seat)
PRODUCTS = {
    "starter": ("Lumen Starter", False, 25.0, True),
    "growth": ("Lumen Growth", False, 45.0, True),
    "enterprise": ("Lumen Enterprise", False, 80.0, True),
    "analytics": ("Advanced Analytics add-on", True, 10.0, True),
    "sso": ("SSO & SCIM add-on", True, 200.0, False),
    "support": ("Premium Support add-on", True, 500.0, False),
    "onboarding": ("Onboarding package", True, 1500.0, False),  # one-off price (no interval)
}
PLAN_ORDER = ("starter", "growth", "enterprise")
ANNUAL_MONTHS_CHARGED = 10  # a yearly price costs ten months (two months free)
QUARTER_FACTOR = 0.95  # a quarterly price is 3 months less 5 %

OPP_STAGES = (  # name, probability, forecast category
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 20, "Pipeline"),
    ("Needs Analysis", 30, "Pipeline"),
    ("Value Proposition", 50, "Best Case"),
    ("Proposal/Price Quote", 75, "Commit"),
    ("Negotiation/Review", 90, "Commit"),
)
WON = ("Closed Won", 100, "Closed")
LOST = ("Closed Lost", 0, "Omitted")

CAMPAIGN_TYPES = ("email", "webinar", "paid_search", "paid_social", "event", "content")
CAMPAIGN_TYPE_WEIGHTS = (0.3, 0.15, 0.15, 0.15, 0.1, 0.15)
CAMPAIGNS_PER_MONTH = 6

SITE = "https://www.getlumen.io"


@dataclass(frozen=True)
class LeakageRates:
    """Rates of planted revenue leakage: business reality (not export mess), so on by default and independent of
    ``MessRates``. Each rate is a probability per chance to leak; ``LeakageRates.none()`` plants nothing (cases
    that arise from the simulation itself are still listed in the ground truth's leakage.csv).
    """

    closed_won_not_invoiced: float = 0.03  # per won new-business deal: billing never sets the customer up
    invoiced_below_contract: float = 0.05  # per won new-business deal: the first invoice carries an unapproved discount
    invoice_unpaid_past_due: float = 0.01  # per recurring invoice: the customer ignores it (open, never charged)
    churned_in_billing_active_in_crm: float = 0.3  # per yearly sales-led churn: the lost renewal is never recorded
    active_in_billing_churned_in_crm: float = 0.03  # per yearly sales-led renewal: CRM marks it lost, billing goes on
    renewal_without_opportunity: float = 0.15  # per upcoming yearly sales-led renewal: the rep opens no opportunity
    # per paid recurring invoice without a credit note: support refunds the charge in Stripe, nobody issues the credit
    # note (drawn from a stream of its own: the other plants and the sample's other rows stay as they were)
    refunded_without_credit_note: float = 0.01

    @classmethod
    def none(cls) -> "LeakageRates":
        return cls(**{f.name: 0.0 for f in fields(cls)})


# Policy of the leakage mart (dbt vars of fct_revenue_leakage; keep in step with dbt_project.yml).
LEAKAGE_PAYMENT_TERMS_DAYS = 30
LEAKAGE_INVOICE_GRACE_DAYS = 31
LEAKAGE_ALLOWED_DISCOUNT = 0.0
LEAKAGE_RENEWAL_WINDOW_DAYS = 90

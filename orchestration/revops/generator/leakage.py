"""Ground truth of revenue leakage: every case the leakage mart's documented rules should flag, planted or natural.

Each company hands its records over as emitted (soft deletes and broken account links included, since the rules
see those); the cases are decided at the end, once the as-of date is known: the day of the latest Stripe invoice
row (its _loaded_at, late re-sends included), exactly as fct_revenue_leakage takes it. Companies are matched by
their true id (the crosswalk as it should be). Definitions mirror models/marts/quality/fct_revenue_leakage.sql.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from . import config as C
from .util import month_start

if TYPE_CHECKING:
    from .company import CompanySim
    from .world import World

LEAKAGE_COLUMNS = ["leakage_type", "salesforce_opportunity_id", "salesforce_account_id", "stripe_customer_id",
                   "stripe_subscription_id", "stripe_invoice_id", "true_company_id", "currency",
                   "amount_at_risk_local", "amount_at_risk", "planted", "detail", "reference_date"]
LIVE = ("active", "trialing", "past_due", "unpaid")
TWO = Decimal("0.01")


def _months(a: datetime, b: datetime) -> int:
    """dbt.datediff(month) on DuckDB: month boundaries crossed."""
    return (b.year - a.year) * 12 + b.month - a.month


class LeakageBook:
    def __init__(self) -> None:
        self.never: list[tuple] = []  # won new business without a first invoice (decided against as_of)
        self.cases: list[tuple] = []  # cases that do not depend on the as-of date
        self.unpaid: list[tuple] = []  # open invoices owed (decided against as_of)
        self.renewals: list[tuple] = []  # yearly live subscriptions with no open renewal opportunity
        self.planted: dict[str, int] = {}

    def plant(self, kind: str) -> None:
        self.planted[kind] = self.planted.get(kind, 0) + 1

    # ---------------------------------------------------------------------------------------- per company
    def add_company(self, sim: "CompanySim") -> None:
        cid, exp = sim.co.cid, Decimal(10) ** C.EXPONENT[sim.co.currency]
        planted = sim.leak_planted

        def company_of(account_id: str | None) -> str | None:
            return cid if account_id is not None and account_id == sim.account_id else account_id

        # Billing is tied to the company by its Stripe customer record; when that row never arrived (its id was
        # lost), the invoices and subscriptions stand alone under their customer id, as the crosswalk sees them.
        billing_company = cid if getattr(sim, "customer_linked", True) else sim.customer_id

        opps = [o for o in sim.f_opps if not o["deleted"]]
        invoices = sorted((i for i in sim.f_invoices if i["status"] not in ("void", "draft")), key=lambda i: (i["created"], i["id"]))
        subs = sim.f_subs
        # 1 + 2. won new business: the first invoice of its company with recurring charges (a one-off fee is not
        # annualised with them; a credit note reduces them, and one credited in full does not bill) from the close
        # date less the grace days, on a subscription first billed then too (not the company's earlier billing); a
        # deal entered twice (same company, amount, currency and close date) is one deal, on its lowest opportunity id
        sub_first: dict[str, datetime] = {}
        for i in invoices:
            if i["sub"] is not None:
                sub_first.setdefault(i["sub"], i["created"])
        deals: dict[tuple, dict] = {}
        for o in opps:
            if o["won"] and o["type"] == "New Business":
                key = (company_of(o["account_id"]), Decimal(str(o["amount"])), o["currency"], o["close_date"])
                if key not in deals or o["id"] < deals[key]["id"]:
                    deals[key] = o
        for o in deals.values():
            since = datetime.combine(o["close_date"], datetime.min.time()) - timedelta(days=C.LEAKAGE_INVOICE_GRACE_DAYS)
            first = next((i for i in invoices if sub_first.get(i["sub"], i["created"]) >= since and i["recurring"] > 0
                          and (i["credit"] == 0 or i["credit"] < i["recurring_net"])), None) \
                if company_of(o["account_id"]) == billing_company else None
            acv = Decimal(str(o["amount"]))
            if first is None:
                detail = "closed-won opportunity has no invoice" + (
                    " (its account_id points at no account)" if company_of(o["account_id"]) != cid else
                    " (its Stripe customer record never arrived)" if billing_company != cid else "")
                self.never.append((o["id"], o["account_id"], cid, o["close_date"], o["currency"], acv,
                                   o["id"] in planted.get("closed_won_not_invoiced", ()), detail))
                continue
            # the generator bills a company in its deals' currency, so the mart's conversion of a first invoice in
            # another currency (at the invoice month's rates) never applies here
            pm = _months(first["ps"], first["pe"])
            net = Decimal(first["recurring_net"] - first["credit"]) / exp
            if pm > 0 and first["currency"] == o["currency"] and \
                    net * 12 < acv * (1 - Decimal(str(C.LEAKAGE_ALLOWED_DISCOUNT))) * pm:
                self.cases.append(("invoiced_below_contract", o["id"], o["account_id"], first["customer"],
                                   first["sub"], first["id"], cid, o["currency"], acv - net * 12 / pm,
                                   o["id"] in planted.get("invoiced_below_contract", ()),
                                   "annualised first invoice below the contracted amount", o["close_date"]))
        # 3. invoices still owed
        for i in invoices:
            owed = Decimal(i["due"] - i["paid"]) / exp
            if i["status"] in ("open", "uncollectible") and owed > 0:
                due = (i["due_date"] or i["created"] + timedelta(days=C.LEAKAGE_PAYMENT_TERMS_DAYS)).date()
                self.unpaid.append((i["id"], i["customer"], i["sub"], cid, due, i["currency"], owed,
                                    i["id"] in planted.get("invoice_unpaid_past_due", ()),
                                    f"invoice {i['status']} past its due date"))
        # 4. CRM status vs billing status, per account of this company (opps of a broken account link have none)
        if subs and billing_company == cid:
            is_live = any(s["status"] in LIVE for s in subs)
            customer = max(s["customer"] for s in subs)
            won = [o for o in opps if o["won"] and company_of(o["account_id"]) == cid]
            lost = [o for o in opps if o["closed"] and not o["won"] and o["type"] == "Renewal"
                    and company_of(o["account_id"]) == cid]
            if won:
                last_won = max(o["close_date"] for o in won)
                last_lost = max((o["close_date"] for o in lost), default=None)
                crm_active = last_lost is None or last_lost < last_won
                if is_live != crm_active:
                    kind = "active_in_billing_churned_in_crm" if is_live else "churned_in_billing_active_in_crm"
                    opp = max(o["id"] for o in (lost if is_live else won))
                    # at risk: the last invoice with recurring charges (as in 1 + 2: a one-off fee is no run-rate,
                    # credit notes reduce them, one credited in full does not bill), annualised
                    billed = [i for i in invoices
                              if i["recurring"] > 0 and (i["credit"] == 0 or i["credit"] < i["recurring_net"])]
                    last = max(billed, key=lambda i: (i["created"], i["id"])) if billed else None
                    amount, cur = Decimal(0), None
                    if last is not None:
                        cur = last["currency"]
                        pm = _months(last["ps"], last["pe"])
                        net = Decimal(last["recurring_net"] - last["credit"]) / exp
                        amount = net * 12 / pm if pm else Decimal(0)
                    detail = ("live subscription while the CRM lost the renewal" if is_live
                              else "no live subscription while the CRM shows an active customer")
                    # dated by the lost renewal, resp. the day billing stopped (the latest subscription's end)
                    dated = last_lost if is_live else max(s["end"] for s in subs).date()
                    self.cases.append((kind, opp, sim.account_id, customer, None, None, cid, cur, amount,
                                       kind in planted, detail, dated))
        # 5. yearly subscriptions renewing: decided against the as-of date
        has_open_renewal = any(o["type"] == "Renewal" and not o["closed"] and company_of(o["account_id"]) == billing_company
                               for o in opps)
        if not has_open_renewal:
            for s in subs:
                items = [(p, q) for p, q, deleted in s["items"] if deleted is None and p.months]
                if s["status"] != "active" or s["cape"] or not any(p.months == 12 for p, _ in items):
                    continue
                annual = sum((Decimal(p.unit) / exp * q * (1 if p.months == 12 else 12) / (1 if p.months == 12 else p.months)
                              for p, q in items), Decimal(0))
                self.renewals.append((s["id"], s["customer"], cid, s["cpe"].date(), items[0][0].currency, annual,
                                      s["id"] in planted.get("renewal_without_opportunity", ()),
                                      "yearly subscription renews within the window without a renewal opportunity"))
        # 6. charges refunded beyond their invoice's credit notes (as staging sees both: CompanySim.write_invoice);
        # keyed by the charge's customer, whose company is this one when its Stripe customer record arrived
        for f in sim.f_refunds:
            self.cases.append(("refunded_without_credit_note", None, None, f["customer"], f["sub"], f["invoice"], cid,
                               f["currency"], Decimal(f["at_risk"]) / exp, f["planted"],
                               "refunded beyond the credit notes of the invoice" if f["credited"]
                               else "refunded without a credit note", f["charged_at"].date()))

    # ---------------------------------------------------------------------------------------------- at the end
    def rows(self, as_of: date, world: "World") -> list[tuple]:
        # the warehouse converts at the rate of the as-of month: the latest rate on or before its first day (months
        # after the last rate date carry that rate: int_fx_rates__monthly)
        fx_month = month_start(datetime.combine(as_of, datetime.min.time()))

        def rate(cur: str) -> Decimal:  # as finance.fx_rate writes it (8 decimals), which staging reads whole (12)
            return Decimal(f"{world.rate_on_or_before(cur, fx_month):.8f}")

        def usd_of(cur: str | None, local: Decimal) -> Decimal:
            if cur is None:
                return Decimal(0)
            return (local * rate(cur.upper()) / rate("USD")).quantize(TWO)

        out = []
        grace = timedelta(days=C.LEAKAGE_INVOICE_GRACE_DAYS)
        for opp, account, cid, close, cur, acv, planted, detail in self.never:
            if close + grace < as_of:
                out.append(("closed_won_not_invoiced", opp, account, None, None, None, cid, cur, acv, planted, detail,
                            close))
        out.extend(self.cases)
        for inv, customer, sub, cid, due, cur, owed, planted, detail in self.unpaid:
            if due < as_of:
                out.append(("invoice_unpaid_past_due", None, None, customer, sub, inv, cid, cur, owed, planted, detail,
                            due))
        window = as_of + timedelta(days=C.LEAKAGE_RENEWAL_WINDOW_DAYS)
        for sub, customer, cid, end, cur, annual, planted, detail in self.renewals:
            if as_of <= end < window:
                out.append(("renewal_without_opportunity", None, None, customer, sub, None, cid, cur, annual,
                            planted, detail, end))
        return [(kind, opp or "", account or "", customer or "", sub or "", inv or "", cid, (cur or "").upper(),
                 f"{local.quantize(TWO)}", f"{usd_of(cur, local)}", str(planted).lower(), detail, dated.isoformat())
                for kind, opp, account, customer, sub, inv, cid, cur, local, planted, detail, dated in out]

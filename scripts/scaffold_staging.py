"""One-off scaffolder used to write the staging layer from the raw contract (kept for reference: re-running
it overwrites models/staging). Hand edits after scaffolding live in the generated files."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "orchestration"))
from revops.contract import CONTRACT, INCREMENTAL_TABLES, PRIMARY_KEYS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SYSTEM_DOCS = {
    "salesforce": "Salesforce CRM: accounts, contacts, leads, opportunities and their history. The truth for pipeline.",
    "hubspot": "HubSpot marketing automation: contacts, campaigns, e-mail events, forms and events.",
    "ads": "Paid media spend, one row per day, platform and campaign.",
    "finance": "General-ledger extracts: monthly expenses by department, and daily FX rates to USD.",
    "stripe": "Stripe billing: the source of truth for revenue. Amounts in integer minor units in the raw export.",
    "zendesk": "Zendesk customer success: organisations, users, tickets, CSAT and NPS.",
    "product": "Product usage from the product's own event store, one row per Stripe customer per day.",
}

TABLE_DOCS = {
    ("salesforce", "account"): "One row per Salesforce account (company).",
    ("salesforce", "contact"): "One row per Salesforce contact (a person at an account).",
    ("salesforce", "lead"): "One row per Salesforce lead, converted or not.",
    ("salesforce", "opportunity"): "One row per opportunity; `amount` is annual contract value.",
    ("salesforce", "opportunity_history"): "One row per change of stage, amount or close date (the state after the change).",
    ("salesforce", "opportunity_line_item"): "Products on an opportunity.",
    ("salesforce", "quote"): "Quotes sent for an opportunity.",
    ("salesforce", "user"): "Salesforce users: the reps who own accounts and opportunities.",
    ("hubspot", "contact"): "One row per HubSpot contact with lifecycle-stage dates.",
    ("hubspot", "campaign"): "Marketing campaigns with type and budget.",
    ("hubspot", "email_event"): "Marketing e-mail events (sent, delivered, open, click, bounce, unsubscribe).",
    ("hubspot", "form_submission"): "Form submissions on the website.",
    ("hubspot", "event_attendance"): "Webinar and event registrations and attendance.",
    ("ads", "ad_spend_daily"): "Daily spend, impressions and clicks per ad platform and campaign.",
    ("finance", "expense"): "Monthly expense by department and category.",
    ("finance", "fx_rate"): "Daily FX rate: units of USD for one unit of the currency.",
    ("stripe", "customer"): "Stripe customers (the payer; often a company).",
    ("stripe", "product"): "Products sold, with whether they are add-ons.",
    ("stripe", "price"): "Prices of products; recurring prices have an interval, one-off prices none.",
    ("stripe", "subscription"): "Subscriptions with status and current period.",
    ("stripe", "subscription_item"): "Items (price x quantity) of a subscription.",
    ("stripe", "invoice"): "Invoices with totals, status and service period.",
    ("stripe", "invoice_line_item"): "Invoice lines: the basis of recurring revenue.",
    ("stripe", "charge"): "Payment attempts on invoices, with refunds.",
    ("stripe", "credit_note"): "Credit notes (refunds and credits) against invoices.",
    ("zendesk", "organization"): "Zendesk organisations (customers) with their e-mail domains.",
    ("zendesk", "user"): "Zendesk users: requesters (end-users) and agents.",
    ("zendesk", "ticket"): "Support tickets.",
    ("zendesk", "satisfaction_rating"): "CSAT ratings on tickets.",
    ("zendesk", "nps_response"): "NPS survey responses (0-10).",
    ("product", "usage_daily"): "Daily product usage per Stripe customer.",
}

RENAMES = {
    ("salesforce", "account"): {"id": "account_id", "name": "account_name", "created_date": "created_at"},
    ("salesforce", "contact"): {"id": "contact_id", "created_date": "created_at", "last_modified_date": "last_modified_at"},
    ("salesforce", "lead"): {"id": "lead_id", "company": "company_name", "status": "lead_status", "created_date": "created_at"},
    ("salesforce", "opportunity"): {"id": "opportunity_id", "name": "opportunity_name", "type": "opportunity_type", "amount": "acv_amount", "currency_iso_code": "currency", "created_date": "created_at", "last_modified_date": "last_modified_at"},
    ("salesforce", "opportunity_history"): {"id": "opportunity_history_id", "amount": "acv_amount", "created_date": "changed_at"},
    ("salesforce", "opportunity_line_item"): {"id": "opportunity_line_item_id", "unit_price": "unit_price_amount", "total_price": "total_price_amount"},
    ("salesforce", "quote"): {"id": "quote_id", "status": "quote_status", "total": "total_amount"},
    ("salesforce", "user"): {"id": "user_id", "name": "user_name", "role": "user_role"},
    ("hubspot", "contact"): {"id": "contact_id", "company": "company_name"},
    ("hubspot", "campaign"): {"id": "campaign_id", "name": "campaign_name", "type": "campaign_type", "budget": "budget_amount"},
    ("hubspot", "email_event"): {"id": "email_event_id", "recipient": "recipient_email", "type": "event_type"},
    ("hubspot", "form_submission"): {"id": "form_submission_id"},
    ("hubspot", "event_attendance"): {"id": "event_attendance_id", "attended": "is_attended"},
    ("ads", "ad_spend_daily"): {"date": "spend_date", "spend": "spend_amount"},
    ("finance", "expense"): {"month": "expense_month", "amount": "expense_amount"},
    ("finance", "fx_rate"): {"date": "rate_date"},
    ("stripe", "customer"): {"id": "customer_id", "name": "customer_name", "created": "created_at"},
    ("stripe", "product"): {"id": "product_id", "name": "product_name"},
    ("stripe", "price"): {"id": "price_id"},
    ("stripe", "subscription"): {"id": "subscription_id", "status": "subscription_status", "created": "created_at", "start_date": "started_at", "trial_end": "trial_ends_at", "cancel_at_period_end": "is_cancel_at_period_end", "current_period_start": "current_period_start_at", "current_period_end": "current_period_end_at"},
    ("stripe", "subscription_item"): {"id": "subscription_item_id", "created": "created_at"},
    ("stripe", "invoice"): {"id": "invoice_id", "number": "invoice_number", "status": "invoice_status", "subtotal": "subtotal_amount", "discount": "discount_amount", "tax": "tax_amount", "total": "total_amount", "amount_paid": "paid_amount", "amount_due": "due_amount", "created": "created_at", "due_date": "due_at", "period_start": "period_start_at", "period_end": "period_end_at"},
    ("stripe", "invoice_line_item"): {"id": "invoice_line_item_id", "period_start": "period_start_at", "period_end": "period_end_at", "proration": "is_proration"},
    ("stripe", "charge"): {"id": "charge_id", "status": "charge_status", "amount_refunded": "refunded_amount", "created": "created_at"},
    ("stripe", "credit_note"): {"id": "credit_note_id", "reason": "credit_note_reason", "created": "created_at"},
    ("zendesk", "organization"): {"id": "organization_id", "name": "organization_name"},
    ("zendesk", "user"): {"id": "user_id", "name": "user_name", "role": "user_role"},
    ("zendesk", "ticket"): {"id": "ticket_id", "type": "ticket_type", "status": "ticket_status"},
    ("zendesk", "satisfaction_rating"): {"id": "satisfaction_rating_id"},
    ("zendesk", "nps_response"): {"id": "nps_response_id", "score": "nps_score"},
    ("product", "usage_daily"): {"date": "usage_date"},
}

NOT_NEGATIVE = {
    ("salesforce", "account"): ["number_of_employees"],
    ("salesforce", "opportunity"): ["amount"],
    ("salesforce", "opportunity_history"): ["amount"],
    ("salesforce", "opportunity_line_item"): ["quantity", "unit_price"],
    ("salesforce", "quote"): ["total"],
    ("hubspot", "campaign"): ["budget"],
    ("hubspot", "event_attendance"): ["minutes_attended"],
    ("ads", "ad_spend_daily"): ["spend", "impressions", "clicks"],
    ("finance", "fx_rate"): ["rate_to_usd"],
    ("stripe", "price"): ["unit_amount"],
    ("stripe", "subscription_item"): ["quantity"],
    ("stripe", "invoice"): ["amount_paid", "amount_due"],
    ("stripe", "charge"): ["amount", "amount_refunded"],
    ("stripe", "credit_note"): ["amount"],
    ("zendesk", "nps_response"): ["score"],
    ("product", "usage_daily"): ["active_users", "seats_purchased", "key_events"],
}

NO_FUTURE = {
    ("salesforce", "account"): ["created_date"],
    ("salesforce", "contact"): ["created_date", "last_modified_date"],
    ("salesforce", "lead"): ["created_date"],
    ("salesforce", "opportunity"): ["created_date", "last_modified_date"],
    ("salesforce", "opportunity_history"): ["created_date"],
    ("salesforce", "quote"): ["sent_at", "signed_at"],
    ("hubspot", "contact"): ["created_at", "updated_at"],
    ("hubspot", "email_event"): ["created_at"],
    ("hubspot", "form_submission"): ["submitted_at"],
    ("hubspot", "event_attendance"): ["registered_at"],
    ("ads", "ad_spend_daily"): ["date"],
    ("finance", "fx_rate"): ["date"],
    ("stripe", "customer"): ["created"],
    ("stripe", "subscription"): ["created"],
    ("stripe", "invoice"): ["created"],
    ("stripe", "charge"): ["created"],
    ("stripe", "credit_note"): ["created"],
    ("zendesk", "organization"): ["created_at"],
    ("zendesk", "ticket"): ["created_at"],
    ("zendesk", "satisfaction_rating"): ["created_at"],
    ("zendesk", "nps_response"): ["submitted_at"],
    ("product", "usage_daily"): ["date"],
}

CURRENCY = {
    ("salesforce", "opportunity"): "currency_iso_code",
    ("hubspot", "campaign"): "currency",
    ("ads", "ad_spend_daily"): "currency",
    ("finance", "expense"): "currency",
    ("finance", "fx_rate"): "currency",
    ("stripe", "customer"): "currency",
    ("stripe", "price"): "currency",
    ("stripe", "invoice"): "currency",
    ("stripe", "invoice_line_item"): "currency",
    ("stripe", "charge"): "currency",
    ("stripe", "credit_note"): "currency",
}

ENUMS = {
    ("salesforce", "opportunity"): {"type": ["New Business", "Upsell", "Renewal"], "forecast_category": ["Pipeline", "Best Case", "Commit", "Closed", "Omitted"]},
    ("salesforce", "opportunity_history"): {"forecast_category": ["Pipeline", "Best Case", "Commit", "Closed", "Omitted"]},
    ("salesforce", "quote"): {"status": ["Draft", "Sent", "Signed", "Rejected"]},
    ("hubspot", "contact"): {"lifecycle_stage": ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"]},
    ("hubspot", "campaign"): {"type": ["webinar", "email", "paid_search", "paid_social", "event", "content"]},
    ("hubspot", "email_event"): {"type": ["SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "UNSUBSCRIBED"]},
    ("hubspot", "form_submission"): {"form_name": ["webinar-registration", "demo-request", "contact-us", "content-download", "trial-signup"]},
    ("finance", "expense"): {"department": ["sales", "marketing", "customer_success", "other"]},
    ("stripe", "price"): {"recurring_interval": ["month", "year"]},
    ("stripe", "subscription"): {"status": ["trialing", "active", "past_due", "unpaid", "canceled", "incomplete"]},
    ("stripe", "invoice"): {"status": ["draft", "open", "paid", "void", "uncollectible"]},
    ("stripe", "charge"): {"status": ["succeeded", "failed", "pending"]},
    ("zendesk", "user"): {"role": ["end-user", "agent", "admin"]},
    ("zendesk", "satisfaction_rating"): {"score": ["good", "bad", "offered"]},
}

FOREIGN_KEYS = {
    ("salesforce", "contact"): {"account_id": ("stg_salesforce__account", "account_id")},
    ("salesforce", "opportunity"): {"account_id": ("stg_salesforce__account", "account_id")},
    ("salesforce", "opportunity_history"): {"opportunity_id": ("stg_salesforce__opportunity", "opportunity_id")},
    ("salesforce", "opportunity_line_item"): {"opportunity_id": ("stg_salesforce__opportunity", "opportunity_id")},
    ("salesforce", "quote"): {"opportunity_id": ("stg_salesforce__opportunity", "opportunity_id")},
    ("hubspot", "email_event"): {"campaign_id": ("stg_hubspot__campaign", "campaign_id")},
    ("stripe", "price"): {"product_id": ("stg_stripe__product", "product_id")},
    ("stripe", "subscription"): {"customer_id": ("stg_stripe__customer", "customer_id")},
    ("stripe", "subscription_item"): {"subscription_id": ("stg_stripe__subscription", "subscription_id"), "price_id": ("stg_stripe__price", "price_id")},
    ("stripe", "invoice"): {"customer_id": ("stg_stripe__customer", "customer_id")},
    ("stripe", "invoice_line_item"): {"invoice_id": ("stg_stripe__invoice", "invoice_id"), "price_id": ("stg_stripe__price", "price_id")},
    ("stripe", "charge"): {"invoice_id": ("stg_stripe__invoice", "invoice_id")},
    ("stripe", "credit_note"): {"invoice_id": ("stg_stripe__invoice", "invoice_id")},
    ("zendesk", "user"): {"organization_id": ("stg_zendesk__organization", "organization_id")},
    ("zendesk", "ticket"): {"requester_id": ("stg_zendesk__user", "user_id")},
    ("zendesk", "satisfaction_rating"): {"ticket_id": ("stg_zendesk__ticket", "ticket_id")},
    ("product", "usage_daily"): {"stripe_customer_id": ("stg_stripe__customer", "customer_id")},
}

TYPE_DOC = {
    "id": "key, trimmed (case kept: Salesforce ids are case-sensitive)",
    "text": "text, trimmed, empty as NULL",
    "email": "e-mail, trimmed and lower-cased",
    "timestamp": "UTC timestamp (offsets in the export converted)",
    "date": "date",
    "integer": "integer",
    "decimal": "decimal, major units",
    "minor": "decimal in major units (converted from Stripe minor units by the currency's exponent)",
    "boolean": "boolean",
    "currency": "ISO 4217 code, upper case",
}

COLUMN_DOCS = {
    "is_deleted": "True when the source system soft-deleted the row; kept and flagged, never dropped.",
    "owner_id": "Salesforce user who owns the record.",
    "lead_source": "Lead source picklist value from the CRM.",
    "_loaded_at": "When the loader of the source system exported the row (UTC); the latest version of a key wins.",
}


def qa(v):
    return '"' + v.replace('"', '\\"') + '"'


def main():
    for system, tables in CONTRACT.items():
        sdir = ROOT / "models" / "staging" / system
        (sdir / "base").mkdir(parents=True, exist_ok=True)
        src = ["version: 2", "", "sources:", f"  - name: {system}", f"    description: {qa(SYSTEM_DOCS[system])}",
               f"    schema: raw_{system}", "    quoting:", "      identifier: true", "    tables:"]
        mdl = ["version: 2", "", "models:"]
        for table, columns in tables.items():
            key = (system, table)
            pk = list(PRIMARY_KEYS.get(key, ("id",)))
            ren = RENAMES[key]
            event_like = table in {"email_event", "form_submission", "event_attendance", "ad_spend_daily", "usage_daily", "opportunity_history", "invoice", "invoice_line_item", "charge", "ticket", "nps_response"}
            src += [f"      - name: {table}", f"        description: {qa(TABLE_DOCS[key])}"]
            if event_like:
                src += ["        loaded_at_field: \"cast(_loaded_at as timestamp)\"",
                        "        config:", "          freshness:",
                        "            warn_after: {count: 2, period: day}"]
            src += ["        columns:"]
            for c, kind in columns.items():
                src += [f"          - name: {c}", f"            description: {qa(f'Raw {kind}.')}"]
            src += ["          - name: _loaded_at", "            description: \"Export time of the row (ISO 8601 text); optional in the export.\""]
            # base model
            args = [f"    '{system}',", f"    '{table}',", "    columns={"]
            args += [f"        '{c}': '{k}'," for c, k in columns.items()]
            args += ["    },"]
            if pk != ["id"]:
                args += [f"    primary_key={pk},"]
            if key in NOT_NEGATIVE:
                args += [f"    not_negative={NOT_NEGATIVE[key]},"]
            if key in NO_FUTURE:
                args += [f"    no_future={NO_FUTURE[key]},"]
            if key in CURRENCY:
                args += [f"    currency_column='{CURRENCY[key]}',"]
            header = ""
            if key in INCREMENTAL_TABLES:
                args += ["    incremental=true,"]
                header = ("{{ config(\n    materialized='incremental',\n    unique_key=['_source_file', '_source_row'],\n"
                          "    incremental_strategy='delete+insert',\n    on_schema_change='fail'\n) }}\n\n")
            args[-1] = args[-1].rstrip(",")
            (sdir / "base" / f"base_{system}__{table}.sql").write_text(
                header + "{{ parse_raw_source(\n" + "\n".join(args) + "\n) }}\n")
            # staging model
            cols = []
            for c in columns:
                new = ren.get(c, c)
                cols.append(f"        {c} as {new}," if new != c else f"        {c},")
            body = (
                f"with base as (\n\n    select * from {{{{ ref('base_{system}__{table}') }}}}\n\n),\n\n"
                "current_rows as (\n\n    select * from base\n    where _quarantine_code is null and _version_rank = 1\n\n),\n\n"
                "renamed as (\n\n    select\n" + "\n".join(cols) + "\n        _source_file,\n        _source_row,\n        _loaded_at\n"
                "    from current_rows\n\n)\n\nselect * from renamed\n")
            (sdir / f"stg_{system}__{table}.sql").write_text(body)
            # model yml
            mdl += [f"  - name: base_{system}__{table}",
                    f"    description: \"Every raw row of {system}.{table}, typed by parse_raw_source, with its quarantine reason and version rank. Internal: read stg_{system}__{table}.\"",
                    f"  - name: stg_{system}__{table}",
                    f"    description: {qa(TABLE_DOCS[key] + ' Typed, renamed, one row per key (latest version wins), quarantined rows excluded.')}"]
            if len(pk) > 1:
                mdl += ["    data_tests:", "      - unique_combination_of_columns:", "          arguments:",
                        "            combination_of_columns: [" + ", ".join(ren.get(c, c) for c in pk) + "]"]
            mdl += ["    columns:"]
            for c, kind in columns.items():
                new = ren.get(c, c)
                desc = COLUMN_DOCS.get(c) or f"{c.replace('_', ' ').capitalize()} ({TYPE_DOC[kind]})."
                mdl += [f"      - name: {new}", f"        description: {qa(desc)}"]
                tests = []
                if pk == [c]:
                    tests += ["          - unique", "          - not_null"]
                elif c in pk:
                    tests += ["          - not_null"]
                if c in ENUMS.get(key, {}):
                    vals = ", ".join(qa(v) for v in ENUMS[key][c])
                    tests += ["          - accepted_values:", "              arguments:", f"                values: [{vals}]",
                              "              config:", "                severity: warn"]
                if c in FOREIGN_KEYS.get(key, {}):
                    tm, tf = FOREIGN_KEYS[key][c]
                    tests += ["          - relationships:", "              arguments:", f"                to: ref('{tm}')",
                              f"                field: {tf}", "              config:", "                severity: warn"]
                if tests:
                    mdl += ["        data_tests:"] + tests
            mdl += ["      - name: _source_file", "        description: \"Raw file the row came from, relative to the raw folder.\"",
                    "      - name: _source_row", "        description: \"Record number of the row in its raw table's files.\"",
                    "      - name: _loaded_at", "        description: \"Export time of the winning version (UTC).\""]
        (sdir / f"_{system}__sources.yml").write_text("\n".join(src) + "\n")
        (sdir / f"_{system}__models.yml").write_text("\n".join(mdl) + "\n")


if __name__ == "__main__":
    main()

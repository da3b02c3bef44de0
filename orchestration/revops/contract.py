"""The raw source contract: every table the warehouse reads, its columns and their raw types.

This is the project's input interface (documented for people in ``models/staging/*/_<system>__sources.yml``
and ``docs/sources.md``). The generator writes it, the loader checks files against it, and a test keeps the
sources yml in step with it. Columns may be added by an export; none listed here may be missing.

Raw types (the loader lands every column as text; staging casts):
``id`` text key, ``text``, ``email``, ``timestamp`` (ISO 8601, UTC when no offset), ``date``,
``integer``, ``decimal`` (major units), ``minor`` (integer minor units, Stripe), ``boolean``, ``currency``
(ISO 4217, any case).
"""

from __future__ import annotations

from dataclasses import dataclass

# Every table may also carry this column (a timestamp); the loader adds it as NULL when absent.
LOADED_AT = "_loaded_at"

CONTRACT: dict[str, dict[str, dict[str, str]]] = {
    "salesforce": {
        "account": {
            "id": "id", "name": "text", "website": "text", "industry": "text",
            "number_of_employees": "integer", "billing_country": "text", "owner_id": "id",
            "created_date": "timestamp", "is_deleted": "boolean",
        },
        "contact": {
            "id": "id", "account_id": "id", "first_name": "text", "last_name": "text", "email": "email",
            "phone": "text", "title": "text", "lead_source": "text", "created_date": "timestamp",
            "last_modified_date": "timestamp", "is_deleted": "boolean",
        },
        "lead": {
            "id": "id", "first_name": "text", "last_name": "text", "email": "email", "phone": "text",
            "company": "text", "status": "text", "lead_source": "text", "is_converted": "boolean",
            "converted_contact_id": "id", "converted_account_id": "id", "converted_opportunity_id": "id",
            "converted_date": "date", "created_date": "timestamp", "is_deleted": "boolean",
        },
        "opportunity": {
            "id": "id", "account_id": "id", "name": "text", "type": "text", "stage_name": "text",
            "amount": "decimal", "currency_iso_code": "currency", "probability": "decimal",
            "forecast_category": "text", "close_date": "date", "is_closed": "boolean", "is_won": "boolean",
            "lead_source": "text", "campaign_id": "id", "owner_id": "id", "created_date": "timestamp",
            "last_modified_date": "timestamp", "is_deleted": "boolean",
        },
        "opportunity_history": {
            "id": "id", "opportunity_id": "id", "stage_name": "text", "amount": "decimal",
            "probability": "decimal", "forecast_category": "text", "close_date": "date",
            "created_date": "timestamp",
        },
        "opportunity_line_item": {
            "id": "id", "opportunity_id": "id", "product_code": "text", "quantity": "decimal",
            "unit_price": "decimal", "total_price": "decimal",
        },
        "quote": {
            "id": "id", "opportunity_id": "id", "status": "text", "total": "decimal",
            "sent_at": "timestamp", "signed_at": "timestamp",
        },
        "user": {"id": "id", "name": "text", "email": "email", "role": "text", "is_active": "boolean"},
    },
    "hubspot": {
        "contact": {
            "id": "id", "email": "email", "first_name": "text", "last_name": "text", "company": "text",
            "phone": "text", "lifecycle_stage": "text", "original_source": "text",
            "created_at": "timestamp", "updated_at": "timestamp", "became_mql_at": "timestamp",
            "became_sql_at": "timestamp",
        },
        "campaign": {
            "id": "id", "name": "text", "type": "text", "start_date": "date", "end_date": "date",
            "budget": "decimal", "currency": "currency",
        },
        "email_event": {
            "id": "id", "campaign_id": "id", "recipient": "email", "type": "text", "created_at": "timestamp",
        },
        "form_submission": {
            "id": "id", "form_name": "text", "email": "email", "campaign_id": "id", "page_url": "text",
            "submitted_at": "timestamp",
        },
        "event_attendance": {
            "id": "id", "campaign_id": "id", "email": "email", "registered_at": "timestamp",
            "attended": "boolean", "minutes_attended": "integer",
        },
    },
    "ads": {
        "ad_spend_daily": {
            "date": "date", "platform": "text", "platform_campaign_id": "id", "hubspot_campaign_id": "id",
            "spend": "decimal", "currency": "currency", "impressions": "integer", "clicks": "integer",
        },
    },
    "finance": {
        "expense": {
            "month": "date", "department": "text", "category": "text", "amount": "decimal",
            "currency": "currency",
        },
        "fx_rate": {"date": "date", "currency": "currency", "rate_to_usd": "decimal"},
    },
    "stripe": {
        "customer": {
            "id": "id", "email": "email", "name": "text", "currency": "currency", "created": "timestamp",
            "salesforce_account_id": "id", "is_deleted": "boolean",
        },
        "product": {"id": "id", "name": "text", "is_add_on": "boolean"},
        "price": {
            "id": "id", "product_id": "id", "unit_amount": "minor", "currency": "currency",
            "recurring_interval": "text", "recurring_interval_count": "integer",
        },
        "subscription": {
            "id": "id", "customer_id": "id", "status": "text", "created": "timestamp",
            "start_date": "timestamp", "trial_end": "timestamp", "cancel_at_period_end": "boolean",
            "canceled_at": "timestamp", "ended_at": "timestamp", "current_period_start": "timestamp",
            "current_period_end": "timestamp",
        },
        "subscription_item": {
            "id": "id", "subscription_id": "id", "price_id": "id", "quantity": "integer",
            "created": "timestamp", "deleted_at": "timestamp",
        },
        "invoice": {
            "id": "id", "customer_id": "id", "subscription_id": "id", "number": "text", "status": "text",
            "currency": "currency", "subtotal": "minor", "discount": "minor", "tax": "minor", "total": "minor",
            "amount_paid": "minor", "amount_due": "minor", "created": "timestamp", "due_date": "timestamp",
            "period_start": "timestamp", "period_end": "timestamp", "paid_at": "timestamp",
        },
        "invoice_line_item": {
            "id": "id", "invoice_id": "id", "subscription_id": "id", "price_id": "id", "description": "text",
            "quantity": "integer", "amount": "minor", "discount_amount": "minor", "currency": "currency",
            "period_start": "timestamp", "period_end": "timestamp", "proration": "boolean",
        },
        "charge": {
            "id": "id", "customer_id": "id", "invoice_id": "id", "amount": "minor", "currency": "currency",
            "status": "text", "amount_refunded": "minor", "created": "timestamp",
        },
        "credit_note": {
            "id": "id", "invoice_id": "id", "amount": "minor", "currency": "currency", "reason": "text",
            "created": "timestamp",
        },
    },
    "zendesk": {
        "organization": {"id": "id", "name": "text", "domain_names": "text", "created_at": "timestamp"},
        "user": {"id": "id", "email": "email", "name": "text", "organization_id": "id", "role": "text"},
        "ticket": {
            "id": "id", "requester_id": "id", "organization_id": "id", "subject": "text", "type": "text",
            "priority": "text", "status": "text", "channel": "text", "created_at": "timestamp",
            "solved_at": "timestamp", "updated_at": "timestamp",
        },
        "satisfaction_rating": {"id": "id", "ticket_id": "id", "score": "text", "created_at": "timestamp"},
        "nps_response": {"id": "id", "email": "email", "score": "integer", "submitted_at": "timestamp"},
    },
    "product": {
        "usage_daily": {
            "date": "date", "stripe_customer_id": "id", "active_users": "integer",
            "seats_purchased": "integer", "key_events": "integer",
        },
    },
}

# Tables without a single-column primary key: the columns that identify a row.
PRIMARY_KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ads", "ad_spend_daily"): ("date", "platform", "platform_campaign_id"),
    ("finance", "expense"): ("month", "department", "category"),
    ("finance", "fx_rate"): ("date", "currency"),
    ("product", "usage_daily"): ("date", "stripe_customer_id"),
}


# Large append-mostly tables: the loader appends new part files to them, and their parse models
# (base_<system>__<table>) are incremental dbt models that read only the newly landed rows.
INCREMENTAL_TABLES: frozenset[tuple[str, str]] = frozenset({
    ("hubspot", "email_event"),
    ("product", "usage_daily"),
    ("stripe", "invoice_line_item"),
    ("salesforce", "opportunity_history"),
})

# Incremental models further downstream that keep a watermark on a parse model's `_source_row`. A full reload
# of the raw table renumbers its rows, so the loader drops these with the parse model and the next build
# rebuilds them in full. (schema.model, as the dbt project names them.)
INCREMENTAL_DOWNSTREAM: dict[tuple[str, str], tuple[str, ...]] = {
    ("hubspot", "email_event"): ("intermediate.int_playbooks__email_send_events",),
}


@dataclass(frozen=True)
class RawTable:
    system: str
    table: str
    columns: dict[str, str]

    @property
    def primary_key(self) -> tuple[str, ...]:
        return PRIMARY_KEYS.get((self.system, self.table), ("id",))

    @property
    def is_incremental(self) -> bool:
        return (self.system, self.table) in INCREMENTAL_TABLES

    @property
    def incremental_relations(self) -> tuple[str, ...]:
        """The incremental models a full reload of this table must drop: its parse model, then those
        downstream that keep a watermark on it."""
        if not self.is_incremental:
            return ()
        return (f"staging.base_{self.system}__{self.table}",
                *INCREMENTAL_DOWNSTREAM.get((self.system, self.table), ()))

    @property
    def schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def qualified_name(self) -> str:
        return f"{self.system}.{self.table}"


def raw_tables() -> list[RawTable]:
    """Every table of the contract, in a stable order."""
    return [
        RawTable(system, table, columns)
        for system, tables in CONTRACT.items()
        for table, columns in tables.items()
    ]


def get_table(system: str, table: str) -> RawTable:
    try:
        return RawTable(system, table, CONTRACT[system][table])
    except KeyError as exc:
        known = ", ".join(t.qualified_name for t in raw_tables())
        raise KeyError(f"{system}.{table} is not in the raw contract; known tables: {known}") from exc

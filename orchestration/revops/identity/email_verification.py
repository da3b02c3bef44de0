"""Offline email verification: the part of a verification service that runs without the network.

Per normalised address, in this order (the first that applies gives the status and reason):

1. ``invalid``  the syntax fails (``email-validator``, ``check_deliverability=False``: no DNS here)
2. ``bounced``  a hard bounce was recorded (HubSpot email events of type BOUNCE)
3. ``risky``    a disposable domain, a misspelt free-mail domain (gmial.com), or a role address (info@)
4. ``valid``    none of the above

The mart ``dim_email_verification`` applies the same order in SQL on top of the syntax check.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email


@dataclass(frozen=True)
class Verdict:
    email: str
    status: str
    reason: str


def check_syntax(email: str | None) -> tuple[bool, str]:
    """(is_valid, reason) of an address' syntax, offline."""
    if not isinstance(email, str) or not email.strip():
        return False, "empty"
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return False, f"syntax: {exc}"
    return True, "syntax ok"


def verify(email: str, *, role_local_parts: set[str], disposable_domains: set[str],
           typo_domains: dict[str, str], bounced: set[str]) -> Verdict:
    """The status of one normalised address (lower-cased, trimmed)."""
    ok, reason = check_syntax(email)
    if not ok:
        return Verdict(email, "invalid", reason)
    if email in bounced:
        return Verdict(email, "bounced", "hard bounce recorded")
    local, _, domain = email.rpartition("@")
    if domain in disposable_domains:
        return Verdict(email, "risky", f"disposable domain {domain}")
    if domain in typo_domains:
        return Verdict(email, "risky", f"domain looks like a typo of {typo_domains[domain]}")
    if local in role_local_parts:
        return Verdict(email, "risky", f"role address ({local}@)")
    return Verdict(email, "valid", "syntax ok, no bounce, not disposable, typo or role")

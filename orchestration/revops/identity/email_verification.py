"""Offline email verification: the part of a verification service that runs without the network.

Per normalised address, in this order (the first that applies gives the status and reason):

1. ``invalid``  the syntax fails (``email-validator``, ``check_deliverability=False``: no DNS here)
2. ``bounced``  a hard bounce was recorded (HubSpot email events of type BOUNCE)
3. ``risky``    a disposable domain, a misspelt free-mail domain (gmial.com), or a role address (info@,
   info+eu@)
4. ``valid``    none of the above

The mart ``dim_email_verification`` applies the same order in SQL on top of the syntax check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_domain_name

# An ASCII dot-atom local part (RFC 5322 atext), which email-validator accepts whatever the domain: for such
# an address only the domain needs the library, once per domain (a million addresses share far fewer domains)
_DOT_ATOM_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class Verdict:
    email: str
    status: str
    reason: str


@lru_cache(maxsize=200_000)
def _domain_ok(domain: str) -> bool:
    """The domain check ``validate_email`` makes on an ASCII domain name, called directly: half the time of
    validating ``a@<domain>`` (no local part, no result object). ``check_syntax`` keeps the address within 254
    characters, which bounds the domain as the whole-address check would."""
    try:
        validate_email_domain_name(domain, test_environment=email_validator.TEST_ENVIRONMENT,
                                   globally_deliverable=email_validator.GLOBALLY_DELIVERABLE)
    except EmailNotValidError:
        return False
    return True


def check_syntax(email: str | None) -> tuple[bool, str]:
    """(is_valid, reason) of an address' syntax, offline.

    A plain address (dot-atom local part of at most 64 characters, ASCII domain, 254 characters in all)
    is valid when its domain is, checked once per domain; any other address, and any address found
    invalid, goes through ``email_validator`` whole, which gives the reason.
    """
    if not isinstance(email, str) or not email.strip():
        return False, "empty"
    plain = _DOT_ATOM_ADDRESS.fullmatch(email)
    if plain and len(email) <= 254 and email.index("@") <= 64 and _domain_ok(plain.group(1)):
        return True, "syntax ok"
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return False, f"syntax: {exc}"
    return True, "syntax ok"


def check_syntax_many(emails: list[str | None]) -> tuple[list[bool], list[str]]:
    """``check_syntax`` of each address: (is_valid, reason) as two lists, in order (what a child process returns
    to int_identity__email_syntax: revops.isolated)."""
    checked = [check_syntax(e) for e in emails]
    return [c[0] for c in checked], [c[1] for c in checked]


def verify(email: str, *, role_local_parts: set[str], disposable_domains: set[str],
           typo_domains: dict[str, str], bounced: set[str], placeholder_domains: frozenset[str] = frozenset()
           ) -> Verdict:
    """The status of one normalised address (lower-cased, trimmed)."""
    ok, reason = check_syntax(email)
    if not ok:
        return Verdict(email, "invalid", reason)
    local, _, domain = email.rpartition("@")
    if domain in placeholder_domains:  # unknown@unknown.com: typed when no address is known
        return Verdict(email, "invalid", f"placeholder domain {domain} (no address known)")
    if email in bounced:
        return Verdict(email, "bounced", "hard bounce recorded")
    if domain in disposable_domains:
        return Verdict(email, "risky", f"disposable domain {domain}")
    if domain in typo_domains:
        return Verdict(email, "risky", f"domain looks like a typo of {typo_domains[domain]}")
    role = local.split("+", 1)[0]  # a role mailbox with a +tag (info+eu@) is still the role's
    if role in role_local_parts:
        return Verdict(email, "risky", f"role address ({role}@)")
    return Verdict(email, "valid", "syntax ok, no bounce, not disposable, typo or role")

"""Phone numbers to E.164 with ``phonenumbers``, offline.

International forms (``+44 ...``, ``0044-...``) parse on their own; national forms (``(415) 555-0100``,
``0301 2345678``) need a region, taken from a hint (a country name or ISO code, e.g. the account's billing
country) or else from the email domain's country TLD.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

COUNTRY_CODES = {
    "united states": "US", "usa": "US", "us": "US", "united kingdom": "GB", "uk": "GB", "gb": "GB",
    "great britain": "GB", "germany": "DE", "deutschland": "DE", "de": "DE", "france": "FR", "fr": "FR",
    "netherlands": "NL", "nl": "NL", "spain": "ES", "es": "ES", "japan": "JP", "jp": "JP", "canada": "CA",
    "ca": "CA", "australia": "AU", "au": "AU", "ireland": "IE", "ie": "IE", "italy": "IT", "it": "IT",
}
TLD_REGION = {"uk": "GB", "de": "DE", "fr": "FR", "nl": "NL", "es": "ES", "jp": "JP", "ca": "CA", "au": "AU",
              "ie": "IE", "it": "IT", "us": "US"}


def region_of(country: str | None = None, email_domain: str | None = None) -> str | None:
    if country:
        code = COUNTRY_CODES.get(country.strip().lower())
        if code:
            return code
    if email_domain and "." in email_domain:
        return TLD_REGION.get(email_domain.rsplit(".", 1)[1].lower())
    return None


_INTERNATIONAL = re.compile(r"^\+[1-9][0-9 .\-]{6,20}$")  # +44 241 751 9459, +49-533-696-1868: no trunk '(0)'
_NON_DIGIT = re.compile(r"\D")


def _known_country_code(digits: str) -> bool:
    """The number starts with a country calling code phonenumbers knows (1 to 3 digits)."""
    return any(int(digits[:k]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE for k in (1, 2, 3))


def international_e164_sql(column: str) -> str:
    """SQL (DuckDB) of the first branch of ``to_e164``: ``+<digits>`` when the text is an international form of
    digits and separators only (``+44 241 751 9459``, ``0049-533-...``) with 8 to 15 digits after a country
    calling code phonenumbers knows; else NULL, and the text goes to ``to_e164`` (which also strips blanks
    first: such a text is not taken here). The same answer as ``to_e164`` wherever it is not NULL; most phones
    in CRM exports are in this form, and they no longer cost a Python call each."""
    # the digits of such a text (00 44 ... is +44 ...): it holds only digits, blanks, dots, hyphens and one +
    digits = f"replace(replace(replace(replace(case when starts_with({column}, '00') then substr({column}, 3) " \
             f"else {column} end, ' ', ''), '.', ''), '-', ''), '+', '')"
    # _known_country_code: one of the first 1, 2 or 3 digits is a calling code phonenumbers knows
    codes = "|".join(str(code) for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE))
    return (f"case when regexp_full_match({column}, '(\\+|00)[1-9][0-9 .\\-]{{6,20}}') "
            f"and length({digits}) between 8 and 15 and regexp_matches({digits}, '^({codes})') "
            f"then '+' || {digits} end")


@lru_cache(maxsize=200_000)
def to_e164(text: str | None, region: str | None = None) -> str | None:
    """``text`` as ``+<cc><number>``, or None when it is not a possible number (with the region given).

    An international form made of digits and separators only (``+44 241 751 9459``, ``0049-533-...``) is
    E.164 once the separators go (a known country calling code, 8 to 15 digits), without asking whether the
    national part fits that country's plan; anything else (national forms) is parsed by ``phonenumbers``.
    """
    if not text or not isinstance(text, str):
        return None
    raw = text.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    digits = _NON_DIGIT.sub("", raw)
    if len(digits) < 6:
        return None
    if _INTERNATIONAL.match(raw) and 8 <= len(digits) <= 15 and _known_country_code(digits):
        return "+" + digits
    candidates = [region] if region else []
    if not raw.startswith("+") and raw.startswith("(") and "US" not in candidates:
        candidates.append("US")  # (415) 555-0100 is the North American national form
    for reg in candidates or [None]:
        try:
            num = phonenumbers.parse(raw, reg)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return None

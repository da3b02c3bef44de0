"""Small helpers: dates, ids, text normalisation, formatting of raw values."""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date, datetime, timedelta

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MASK64 = (1 << 64) - 1


def b62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(B62[r])
    return "".join(reversed(out))


def scramble(n: int, salt: int = 0) -> int:
    """A bijection on 64-bit integers, so sequential counters give random-looking, unique ids."""
    x = (n * 0x9E3779B97F4A7C15 + salt) & _MASK64
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    x ^= x >> 32
    return x


def sf_id(prefix: str, n: int) -> str:
    return prefix + "8d" + b62(n, 13)


def stripe_id(prefix: str, n: int) -> str:
    return f"{prefix}_{b62(scramble(n, len(prefix)), 11)}"


def add_months(d: datetime, months: int) -> datetime:
    """Calendar month arithmetic anchored on the day of month (clamped to the month's last day)."""
    m0 = d.month - 1 + months
    y, m = d.year + m0 // 12, m0 % 12 + 1
    day = min(d.day, calendar.monthrange(y, m)[1])
    return d.replace(year=y, month=m, day=day)


def month_start(d: datetime | date) -> datetime:
    return datetime(d.year, d.month, 1)


def days_in_month(d: datetime | date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def midnight(d: datetime) -> datetime:
    return datetime(d.year, d.month, d.day)


def ascii_slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in t.lower() if ch.isalnum())


def fmt_ts(dt: datetime, offset_hours: int | None = 0) -> str:
    """ISO 8601. offset 0 -> 'Z'; None -> no offset (UTC by contract); else local time with +HH:00."""
    if offset_hours == 0:
        return dt.isoformat(timespec="seconds") + "Z"
    if offset_hours is None:
        return dt.isoformat(timespec="seconds")
    local = dt + timedelta(hours=offset_hours)
    sign = "+" if offset_hours > 0 else "-"
    return f"{local.isoformat(timespec='seconds')}{sign}{abs(offset_hours):02d}:00"


def fmt_value(v, kind: str, offset_hours: int | None = 0) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        if kind == "date":
            return v.date().isoformat()
        return fmt_ts(v, offset_hours)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if kind == "decimal_rate":
            return f"{v:.8f}"
        return f"{v:.2f}"
    return str(v)

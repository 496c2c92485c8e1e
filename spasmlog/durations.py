"""Durations as people type them: "45s", "2 min", "1h 5m", "1:30", "90"."""

import re
from decimal import Decimal, InvalidOperation

UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
}

_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)?")
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):([0-5]\d)")


def parse_duration(text: str) -> int:
    """
    Return the number of seconds that text describes, or raise ValueError.

    A number without a unit is seconds. "1:30" is a minute and a half and
    "1:02:03" an hour, two minutes and three seconds.
    """
    text = text.strip().lower()
    if not text:
        raise ValueError("empty")

    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)

    text = re.sub(r"\band\b|,(?!\d)", " ", text)
    position = 0
    total = Decimal(0)
    parts = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _PART.match(text, position)
        if not match:
            raise ValueError(text)
        number, unit = match.groups()
        if unit is None:
            if parts or match.end() != len(text.rstrip()):
                raise ValueError(text)
            unit = "s"
        if unit not in UNIT_SECONDS:
            raise ValueError(text)
        try:
            total += Decimal(number.replace(",", ".")) * UNIT_SECONDS[unit]
        except InvalidOperation:
            raise ValueError(text) from None
        parts += 1
        position = match.end()
    return int(total.to_integral_value())


def format_duration(seconds: float | None) -> str:
    """Write seconds the short way a person reads them: "1 h 5 min", "1 min 30 s"."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)

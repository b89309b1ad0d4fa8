"""The API's validation limits, written once: the handlers and the OpenAPI document read them."""

from __future__ import annotations

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000
MAX_PER_PAGE = 100
PER_PAGE = 50
MAX_QUERY = 200
MAX_SUBJECT = 255
MAX_DESCRIPTION = 5000
MAX_NOTE = 10_000
PRIORITY = (1, 10)
MAX_BODY = 64 * 1024


def whole_number(raw: str, low: int, high: int) -> int | None:
    """``raw`` as a number from low to high, or None.

    ASCII digits only: str.isdigit() is also true for superscripts, circled and other
    scripts' digits, and int() reads some of those (full-width, Arabic-Indic) as numbers.
    Leading zeros are allowed; the length is checked before int(), which refuses (or is
    slow on) thousands of digits.
    """
    if not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(high)):
        return None
    n = int(digits)
    return n if low <= n <= high else None

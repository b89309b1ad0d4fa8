"""What the agent typed and what the API answered, checked in pure Python (tested in CPython)."""

import re

# A telephone number as an agent types it: digits with spaces, dashes, dots or brackets, an
# optional leading +, and 7 to 15 digits (E.164's longest).
NUMBER = re.compile(r"\+?[0-9][0-9 ().-]*")


def number_problem(text):
    """Why ``text`` is not a number to call, or None."""
    if not text:
        return "Enter the caller's number."
    digits = re.sub(r"\D", "", text)
    if not NUMBER.fullmatch(text) or not 7 <= len(digits) <= 15:
        return "Not a phone number: 7 to 15 digits, with spaces, dashes, brackets or a leading + only."
    return None


def api_field_errors(exc):
    """The API's field errors of a failed ajax ({"errors": {field: [message]}}), as one line."""
    data = (exc.details or {}).get("data") if isinstance(exc.details, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, dict):
        return ""
    return "; ".join(f"{field}: {', '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                     for field, msgs in errors.items())

"""The demo softphone's pure-Python checks, in CPython (its package is an ordinary one)."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "site" / "softphone"))

from demo_phone.checks import api_field_errors, number_problem  # noqa: E402


@pytest.mark.parametrize("text", ["+1 555 0107", "555 (010) 7000", "555-010-7000", "555.010.7000", "+44 20 7946 0958"])
def test_numbers_an_agent_types_are_accepted(text):
    assert number_problem(text) is None


@pytest.mark.parametrize("text, says", [
    ("", "Enter the caller's number."), ("555-01", "7 to 15 digits"), ("1" * 16, "7 to 15 digits"),
    ("call 5550107", "Not a phone number"), ("+1 555 0107 ext", "Not a phone number"), ("++15550107", "Not a phone"),
])
def test_what_is_not_a_number_says_why(text, says):
    assert says in number_problem(text)


def test_a_422s_field_errors_are_one_line():
    exc = SimpleNamespace(details={"data": {"errors": {"body": ["can't be blank"], "subject": "too long"}}})
    assert api_field_errors(exc) == "body: can't be blank; subject: too long"
    assert api_field_errors(SimpleNamespace(details=None)) == ""
    assert api_field_errors(SimpleNamespace(details={"data": "oops"})) == ""

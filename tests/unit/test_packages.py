"""desk_cti_py.packages in CPython: the checks made before micropip is asked for anything.
(Its load() in the browser, from the page's own origin, is in tests/e2e/test_toolchain.py.)"""

import asyncio

import pytest

from desk_cti_py import packages
from desk_cti_py.packages import PackageError, check_names, same_origin

PAGE = "https://phone.example.com/app/index.html"


def test_names_are_checked_and_made_canonical():
    assert check_names(("Tabulate", "python_dateutil", "zope.interface")) == ["tabulate", "python-dateutil", "zope-interface"]


@pytest.mark.parametrize("names, error", [
    ((), TypeError), ((3,), TypeError), (("",), ValueError), (("tabulate==0.9",), ValueError),
    (("https://phone.example.com/x.whl",), ValueError), (("two words",), ValueError),
])
def test_bad_names_are_refused(names, error):
    with pytest.raises(error):
        check_names(names)


def test_an_index_on_the_pages_origin_is_made_absolute():
    assert same_origin("../pyodide/simple/", PAGE) == "https://phone.example.com/pyodide/simple"
    assert same_origin("https://PHONE.example.com/pyodide/simple", PAGE) == "https://PHONE.example.com/pyodide/simple"


@pytest.mark.parametrize("url", [
    "https://pypi.org/simple", "//evil.example/simple", "http://phone.example.com/simple",
    "https://phone.example.com:8443/simple", "file:///pyodide/simple", "data:text/html,<a>",
])
def test_an_index_on_another_origin_is_refused(url):
    with pytest.raises(PackageError, match="own origin only"):
        same_origin(url, PAGE)


def test_load_checks_its_names_before_anything_else():
    with pytest.raises(ValueError):
        asyncio.run(packages.load("not a name"))

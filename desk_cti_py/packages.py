"""Packages installed when the softphone asks, from the softphone's own origin only.

What a project marks ``on-demand`` in ``[tool.desk-cti]`` is shipped by ``desk-cti build`` beside
the runtime, as a package index of its own (``pyodide/simple/<name>/``, each wheel with its
sha256), and not loaded at boot. ``await load("name")`` installs it (and what it needs) with
micropip from that index::

    from desk_cti_py import packages

    async def open_reports():
        await packages.load("tabulate")
        import tabulate

An FFI room (it reaches the page's location and the runtime through ``js``/``pyodide_js``), but
only when ``load`` runs: importing it touches nothing. micropip is never pointed at PyPI: an
index or wheel on another origin is refused before anything is fetched.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = ["PackageError", "load", "check_names", "same_origin"]

_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
#: where ``desk-cti build`` puts the on-demand index, beside the runtime's lock
INDEX = "simple"


class PackageError(Exception):
    """A package could not be loaded: not shipped, another origin, or micropip failed."""


def check_names(names: tuple[Any, ...]) -> list[str]:
    """The names, checked: at least one, each a package name (no version, no URL)."""
    if not names:
        raise TypeError("load() needs at least one package name")
    out = []
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"a package name is a string, not {type(name).__name__}")
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a package name (give the name alone, as in [tool.desk-cti] on-demand)")
        out.append(re.sub(r"[-_.]+", "-", name).lower())
    return out


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(url: str, page_url: str) -> str:
    """``url`` made absolute against the page; a PackageError unless it is on the page's origin."""
    if not isinstance(url, str) or not url:
        raise TypeError("an index URL is a non-empty string")
    absolute = urljoin(page_url, url)
    if urlsplit(absolute).scheme not in ("http", "https") or origin_of(absolute) != origin_of(page_url):
        raise PackageError(f"{absolute} is not on this softphone's origin ({origin_of(page_url)}); "
                           f"packages load from the softphone's own origin only")
    return absolute.rstrip("/")


async def _micropip() -> Any:
    try:
        import micropip
    except ImportError:
        import pyodide_js
        from pyodide.ffi import create_proxy, to_js
        from js import Object

        problems: list[str] = []
        on_error = create_proxy(problems.append)  # loadPackage reports failures only here
        quiet = create_proxy(lambda message: None)
        try:
            options = to_js({"errorCallback": on_error, "messageCallback": quiet}, dict_converter=Object.fromEntries)
            await pyodide_js.loadPackage("micropip", options)
        finally:
            on_error.destroy()
            quiet.destroy()
        try:
            import micropip
        except ImportError:
            raise PackageError("micropip is not in this softphone's build (desk-cti build ships it when "
                               f"[tool.desk-cti] on-demand names a package): {'; '.join(problems)}") from None
    return micropip


async def load(*names: str, index_url: str | None = None) -> list[str]:
    """Install the named on-demand packages with micropip, from this page's origin only.

    ``index_url`` defaults to the index ``desk-cti build`` writes beside the runtime. Returns the
    names (canonical). Raises PackageError when one cannot be had; nothing is asked of another origin.
    """
    wanted = check_names(names)
    import pyodide_js
    from js import location

    page = str(location.href)
    index = same_origin(index_url if index_url is not None else urljoin(str(pyodide_js.lockfileBaseUrl), INDEX), page)
    micropip = await _micropip()
    try:
        await micropip.install(wanted, index_urls=[index])
    except (ValueError, OSError) as e:
        raise PackageError(f"could not load {', '.join(wanted)} from {index}/: {e}") from None
    return wanted

"""Which console a softphone may talk to: the origins it declares, the page that embeds
it, development mode, and the origin pinned at the handshake. Pure Python, no ``js``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .protocol import ArgumentError

_ORIGIN = re.compile(r"(https?)://(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?")


class ConsoleOrigins:
    """The console origins a softphone accepts: exact origins, or ``https://*.example.com``.

    ``*.`` stands for one or more labels (``a.example.com``, ``a.b.example.com``), never for
    the bare domain; the scheme and the port must match exactly.
    """

    def __init__(self, origins: Iterable[str]) -> None:
        if isinstance(origins, str):
            origins = origins.replace(",", " ").split()
        self.exact: list[str] = []
        self._suffixes: list[tuple[str, str]] = []  # (scheme://, .host:port)
        for raw in origins:
            if not isinstance(raw, str):
                raise ArgumentError(f"a console origin must be a string, got {type(raw).__name__}")
            origin = raw.strip().rstrip("/").lower()
            match = _ORIGIN.fullmatch(origin)
            if not match or ".." in origin or match.group(3).strip(".") != match.group(3):
                raise ArgumentError(
                    f"{raw!r} is not a console origin: give scheme://host[:port], "
                    "or scheme://*.domain[:port] for every subdomain"
                )
            scheme, wild, host, port = match.groups()
            if port is not None and port == {"https": ":443", "http": ":80"}[scheme]:
                origin, port = origin[: -len(port)], None  # browsers leave the default port out
            if wild:
                self._suffixes.append((f"{scheme}://", f".{host}{port or ''}"))
            else:
                self.exact.append(origin)
        self.declared = tuple(self.exact) + tuple(f"{a}*{b}" for a, b in self._suffixes)

    def __bool__(self) -> bool:
        return bool(self.declared)

    def allows(self, origin: Any) -> bool:
        """Whether ``origin`` (as the browser reports it) is one of these."""
        if not isinstance(origin, str) or len(origin) > 300:
            return False
        if origin in self.exact:
            return True
        return any(origin.startswith(scheme) and origin.endswith(suffix)
                   and len(origin) > len(scheme) + len(suffix) and "/" not in origin[len(scheme):]
                   for scheme, suffix in self._suffixes)

    def __repr__(self) -> str:
        return f"ConsoleOrigins({list(self.declared)!r})"


class OriginPolicy:
    """The declared origins, the embedding page's origin (None when unknown), development
    mode (accept the embedding page, whatever it is), and the ``pinned`` origin once a
    console has welcomed the softphone."""

    def __init__(self, declared: Iterable[str] | str | None, parent: str | None, development: bool) -> None:
        self.declared = ConsoleOrigins(declared or ())
        self.parent = parent
        self.development = development
        self.pinned: str | None = None

    def accepts(self, origin: str) -> bool:
        """Whether a message from ``origin`` may be read at all: the pinned origin once
        connected; before that, a declared origin (or, in development mode, the parent's)."""
        if self.pinned is not None:
            return origin == self.pinned
        if self.declared.allows(origin):
            return True
        return self.development and origin == self.parent

    def hello_targets(self) -> list[str]:
        """Where hellos go: never ``"*"``. The embedding page's origin when it is accepted,
        else every exact declared origin (the browser delivers to the one that is the parent)."""
        if self.pinned is not None:
            return [self.pinned]
        if self.parent is not None:
            return [self.parent] if self.accepts(self.parent) else []
        return list(self.declared.exact)

    def refusal(self) -> str | None:
        """Why this softphone may not connect to the page that embeds it (None: it may try)."""
        if self.hello_targets():
            return None
        if not self.declared and not self.development:
            return ("this softphone declares no console origins: list the consoles it may connect to "
                    "(data-console-origins), or set development mode to accept any")
        if self.parent is None:
            return "the embedding page's origin is unknown, and no exact console origin is declared"
        return f"this softphone connects only to {', '.join(self.declared.declared)}; it is embedded in {self.parent}"

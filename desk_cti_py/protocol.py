"""The desk-cti wire protocol: envelope, message types, error codes, argument rules.

Pure Python with no ``js`` import, so it runs (and is tested) in CPython.
The protocol is written down in ``docs/protocol.md``; this module is its
softphone-side implementation and must agree with ``loader/desk-console.js``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from itertools import accumulate
from typing import Any

NAMESPACE = "desk-cti"
VERSION = 1
#: Largest message either side accepts, in characters of JSON.
MAX_MESSAGE_CHARS = 1_000_000
#: Deepest nesting of arrays and objects accepted. Deeper JSON could overflow the Wasm
#: stack inside json.loads under Pyodide (a fatal error), so it is refused before parsing.
MAX_DEPTH = 32
# A JSON string, or an unterminated one up to the end of the text. The two branches of the loop
# start with different characters, so each character is read once: linear, never backtracking.
# (The earlier pattern re-scanned to the end from every quote of an unterminated string.)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}

# Message types.
HELLO = "hello"
WELCOME = "welcome"
REQUEST = "request"
RESPONSE = "response"
EVENT = "event"
ERROR = "error"
BYE = "bye"
PING = "ping"
PONG = "pong"
MESSAGE_TYPES = frozenset({HELLO, WELCOME, REQUEST, RESPONSE, EVENT, ERROR, BYE, PING, PONG})
#: Types the softphone accepts from the console.
CONSOLE_TYPES = frozenset({WELCOME, RESPONSE, EVENT, ERROR, BYE, PING})

# Error codes: the one fixed table (docs/protocol.md, "Error codes").
BAD_ARGUMENTS = "bad_arguments"
UNKNOWN_METHOD = "unknown_method"
NOT_SUPPORTED_ON_PAGE = "not_supported_on_page"
NOT_FOUND = "not_found"
CONSOLE_ERROR = "console_error"
TIMEOUT = "timeout"
CONNECTION_LOST = "connection_lost"
NOT_CONNECTED = "not_connected"
ORIGIN_NOT_ALLOWED = "origin_not_allowed"
HTTP_ERROR = "http_error"
BUSY = "busy"
TOO_LARGE = "too_large"
ERROR_CODES = frozenset(
    {
        BAD_ARGUMENTS,
        UNKNOWN_METHOD,
        NOT_SUPPORTED_ON_PAGE,
        NOT_FOUND,
        CONSOLE_ERROR,
        TIMEOUT,
        CONNECTION_LOST,
        NOT_CONNECTED,
        ORIGIN_NOT_ALLOWED,
        HTTP_ERROR,
        BUSY,
        TOO_LARGE,
    }
)

# Events the console sends.
EVENT_CLICK_TO_DIAL = "clickToDial"
EVENT_FOCUS = "focus"
EVENTS = frozenset({EVENT_CLICK_TO_DIAL, EVENT_FOCUS})

OBJECT_TYPES = ("customer", "company", "case")
AJAX_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ID_CHARS = 120


class ProtocolError(ValueError):
    """A message that does not follow the protocol; it is dropped."""


class ArgumentError(ValueError):
    """A call whose arguments break the seed's rules; nothing is posted."""


class IdMaker:
    """Message ids: a random session prefix and a counter, unique per session."""

    def __init__(self, prefix: str | None = None) -> None:
        self.session = prefix or os.urandom(6).hex()
        self._n = 0

    def __call__(self) -> str:
        self._n += 1
        return f"{self.session}-{self._n}"


def envelope(kind: str, msg_id: str, **fields: Any) -> dict[str, Any]:
    """Build a message: the namespace marker, the version, its type and id."""
    return {"ns": NAMESPACE, "v": VERSION, "type": kind, "id": msg_id, **fields}


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def encode(message: Mapping[str, Any]) -> str:
    """A message as the one JSON string that crosses the frame boundary."""
    return _ENCODER.encode(message)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _ID_CHARS


def decode(text: Any) -> dict[str, Any]:
    """Check one message from the console on arrival; raise ProtocolError if it is off.

    Returns the parsed message. Checks the shape common to every message and
    the fields each type needs; what a result means is checked by the caller.
    """
    if not isinstance(text, str):
        raise ProtocolError("message is not a JSON string")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError("message too large")
    if _too_deep(text):
        raise ProtocolError(f"message nested deeper than {MAX_DEPTH}")
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"message is not JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("message is not an object")
    if msg.get("ns") != NAMESPACE:
        raise ProtocolError("wrong namespace")
    if msg.get("v") != VERSION or isinstance(msg.get("v"), bool):
        raise ProtocolError(f"unsupported protocol version {msg.get('v')!r}")
    kind = msg.get("type")
    if not _one_of(kind, CONSOLE_TYPES):
        raise ProtocolError(f"unexpected message type {kind!r}")
    if not _is_id(msg.get("id")):
        raise ProtocolError("missing or bad id")
    if kind == WELCOME:
        if not _is_id(msg.get("re")) or not _is_id(msg.get("session")):
            raise ProtocolError("welcome needs re and session")
    elif kind == RESPONSE:
        if not _is_id(msg.get("re")):
            raise ProtocolError("response needs re")
        if not isinstance(msg.get("ok"), bool):
            raise ProtocolError("response needs ok")
        if not msg["ok"]:
            _check_error(msg.get("error"))
    elif kind == EVENT:
        if not _one_of(msg.get("event"), EVENTS):
            raise ProtocolError(f"unknown event {msg.get('event')!r}")
        if not isinstance(msg.get("data"), dict):
            raise ProtocolError("event needs data")
    elif kind == ERROR:
        _check_error(msg.get("error"))
        if "re" in msg and not _is_id(msg["re"]):
            raise ProtocolError("bad re")
    return msg


# ---------------------------------------------------------------- origins

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


def _one_of(value: Any, options: frozenset[str]) -> bool:
    """Membership that cannot raise: a list or a dict is simply not one of the options."""
    return isinstance(value, str) and value in options


def nesting(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings do not count).

    Linear in the text's length whatever it holds: strings (closed or not) are cut out in one
    pass, then the running depth is summed over what is left.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return text.count("[") + text.count("{")
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets), initial=0))


def _too_deep(text: str) -> bool:
    return nesting(text) > MAX_DEPTH


def _check_error(err: Any) -> None:
    if not isinstance(err, dict):
        raise ProtocolError("error must be an object")
    if not _one_of(err.get("code"), ERROR_CODES):
        raise ProtocolError(f"unknown error code {err.get('code')!r}")
    if not isinstance(err.get("message"), str):
        raise ProtocolError("error needs a message")


# ---------------------------------------------------------------- arguments


def _number(name: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ArgumentError(f"{name} must be a finite number")
    if value < 0:
        raise ArgumentError(f"{name} must be equal or greater than 0, got {value}")
    return value


def _no_params(args: Mapping[str, Any]) -> dict[str, Any]:
    if args:
        raise ArgumentError(f"takes no arguments, got {sorted(args)}")
    return {}


# A small query-string reader and writer: urllib.parse costs over 100 ms to import under Pyodide.
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_SAFE = re.compile(r"[^A-Za-z0-9._~-]")


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    return _PERCENT.sub(lambda m: bytes.fromhex(m.group(0).replace("%", "")).decode("utf-8", "replace"), text)


def _quote(text: str) -> str:
    return _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), text)


def parse_qsl(query: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` as pairs, like urllib.parse.parse_qsl(keep_blank_values=True)."""
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_unquote(key), _unquote(value)))
    return pairs


def urlencode(query: Mapping[str, str]) -> str:
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query.items())


def parse_query_params(query: Any) -> tuple[str, str]:
    """Check ``queryParams`` ("object=case", or a mapping); return (object, query string)."""
    if isinstance(query, Mapping):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
            raise ArgumentError("queryParams mapping must hold strings")
        query = urlencode(dict(query))
    if not isinstance(query, str):
        raise ArgumentError(f"queryParams must be a string, got {type(query).__name__}")
    pairs = parse_qsl(query.lstrip("?"))
    objects = [v for k, v in pairs if k == "object"]
    if len(objects) != 1 or objects[0] not in OBJECT_TYPES:
        raise ArgumentError(
            "queryParams must carry object=customer, object=company or object=case, "
            f"got {query!r}"
        )
    return objects[0], query.lstrip("?")


def _record_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str):
        raise ArgumentError(f"id must be a string, got {type(value).__name__}")
    if not value.strip() or len(value) > 200:
        raise ArgumentError("id must be a non-empty string of at most 200 characters")
    return value


def _check_json(name: str, value: Any) -> Any:
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{name} must be JSON data (string, object or array): {exc}") from None
    if len(text) > MAX_MESSAGE_CHARS // 2:
        raise ArgumentError(f"{name} is too large")
    return value


def _screen_pop(a: Mapping[str, Any]) -> dict[str, Any]:
    obj, query = parse_query_params(a.get("queryParams"))
    return {"id": _record_id(a.get("id")), "queryParams": query, "object": obj}


def _search(a: Mapping[str, Any]) -> dict[str, Any]:
    text = a.get("searchString")
    if not isinstance(text, str):
        raise ArgumentError(f"searchString must be a string, got {type(text).__name__}")
    if not text.strip() or len(text) > 500:
        raise ArgumentError("searchString must be a non-empty string of at most 500 characters")
    obj, query = parse_query_params(a.get("queryParams"))
    return {"searchString": text, "queryParams": query, "object": obj}


def _set_visible(a: Mapping[str, Any]) -> dict[str, Any]:
    value = a.get("value")
    if not isinstance(value, bool):
        raise ArgumentError(f"value must be a boolean, got {type(value).__name__}")
    return {"value": value}


def _ajax(a: Mapping[str, Any]) -> dict[str, Any]:
    url = a.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ArgumentError("url must be a non-empty string")
    if len(url) > 2000:
        raise ArgumentError("url is too long")
    method = a.get("method", "GET")
    if not isinstance(method, str) or method.upper() not in AJAX_METHODS:
        raise ArgumentError(f"method must be one of {', '.join(AJAX_METHODS)}, got {method!r}")
    out: dict[str, Any] = {"url": url, "method": method.upper()}
    if a.get("data") is not None:
        data = a["data"]
        if not isinstance(data, (str, dict, list)):
            raise ArgumentError("data must be a string, an object or an array")
        out["data"] = _check_json("data", data)
    return out


class Method:
    """One request method: its wire name, Python twin, rule and failed result."""

    __slots__ = ("name", "snake", "check", "failed_result")

    def __init__(self, name: str, snake: str, check: Callable[[Mapping[str, Any]], dict[str, Any]],
                 failed_result: Any = False) -> None:
        self.name = name
        self.snake = snake
        self.check = check
        #: what `result` holds in the seed's shape when the call fails
        self.failed_result = failed_result

    def __repr__(self) -> str:
        return f"Method({self.name!r}, {self.snake!r}, failed_result={self.failed_result!r})"


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("setSoftphoneHeight", "set_softphone_height",
               lambda a: {"height": _number("height", a.get("height"))}),
        Method("setSoftphoneWidth", "set_softphone_width",
               lambda a: {"width": _number("width", a.get("width"))}),
        Method("enableClickToDial", "enable_click_to_dial", _no_params),
        Method("disableClickToDial", "disable_click_to_dial", _no_params),
        Method("screenPop", "screen_pop", _screen_pop),
        Method("searchAndScreenPop", "search_and_screen_pop", _search),
        Method("getPageInfo", "get_page_info", _no_params, None),
        Method("setVisible", "set_visible", _set_visible),
        Method("isVisible", "is_visible", _no_params),
        Method("getUserInfo", "get_user_info", _no_params, None),
        Method("ajax", "ajax", _ajax, None),
    )
}


def check_request(method: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Check a call's arguments as the seed says; return the params to post."""
    spec = METHODS.get(method) if isinstance(method, str) else None
    if spec is None:
        raise ArgumentError(f"unknown method {method!r}")
    return spec.check(args)

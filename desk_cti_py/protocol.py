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
from collections.abc import Callable, Container, Mapping
from itertools import accumulate
from typing import Any

# The method table and the limits: one file that desk-console.js's tests check too. Read with a
# plain open() and os.path: importlib.resources and pathlib (which imports urllib.parse) cost
# more under Pyodide than parsing these 2.5 KB at every boot.
with open(os.path.join(os.path.dirname(__file__), "protocol.json"), encoding="utf-8") as _file:
    TABLE: dict[str, Any] = json.load(_file)

NAMESPACE: str = TABLE["namespace"]
VERSION: int = TABLE["version"]
#: Largest message either side accepts, in characters of JSON.
MAX_MESSAGE_CHARS: int = TABLE["limits"]["messageChars"]
#: Deepest nesting of arrays and objects accepted. Deeper JSON could overflow the Wasm
#: stack inside json.loads under Pyodide (a fatal error), so it is refused before parsing.
MAX_DEPTH: int = TABLE["limits"]["depth"]
#: The largest integer both sides read exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_INTEGER: int = TABLE["limits"]["maxInteger"]
#: What "non-blank" strips: JavaScript's String.prototype.trim set, so both sides agree.
BLANK: str = TABLE["blank"]
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
#: Types the softphone accepts from the console.
CONSOLE_TYPES = frozenset(TABLE["types"]["console"])
MESSAGE_TYPES = CONSOLE_TYPES | frozenset(TABLE["types"]["softphone"])

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
UNSUPPORTED_VERSION = "unsupported_version"
ERROR_CODES = frozenset(TABLE["errors"])

# Events the console sends.
EVENT_CLICK_TO_DIAL = "clickToDial"
EVENT_FOCUS = "focus"
EVENTS = frozenset(TABLE["events"])

OBJECT_TYPES: tuple[str, ...] = tuple(TABLE["objects"])
AJAX_METHODS: tuple[str, ...] = tuple(TABLE["ajaxMethods"])
_ID_CHARS: int = TABLE["limits"]["idChars"]


class ProtocolError(ValueError):
    """A message that does not follow the protocol; it is dropped."""


class ArgumentError(ValueError):
    """A call whose arguments break the seed's rules; nothing is posted."""

    #: the protocol's error code for it, as the console answers it
    code = "bad_arguments"


class UnknownMethodError(ArgumentError):
    """A request for a method the protocol does not have."""

    code = "unknown_method"


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
_DECODER = json.JSONDecoder()
# A request's keys in envelope()'s order, and the words it is mostly made of, as JSON.
_REQUEST_KEYS = ("ns", "v", "type", "id", "method", "params", "timeout")
_WORDS: dict[str, str] = {word: json.dumps(word) for word in (NAMESPACE, REQUEST, *TABLE["methods"])}


def encode(message: Mapping[str, Any]) -> str:
    """A message as the one JSON string that crosses the frame boundary."""
    # The softphone's common request (no params) is written directly: JSONEncoder.encode spends
    # more on its set-up per call than on such a message. The text is the same; anything else
    # goes to the encoder.
    if type(message) is dict and tuple(message) == _REQUEST_KEYS:
        ns, v, kind, msg_id, method, params, timeout = message.values()
        if (type(ns) is str and type(v) is int and type(kind) is str and type(msg_id) is str
                and type(method) is str and type(params) is dict and not params and type(timeout) is int):
            return (f'{{"ns":{_WORDS.get(ns) or json.dumps(ns)},"v":{v},"type":{_WORDS.get(kind) or json.dumps(kind)},'
                    f'"id":{json.dumps(msg_id)},"method":{_WORDS.get(method) or json.dumps(method)},'
                    f'"params":{{}},"timeout":{timeout}}}')
    return _ENCODER.encode(message)


def _loads(text: str) -> Any:
    """json.loads(text), without its two whitespace scans when there is none around the value
    (JSON.stringify writes none): anything else goes to json.loads, which decides as before."""
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


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
    # the bracket count (nesting's own first step) settles the common message without a call
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(text):
        raise ProtocolError(f"message nested deeper than {MAX_DEPTH}")
    try:
        msg = _loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"message is not JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("message is not an object")
    get = msg.get
    if get("ns") != NAMESPACE:
        raise ProtocolError("wrong namespace")
    v = get("v")
    if v != VERSION or isinstance(v, bool):
        raise ProtocolError(f"unsupported protocol version {v!r}")
    kind = get("type")
    if not (isinstance(kind, str) and kind in CONSOLE_TYPES):
        raise ProtocolError(f"unexpected message type {kind!r}")
    msg_id = get("id")
    if not (isinstance(msg_id, str) and 0 < len(msg_id) <= _ID_CHARS):
        raise ProtocolError("missing or bad id")
    if kind == RESPONSE:  # the common message first
        re_ = get("re")
        if not (isinstance(re_, str) and 0 < len(re_) <= _ID_CHARS):
            raise ProtocolError("response needs re")
        ok = get("ok")
        if ok is not True:
            if ok is not False:
                raise ProtocolError("response needs ok")
            _check_error(get("error"))
    elif kind == WELCOME:
        if not _is_id(get("re")) or not _is_id(get("session")):
            raise ProtocolError("welcome needs re and session")
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


# A welcome or a refusal is ids and a short message: a longer answer is not read for its version.
_VERSION_ANSWER_CHARS = 2000


def version_refusal(text: Any, hellos: Container[str]) -> dict[str, Any] | None:
    """The error object that ends the handshake when the console speaks another version.

    ``text`` is a message :func:`decode` refused; ``hellos`` the ids of the hellos this
    softphone sent. A console answers a hello of a version it does not speak with an
    ``unsupported_version`` error (in whatever version it speaks), and a console of another
    version may simply welcome it in its own: either way the answer to one of our hellos is read
    by the fields every version keeps (``ns``, ``v``, ``type``, ``re``), and the error names both
    versions. None for anything else (it is dropped as before).
    """
    if not isinstance(text, str) or len(text) > _VERSION_ANSWER_CHARS or _too_deep(text):
        return None
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(msg, dict) or msg.get("ns") != NAMESPACE or msg.get("type") not in (WELCOME, ERROR):
        return None
    re_ = msg.get("re")
    if not isinstance(re_, str) or re_ not in hellos:
        return None
    theirs = msg.get("v")
    err = msg.get("error")
    if not (msg["type"] == ERROR and isinstance(err, dict) and err.get("code") == UNSUPPORTED_VERSION):
        err = None
    if err is None and _same_version(theirs):
        return None  # our version, off for another reason: not a version question
    said = ""
    if err is not None:
        supported = err.get("supported")
        if isinstance(supported, list) and supported:
            theirs = supported if len(supported) > 1 else supported[0]
        said = err["message"] if isinstance(err.get("message"), str) else ""
    message = (f"the console speaks desk-cti protocol version {_show(theirs)}; "
               f"this softphone (desk_cti_py) speaks version {VERSION}")
    return {"code": UNSUPPORTED_VERSION, "message": message + (f" (the console said: {said[:300]})" if said else ""),
            "supported": [VERSION], "theirs": theirs}


def _same_version(v: Any) -> bool:
    return v == VERSION and not isinstance(v, bool)


def _show(v: Any) -> str:
    """A version as the peer sent it, short (it may be anything)."""
    if isinstance(v, list):
        return " or ".join(_show(x) for x in v[:5])
    return json.dumps(v)[:20] if v is not None else "(none given)"


def _one_of(value: Any, options: frozenset[str]) -> bool:
    """Membership that cannot raise: a list or a dict is simply not one of the options."""
    return isinstance(value, str) and value in options


def nesting(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings do not count).

    Linear in the text's length whatever it holds: strings (closed or not) are cut out in one
    pass, then the running depth is summed over what is left.
    """
    brackets = text.count("[") + text.count("{")
    if brackets <= MAX_DEPTH:
        return brackets
    left = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, left), initial=0))


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
# Each rule of protocol.json's method table, as the console applies it too. Lengths count
# UTF-16 code units, as JavaScript does: a limit means the same on both sides of the frame.


def _units(text: str) -> int:
    """``text``'s length as JavaScript counts it (an astral character is two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _over(text: str, limit: int) -> bool:
    return len(text) > limit or _units(text) > limit


def _text(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    limit = spec["maxChars"]
    if not isinstance(value, str):
        raise ArgumentError(f"{name} must be a string, got {type(value).__name__}")
    if _over(value, limit) or not value.strip(BLANK):
        raise ArgumentError(f"{name} must be a non-empty string of at most {limit} characters")
    return {name: value}


def _number(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentError(f"{name} must be a number, got {type(value).__name__}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond a double: JavaScript reads it as Infinity
        finite = False
    if not finite:
        raise ArgumentError(f"{name} must be a finite number")
    if value < spec["min"]:
        raise ArgumentError(f"{name} must be equal or greater than {spec['min']}, got {value}")
    return {name: value}


def _boolean(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, bool):
        raise ArgumentError(f"{name} must be a boolean, got {type(value).__name__}")
    return {name: value}


def _record_id(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    # A whole number is sent as its digits; beyond 2**53 JavaScript would read another number.
    # 42.0 counts as whole: JSON.parse cannot tell it from 42, so the console takes it too.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (isinstance(value, int) or value.is_integer()) and 0 <= value <= MAX_INTEGER:
            return {name: str(int(value))}
        raise ArgumentError(f"{name} must be a string, or a whole number from 0 to {MAX_INTEGER}")
    return _text(name, value, spec)


def _ajax_method(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, str) or value.upper() not in AJAX_METHODS:
        raise ArgumentError(f"{name} must be one of {', '.join(AJAX_METHODS)}, got {value!r}")
    return {name: value.upper()}


# Compact and unescaped: the length JavaScript's JSON.stringify gives.
_DATA_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _json(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, (str, dict, list)):
        raise ArgumentError(f"{name} must be a string, an object or an array")
    try:
        text = _DATA_ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ArgumentError(f"{name} must be JSON data (string, object or array): {exc}") from None
    if _over(text, spec["maxChars"]):
        raise ArgumentError(f"{name} is over {spec['maxChars']} characters as JSON")
    return {name: value}


# A small query-string reader and writer: urllib.parse is slow to import under Pyodide (docs/performance.md).
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_SAFE = re.compile(r"[^A-Za-z0-9._~-]")


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    return _PERCENT.sub(lambda m: bytes.fromhex(m.group(0).replace("%", "")).decode("utf-8", "replace"), text)


def _quote(text: str) -> str:
    return _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), text)


def parse_qsl(query: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` as pairs, like urllib.parse.parse_qsl(keep_blank_values=True)."""
    if not isinstance(query, str):
        raise ArgumentError(f"a query must be a string, got {type(query).__name__}")
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_unquote(key), _unquote(value)))
    return pairs


def urlencode(query: Mapping[str, str]) -> str:
    """Pairs as ``a=1&b=2``; every character but ``A-Za-z0-9._~-`` percent-encoded as UTF-8."""
    if not isinstance(query, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
        raise ArgumentError("a query must be a mapping of strings to strings")
    try:
        return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query.items())
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 (encodeURIComponent refuses it too)
        raise ArgumentError("a query must be valid Unicode text") from None


def parse_query_params(query: Any, limit: int = 2000) -> tuple[str, str]:
    """Check ``queryParams`` ("object=case", or a mapping); return (object, query string).

    The limit counts the string as given (a mapping: as encoded), leading ``?`` included.
    """
    if isinstance(query, Mapping):
        query = urlencode(query)
    if not isinstance(query, str):
        raise ArgumentError(f"queryParams must be a string, got {type(query).__name__}")
    if _over(query, limit):
        raise ArgumentError(f"queryParams must be at most {limit} characters")
    query = query.lstrip("?")
    objects = [v for k, v in parse_qsl(query) if k == "object"]
    if len(objects) != 1 or objects[0] not in OBJECT_TYPES:
        raise ArgumentError(
            "queryParams must carry object=customer, object=company or object=case, "
            f"got {query[:100]!r}"
        )
    return objects[0], query


def _query(name: str, value: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    obj, query = parse_query_params(value, spec["maxChars"])
    return {name: query, "object": obj}


_RULES: dict[str, Callable[[str, Any, Mapping[str, Any]], dict[str, Any]]] = {
    "number": _number, "text": _text, "boolean": _boolean, "recordId": _record_id,
    "query": _query, "ajaxMethod": _ajax_method, "json": _json,
}


def _params_rule(params: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The check of one method's params, from its entry in the table."""
    steps = [(name, _RULES[spec["type"]], spec) for name, spec in params.items()]

    def check(args: Mapping[str, Any]) -> dict[str, Any]:
        if not steps and args:
            raise ArgumentError(f"takes no arguments, got {sorted(map(str, args))}")
        out: dict[str, Any] = {}
        for name, rule, spec in steps:
            value = args.get(name, spec.get("default"))
            if value is None and spec.get("optional"):
                continue
            out.update(rule(name, value, spec))
        return out

    return check


# ---------------------------------------------------------------- results


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":  # JSON.stringify writes a safe integer as digits, any other as a float
        return isinstance(value, int) and not isinstance(value, bool) and -MAX_INTEGER <= value <= MAX_INTEGER
    if kind == "object":
        return _one_of(value, _OBJECTS)
    return kind == "any"


def _result_rule(shape: Any) -> Callable[[Any], Any]:
    """The check of one method's successful result: "boolean", or a record's fields."""
    if shape == "boolean":
        def check_bool(value: Any) -> Any:
            if not isinstance(value, bool):
                raise ProtocolError("result must be a boolean")
            return value
        return check_bool
    fields = [(key, kinds.rstrip("!").split("|"), kinds.endswith("!")) for key, kinds in shape.items()]

    def check_record(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ProtocolError("result must be an object")
        for key, kinds, required in fields:
            item = value.get(key)
            if item is None or item == "":
                if required:
                    raise ProtocolError(f"result.{key} is missing")
                if item is None:
                    continue
            if not any(_is_kind(item, kind) for kind in kinds):
                raise ProtocolError(f"result.{key} must be {' or '.join(kinds)}")
        return value

    return check_record


_OBJECTS = frozenset(OBJECT_TYPES)


class Method:
    """One request method: its wire name, Python twin, rules and failed result."""

    __slots__ = ("name", "snake", "check", "check_result", "failed_result")

    def __init__(self, name: str, snake: str, check: Callable[[Mapping[str, Any]], dict[str, Any]],
                 failed_result: Any = False, check_result: Callable[[Any], Any] | None = None) -> None:
        self.name = name
        self.snake = snake
        #: the params' rule: returns the params to post, or raises ArgumentError
        self.check = check
        #: the successful result's rule: returns it, or raises ProtocolError
        self.check_result = check_result or (lambda value: value)
        #: what `result` holds in the seed's shape when the call fails
        self.failed_result = failed_result

    def __repr__(self) -> str:
        return f"Method({self.name!r}, {self.snake!r}, failed_result={self.failed_result!r})"


METHODS: dict[str, Method] = {
    name: Method(name, spec["snake"], _params_rule(spec["params"]), spec["failed"], _result_rule(spec["result"]))
    for name, spec in TABLE["methods"].items()
}


def _method(method: Any) -> Method:
    spec = METHODS.get(method) if isinstance(method, str) else None
    if spec is None:
        raise UnknownMethodError(f"unknown method {method!r}")
    return spec


def check_request(method: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Check a call's arguments as the seed says; return the params to post.

    Raises ArgumentError (``code`` bad_arguments), or UnknownMethodError (unknown_method).
    """
    spec = _method(method)
    if not isinstance(args, Mapping):
        raise ArgumentError(f"params must be an object, got {type(args).__name__}")
    return spec.check(args)


def check_result(method: str, result: Any) -> Any:
    """Check a successful response's ``result`` against the method's table; return it.

    Raises ProtocolError when it is off (the call then fails with ``console_error``), or
    UnknownMethodError for a method the protocol does not have.
    """
    return _method(method).check_result(result)

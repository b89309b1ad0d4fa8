"""Property-based tests (hypothesis) of the envelope decoder, the argument rules and the client.

The normal run uses a fast profile (300 cases a test); `make fuzz` runs the long one
(DESK_FUZZ=long: 34,000 cases a test, 102,000 in all).
"""

import asyncio
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_cti_py import models as m
from desk_cti_py import protocol as p
from desk_cti_py.client import Client
from desk_cti_py.transport import MemoryTransport

settings.register_profile("fast", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=34_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("DESK_FUZZ", "fast"))

CONSOLE = "https://console.example"
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
tricky_keys = st.sampled_from(["__proto__", "constructor", "prototype", "ns", "v", "type", "id", "re", "ok",
                               "result", "error", "event", "data", "session", "method", "params"])
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "ns": st.sampled_from(["desk-cti", "desk", ""]) | json_scalars,
        "v": st.sampled_from([1, 2, "1", True, 1.0]) | json_scalars,
        "type": st.sampled_from(sorted(p.MESSAGE_TYPES)) | json_scalars,
        "id": st.text(max_size=130) | json_scalars,
        "re": st.text(max_size=130) | json_scalars,
        "ok": json_scalars,
        "result": json_values,
        "error": json_values | st.fixed_dictionaries({"code": st.sampled_from(sorted(p.ERROR_CODES)) | json_scalars,
                                                       "message": json_scalars}),
        "event": st.sampled_from(sorted(p.EVENTS)) | json_scalars,
        "data": json_values,
        "session": json_values,
    },
).flatmap(lambda d: st.dictionaries(tricky_keys, json_values, max_size=3).map(lambda extra: {**extra, **d}))
texts = st.text(max_size=200) | envelopes.map(json.dumps) | st.binary(max_size=50) | json_values


@given(texts)
def test_decode_returns_a_valid_message_or_raises_protocol_error(text):
    try:
        msg = p.decode(text)
    except p.ProtocolError:
        return
    assert msg["ns"] == "desk-cti" and msg["v"] == 1 and msg["type"] in p.CONSOLE_TYPES
    assert isinstance(msg["id"], str) and 0 < len(msg["id"]) <= 120


methods = st.sampled_from(sorted(p.METHODS)) | st.text(max_size=20)
arguments = st.dictionaries(
    st.sampled_from(["height", "width", "id", "queryParams", "searchString", "value", "url", "method", "data",
                     "x"]),
    json_values | st.floats() | st.sampled_from(["object=case", "object=customer&x=1", "object=agent", "?object=company"]),
    max_size=4,
)


@given(methods, arguments)
def test_check_request_returns_json_params_or_raises_argument_error(method, args):
    try:
        params = p.check_request(method, args)
    except p.ArgumentError:
        return
    assert method in p.METHODS
    json.dumps(params, allow_nan=False)  # always JSON, never NaN
    if "height" in params:
        assert params["height"] >= 0
    if "object" in params:
        assert params["object"] in p.OBJECT_TYPES


@given(st.lists(texts, max_size=20))
def test_the_client_survives_any_sequence_of_messages(messages):
    async def run():
        sent = []
        client = Client(MemoryTransport(lambda text, target: sent.append((text, target))), console_origin=CONSOLE)
        client.start()
        hello = json.loads(sent[0][0])["id"]
        client.receive(CONSOLE, p.encode(p.envelope("welcome", "c-1", re=hello, session="S")))
        fut = client.call("isVisible", {}, parse=lambda r: r, timeout=5)
        for text in messages:
            client.receive(CONSOLE, text)
        for _text, target in sent:
            assert target == CONSOLE  # never "*": the console origin was known
        client.close()
        if not fut.done() or fut.cancelled():
            raise AssertionError("the call was left pending")
        exc = fut.exception()
        assert exc is None or isinstance(exc, m.CtiError)

    asyncio.run(run())


# ------------------------------------------------------------ hostile text, linear work

def _depth_by_hand(text):
    """The nesting depth, one character at a time: the reference for protocol.nesting."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


# The pieces hostile messages are made of: unterminated strings, escapes, escaped quotes,
# brackets inside and outside strings, long runs of any of them.
PIECES = ['"', '\\"', "\\\\", "\\", "[", "{", "]", "}", '{"a":"', '"]', "a", '\\u00', ":", ","]
hostile = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).flatmap(
    lambda unit: st.tuples(st.integers(0, 60), st.sampled_from(PIECES), st.just(unit)))


@given(st.text(alphabet='[]{}"\\a', max_size=300))
def test_nesting_matches_a_character_by_character_reading(text):
    assert p.nesting(text) == _depth_by_hand(text) or (
        p.nesting(text) <= p.MAX_DEPTH and _depth_by_hand(text) <= p.MAX_DEPTH)


def _best_of(n, fn, arg):
    import time

    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        try:
            fn(arg)
        except p.ProtocolError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


SIZE = 60_000


def _valid_message(size):
    """A valid response of about ``size`` characters: strings, escapes and brackets, nested 20 deep."""
    inner = [{"s": 'x\\"[{' * 8, "n": [1, [2, [3]]]}]
    for _ in range(16):
        inner = [inner]
    result = []
    while len(json.dumps(result)) < size:
        result.append(inner)
    return p.encode(p.envelope("response", "c-1", re="s-1", ok=True, result=result))


BASELINE = {}


@settings(max_examples=40 if os.environ.get("DESK_FUZZ") != "long" else 2_000)
@given(hostile)
def test_decoding_hostile_text_costs_about_what_a_valid_message_of_its_size_does(spec):
    """Work bounded, as a ratio in the same run (no wall-clock limit): the old decoder took
    thousands of times longer on such text (8 s for 64 KB against ~1 ms)."""
    brackets, lead, unit = spec
    text = "[" * brackets + lead + "".join(unit) * (SIZE // len("".join(unit)) + 1)
    text = text[:SIZE]
    if "valid" not in BASELINE:
        BASELINE["valid"] = _best_of(5, p.decode, _valid_message(SIZE))
    took = _best_of(3, p.decode, text)
    assert took <= 30 * BASELINE["valid"] + 0.002, (took, BASELINE["valid"])

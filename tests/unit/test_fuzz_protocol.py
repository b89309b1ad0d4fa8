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
        client = Client(lambda text, target: sent.append((text, target)), console_origin=CONSOLE)
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

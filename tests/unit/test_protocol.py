"""The envelope and the argument rules, in CPython."""

import json
import math

import pytest

from desk_cti_py import protocol as p


def msg(**kw):
    base = {"ns": "desk-cti", "v": 1, "type": "response", "id": "c-1", "re": "s-1", "ok": True, "result": True}
    base.update(kw)
    return json.dumps(base)


def test_envelope_round_trip():
    text = p.encode(p.envelope(p.RESPONSE, "c-1", re="s-2", ok=True, result=[1, "x"]))
    assert p.decode(text) == {"ns": "desk-cti", "v": 1, "type": "response", "id": "c-1",
                              "re": "s-2", "ok": True, "result": [1, "x"]}


def test_ids_are_unique_with_a_random_session_prefix():
    a, b = p.IdMaker(), p.IdMaker()
    assert a.session != b.session
    ids = [a() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(i.startswith(a.session + "-") for i in ids)


BAD_MESSAGES = {
    "not a string": {"x": 1},
    "not json": "{nope",
    "json array": "[1, 2]",
    "wrong namespace": msg(ns="penpal"),
    "no namespace": json.dumps({"v": 1, "type": "response", "id": "a"}),
    "version 2": msg(v=2),
    "version true": msg(v=True),
    "version as string": msg(v="1"),
    "unknown type": msg(type="reply"),
    "type as a list (unhashable)": msg(type=["response"]),
    "event as an object (unhashable)": msg(type="event", event={"a": 1}, data={}),
    "error code as a list (unhashable)": msg(ok=False, error={"code": ["not_found"], "message": "m"}),
    "a request (softphones do not answer requests)": msg(type="request", method="isVisible"),
    "a hello": msg(type="hello"),
    "missing id": msg(id=None),
    "empty id": msg(id=""),
    "huge id": msg(id="x" * 500),
    "response without re": msg(re=None),
    "response without ok": msg(ok=None),
    "response ok as string": msg(ok="yes"),
    "failed response without error": msg(ok=False),
    "error with unknown code": msg(ok=False, error={"code": "boom", "message": "m"}),
    "error without message": msg(ok=False, error={"code": "not_found"}),
    "welcome without session": msg(type="welcome"),
    "event with unknown name": msg(type="event", event="hangup", data={}),
    "event without data": msg(type="event", event="focus"),
    "event with list data": msg(type="event", event="focus", data=[]),
    "error message without error": msg(type="error"),
    "too large": msg(result="x" * (p.MAX_MESSAGE_CHARS + 1)),
    "deeply nested": '{"a":' * 100000 + "1" + "}" * 100000,
}


@pytest.mark.parametrize("text", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_decode_refuses_malformed_messages(text):
    with pytest.raises(p.ProtocolError):
        p.decode(text)


def test_nesting_is_limited_before_parsing_but_brackets_in_strings_do_not_count():
    deep = {"a": 1}
    for _ in range(p.MAX_DEPTH):
        deep = {"a": deep}
    with pytest.raises(p.ProtocolError, match="nested deeper"):
        p.decode(msg(result=deep))
    ok = {"a": 1}
    for _ in range(p.MAX_DEPTH - 3):
        ok = {"a": ok}
    assert p.decode(msg(result=ok))["result"] == ok
    brackets = "[{" * 5000 + ' \\" ' + "]}" * 10
    assert p.decode(msg(result=brackets))["result"] == brackets


def test_decode_accepts_every_console_type():
    assert p.decode(msg(type="welcome", session="abc"))["type"] == "welcome"
    assert p.decode(msg(type="event", event="focus", data={}))["event"] == "focus"
    assert p.decode(msg(type="bye"))["type"] == "bye"
    assert p.decode(msg(type="error", error={"code": "origin_not_allowed", "message": "no"}))


GOOD = [
    ("setSoftphoneHeight", {"height": 0}, {"height": 0}),
    ("setSoftphoneHeight", {"height": 400.5}, {"height": 400.5}),
    ("setSoftphoneWidth", {"width": 320}, {"width": 320}),
    ("enableClickToDial", {}, {}),
    ("disableClickToDial", {}, {}),
    ("screenPop", {"id": "42", "queryParams": "object=case"},
     {"id": "42", "queryParams": "object=case", "object": "case"}),
    ("screenPop", {"id": 42, "queryParams": "?object=customer&tab=info"},
     {"id": "42", "queryParams": "object=customer&tab=info", "object": "customer"}),
    ("screenPop", {"id": "7", "queryParams": {"object": "company"}},
     {"id": "7", "queryParams": "object=company", "object": "company"}),
    ("searchAndScreenPop", {"searchString": "+1 555", "queryParams": "object=customer"},
     {"searchString": "+1 555", "queryParams": "object=customer", "object": "customer"}),
    ("getPageInfo", {}, {}),
    ("setVisible", {"value": False}, {"value": False}),
    ("isVisible", {}, {}),
    ("getUserInfo", {}, {}),
    ("ajax", {"url": "/api/v2/cases"}, {"url": "/api/v2/cases", "method": "GET"}),
    ("ajax", {"url": "/api/v2/cases", "method": "post", "data": {"subject": "x"}},
     {"url": "/api/v2/cases", "method": "POST", "data": {"subject": "x"}}),
]


@pytest.mark.parametrize("method,args,params", GOOD, ids=[f"{g[0]}-{i}" for i, g in enumerate(GOOD)])
def test_check_request_accepts_what_the_seed_allows(method, args, params):
    assert p.check_request(method, args) == params


BAD = [
    ("setSoftphoneHeight", {"height": -1}, "equal or greater than 0"),
    ("setSoftphoneHeight", {"height": "400"}, "must be a number"),
    ("setSoftphoneHeight", {"height": True}, "must be a number"),
    ("setSoftphoneHeight", {"height": math.nan}, "finite"),
    ("setSoftphoneHeight", {"height": math.inf}, "finite"),
    ("setSoftphoneHeight", {}, "must be a number"),
    ("setSoftphoneWidth", {"width": -0.5}, "equal or greater than 0"),
    ("setSoftphoneWidth", {"width": None}, "must be a number"),
    ("enableClickToDial", {"x": 1}, "takes no arguments"),
    ("screenPop", {"id": "42", "queryParams": "case"}, "object=customer"),
    ("screenPop", {"id": "42", "queryParams": "object=ticket"}, "object=customer"),
    ("screenPop", {"id": "42", "queryParams": "object=case&object=customer"}, "object=customer"),
    ("screenPop", {"id": "42", "queryParams": None}, "queryParams must be a string"),
    ("screenPop", {"id": "", "queryParams": "object=case"}, "non-empty"),
    ("screenPop", {"id": None, "queryParams": "object=case"}, "id must be a string"),
    ("screenPop", {"id": -1, "queryParams": "object=case"}, "id must be a string"),
    ("searchAndScreenPop", {"searchString": "", "queryParams": "object=case"}, "non-empty"),
    ("searchAndScreenPop", {"searchString": "   ", "queryParams": "object=case"}, "non-empty"),
    ("searchAndScreenPop", {"searchString": 5551234, "queryParams": "object=case"}, "must be a string"),
    ("searchAndScreenPop", {"searchString": "ann", "queryParams": "object=agent"}, "object=customer"),
    ("setVisible", {"value": "true"}, "boolean"),
    ("setVisible", {"value": 1}, "boolean"),
    ("ajax", {"url": ""}, "url"),
    ("ajax", {"url": 5}, "url"),
    ("ajax", {"url": "/api/v2/x", "method": "TRACE"}, "method must be one of"),
    ("ajax", {"url": "/api/v2/x", "data": {1, 2}}, "data must be"),
    ("ajax", {"url": "/api/v2/x", "data": {"n": math.nan}}, "JSON"),
    ("nope", {}, "unknown method"),
    (["isVisible"], {}, "unknown method"),
]


@pytest.mark.parametrize("method,args,why", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_check_request_refuses_what_the_seed_forbids(method, args, why):
    with pytest.raises(p.ArgumentError, match=why):
        p.check_request(method, args)


@pytest.mark.parametrize("query", ["object=case", "a=1&object=case&b=%20x+y", "object=%63ase", "x=%E2%98%8E&object=case&",
                                   "object=customer&note=caf%C3%A9&empty=&flag"])
def test_query_reader_agrees_with_urllib(query):
    from urllib.parse import parse_qsl

    assert p.parse_qsl(query) == parse_qsl(query, keep_blank_values=True)
    pairs = {"object": "case", "name": "Ann & Bob=1 ☎"}
    assert parse_qsl(p.urlencode(pairs)) == list(pairs.items())

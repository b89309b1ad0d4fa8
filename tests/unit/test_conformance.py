"""The protocol's conformance cases (tests/protocol_cases.json) against the softphone's side.

tests/js/test_conformance.mjs runs the same cases against loader/desk-console.js: a case that
passes here and fails there (or the reverse) is a drift between the two sides.
"""

import json
from pathlib import Path

import pytest

import desk_cti_py as d
from desk_cti_py import protocol as p
from desk_cti_py.testing import FakeConsole

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "protocol_cases.json").read_text(encoding="utf-8"))
TABLE = json.loads((ROOT / "desk_cti_py" / "protocol.json").read_text(encoding="utf-8"))


def expand(value):
    """The cases' shorthands: {"$repeat": [s, n]} and {"$concat": [...]}, anywhere in a value."""
    if isinstance(value, dict):
        if value.keys() == {"$repeat"}:
            text, times = value["$repeat"]
            return text * times
        if value.keys() == {"$concat"}:
            return "".join(expand(v) for v in value["$concat"])
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def wire_text(message):
    """A case's message as posted: compact JSON, as JSON.stringify writes it (sizes agree)."""
    if message.keys() == {"$text"}:
        return message["$text"]
    if message.keys() == {"$value"}:
        return message["$value"]
    return json.dumps(expand(message), separators=(",", ":"), ensure_ascii=False)


def ids(cases):
    return [c["name"] for c in cases]


def test_the_module_reads_the_table():
    assert (p.NAMESPACE, p.VERSION) == (TABLE["namespace"], TABLE["version"])
    assert (p.MAX_MESSAGE_CHARS, p.MAX_DEPTH, p.MAX_INTEGER) == (
        TABLE["limits"]["messageChars"], TABLE["limits"]["depth"], TABLE["limits"]["maxInteger"])
    assert p.CONSOLE_TYPES == set(TABLE["types"]["console"])
    assert p.MESSAGE_TYPES == {p.HELLO, p.WELCOME, p.REQUEST, p.RESPONSE, p.EVENT, p.ERROR, p.BYE, p.PING, p.PONG}
    named = {p.BAD_ARGUMENTS, p.UNKNOWN_METHOD, p.NOT_SUPPORTED_ON_PAGE, p.NOT_FOUND, p.CONSOLE_ERROR, p.TIMEOUT,
             p.CONNECTION_LOST, p.NOT_CONNECTED, p.ORIGIN_NOT_ALLOWED, p.HTTP_ERROR, p.BUSY, p.TOO_LARGE,
             p.UNSUPPORTED_VERSION}
    assert p.ERROR_CODES == named == set(TABLE["errors"])
    assert p.EVENTS == {p.EVENT_CLICK_TO_DIAL, p.EVENT_FOCUS} == set(TABLE["events"])
    assert list(p.METHODS) == list(TABLE["methods"])
    for name, spec in TABLE["methods"].items():
        method = p.METHODS[name]
        assert (method.snake, method.failed_result) == (spec["snake"], spec["failed"])


def test_every_method_has_accepted_and_refused_cases():
    accepted = {c["method"] for c in CASES["requests"] if "params" in c["expect"]}
    refused = {c["method"] for c in CASES["requests"] if "error" in c["expect"] and isinstance(c["method"], str)}
    results = {c["method"] for c in CASES["results"] if not c["valid"]}
    assert accepted == set(p.METHODS)
    assert {m for m, s in TABLE["methods"].items() if s["params"]} <= refused
    assert {s["result"] if isinstance(s["result"], str) else m for m, s in TABLE["methods"].items()} <= (
        results | {"boolean"})


@pytest.mark.parametrize("case", CASES["requests"], ids=ids(CASES["requests"]))
def test_request(case):
    method, params, expect = case["method"], expand(case["params"]), expand(case["expect"])
    if "params" in expect:
        assert p.check_request(method, params) == expect["params"]
        # what the softphone posts passes the console's own check unchanged
        assert p.check_request(method, expect["params"]) == expect["params"]
    else:
        with pytest.raises(p.ArgumentError) as caught:
            p.check_request(method, params)
        assert caught.value.code == expect["error"]


@pytest.mark.parametrize("case", CASES["fromConsole"], ids=ids(CASES["fromConsole"]))
def test_message_from_the_console(case):
    text = wire_text(case["message"])
    if case["expect"] == "accepted":
        assert p.decode(text) == json.loads(text)
    else:
        assert case["expect"] == "dropped"
        with pytest.raises(p.ProtocolError):
            p.decode(text)


@pytest.mark.parametrize("case", CASES["handshakeAnswers"], ids=ids(CASES["handshakeAnswers"]))
def test_an_answer_to_the_hello_of_another_version(case):
    """decode() refuses each; version_refusal() reads the ones that end the handshake."""
    text = wire_text(case["message"])
    with pytest.raises(p.ProtocolError):
        p.decode(text)
    refusal = p.version_refusal(text, {"s-1"})
    if case["expect"] == "dropped":
        assert refusal is None
        return
    assert refusal["code"] == p.UNSUPPORTED_VERSION
    # both versions named: the console's, then this softphone's
    assert f"the console speaks desk-cti protocol version {case['expect']['refused']}; " in refusal["message"]
    assert f"; this softphone (desk_cti_py) speaks version {p.VERSION}" in refusal["message"]
    assert refusal["supported"] == [p.VERSION]
    # what the client hands on is an error object of this version's protocol
    assert p.decode(p.encode(p.envelope(p.ERROR, "c-1", re="s-1", error=refusal)))["error"] == refusal


@pytest.mark.parametrize("case", CASES["results"], ids=ids(CASES["results"]))
def test_result_rule(case):
    if case["valid"]:
        assert p.check_result(case["method"], case["result"]) == case["result"]
    else:
        with pytest.raises(p.ProtocolError):
            p.check_result(case["method"], case["result"])


# Valid arguments for each method, to reach its result through the public API.
CALLS = {
    "setSoftphoneHeight": lambda i: i.cti.setSoftphoneHeight(100),
    "setSoftphoneWidth": lambda i: i.cti.setSoftphoneWidth(100),
    "enableClickToDial": lambda i: i.cti.enableClickToDial(),
    "disableClickToDial": lambda i: i.cti.disableClickToDial(),
    "screenPop": lambda i: i.screenPop("42", "object=case"),
    "searchAndScreenPop": lambda i: i.searchAndScreenPop("ann", "object=customer"),
    "getPageInfo": lambda i: i.getPageInfo(),
    "setVisible": lambda i: i.setVisible(True),
    "isVisible": lambda i: i.isVisible(),
    "getUserInfo": lambda i: i.getUserInfo(),
    "ajax": lambda i: i.ajax("/api/v2/cases"),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CASES["results"], ids=ids(CASES["results"]))
async def test_result_through_the_api(case):
    """What a console answers reaches the caller only if the method's table allows it."""
    with FakeConsole() as console:
        console.handlers[case["method"]] = lambda params: case["result"]
        call = CALLS[case["method"]](console.interaction)
        if case["valid"]:
            result = await call
            if isinstance(case["result"], dict):  # a record: the fields the console sent, as sent
                assert {key: result[key] for key in case["result"]} == case["result"]
            else:
                assert result is case["result"]
        else:
            with pytest.raises(d.ConsoleError, match="bad result"):
                await call

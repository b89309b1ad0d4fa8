"""Typed results answer to snake_case and to the seed's keys; errors map to codes."""

import pytest

from desk_cti_py import models as m
from desk_cti_py import protocol as p

WIRE_PAGE = {"url": "http://c/agent/case/42", "objectId": "42", "object": "case", "objectName": "Broken phone"}


def test_page_info_reads_both_ways():
    info = m.PageInfo.from_wire(WIRE_PAGE)
    assert info.object_id == info.objectId == info["objectId"] == "42"
    assert info.object_name == info.objectName == "Broken phone"
    assert info.to_dict() == WIRE_PAGE
    assert dict(info) == WIRE_PAGE
    assert info == WIRE_PAGE and info == m.PageInfo.from_wire(dict(WIRE_PAGE))
    assert info != m.ClickToDial.from_wire({"number": "1", "objectId": "42", "object": "case"})
    assert len({info, m.PageInfo.from_wire(WIRE_PAGE)}) == 1
    with pytest.raises(AttributeError):
        info.subject  # noqa: B018
    with pytest.raises(KeyError):
        info["subject"]


@pytest.mark.parametrize("record", [m.PageInfo.from_wire(WIRE_PAGE), m.UserInfo(user_id="1"),
                                    m.AjaxResult({"a": 1}, 200, "OK"), m.ClickToDial("555", "7", "case")])
def test_a_records_mapping_view_is_the_seeds_keys_and_in_agrees_with_keys(record):
    for key in [*record.keys(), "object_id", "user_id", "status_text", "nope", 42, None]:
        in_keys = key in list(record.keys())
        assert (key in record) is in_keys, key
        if not in_keys:
            with pytest.raises(KeyError):
                record[key]
    for alias, field in type(record).aliases.items():  # the seed's own spellings, documented
        assert alias in record and record[alias] == getattr(record, field)
    # every seed key is also an attribute
    assert all(getattr(record, key) == record[key] for key in record)


def test_user_info_has_the_seeds_ten_fields():
    keys = ["userId", "email", "userName", "fullName", "profilePhotoUrl", "profileThumbnailUrl",
            "userType", "language", "locale", "siteUrl"]
    user = m.UserInfo.from_wire({k: f"v-{k}" for k in keys})
    assert list(user) == keys
    assert user["user ID"] == user["userId"] == user.user_id == "v-userId"  # as the seed spells it
    assert user.profile_thumbnail_url == user.profileThumbnailUrl == "v-profileThumbnailUrl"


def test_ajax_result_status_text():
    r = m.AjaxResult.from_wire({"data": {"a": [1]}, "status": 201, "statusText": "Created"})
    assert (r.data, r.status, r.status_text, r["statusText"]) == ({"a": [1]}, 201, "Created", "Created")


@pytest.mark.parametrize("bad", [None, [], "x", {"objectId": 42}, {"url": ["x"]}])
def test_records_refuse_wrong_shapes(bad):
    with pytest.raises(p.ProtocolError):
        m.PageInfo.from_wire(bad)


def test_response_has_error_only_on_failure():
    ok = m.Response(True)
    assert ok.result is True and ok.error is None and ok.ok
    assert dict(ok) == {"result": True} and "error" not in ok
    with pytest.raises(KeyError):
        ok["error"]
    bad = m.Response(False, "no such case", p.NOT_FOUND)
    assert dict(bad) == {"result": False, "error": "no such case"}
    assert bad["error"] == bad.error == "no such case" and bad.code == "not_found" and not bad.ok


@pytest.mark.parametrize("code,cls", [
    ("bad_arguments", m.BadArguments), ("unknown_method", m.UnknownMethod),
    ("not_supported_on_page", m.NotSupportedOnPage), ("not_found", m.NotFound),
    ("console_error", m.ConsoleError), ("timeout", m.CtiTimeout),
    ("connection_lost", m.ConnectionLost), ("not_connected", m.NotConnected),
    ("origin_not_allowed", m.OriginNotAllowed), ("http_error", m.AjaxError),
])
def test_every_error_code_has_its_exception(code, cls):
    exc = m.error_from_wire({"code": code, "message": "why"})
    assert type(exc) is cls and exc.code == code and exc.message == str(exc) == "why"
    assert isinstance(exc, m.CtiError)
    assert {c.code for c in m._BY_CODE.values()} == p.ERROR_CODES


def test_ajax_error_carries_the_seeds_error_object():
    exc = m.AjaxError.from_error(m.error_from_wire({"code": "http_error", "message": "Not Found", "status": 404,
                                                    "statusText": "Not Found"}))
    assert isinstance(exc, m.AjaxError)
    assert exc.error.to_dict() == {"message": "Not Found", "status": 404, "statusText": "Not Found"}
    refused = m.AjaxError.from_error(m.error_from_wire({"code": "bad_arguments", "message": "outside /api/v2"}))
    assert isinstance(refused, m.AjaxError) and refused.code == "bad_arguments" and refused.status == 0


@pytest.mark.parametrize("cls,data", [
    (m.PageInfo, {"url": "u", "objectName": "n"}),
    (m.PageInfo, {"objectId": "1", "object": "ticket"}),
    (m.PageInfo, {"objectId": "", "object": "case"}),
    (m.ClickToDial, {"objectId": "1", "object": "case"}),
    (m.ClickToDial, {"number": "555", "object": "agent"}),
    (m.AjaxResult, {"data": {}}),
])
def test_records_need_their_required_fields(cls, data):
    with pytest.raises(p.ProtocolError):
        cls.from_wire(data)


def test_records_are_built_by_position_or_keyword_and_default_to_none():
    err = m.AjaxErrorInfo("Not Found", 404, status_text="Not Found")
    assert err.to_dict() == {"message": "Not Found", "status": 404, "statusText": "Not Found"}
    assert m.PageInfo(object_id="7").to_dict() == {"url": None, "objectId": "7", "object": None, "objectName": None}
    assert m.PageInfo().object_id is None and len(m.UserInfo()) == 10
    with pytest.raises(TypeError, match="at most 3 positional"):
        m.AjaxErrorInfo("a", 1, "b", "c")
    with pytest.raises(TypeError, match="no field 'subject'"):
        m.PageInfo(subject="x")
    with pytest.raises(TypeError, match="two values for 'url'"):
        m.PageInfo("u", url="v")


def test_records_are_immutable_and_show_their_fields():
    info = m.PageInfo.from_wire(WIRE_PAGE)
    for attempt in (lambda: setattr(info, "object_id", "43"), lambda: setattr(info, "extra", 1),
                    lambda: delattr(info, "url")):
        with pytest.raises(AttributeError, match="immutable"):
            attempt()
    assert info.object_id == "42" and not hasattr(info, "extra")
    assert repr(info) == ("PageInfo(url='http://c/agent/case/42', object_id='42', object='case', "
                          "object_name='Broken phone')")
    assert not hasattr(m.PageInfo, "object_id"), "fields live on instances, not as class defaults"


def test_records_pickle_and_copy_as_themselves():
    import copy
    import pickle

    info = m.PageInfo.from_wire(WIRE_PAGE)
    for clone in (pickle.loads(pickle.dumps(info)), copy.copy(info), copy.deepcopy(info)):
        assert type(clone) is m.PageInfo and clone == info and clone.objectName == "Broken phone"
    # a record made in Python, without the fields the wire requires, round-trips as well
    partial = m.PageInfo(object_id="7")
    for clone in (pickle.loads(pickle.dumps(partial)), copy.copy(partial), copy.deepcopy(partial)):
        assert type(clone) is m.PageInfo and clone == partial and clone.object is None


def test_record_wire_types_are_checked_per_field():
    assert m.UserInfo.from_wire({"userId": 7}).user_id == 7
    with pytest.raises(p.ProtocolError, match="UserInfo.email has the wrong type"):
        m.UserInfo.from_wire({"email": 7})
    with pytest.raises(p.ProtocolError, match="AjaxResult.status has the wrong type"):
        m.AjaxResult.from_wire({"status": "200"})
    assert m.AjaxResult.from_wire({"status": 200, "data": [1, {"a": None}]}).data == [1, {"a": None}]


def test_a_record_field_with_a_default_other_than_none_is_refused():
    with pytest.raises(TypeError, match="default to None"):
        class Odd(m._Record):
            name: str = "x"


def test_a_record_subclass_keeps_its_parents_fields_and_adds_its_own():
    class CaseInfo(m.PageInfo):
        case_status: str | None = None

    info = CaseInfo.from_wire({**WIRE_PAGE, "caseStatus": "open"})
    assert CaseInfo._fields == (*m.PageInfo._fields, "case_status")
    assert info.object_id == "42" and info.caseStatus == "open" and len(info) == 5
    assert m.PageInfo._fields == ("url", "object_id", "object", "object_name")

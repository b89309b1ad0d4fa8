"""The demo's Desk API v2 subset, with Starlette's test client: every endpoint and error."""

import sqlite3
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from desk_cti_tools.emulator.app import console_app
from desk_cti_tools.emulator.config import Origins
from desk_cti_tools.emulator.db import Database


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "desk.sqlite3")


@pytest.fixture
def anon(db):
    # a browser sends its page's Origin on every write; the API refuses writes without it
    with TestClient(console_app(Origins(8000, 8001), db), headers={"Origin": "http://localhost:8000"}) as client:
        yield client


@pytest.fixture
def api(anon):
    r = anon.post("/login", data={"email": "alex@acme-support.example", "password": "demo"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/agent/cases"
    return anon


def entries(r):
    return r.json()["_embedded"]["entries"]


def test_the_database_is_seeded_once_with_realistic_data(db, tmp_path):
    with db.connect() as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("users", "companies", "customers", "cases", "notes")}
    assert counts["users"] == 4 and counts["companies"] == 8 and counts["customers"] == 36 and counts["cases"] == 48
    Database(tmp_path / "desk.sqlite3")  # a second start does not seed again
    with db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 48


@pytest.mark.parametrize("path", ["/api/v2/users/me", "/api/v2/cases", "/api/v2/customers/1",
                                  "/api/v2/companies/search?q=a"])
def test_the_api_needs_a_session(anon, path):
    r = anon.get(path)
    assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}


def test_wrong_password_is_refused(anon):
    r = anon.post("/login", data={"email": "alex@acme-support.example", "password": "nope"})
    assert r.status_code == 401 and "Wrong email or password" in r.text
    assert anon.get("/api/v2/users/me").status_code == 401


def test_console_pages_redirect_to_sign_in(anon):
    r = anon.get("/agent/cases/3", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/agent/cases/3"


def test_sign_in_never_redirects_off_site(anon):
    r = anon.post("/login", data={"email": "alex@acme-support.example", "password": "demo",
                                  "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/agent/cases"


def test_users_me(api):
    me = api.get("/api/v2/users/me").json()
    assert me["email"] == "alex@acme-support.example" and me["name"] == "Alex Rivera"
    assert me["_links"]["self"] == {"href": "/api/v2/users/1", "class": "user"}
    assert api.get("/api/v2/users/2").json()["name"] == "Priya Natarajan"
    assert api.get("/api/v2/users/99").status_code == 404


def test_lists_have_desks_envelope_and_paginate(api):
    r = api.get("/api/v2/customers?per_page=10&page=2").json()
    assert r["total_entries"] == 36 and r["page"] == 2 and len(r["_embedded"]["entries"]) == 10
    links = r["_links"]
    assert links["self"]["href"] == "/api/v2/customers?page=2&per_page=10"
    assert links["first"]["href"].endswith("page=1&per_page=10")
    assert links["last"]["href"].endswith("page=4&per_page=10")
    assert links["previous"]["href"].endswith("page=1&per_page=10")
    assert links["next"]["href"].endswith("page=3&per_page=10")
    last = api.get("/api/v2/customers?per_page=10&page=4").json()
    assert last["_links"]["next"] is None and len(last["_embedded"]["entries"]) == 6
    assert api.get("/api/v2/companies").json()["total_entries"] == 8
    assert api.get("/api/v2/cases").json()["total_entries"] == 48


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=101", "per_page=-1"])
def test_bad_pagination_is_a_validation_error(api, query):
    r = api.get(f"/api/v2/cases?{query}")
    assert r.status_code == 422 and r.json()["message"] == "Validation Failed"


def test_records_carry_links(api):
    c = api.get("/api/v2/customers/3").json()
    assert c["phone_numbers"][0] == {"type": "work", "value": "+1 555 0103"}
    assert c["emails"][0]["value"].endswith(".example")
    assert c["_links"]["self"]["href"] == "/api/v2/customers/3"
    case = api.get("/api/v2/cases/5").json()
    assert set(case) >= {"id", "subject", "status", "priority", "type", "created_at", "_links"}
    assert case["_links"]["customer"]["class"] == "customer"
    company = api.get("/api/v2/companies/1").json()
    assert company["name"] == "Northwind Traders" and company["domains"] == ["northwind.example"]
    members = api.get("/api/v2/companies/1/customers").json()
    assert all(e["company"] == "Northwind Traders" for e in entries_of(members))
    assert api.get(f"/api/v2/customers/{c['id']}/cases").status_code == 200


def entries_of(body):
    return body["_embedded"]["entries"]


@pytest.mark.parametrize("path", ["/api/v2/customers/999", "/api/v2/companies/999", "/api/v2/cases/999",
                                  "/api/v2/cases/abc", "/api/v2/cases/999/notes", "/api/v2/nothing",
                                  "/api/v2/customers/999/cases", "/api/v2/companies/999/customers"])
def test_unknown_ids_are_404(api, path):
    r = api.get(path)
    assert r.status_code == 404 and r.json() == {"message": "Resource Not Found"}


def test_customer_search_by_phone_email_and_name(api):
    by_phone = entries(api.get("/api/v2/customers/search", params={"phone": "+1 (555) 0107"}))
    assert [c["id"] for c in by_phone] == [7]
    one = by_phone[0]
    by_email = entries(api.get("/api/v2/customers/search", params={"email": one["emails"][0]["value"].upper()}))
    assert [c["id"] for c in by_email] == [7]
    by_name = entries(api.get("/api/v2/customers/search", params={"name": f"{one['first_name']} {one['last_name']}"}))
    assert 7 in [c["id"] for c in by_name]
    by_q = entries(api.get("/api/v2/customers/search", params={"q": "555 0107"}))
    assert [c["id"] for c in by_q] == [7]
    r = api.get("/api/v2/customers/search")
    assert r.status_code == 422 and "q" in r.json()["errors"]


def test_company_and_case_search(api):
    assert [c["name"] for c in entries(api.get("/api/v2/companies/search?q=globex"))] == ["Globex Logistics"]
    assert api.get("/api/v2/companies/search").status_code == 422
    hits = entries(api.get("/api/v2/cases/search?q=voicemail"))
    assert hits and all("voicemail" in (c["subject"] + c["description"]).lower() for c in hits)
    by_status = entries(api.get("/api/v2/cases/search?status=pending&per_page=100"))
    assert by_status and {c["status"] for c in by_status} == {"pending"}
    assert api.get("/api/v2/cases/search?status=lost").status_code == 422
    assert api.get("/api/v2/cases/search").status_code == 422


def test_create_a_phone_case(api, db):
    r = api.post("/api/v2/cases", json={"subject": "Phone call from Ann", "type": "phone", "customer_id": 7})
    assert r.status_code == 201
    case = r.json()
    assert case["type"] == "phone" and case["status"] == "new" and case["_links"]["customer"]["href"] == "/api/v2/customers/7"
    via_link = api.post("/api/v2/cases", json={"subject": "Again",
                                               "_links": {"customer": {"href": "/api/v2/customers/8"}}})
    assert via_link.status_code == 201
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT customer_id, type FROM cases WHERE id=?", (case["id"],)).fetchone() == (7, "phone")


@pytest.mark.parametrize("body,field", [
    ({"type": "phone", "customer_id": 7}, "subject"),
    ({"subject": " ", "customer_id": 7}, "subject"),
    ({"subject": "x" * 300, "customer_id": 7}, "subject"),
    ({"subject": "x", "customer_id": 7, "type": "fax"}, "type"),
    ({"subject": "x", "customer_id": 7, "status": "lost"}, "status"),
    ({"subject": "x", "customer_id": 7, "priority": 11}, "priority"),
    ({"subject": "x"}, "customer"),
    ({"subject": "x", "customer_id": "7"}, "customer"),
    ({"subject": "x", "customer_id": 999}, "customer"),
])
def test_case_validation_errors_are_422(api, body, field):
    r = api.post("/api/v2/cases", json=body)
    assert r.status_code == 422
    assert r.json()["message"] == "Validation Failed" and field in r.json()["errors"]


def test_bad_bodies(api):
    assert api.post("/api/v2/cases", content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    assert api.post("/api/v2/cases", json=[1, 2]).status_code == 400
    big = api.post("/api/v2/cases/1/notes", json={"body": "x" * 70_000})
    assert big.status_code == 413


def test_notes_list_and_create(api, db):
    before = api.get("/api/v2/cases/4/notes").json()["total_entries"]
    r = api.post("/api/v2/cases/4/notes", json={"body": "Called back, all fixed."})
    assert r.status_code == 201
    note = r.json()
    assert note["body"] == "Called back, all fixed." and note["_links"]["user"]["href"] == "/api/v2/users/1"
    after = api.get("/api/v2/cases/4/notes").json()
    assert after["total_entries"] == before + 1 and after["_embedded"]["entries"][-1]["id"] == note["id"]
    assert api.post("/api/v2/cases/4/notes", json={"body": ""}).status_code == 422
    assert api.post("/api/v2/cases/4/notes", json={}).status_code == 422
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT body FROM notes WHERE id=?", (note["id"],)).fetchone() == ("Called back, all fixed.",)


def test_wrong_method_and_no_cors(api):
    assert api.delete("/api/v2/cases/1", headers={"Content-Type": "application/json"}).status_code == 405
    r = api.get("/api/v2/cases/1", headers={"Origin": "http://127.0.0.1:8001"})
    assert "access-control-allow-origin" not in r.headers
    pre = api.options("/api/v2/cases", headers={"Origin": "http://127.0.0.1:8001",
                                                 "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_logout_ends_the_session(api):
    api.post("/logout")
    assert api.get("/api/v2/users/me").status_code == 401


# str.isdigit() is true for all of these, and int() reads some of them (full-width, Arabic-Indic)
NOT_ASCII = ["¹", "²³", "①", "１", "１２", "١", "٣", "۴", "߁", "१", "𝟙", "1٣", "٣1"]
ODD = ["+1", "-1", " 1", "1 ", "1_0", "1.0", "0x1", "1e3", "9" * 5000]


def short(raw):
    return raw if len(raw) < 20 else f"{raw[0]}x{len(raw)}"


@pytest.mark.parametrize("raw", NOT_ASCII + ODD, ids=short)
def test_ids_are_ascii_digits_or_404(api, raw):
    for path in ("/api/v2/cases/{}", "/api/v2/users/{}", "/api/v2/customers/{}/cases", "/api/v2/cases/{}/notes"):
        r = api.get(path.format(quote(raw)))
        assert r.status_code == 404 and r.json() == {"message": "Resource Not Found"}, (path, raw)
    r = api.post("/api/v2/cases", json={"subject": "x", "_links": {"customer": {"href": f"/api/v2/customers/{raw}"}}})
    assert r.status_code == 422 and "customer" in r.json()["errors"]


@pytest.mark.parametrize("raw", NOT_ASCII + ODD, ids=short)
@pytest.mark.parametrize("url,name", [("/api/v2/cases?page={}", "page"), ("/api/v2/customers?per_page={}", "per_page"),
                                      ("/api/v2/cases/search?customer_id={}", "customer_id")])
def test_number_parameters_are_ascii_digits_or_422(api, url, name, raw):
    r = api.get(url.format(quote(raw)))
    assert r.status_code == 422, (url, raw)
    assert r.json()["message"] == "Validation Failed" and list(r.json()["errors"]) == [name]


def test_leading_zeros_are_still_numbers(api):
    assert api.get(f"/api/v2/cases/{'0' * 5000}5").json()["id"] == 5
    assert api.get(f"/api/v2/cases?per_page=0003&page={'0' * 5000}2").json()["page"] == 2

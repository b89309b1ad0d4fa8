"""The demo API under schemathesis, from its own OpenAPI document: no 5xx, responses match the schema.

Fast profile in `make test`; DESK_FUZZ=long (make fuzz) runs many more examples.
"""

import os

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from deskdemo.app import console_app
from deskdemo.config import Origins
from deskdemo.db import Database
from deskdemo.openapi import document

LONG = os.environ.get("DESK_FUZZ") == "long"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return console_app(Origins(8000, 8001), Database(tmp_path_factory.mktemp("api") / "desk.sqlite3"), secret="t")


@pytest.fixture(scope="module")
def cookie(app):
    with TestClient(app) as client:
        r = client.post("/login", data={"email": "mei@acme-support.example", "password": "demo"},
                        follow_redirects=False)
        assert r.status_code == 303
        return f"desk_session={client.cookies['desk_session']}"


schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(max_examples=400 if LONG else 25, deadline=None, derandomize=not LONG,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case, app, cookie):
    response = case.call(app=app, headers={"Cookie": cookie})
    assert response.status_code < 500, response.text
    # Every check but "a schema-valid request is accepted": OpenAPI cannot say that a search
    # needs at least one of its parameters, so such a request rightly gets 422.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_the_document_is_served(app):
    with TestClient(app) as client:
        assert client.get("/api/v2/openapi.json").json()["openapi"] == "3.0.3"

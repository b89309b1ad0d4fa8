"""The demo API's OpenAPI 3.0 document, served at /api/v2/openapi.json (schemathesis reads it)."""

from __future__ import annotations

from typing import Any

from .api import CASE_STATUSES, CASE_TYPES
from .limits import (MAX_DESCRIPTION, MAX_ID, MAX_NOTE, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY, MAX_SUBJECT, PER_PAGE,
                     PRIORITY)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _json(_ref("Error"), "No agent signed in"),
    "404": _json(_ref("Error"), "No such record"),
    "422": _json(_ref("ValidationError"), "Validation Failed"),
}
# writes only: the CSRF check (guards.write_refusal)
WRITE_ERRORS = {**ERRORS, "403": _json(_ref("Error"), "No Origin of this console, or a body not sent as JSON"),
                "413": _json(_ref("Error"), "Too large")}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE}},
]
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ID = {"name": "id", "in": "path", "required": True, "schema": ID_SCHEMA}
CUSTOMER_ID = {"name": "customer_id", "in": "query", "schema": ID_SCHEMA}


def _q(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY}} for n in names]


def _get(summary: str, schema: dict[str, Any], params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params or [],
                    "responses": {"200": _json(schema, "OK"), **ERRORS}}}


def _list(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["total_entries", "page", "_links", "_embedded"],
            "properties": {"total_entries": {"type": "integer"}, "page": {"type": "integer"},
                           "_links": {"type": "object"},
                           "_embedded": {"type": "object", "properties": {"entries": {"type": "array",
                                                                                      "items": _ref(name)}}}}}


def document() -> dict[str, Any]:
    obj = {"type": "object"}
    paths = {
        "/api/v2/users/me": _get("The signed-in agent", _ref("User")),
        "/api/v2/users/{id}": _get("An agent", _ref("User"), [ID]),
        "/api/v2/customers": _get("Customers", _list("Customer"), PAGING),
        "/api/v2/customers/search": _get("Search customers", _list("Customer"),
                                         PAGING + _q("q", "phone", "email", "name", "first_name", "last_name")),
        "/api/v2/customers/{id}": _get("A customer", _ref("Customer"), [ID]),
        "/api/v2/customers/{id}/cases": _get("A customer's cases", _list("Case"), [ID, *PAGING]),
        "/api/v2/companies": _get("Companies", _list("Company"), PAGING),
        "/api/v2/companies/search": _get("Search companies", _list("Company"), PAGING + _q("q", "name")),
        "/api/v2/companies/{id}": _get("A company", _ref("Company"), [ID]),
        "/api/v2/companies/{id}/customers": _get("A company's customers", _list("Customer"), [ID, *PAGING]),
        "/api/v2/cases": {
            **_get("Cases", _list("Case"), PAGING),
            "post": {"summary": "Create a case (a phone case for a customer)",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewCase")}}},
                     "responses": {"201": _json(_ref("Case"), "Created"), "400": _json(_ref("Error"), "Bad body"),
                                   **WRITE_ERRORS}},
        },
        "/api/v2/cases/search": _get("Search cases", _list("Case"),
                                     [*PAGING, *_q("q", "subject", "status"), CUSTOMER_ID]),
        "/api/v2/cases/{id}": _get("A case", _ref("Case"), [ID]),
        "/api/v2/cases/{id}/notes": {
            **_get("A case's notes", _list("Note"), [ID, *PAGING]),
            "post": {"summary": "Add a note", "parameters": [ID],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["body"],
                         "properties": {"body": {"type": "string", "minLength": 1, "maxLength": MAX_NOTE}}}}}},
                     "responses": {"201": _json(_ref("Note"), "Created"), "400": _json(_ref("Error"), "Bad body"),
                                   **WRITE_ERRORS}},
        },
    }
    schemas = {
        "Error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
        "ValidationError": {"type": "object", "required": ["message", "errors"],
                            "properties": {"message": {"type": "string"}, "errors": obj}},
        "User": {"type": "object", "required": ["id", "name", "email", "_links"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                "email": {"type": "string"}, "_links": obj}},
        "Customer": {"type": "object", "required": ["id", "first_name", "last_name", "phone_numbers", "emails", "_links"],
                     "properties": {"id": {"type": "integer"}, "first_name": {"type": "string"},
                                    "last_name": {"type": "string"}, "phone_numbers": {"type": "array"},
                                    "emails": {"type": "array"}, "_links": obj}},
        "Company": {"type": "object", "required": ["id", "name", "_links"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "_links": obj}},
        "Case": {"type": "object", "required": ["id", "subject", "status", "type", "_links"],
                 "properties": {"id": {"type": "integer"}, "subject": {"type": "string"},
                                "status": {"type": "string", "enum": list(CASE_STATUSES)},
                                "type": {"type": "string", "enum": list(CASE_TYPES)}, "_links": obj}},
        "Note": {"type": "object", "required": ["id", "body", "_links"],
                 "properties": {"id": {"type": "integer"}, "body": {"type": "string"}, "_links": obj}},
        "NewCase": {"type": "object", "required": ["subject", "customer_id"],
                    "properties": {"subject": {"type": "string", "minLength": 1, "maxLength": MAX_SUBJECT},
                                   "customer_id": ID_SCHEMA,
                                   "type": {"type": "string", "enum": list(CASE_TYPES)},
                                   "status": {"type": "string", "enum": list(CASE_STATUSES)},
                                   "priority": {"type": "integer", "minimum": PRIORITY[0], "maximum": PRIORITY[1]},
                                   "description": {"type": "string", "maxLength": MAX_DESCRIPTION}}},
    }
    return {"openapi": "3.0.3", "info": {"title": "desk-cti-py demo: a Desk API v2 subset", "version": "2.0"},
            "paths": paths, "components": {"schemas": schemas}}

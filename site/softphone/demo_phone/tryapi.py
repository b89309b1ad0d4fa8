"""The "Try the API" box: each Open CTI method by hand, its answer shown as the seed's response object."""

import asyncio
import json

from pyodide.ffi.wrappers import add_event_listener

import desk_cti_py as desk
from desk_cti_py import interaction

from .checks import api_field_errors
from .page import el


def show(response):
    """A callback-style answer, shown as the seed's response object."""

    def plain(value):
        return value.to_dict() if hasattr(value, "to_dict") else value

    out = {"result": plain(response.result)}
    if "error" in response:
        out["error"] = plain(response.error)
    el("output").textContent = json.dumps(out, indent=1)


async def try_ajax():
    """ajax, awaited: a failure shows the seed's error object, and under it the API's field
    errors (a 422's {"errors": {field: [message]}}), which the error object does not carry."""
    raw = el("ajax-data").value.strip()
    config = {"method": el("ajax-method").value}
    if raw:
        try:
            config["data"] = json.loads(raw)
        except ValueError:
            config["data"] = raw
    fields = ""
    try:
        response = desk.Response(await interaction.ajax(el("ajax-url").value.strip(), config))
    except desk.AjaxError as exc:
        response = desk.Response(None, exc.error, exc.code)
        fields = api_field_errors(exc)
    except desk.CtiError as exc:
        response = desk.Response(None, exc.error, exc.code)
    show(response)
    el("field-errors").textContent = f"Field errors: {fields}" if fields else ""
    el("field-errors").hidden = not fields


def wire():
    """Callback style: each button's answer goes to show()."""
    add_event_listener(el("pop"), "click", lambda e: interaction.screenPop(
        el("pop-id").value.strip(), f"object={el('pop-object').value}", show))
    add_event_listener(el("search"), "click", lambda e: interaction.searchAndScreenPop(
        el("search-text").value, f"object={el('search-object').value}", show))
    add_event_listener(el("page-info"), "click", lambda e: interaction.getPageInfo(show))
    add_event_listener(el("user-info"), "click", lambda e: interaction.getUserInfo(show))
    add_event_listener(el("is-visible"), "click", lambda e: interaction.isVisible(show))
    add_event_listener(el("ajax"), "click", lambda e: asyncio.ensure_future(try_ajax()))

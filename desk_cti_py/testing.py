"""A console double for testing softphone code in plain CPython with pytest.

``FakeConsole`` speaks the same wire protocol as ``loader/desk-console.js``,
in-process: it answers the handshake, checks each request again as the real
console does, answers every method with Desk's semantics over a small
in-memory data set, records what the softphone asked for, and fires
``clickToDial`` and ``focus`` events::

    async def test_my_softphone():
        with FakeConsole() as console:          # desk_cti_py.interaction now talks to it
            await my_softphone.start()
            assert console.height == 400
            console.click_to_dial("+1 555 0100", "7", "customer")
            await console.settle()
            assert my_softphone.dialing == "+1 555 0100"

Use it inside a running asyncio loop (``pytest-asyncio``, or ``asyncio.run``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from . import connection as _connection
from . import protocol as p
from .api import Interaction
from .client import Client
from .connection import Connection
from .models import AjaxError, CtiError, NotFound, NotSupportedOnPage, PageInfo
from .transport import MemoryTransport

Handler = Callable[[dict[str, Any]], Any]

DEFAULT_USER = {
    "userId": "1", "email": "agent@example.com", "userName": "agent@example.com",
    "fullName": "Alex Agent", "profilePhotoUrl": "", "profileThumbnailUrl": "",
    "userType": "agent", "language": "en", "locale": "en_us", "siteUrl": "https://example.desk.com",
}


class FakeConsole:
    """An in-process console. ``records`` maps ``(object, id)`` to a record dict.

    A customer or company record has ``name`` (and a customer ``phone``,
    ``email``); a case has ``subject`` and ``customer_id``. ``ajax`` is
    answered by ``ajax_handler(method, url, data) -> (status, data)``.
    Set ``silent = True`` to never answer (for timeout tests). ``handlers``
    overrides any method: ``handlers["isVisible"] = lambda params: False``.
    """

    def __init__(
        self,
        *,
        origin: str = "https://console.example",
        records: dict[tuple[str, str], dict[str, Any]] | None = None,
        user: dict[str, Any] | None = None,
        ajax_handler: Callable[[str, str, Any], tuple[int, Any]] | None = None,
        timeout: float = 2.0,
    ) -> None:
        self.origin = origin
        self.records = dict(records or {})
        self.user = dict(user or DEFAULT_USER)
        self.ajax_handler = ajax_handler
        self.handlers: dict[str, Handler] = {}
        self.silent = False
        self.visible = True
        self.height: float | None = None
        self.width: float | None = None
        self.click_to_dial_enabled = False
        self.page: PageInfo | None = None
        self.requests: list[dict[str, Any]] = []  # every request, as posted
        self.pongs: list[str] = []  # the ids of the pings the softphone answered
        self.violations: list[str] = []  # posts to a wrong origin, malformed messages
        self.session = p.IdMaker().session
        self._ids = p.IdMaker(self.session)
        self.transport = MemoryTransport(self._from_softphone)
        self.client = Client(self.transport, console_origin=origin, timeout=timeout)
        self.transport.attach(self.client)
        self.connection = Connection(self.transport, self.client)
        #: an ``interaction`` of this console's own (the module-level one works once installed)
        self.interaction = Interaction(lambda: self.connection)
        self._old: Connection | None = None

    # -------------------------------------------------------------- install

    def install(self) -> FakeConsole:
        """Make the module-level ``desk_cti_py.interaction`` talk to this console."""
        self._old = _connection.use(self.connection)
        self.client.start()
        return self

    def uninstall(self) -> None:
        self.connection.close()
        _connection.use(self._old)

    def __enter__(self) -> FakeConsole:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    async def settle(self, rounds: int = 5) -> None:
        """Let queued messages and callbacks run."""
        for _ in range(rounds):
            await asyncio.sleep(0)

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The params of every ``method`` request the softphone posted."""
        return [r["params"] for r in self.requests if r.get("method") == method]

    # ---------------------------------------------------------------- events

    def click_to_dial(self, number: str, object_id: str, object: str) -> bool:  # noqa: A002
        """The agent clicks a number; delivered only while click-to-dial is enabled."""
        if not self.click_to_dial_enabled:
            return False
        self._send(p.EVENT, event=p.EVENT_CLICK_TO_DIAL,
                   data={"number": number, "objectId": object_id, "object": object})
        return True

    def click_to_dial_error(self, message: str = "Resource Object does not exist.") -> bool:
        """A click that failed: the listener gets result None and ``message``, as the seed has it."""
        if not self.click_to_dial_enabled:
            return False
        self._send(p.EVENT, event=p.EVENT_CLICK_TO_DIAL, data={},
                   error={"code": p.NOT_FOUND, "message": message})
        return True

    def leave_records(self) -> None:
        """The agent goes to a page that is no case, customer or company (a list, a search)."""
        self.page = None
        self._send(p.EVENT, event=p.EVENT_FOCUS, data={},
                   error={"code": p.NOT_SUPPORTED_ON_PAGE, "message": "no case, customer or company in view"})

    def focus(self, object: str, object_id: str, *, url: str | None = None) -> PageInfo:  # noqa: A002
        """Bring a record into view and send the ``focus`` event."""
        record = self.records.get((object, object_id), {})
        name = record.get("subject") if object == "case" else record.get("name")
        self.page = PageInfo(url or f"{self.origin}/agent/{object}/{object_id}", object_id, object, name)
        self._send(p.EVENT, event=p.EVENT_FOCUS, data=self.page.to_dict())
        return self.page

    def ping(self) -> str:
        """Ask whether the softphone is still there; its pong lands in ``pongs``."""
        ping_id = self._ids()
        self.transport.send(self.origin, p.encode(p.envelope(p.PING, ping_id)))
        return ping_id

    def reload(self) -> None:
        """The console page goes away and comes back: a ``bye``, then a new session."""
        self._send(p.BYE)
        self.session = p.IdMaker().session
        self.click_to_dial_enabled = False

    # ------------------------------------------------------------- protocol

    def _send(self, kind: str, **fields: Any) -> None:
        self.transport.send(self.origin, p.encode(p.envelope(kind, self._ids(), **fields)))

    def _from_softphone(self, text: str, target_origin: str) -> None:
        asyncio.get_running_loop().call_soon(self._handle, text, target_origin)

    def _handle(self, text: str, target_origin: str) -> None:
        msg = json.loads(text)
        if target_origin != self.origin:
            self.violations.append(f"{msg.get('type')} posted to {target_origin!r}")
            return
        if msg.get("type") == p.HELLO:
            self._send(p.WELCOME, re=msg["id"], session=self.session)
            return
        if msg.get("type") == p.PONG:
            self.pongs.append(msg["re"])
            return
        if msg.get("type") != p.REQUEST:
            self.violations.append(f"unexpected {msg.get('type')!r} from the softphone")
            return
        self.requests.append(msg)
        if self.silent:
            return
        try:
            params = p.check_request(msg["method"], msg.get("params") or {})
            handler = self.handlers.get(msg["method"]) or getattr(self, "_do_" + msg["method"])
            result = handler(params)
        except p.ArgumentError as exc:  # bad_arguments, or unknown_method: as desk-console.js answers
            error = {"code": exc.code, "message": f"{msg['method']}: {exc}"}
        except CtiError as exc:
            error = {"code": exc.code, "message": exc.message}
            if getattr(exc, "status", None) is not None:
                error.update(status=exc.status, statusText=exc.status_text)  # type: ignore[attr-defined]
        except Exception as exc:  # a handler bug: the console's error, as desk-console.js does
            error = {"code": p.CONSOLE_ERROR, "message": str(exc) or type(exc).__name__}
        else:
            self._send(p.RESPONSE, re=msg["id"], ok=True, result=result)
            return
        self._send(p.RESPONSE, re=msg["id"], ok=False, error=error)

    # ---------------------------------------------------- default behaviour

    def _do_setSoftphoneHeight(self, a: dict[str, Any]) -> bool:  # noqa: N802
        self.height = a["height"]
        return True

    def _do_setSoftphoneWidth(self, a: dict[str, Any]) -> bool:  # noqa: N802
        self.width = a["width"]
        return True

    def _do_enableClickToDial(self, a: dict[str, Any]) -> bool:  # noqa: N802
        self.click_to_dial_enabled = True
        return True

    def _do_disableClickToDial(self, a: dict[str, Any]) -> bool:  # noqa: N802
        self.click_to_dial_enabled = False
        return True

    def _do_screenPop(self, a: dict[str, Any]) -> bool:  # noqa: N802
        if (a["object"], a["id"]) not in self.records:
            raise NotFound(f"{a['object']} {a['id']} does not exist")
        self.focus(a["object"], a["id"])
        return True

    def _do_searchAndScreenPop(self, a: dict[str, Any]) -> bool:  # noqa: N802
        obj, text = a["object"], a["searchString"].strip().lower()
        matches = [
            key for key, rec in self.records.items()
            if key[0] == obj and any(text == str(v).strip().lower() for v in rec.values())
        ]
        if obj == "customer" and len(matches) == 1:
            case_id = str(1 + max((int(k[1]) for k in self.records if k[0] == "case" and k[1].isdigit()), default=0))
            name = self.records[matches[0]].get("name", "")
            self.records[("case", case_id)] = {"subject": f"Phone call from {name}".strip(),
                                               "customer_id": matches[0][1], "channel": "phone"}
            self.focus("case", case_id)
        else:
            self.page = None  # a search results page
        return True

    def _do_getPageInfo(self, a: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        if self.page is None:
            raise NotSupportedOnPage("getPageInfo is supported only on case, customer and company pages")
        return self.page.to_dict()

    def _do_setVisible(self, a: dict[str, Any]) -> bool:  # noqa: N802
        self.visible = a["value"]
        return True

    def _do_isVisible(self, a: dict[str, Any]) -> bool:  # noqa: N802
        return self.visible

    def _do_getUserInfo(self, a: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self.user

    def _do_ajax(self, a: dict[str, Any]) -> dict[str, Any]:
        status, data = self.ajax_handler(a["method"], a["url"], a.get("data")) if self.ajax_handler else (404, None)
        text = _STATUS_TEXT.get(status, "")
        if status >= 400:
            message = data.get("message") if isinstance(data, dict) else None
            raise AjaxError(message or f"{status} {text}".strip(),
                            details={"status": status, "statusText": text})
        return {"data": data, "status": status, "statusText": text}


_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
                403: "Forbidden", 404: "Not Found", 422: "Unprocessable Entity", 500: "Internal Server Error"}

"""The seed's methods in Desk's namespaces: ``interaction`` and ``interaction.cti``.

Every call takes the seed's arguments and optional callback, checks the
arguments before anything is posted, and returns an awaitable. The callback
gets a :class:`~desk_cti_py.models.Response` in the seed's shape (``result``,
and ``error`` only on failure); the awaitable resolves to the result or
raises a :class:`~desk_cti_py.models.CtiError`. Each method has a snake_case
twin (``screen_pop`` for ``screenPop``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import models as m
from . import protocol as p
from ._tasks import running_loop, safe_call
from .client import Client, Convert
from .events import Subscription
from .connection import Connection, current

R = TypeVar("R")
#: a callback of the seed's style: gets a Response whose result is the call's result type
Callback = Callable[[m.Response[R]], Any] | None


def get_client() -> Client:
    """The current connection's client (raises NotConnected when there is none)."""
    return current().client


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise p.ProtocolError("result must be a boolean")
    return value


def _deliver(callback: Callable[[m.Response[R]], Any], spec: p.Method, fut: asyncio.Future[R]) -> None:
    response: m.Response[R]
    if fut.cancelled():
        response = m.Response(spec.failed_result, "the call was cancelled", p.CONNECTION_LOST)
    elif (exc := fut.exception()) is not None:
        err = exc if isinstance(exc, m.CtiError) else m.ConsoleError(str(exc))
        response = m.Response(spec.failed_result, err.error, err.code)
    else:
        response = m.Response(fut.result())
    safe_call(callback, response, what=f"{spec.name} callback")


class _Api:
    def __init__(self, get: Callable[[], Connection] = current) -> None:
        self._get = get

    def _request(
        self,
        method: str,
        args: Mapping[str, Any],
        callback: Callback[R],
        timeout: float | None,
        parse: Callable[[Any], R],
        convert: Convert | None = None,
    ) -> asyncio.Future[R]:
        spec = p.METHODS[method]
        try:
            if callback is not None and not callable(callback):
                raise p.ArgumentError("callback must be a function")
            if timeout is not None and (
                isinstance(timeout, bool)
                or not isinstance(timeout, (int, float))
                or not math.isfinite(timeout)
                or timeout <= 0
            ):
                raise p.ArgumentError("timeout must be a positive number of seconds")
            params = spec.check(args)
            fut = self._get().client.call(method, params, parse=parse, timeout=timeout, convert=convert)
        except p.ArgumentError as exc:
            return self._fail(method, m.BadArguments(f"{method}: {exc}"), callback, convert)
        except m.CtiError as exc:
            return self._fail(method, exc, callback, convert)
        if callback is not None:
            fut.add_done_callback(lambda f: _deliver(callback, spec, f))
        return fut

    @staticmethod
    def _fail(method: str, error: m.CtiError, callback: Any, convert: Convert | None = None) -> asyncio.Future[Any]:
        """A call that fails before anything is posted: the same two styles."""
        fut: asyncio.Future[Any] = running_loop().create_future()
        fut.set_exception(convert(error) if convert else error)
        if callable(callback):
            fut.add_done_callback(lambda f: _deliver(callback, p.METHODS[method], f))
        return fut

    def _listen(self, event: str, listener: Callable[[m.Response[Any]], Any],
                accept: Callable[[Connection], bool] | None = None) -> Subscription:
        if not callable(listener):
            raise m.BadArguments(f"{event}: listener must be a function")
        conn = self._get()
        return conn.client.on(event, listener, None if accept is None else lambda: accept(conn))


def _click_to_dial(get: Callable[[], Connection], enable: bool) -> Callable[[Any], bool]:
    """The result of enable/disableClickToDial; a True one records the new state (Desk's
    semantics: the console sends clicks only while enabled in its current session)."""

    def parse(value: Any) -> bool:
        conn = get()
        if _bool(value):
            conn.click_to_dial_session = conn.client.console_session if enable else None
        return value is True

    return parse


class Cti(_Api):
    """``desk.interaction.cti``: the softphone's own methods."""

    def setSoftphoneHeight(self, height: float, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Set the softphone height in pixels; ``height`` is a number >= 0.

        Result: ``True`` if the height was set, ``False`` if not.
        """
        return self._request("setSoftphoneHeight", {"height": height}, callback, timeout, _bool)

    def setSoftphoneWidth(self, width: float, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Set the softphone width in pixels for the console; ``width`` is a number >= 0.

        Result: ``True`` if the width was set, ``False`` if not.
        """
        return self._request("setSoftphoneWidth", {"width": width}, callback, timeout, _bool)

    def enableClickToDial(self, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Enable click-to-dial. Result: ``True`` if click-to-dial was enabled."""
        return self._request("enableClickToDial", {}, callback, timeout, _click_to_dial(self._get, True))

    def disableClickToDial(self, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Disable click-to-dial. Result: ``True`` if click-to-dial was disabled."""
        return self._request("disableClickToDial", {}, callback, timeout, _click_to_dial(self._get, False))

    def onClickToDial(self, listener: Callable[[m.Response[m.ClickToDial]], Any]) -> Subscription:  # noqa: N802
        """Call ``listener`` when the agent clicks a telephone number (while click-to-dial is enabled).

        The listener gets a Response whose ``result`` is a
        :class:`~desk_cti_py.models.ClickToDial` ``{number, objectId, object}``
        (object is customer, company or case), or ``result`` None and an
        ``error`` message. Returns a Subscription; usable as a decorator.
        """
        return self._listen(p.EVENT_CLICK_TO_DIAL, listener, lambda conn: conn.click_to_dial_enabled)

    set_softphone_height = setSoftphoneHeight
    set_softphone_width = setSoftphoneWidth
    enable_click_to_dial = enableClickToDial
    disable_click_to_dial = disableClickToDial
    on_click_to_dial = onClickToDial


class Interaction(_Api):
    """``desk.interaction``: screen pops, search, focus, visibility, the agent, ajax."""

    def __init__(self, get: Callable[[], Connection] = current) -> None:
        super().__init__(get)
        self.cti = Cti(get)

    def screenPop(self, id: str, queryParams: str | Mapping[str, str], callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802,N803,A002
        """Route the console to one record by ``id``.

        ``queryParams`` must carry the object type: ``"object=case"``,
        ``"object=customer"`` or ``"object=company"``. Result: ``True`` if the
        screen pop succeeded; otherwise an error (``NotFound`` for an unknown id).
        """
        return self._request("screenPop", {"id": id, "queryParams": queryParams}, callback, timeout, _bool)

    def searchAndScreenPop(self, searchString: str, queryParams: str | Mapping[str, str], callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802,N803
        """Search for ``searchString`` among the object type in ``queryParams``.

        customer with an exact match: a phone case is created for that customer
        and opened; case: matching cases are listed; company: matching
        companies are listed. Result: ``True`` if it succeeded.
        """
        return self._request(
            "searchAndScreenPop", {"searchString": searchString, "queryParams": queryParams}, callback, timeout, _bool
        )

    def getPageInfo(self, callback: Callback[m.PageInfo] = None, *, timeout: float | None = None) -> asyncio.Future[m.PageInfo]:  # noqa: N802
        """The record in view as a :class:`~desk_cti_py.models.PageInfo` ``{url, objectId, object, objectName}``.

        Only case, customer and company pages are supported; on any other page
        the call fails with ``NotSupportedOnPage``. The seed makes the callback
        mandatory; in Python it may be left out when the call is awaited.
        """
        return self._request("getPageInfo", {}, callback, timeout, m.PageInfo.from_wire)

    def onFocus(self, listener: Callable[[m.Response[m.PageInfo]], Any]) -> Subscription:  # noqa: N802
        """Call ``listener`` whenever a case, customer or company comes into focus.

        The listener gets a Response whose ``result`` is a PageInfo. Returns a
        Subscription; usable as a decorator.
        """
        return self._listen(p.EVENT_FOCUS, listener)

    def setVisible(self, value: bool, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Show (``True``) or hide (``False``) the softphone. Result: ``True`` if it succeeded."""
        return self._request("setVisible", {"value": value}, callback, timeout, _bool)

    def isVisible(self, callback: Callback[bool] = None, *, timeout: float | None = None) -> asyncio.Future[bool]:  # noqa: N802
        """Result: ``True`` if the softphone is visible, ``False`` if it is hidden."""
        return self._request("isVisible", {}, callback, timeout, _bool)

    def getUserInfo(self, callback: Callback[m.UserInfo] = None, *, timeout: float | None = None) -> asyncio.Future[m.UserInfo]:  # noqa: N802
        """The signed-in agent as a :class:`~desk_cti_py.models.UserInfo` (the seed's ten fields)."""
        return self._request("getUserInfo", {}, callback, timeout, m.UserInfo.from_wire)

    def ajax(self, url: str, config: Mapping[str, Any] | None = None, *,
             timeout: float | None = None) -> asyncio.Future[m.AjaxResult]:
        """Call the Desk API through the console, with the agent's session.

        ``config`` (all optional): ``method`` (GET, POST, PUT, PATCH, DELETE),
        ``data`` (string, object or array, for PATCH, PUT or POST) and
        ``callback``. Result: an :class:`~desk_cti_py.models.AjaxResult`
        ``{data, status, statusText}``. Every failure, including those found before
        anything is posted (a bad method, an empty URL, an unknown config key) and a
        timeout, is an :class:`~desk_cti_py.models.AjaxError` whose ``error`` is the
        seed's ``{message, status, statusText}`` (``status`` 0 and ``statusText`` ""
        where no HTTP status exists); it is also an instance of the error for its
        ``code`` (``CtiTimeout``, ``BadArguments``...).
        """
        config = {} if config is None else config
        if not isinstance(config, Mapping):
            return self._fail("ajax", m.BadArguments("ajax: config must be a mapping"), None, m.AjaxError.from_error)
        callback = config.get("callback")
        unknown = set(config) - {"method", "data", "callback"}
        if unknown:
            return self._fail("ajax", m.BadArguments(f"ajax: unknown config keys {sorted(unknown)}"), callback,
                              m.AjaxError.from_error)
        args = {"url": url, **{k: v for k, v in config.items() if k != "callback"}}
        return self._request("ajax", args, callback, timeout, m.AjaxResult.from_wire, m.AjaxError.from_error)

    screen_pop = screenPop
    search_and_screen_pop = searchAndScreenPop
    get_page_info = getPageInfo
    on_focus = onFocus
    set_visible = setVisible
    is_visible = isVisible
    get_user_info = getUserInfo

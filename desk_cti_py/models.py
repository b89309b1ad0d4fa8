"""Typed results and errors.

Every record has snake_case attributes and also answers to the seed's own keys
(``objectId``, ``objectName``, ``statusText``...) as attributes and items, so
code ported from Desk's JavaScript docs runs unchanged. Pure Python, no ``js``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from . import protocol as p


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


class _Record(Mapping[str, Any]):
    """A dataclass readable by snake_case attribute and by the seed's camelCase key."""

    #: wire/seed keys that are not plain camelCase of the field name
    _keys: ClassVar[dict[str, str]] = {}
    #: fields that must be present (not None) in a message from the console
    _required: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def _key(cls, field_name: str) -> str:
        return cls._keys.get(field_name, _camel(field_name))

    @classmethod
    def _field_for(cls, key: str) -> str | None:
        for f in fields(cls):  # type: ignore[arg-type]
            if key in (f.name, cls._key(f.name)):
                return f.name
        return None

    @classmethod
    def from_wire(cls, data: Any) -> Any:
        """Build from the console's JSON object; raise ProtocolError when a field is off."""
        if not isinstance(data, Mapping):
            raise p.ProtocolError(f"{cls.__name__} must be an object")
        kwargs = {}
        for f in fields(cls):  # type: ignore[arg-type]
            value = data.get(cls._key(f.name))
            kind = f.metadata.get("kind", str)
            if value is not None and not isinstance(value, kind):
                raise p.ProtocolError(f"{cls.__name__}.{cls._key(f.name)} has the wrong type")
            kwargs[f.name] = value
        for name in cls._required:
            if kwargs[name] is None or kwargs[name] == "":
                raise p.ProtocolError(f"{cls.__name__}.{cls._key(name)} is missing")
        if "object" in kwargs and kwargs["object"] is not None and kwargs["object"] not in p.OBJECT_TYPES:
            raise p.ProtocolError(f"{cls.__name__}.object must be customer, company or case")
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The record with the seed's keys, as Desk's JavaScript had it."""
        return {self._key(f.name): getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        field_name = type(self)._field_for(name)
        if field_name is None or field_name == name:
            raise AttributeError(name)
        return getattr(self, field_name)

    def __getitem__(self, key: str) -> Any:
        field_name = type(self)._field_for(key)
        if field_name is None:
            raise KeyError(key)
        return getattr(self, field_name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        """Equal to a record of the same type, or to a mapping with the seed's keys."""
        if isinstance(other, _Record):
            return type(self) is type(other) and self.to_dict() == other.to_dict()
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, *(repr(v) for v in self.to_dict().values())))


def _f(kind: Any = str) -> Any:
    return field(default=None, metadata={"kind": kind})


@dataclass(frozen=True, eq=False)
class PageInfo(_Record):
    """The record in focus: ``getPageInfo`` and ``onFocus``."""

    _required = ("object_id", "object")

    url: str | None = _f()
    object_id: str | None = _f()
    #: "customer", "company" or "case"
    object: str | None = _f()
    #: name for a customer or company, subject for a case
    object_name: str | None = _f()


@dataclass(frozen=True, eq=False)
class ClickToDial(_Record):
    """A clicked telephone number: ``onClickToDial``."""

    _required = ("number", "object")

    number: str | None = _f()
    object_id: str | None = _f()
    object: str | None = _f()


@dataclass(frozen=True, eq=False)
class UserInfo(_Record):
    """The signed-in agent: ``getUserInfo`` (the seed's ten fields)."""

    user_id: str | None = _f((str, int))
    email: str | None = _f()
    user_name: str | None = _f()
    full_name: str | None = _f()
    profile_photo_url: str | None = _f()
    profile_thumbnail_url: str | None = _f()
    user_type: str | None = _f()
    language: str | None = _f()
    locale: str | None = _f()
    site_url: str | None = _f()


@dataclass(frozen=True, eq=False)
class AjaxResult(_Record):
    """An ``ajax`` answer: ``data`` (the body), ``status``, ``statusText``."""

    _required = ("status",)

    data: Any = _f(object)
    status: int | None = _f(int)
    status_text: str | None = _f()


@dataclass(frozen=True, eq=False)
class AjaxErrorInfo(_Record):
    """The seed's ``ajax`` error object: ``message``, ``status``, ``statusText``."""

    message: str | None = _f()
    status: int | None = _f(int)
    status_text: str | None = _f()


class Response(Mapping[str, Any]):
    """What a callback receives, in the seed's shape.

    ``result`` always; ``error`` only on failure (as the key; the attribute
    reads None on success, like JavaScript's undefined). ``code`` is this
    library's stable error code, or None on success.
    """

    __slots__ = ("result", "error", "code")

    def __init__(self, result: Any, error: Any = None, code: str | None = None) -> None:
        self.result = result
        self.error = error
        self.code = code

    @property
    def ok(self) -> bool:
        return self.code is None

    def __getitem__(self, key: str) -> Any:
        if key == "result" or (key == "error" and not self.ok):
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("result",) if self.ok else ("result", "error"))

    def __len__(self) -> int:
        return 1 if self.ok else 2

    def __repr__(self) -> str:
        if self.ok:
            return f"Response(result={self.result!r})"
        return f"Response(result={self.result!r}, error={self.error!r})"


# -------------------------------------------------------------------- errors


class CtiError(Exception):
    """A failed call. ``code`` is one of the protocol's fixed error codes."""

    code: ClassVar[str] = p.CONSOLE_ERROR

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def error(self) -> Any:
        """The seed's ``error`` value: the message (an object for ajax)."""
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class BadArguments(CtiError, ValueError):
    """The call broke one of the seed's argument rules; nothing was posted."""

    code = p.BAD_ARGUMENTS


class UnknownMethod(CtiError):
    code = p.UNKNOWN_METHOD


class NotSupportedOnPage(CtiError):
    """``getPageInfo`` on a page that is not a case, customer or company."""

    code = p.NOT_SUPPORTED_ON_PAGE


class NotFound(CtiError):
    """The record (or number) does not exist."""

    code = p.NOT_FOUND


class ConsoleError(CtiError):
    """The console failed while answering."""

    code = p.CONSOLE_ERROR


class CtiTimeout(CtiError, TimeoutError):
    """No answer within the timeout."""

    code = p.TIMEOUT


class ConnectionLost(CtiError, ConnectionError):
    """The console went away (reload, navigation) while the call was in flight."""

    code = p.CONNECTION_LOST


class NotConnected(CtiError, ConnectionError):
    """There is no console to talk to (no handshake, or the queue is full)."""

    code = p.NOT_CONNECTED


class OriginNotAllowed(CtiError, PermissionError):
    """The console does not allow this softphone's origin."""

    code = p.ORIGIN_NOT_ALLOWED


class AjaxError(CtiError):
    """``ajax`` failed; ``error`` is the seed's object ``{message, status, statusText}``."""

    code = p.HTTP_ERROR

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message, details=details)
        info = details if isinstance(details, Mapping) else {}
        status, text = info.get("status"), info.get("statusText")
        self.status: int = status if isinstance(status, int) and not isinstance(status, bool) else 0
        self.status_text: str = text if isinstance(text, str) else ""
        if code:
            self.code = code  # type: ignore[misc]

    @property
    def error(self) -> AjaxErrorInfo:
        return AjaxErrorInfo(self.message, self.status, self.status_text)


_BY_CODE: dict[str, type[CtiError]] = {
    c.code: c
    for c in (BadArguments, UnknownMethod, NotSupportedOnPage, NotFound, ConsoleError,
              CtiTimeout, ConnectionLost, NotConnected, OriginNotAllowed, AjaxError)
}


def error_from_wire(err: Mapping[str, Any], *, ajax: bool = False) -> CtiError:
    """The exception for a protocol error object ``{code, message, status?, statusText?}``."""
    code, message = err["code"], err["message"]
    if ajax:
        return AjaxError(message, details=dict(err), code=code)
    return _BY_CODE.get(code, ConsoleError)(message, details=err.get("details"))

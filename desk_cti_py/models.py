"""Typed results and errors.

Every record has snake_case attributes and also answers to the seed's own keys
(``objectId``, ``objectName``, ``statusText``...) as attributes and items, so
code ported from Desk's JavaScript docs runs unchanged. Every attribute is
declared, so a type checker catches a misspelt one. As a mapping a record holds
the seed's keys only (``keys()``, ``in`` and ``[]`` agree on them; a documented
alias, such as ``UserInfo``'s ``"user ID"``, answers to ``[]`` and ``in`` without
being one of the keys). Pure Python, no ``js``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar, dataclass_transform

from . import protocol as p


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _not_a_wire_int(value: Any, kind: Any) -> bool:
    """True for what JSON's numbers cannot be where an int is wanted: a bool (an int in
    Python), or a whole number past 2**53 (JavaScript cannot hold it exactly)."""
    if kind is object or not isinstance(value, int):
        return False
    return isinstance(value, bool) or abs(value) > p.MAX_INTEGER


def _field_reader(name: str) -> Callable[[Any], Any]:
    return lambda record: record.__dict__[name]


@dataclass_transform(frozen_default=True, eq_default=False)
class _Record(Mapping[str, Any]):
    """An immutable record readable by snake_case attribute and by the seed's camelCase key.

    Fields are the annotated names (a parent's first), in order, each defaulting to
    None; build one with positional or keyword arguments. Not a dataclass: records are
    created at import time in the softphone's boot, where ``dataclasses`` costs
    milliseconds per class under Pyodide.
    """

    #: wire/seed keys that are not plain camelCase of the field name
    _keys: ClassVar[dict[str, str]] = {}
    #: fields that must be present (not None) in a message from the console
    _required: ClassVar[tuple[str, ...]] = ()
    #: the type(s) a field's wire value must have; ``str`` when not listed
    _kinds: ClassVar[dict[str, Any]] = {}
    #: other spellings a field answers to as an item (the seed's own, where it differs)
    aliases: ClassVar[dict[str, str]] = {}
    #: set per subclass: field names in order; (field, wire key, kind); wire key -> field
    _fields: ClassVar[tuple[str, ...]] = ()
    _wire: ClassVar[tuple[tuple[str, str, Any], ...]] = ()
    _lookup: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [name for name in cls.__dict__.get("__annotations__", {}) if not name.startswith("_")]
        cls._fields = tuple(name for name in cls._fields if name not in own) + tuple(own)
        for name in own:
            if cls.__dict__.get(name) is not None:
                raise TypeError(f"{cls.__name__}.{name}: record fields default to None")
            if name in cls.__dict__:
                delattr(cls, name)
        cls._wire = tuple((name, cls._key(name), cls._kinds.get(name, str)) for name in cls._fields)
        cls._lookup = {**cls.aliases, **{wire: name for name, wire, _ in cls._wire}}
        for name, wire, _ in cls._wire:  # a subclass's own camelCase keys read as attributes too
            if wire != name and not hasattr(cls, wire):
                setattr(cls, wire, property(_field_reader(name)))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._fields
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} positional arguments")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__} got two values for {name!r}")
            values[name] = value
        self.__dict__.update({name: values.get(name) for name in names})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    @classmethod
    def _key(cls, field_name: str) -> str:
        return cls._keys.get(field_name, _camel(field_name))

    @classmethod
    def from_wire(cls, data: Any) -> Self:
        """Build from the console's JSON object; raise ProtocolError when a field is off."""
        if not isinstance(data, Mapping):
            raise p.ProtocolError(f"{cls.__name__} must be an object")
        values = {}
        for name, key, kind in cls._wire:
            value = data.get(key)
            if value is not None and (not isinstance(value, kind) or _not_a_wire_int(value, kind)):
                raise p.ProtocolError(f"{cls.__name__}.{key} has the wrong type")
            values[name] = value
        for name in cls._required:
            if values[name] is None or values[name] == "":
                raise p.ProtocolError(f"{cls.__name__}.{cls._key(name)} is missing")
        if values.get("object") is not None and values["object"] not in p.OBJECT_TYPES:
            raise p.ProtocolError(f"{cls.__name__}.object must be customer, company or case")
        record = object.__new__(cls)
        record.__dict__.update(values)
        return record

    def to_dict(self) -> dict[str, Any]:
        """The record with the seed's keys, as Desk's JavaScript had it."""
        values = self.__dict__
        return {key: values[name] for name, key, _ in self._wire}

    def __getitem__(self, key: str) -> Any:
        field_name = type(self)._lookup.get(key) if isinstance(key, str) else None
        if field_name is None:
            raise KeyError(key)
        return self.__dict__[field_name]

    def __iter__(self) -> Iterator[str]:
        return (key for _, key, _ in self._wire)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        values = self.__dict__
        return f"{type(self).__name__}({', '.join(f'{n}={values[n]!r}' for n in self._fields)})"

    def __eq__(self, other: object) -> bool:
        """Equal to a record of the same type, or to a mapping with the seed's keys."""
        if isinstance(other, _Record):
            return type(self) is type(other) and self.to_dict() == other.to_dict()
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, *(repr(v) for v in self.to_dict().values())))

    def __reduce__(self) -> Any:
        # rebuilt by its constructor: a record made in Python need not pass the wire's checks
        values = self.__dict__
        return (type(self), tuple(values[name] for name in self._fields))


class PageInfo(_Record):
    """The record in focus: ``getPageInfo`` and ``onFocus``."""

    _required = ("object_id", "object")

    url: str | None = None
    object_id: str | None = None
    #: "customer", "company" or "case"
    object: str | None = None
    #: name for a customer or company, subject for a case
    object_name: str | None = None

    @property
    def objectId(self) -> str | None:  # noqa: N802
        return self.object_id

    @property
    def objectName(self) -> str | None:  # noqa: N802
        return self.object_name


class ClickToDial(_Record):
    """A clicked telephone number: ``onClickToDial``."""

    _required = ("number", "object")

    number: str | None = None
    object_id: str | None = None
    object: str | None = None

    @property
    def objectId(self) -> str | None:  # noqa: N802
        return self.object_id


class UserInfo(_Record):
    """The signed-in agent: ``getUserInfo`` (the seed's ten fields).

    The seed spells the first ``user ID``: ``info["user ID"]`` reads it too (an alias,
    not one of the ten keys).
    """

    _kinds = {"user_id": (str, int)}
    aliases = {"user ID": "user_id"}

    user_id: str | int | None = None
    email: str | None = None
    user_name: str | None = None
    full_name: str | None = None
    profile_photo_url: str | None = None
    profile_thumbnail_url: str | None = None
    user_type: str | None = None
    language: str | None = None
    locale: str | None = None
    site_url: str | None = None

    @property
    def userId(self) -> str | int | None:  # noqa: N802
        return self.user_id

    @property
    def userName(self) -> str | None:  # noqa: N802
        return self.user_name

    @property
    def fullName(self) -> str | None:  # noqa: N802
        return self.full_name

    @property
    def profilePhotoUrl(self) -> str | None:  # noqa: N802
        return self.profile_photo_url

    @property
    def profileThumbnailUrl(self) -> str | None:  # noqa: N802
        return self.profile_thumbnail_url

    @property
    def userType(self) -> str | None:  # noqa: N802
        return self.user_type

    @property
    def siteUrl(self) -> str | None:  # noqa: N802
        return self.site_url


class AjaxResult(_Record):
    """An ``ajax`` answer: ``data`` (the body), ``status``, ``statusText``."""

    _required = ("status",)
    _kinds = {"data": object, "status": int}

    data: Any = None
    status: int | None = None
    status_text: str | None = None

    @property
    def statusText(self) -> str | None:  # noqa: N802
        return self.status_text


class AjaxErrorInfo(_Record):
    """The seed's ``ajax`` error object: ``message``, ``status``, ``statusText``."""

    _kinds = {"status": int}

    message: str | None = None
    status: int | None = None
    status_text: str | None = None

    @property
    def statusText(self) -> str | None:  # noqa: N802
        return self.status_text


T = TypeVar("T")


class Response(Mapping[str, Any], Generic[T]):
    """What a callback receives, in the seed's shape: ``Response[PageInfo]`` and so on.

    ``result`` always (None on failure, or the seed's failed result such as ``False``);
    ``error`` only on failure (as the key; the attribute reads None on success, like
    JavaScript's undefined). ``code`` is this library's stable error code, or None on success.
    """

    __slots__ = ("result", "error", "code")

    result: T | None
    error: Any
    code: str | None

    def __init__(self, result: T | None, error: Any = None, code: str | None = None) -> None:
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


class Busy(CtiError):
    """The console has too many of this softphone's requests in progress, or the action is
    rate-limited: nothing was done; try again later."""

    code = p.BUSY


class TooLarge(CtiError):
    """The answer would exceed the protocol's message limit (1,000,000 characters)."""

    code = p.TOO_LARGE


class UnsupportedVersion(CtiError):
    """The console speaks another version of the desk-cti protocol; the message names both.

    Nothing can be called on that console: the handshake ended, and every call fails with this.
    """

    code = p.UNSUPPORTED_VERSION


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

    @staticmethod
    def from_error(error: CtiError) -> AjaxError:
        """The same failure as ``ajax`` reports it: the seed's error object, the code kept,
        and still an instance of the error's own class (``except CtiTimeout`` catches it)."""
        if isinstance(error, AjaxError):
            return error
        kind = _AJAX_KINDS.get(type(error))
        if kind is None:
            kind = _AJAX_KINDS[type(error)] = type(f"Ajax{type(error).__name__}", (AjaxError, type(error)), {})
        return kind(error.message, details=error.details, code=error.code)


_AJAX_KINDS: dict[type[CtiError], type[AjaxError]] = {}


_BY_CODE: dict[str, type[CtiError]] = {
    c.code: c
    for c in (BadArguments, UnknownMethod, NotSupportedOnPage, NotFound, ConsoleError,
              CtiTimeout, ConnectionLost, NotConnected, OriginNotAllowed, AjaxError, Busy, TooLarge,
              UnsupportedVersion)
}


def error_from_wire(err: Mapping[str, Any]) -> CtiError:
    """The exception for a protocol error object ``{code, message, status?, statusText?}``;
    ``details`` keeps the whole object."""
    return _BY_CODE.get(err["code"], ConsoleError)(err["message"], details=dict(err))

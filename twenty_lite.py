"""twenty_lite: a local, single-file server that speaks the API of Twenty CRM.

Run ``python twenty_lite.py`` for a server with demo data on http://127.0.0.1:3000, or build
one in-process with ``create_app(Settings(db=":memory:"))``. The specification it follows is
the folder ``shared/reference`` beside the repository.

Map of this file (``grep -n '^# [0-9]' twenty_lite.py``); layers read top-down, storage to adapters:

    1. Errors            one exception type (REST status, GraphQL subCode), one renderer
    2. Utilities         records (a light dataclass), clock, ids, UUIDs, dates, JSON, Node-style value
                         printing; HTTP plumbing (query strings, bodies, JSON responses, CORS) shared
                         by the adapters
    3. Settings          everything configurable, one dataclass
    4. Data model        field kinds in one table (FIELD_KINDS: operators, filter coercion, write
                         validation, output, OpenAPI and GraphQL types), composite types, frozen
                         object/field metadata, the standard model
    5. Storage           SQLite schema, transactions over pooled connections, metadata loading, the
                         shared standard model, EAV reads and writes, each record's read document
    6. Query engine      typed filter trees and sort keys to SQL, cursors, pages, counts
    7. Auth              bearer tokens, API-key JWTs, roles, the one permission check
    8. Records           body validation, create/update/destroy primitives, reading records out
    9. Data-model changes  custom objects and fields (validation, changes, output); API keys,
                         roles and webhooks
   10. Record service    every record operation for both APIs: authorization, find, create,
                         update, delete/restore/destroy, duplicates, merge, group-by, search
   11. REST core         /rest/...: the text grammars, handlers and envelopes; /rest/metadata/...
   12. OpenAPI           the core and metadata documents of a workspace
   13. GraphQL metadata  POST /metadata: objects and fields over graphql-core; the GraphQL POST
                         handling shared with /graphql (cached parsing and validation, plain results
                         completed in one walk)
   14. GraphQL core      POST /graphql: a schema generated per data-model shape, arguments to
                         typed queries, relations in bulk
   15. Admin API         /_lite/...: workspaces for test fixtures, clock, faults, snapshots, journal
   16. Playground        the single static page at / and /playground (REST, GraphQL editor,
                         Settings, Requests) and the two routes it polls (model version, journal)
   17. Seed              the demo data set
   18. App factory       AppState and its parts (model cache, workspace pool, developer tools),
                         faults and the journal, create_app(settings), serve(), the pytest plugin
   19. CLI               python twenty_lite.py [options]; keys, export, import and seed

Public API (``__all__``): create_app, serve, Settings, Served, Workspace, main, and pytest_plugin
(the pytest plugin, entry point ``twenty_lite:pytest_plugin``).
"""

from __future__ import annotations

import gc

# Run as the server (not imported): start-up makes many objects that live as long as the process and frees
# few, so the cyclic collector would only rescan them; main() switches it back on once the app is built.
if __name__ == "__main__":
    gc.disable()

import argparse
import base64
import contextlib
import dataclasses
import functools
import hashlib
import hmac
import http.client
import io
import itertools
import json
import math
import os
import queue
import re
import socket
import sqlite3
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from socketserver import TCPServer
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import bottle

# Every use of typing here is an annotation (a string, under the __future__ import), and importing it
# costs 2 ms of every start; type checkers read this name as typing.TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
__all__ = ["Served", "Settings", "Workspace", "create_app", "main", "pytest_plugin", "serve"]

# ============================================================================================
# 1. Errors
# ============================================================================================


class ApiError(Exception):
    """An error with Twenty's REST shape: status code, error name and one message."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict[str, str] | None = None,
        sub_code: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or {}
        self.code = code  # the REST body's "code" of Twenty's newer exceptions (VIEW_NOT_FOUND, …)
        self.sub_code = sub_code or code  # GraphQL extensions.subCode, when it is not derived from the error

    def body(self) -> dict[str, Any]:
        """The JSON body Twenty answers with."""
        body = {"statusCode": self.status, "error": self.error, "messages": [self.message]}
        return {**body, "code": self.code} if self.code else body


def _bad_request(message: str, sub_code: str | None = None) -> ApiError:
    """A 400 BadRequestException, the default for every handler error (GraphQL: BAD_USER_INPUT with
    sub_code, INVALID_ARGS_DATA when none is given)."""
    return ApiError(400, "BadRequestException", message, sub_code=sub_code)


def _bad_filter(message: str) -> ApiError:
    """A 400 about a filter, order or group-by argument (GraphQL subCode INVALID_ARGS_FILTER)."""
    return _bad_request(message, "INVALID_ARGS_FILTER")


def _record_not_found() -> ApiError:
    """The 404 of find/update/delete/restore one on an unknown id."""
    return ApiError(404, "NotFoundException", "Record not found", sub_code="RECORD_NOT_FOUND")


def _render_error(err: ApiError) -> str:
    """The one place where error responses are written."""
    bottle.response.status = err.status
    bottle.response.content_type = "application/json; charset=utf-8"
    for name, value in err.headers.items():
        bottle.response.set_header(name, value)
    return _dumps(err.body())


# ============================================================================================
# 2. Utilities
# ============================================================================================


class _Pattern:
    """A regular expression compiled on first use, so that start-up compiles none (a dozen cost it more
    than a millisecond); after that, its methods are the compiled pattern's own."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(*self._source), name)
        setattr(self, name, value)  # two threads may both compile it: the same pattern either way
        return value


_NO_DEFAULT: Any = object()


class _Made:
    """A record field's default made anew for each instance (dataclasses' default_factory)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _made(make: Callable[[], Any]) -> Any:
    """A record field's default made by make() for each instance: `ids: list[bytes] = _made(list)`."""
    return _Made(make)


def _record(frozen: bool = False, eq: bool = False) -> Callable[[type], type]:
    """A light @dataclass: __init__ from the class's annotated fields (by position or keyword, with defaults or
    _made() factories, then __post_init__); frozen: attributes cannot be set; eq: value equality and a repr.
    dataclasses write and compile source for every class, which cost start-up 8 ms for 25 classes."""

    def build(cls: type) -> type:
        names = tuple(cls.__dict__.get("__annotations__", ()))
        known = frozenset(names)
        defaults: dict[str, Any] = {}
        makers: list[tuple[str, Callable[[], Any]]] = []
        for name in names:
            value = cls.__dict__.get(name, _NO_DEFAULT)
            if isinstance(value, _Made):
                makers.append((name, value.make))
                delattr(cls, name)
            elif value is not _NO_DEFAULT:
                defaults[name] = value
        post = getattr(cls, "__post_init__", None)

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            values = self.__dict__
            values.update(defaults)
            for name, make in makers:
                values[name] = make()
            values.update(zip(names, args))
            if kwargs:
                if not known.issuperset(kwargs) or not kwargs.keys().isdisjoint(names[: len(args)]):
                    raise TypeError(f"{cls.__name__}() got unexpected or repeated arguments: {', '.join(kwargs)}")
                values.update(kwargs)
            if len(values) != len(names) or len(args) > len(names):
                missing = ", ".join(name for name in names if name not in values) or "none"
                raise TypeError(
                    f"{cls.__name__}() takes {len(names)} fields (missing: {missing}), got {len(args)} by position"
                )
            if post is not None:
                post(self)

        cls.__init__ = __init__
        cls._record_fields = names
        if frozen:
            cls.__setattr__ = cls.__delattr__ = _refuse_change
        if eq:
            cls.__eq__ = _record_eq
            cls.__repr__ = _record_repr
            cls.__hash__ = _record_hash if frozen else None
        return cls

    return build


def _refuse_change(self: Any, name: str, *value: Any) -> None:
    """__setattr__ and __delattr__ of a frozen record."""
    raise AttributeError(f"cannot change {name!r}: {type(self).__name__} is frozen")


def _field_values(record: Any) -> tuple[Any, ...]:
    """A record's field values, in field order."""
    return tuple(record.__dict__[name] for name in record._record_fields)


def _record_eq(self: Any, other: Any) -> bool:
    """Records are equal when of the same class with equal field values."""
    if type(other) is not type(self):
        return NotImplemented
    return _field_values(self) == _field_values(other)


def _record_hash(self: Any) -> int:
    """A frozen record's hash, from its field values."""
    return hash(_field_values(self))


def _record_repr(self: Any) -> str:
    """Class(field=value, …), as a dataclass's repr."""
    shown = (f"{name}={value!r}" for name, value in zip(self._record_fields, _field_values(self)))
    return f"{type(self).__name__}({', '.join(shown)})"


def _replace(record: Any, **changes: Any) -> Any:
    """A record with some fields changed, built again (its __post_init__ runs): dataclasses.replace."""
    return type(record)(**{**{name: record.__dict__[name] for name in record._record_fields}, **changes})


UUID_RE = _Pattern(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
UUID_V4_RE = _Pattern(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")


def _utcnow() -> datetime:
    """The real clock; Settings.clock replaces it in tests."""
    return datetime.now(timezone.utc)


def _uuid_text(raw: bytes, version: int) -> str:
    """16 bytes as the text of a UUID of that version, formatted directly: several times faster than
    the uuid module (a new workspace needs hundreds of ids), whose import alone costs every start 0.6 ms."""
    b = bytearray(raw)
    b[6] = (b[6] & 0x0F) | (version << 4)
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _new_uuid() -> str:
    """The real id factory (a random UUID v4); Settings.new_id replaces it in tests."""
    return _uuid_text(os.urandom(16), 4)


_URL_NAMESPACE = bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8")  # uuid.NAMESPACE_URL


def _uuid5(name: str) -> str:
    """uuid.uuid5(uuid.NAMESPACE_URL, name) as text."""
    return _uuid_text(hashlib.sha1(_URL_NAMESPACE + name.encode()).digest()[:16], 5)


class AdjustableClock:
    """The one clock: a base clock (or, deterministic, a frozen moment) plus an offset that the
    admin API moves, so timestamps, cursors, key expiry and rate-limit windows follow it."""

    def __init__(self, base: Callable[[], datetime], frozen: bool) -> None:
        self.base = base
        self.frozen = datetime(2026, 1, 1, tzinfo=timezone.utc) if frozen else None
        self.offset = timedelta(0)  # replaced whole (never changed in place), under the lock
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        return (self.frozen if self.frozen is not None else self.base()) + self.offset

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.offset += moment - self()

    def advance(self, seconds: float) -> None:
        """Move the clock; OverflowError (and no move) if that leaves the years 1 to 9999, with a year of
        margin, since every timestamp after it would fail."""
        with self._lock:
            offset = self.offset + timedelta(seconds=seconds)
            moment = (self.frozen if self.frozen is not None else self.base()) + offset
            if not datetime(2, 1, 1, tzinfo=timezone.utc) <= moment <= datetime(9998, 1, 1, tzinfo=timezone.utc):
                raise OverflowError("the clock would leave the years 1 to 9999")
            self.offset = offset


class CountingIds:
    """Reproducible UUID v4s: the same sequence of calls gives the same ids."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.count += 1
            n = self.count
        return _uuid_text(((0x7E57 << 112) | n).to_bytes(16, "big"), 4)


def _iso(moment: datetime) -> str:
    """UTC ISO-8601 with milliseconds and Z, Twenty's DATE_TIME output."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"  # drop "+00:00"


def _parse_datetime(text: Any) -> str | None:
    """Normalise an ISO-8601 date or date-time to Twenty's output form, or None if invalid."""
    if not isinstance(text, str) or not text:
        return None
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        if len(candidate) == 10:
            moment = datetime.combine(date.fromisoformat(candidate), datetime.min.time())
        else:
            moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return _iso(moment)


def _parse_date(text: Any) -> str | None:
    """A DATE value as YYYY-MM-DD, or None if invalid."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat() if len(text) >= 10 else None
    except ValueError:
        return None


def _js_inspect(value: Any, depth: int = 0) -> str:
    """A value as Node's util.inspect prints it in Twenty's messages: strings single-quoted, objects
    as `{ key: value }`, containers deeper than two levels as [Object] / [Array]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _js_string(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 2**1024 else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        if not value:
            return "[]"
        if depth >= 3:
            return "[Array]"
        return "[ " + ", ".join(_js_inspect(v, depth + 1) for v in value) + " ]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if depth >= 3:
            return "[Object]"
        keys = (k if re.fullmatch(r"[A-Za-z_$][\w$]*", str(k)) else _js_inspect(str(k)) for k in value)
        return "{ " + ", ".join(f"{k}: {_js_inspect(v, depth + 1)}" for k, v in zip(keys, value.values())) + " }"
    return str(value)


def _js_string(text: str) -> str:
    """A string as util.inspect quotes it: single quotes, else double, else backticks, whichever needs no
    escape; control characters escaped."""
    quote = "'"
    if "'" in text:
        quote = '"' if '"' not in text else ("`" if "`" not in text and "${" not in text else "'")
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    if quote == "'":
        escaped = escaped.replace("'", "\\'")
    return quote + escaped + quote


def _is_uuid(text: Any) -> bool:
    """True for a canonical 8-4-4-4-12 hex UUID string."""
    return isinstance(text, str) and bool(UUID_RE.match(text))


def _stable_id(*parts: str) -> str:
    """A UUID computed from names: the same parts give the same id (ids of things computed, not stored)."""
    return _uuid5("twenty_lite/" + "/".join(parts))


def _application_id(workspace_id: str) -> str:
    """The id of a workspace's own application, which Twenty names as the owner of what the workspace made."""
    return _stable_id(workspace_id, "application")


def _uuid_blob(text: str) -> bytes:
    """16-byte key of a UUID string; byte order equals lower-case text order."""
    return bytes.fromhex(text.replace("-", ""))


def _blob_uuid(blob: bytes | None) -> str | None:
    """The lower-case UUID string of a 16-byte key."""
    if blob is None:
        return None
    h = blob.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # stateless: threads share it


def _dumps(value: Any) -> str:
    """Compact JSON, as every response and stored JSON value uses (json.dumps with these options would
    build an encoder at every call: 40% of a small value's cost)."""
    return _COMPACT_JSON.encode(value)


def _b64_cursor(value: dict[str, Any]) -> str:
    """Encode a cursor: standard base64 of compact JSON."""
    return base64.b64encode(_dumps(value).encode()).decode()


def _unb64(text: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _upper_first(name: str) -> str:
    """Capitalise the first letter only, as Twenty's response keys do."""
    return name[:1].upper() + name[1:]


def _base36(number: int) -> str:
    """Lower-case base-36 digits of a non-negative integer."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


UUID_ANY = _Pattern(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Housekeeper:
    """One daemon thread that runs background work in order (making spare workspaces, purging recycled
    ones, clearing deleted ones), so that these jobs never contend with each other for the store."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, work: Callable[..., Any], *args: Any) -> None:
        """Queue work(*args)."""
        self._queue.put((work, args))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            work, args = self._queue.get()
            try:
                work(*args)
            except Exception:  # a failed job is reported and must not stop the ones after it
                import traceback

                traceback.print_exc()
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        """Until every queued job has run (tests use it to observe the end state)."""
        self._queue.join()


def _copied(instance: Any, **changes: Any) -> Any:
    """A frozen record with some attributes changed, without running __init__ again: ten times faster
    than _replace, and right as long as no derived attribute depends on them."""
    new = object.__new__(type(instance))
    new.__dict__.update(instance.__dict__, **changes)
    return new


# ---- HTTP plumbing shared by the adapters ---------------------------------------------------


class Query:
    """Query-string parameters, decoded as UTF-8, repeated ones kept."""

    def __init__(self, raw: str) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in parse_qsl(raw, keep_blank_values=True):
            self.values.setdefault(name, []).append(value)

    def get(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _parse_limit(q: Query, maximum: int, default: int = 60) -> int:
    raw = q.get("limit")
    if raw is None or raw.strip() == "":
        return min(default, maximum)
    if not re.fullmatch(r"\s*\+?\d+\s*", raw):
        raise _bad_request(f"limit '{raw}' is invalid. Should be an integer")
    return min(int(raw), maximum)


class Body:
    """A request body as JSON. The adapters parse it before they take the write lock, but a handler
    meets a parse error only when it asks for the body (after its query parameters, as Twenty)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._parsed: Any = None
        self._error: ApiError | None = None
        self._done = False

    def parsed(self) -> Body:
        """Parse now (off the write lock), keeping a failure for json()."""
        if not self._done:
            self._done = True
            try:
                self._parsed = _parse_json_body(self.raw) if self.raw.strip() else None
            except ApiError as err:
                self._error = err
        return self

    def json(self) -> Any:
        """The body as JSON (with or without a JSON content type); None when empty."""
        self.parsed()
        if self._error is not None:
            raise self._error
        return self._parsed


def _parse_json_body(raw: bytes) -> Any:
    """A request body as JSON; text that is not JSON, nested past what the decoder can follow, or with a
    string Postgres would refuse (a NUL, a lone UTF-16 surrogate) is a 400."""
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad_request(f"Invalid JSON body: {exc}") from None
    except RecursionError:
        raise _bad_request("Invalid JSON body: nested too deeply") from None
    if _SUSPECT_ESCAPE_RE.search(raw):  # both can only come in as \u escapes: walk only bodies that have one
        problem = _bad_string_in(value)
        if problem:
            raise _bad_request(f"Invalid JSON body: {problem}")
    return value


# A NUL or a UTF-16 surrogate written as a JSON or GraphQL escape (raw, they are not valid UTF-8 / JSON).
_SUSPECT_ESCAPE_RE = _Pattern(rb"\\u(?:0000|[dD][89a-fA-F])")
_BAD_CHAR_RE = _Pattern("[\x00\ud800-\udfff]")


def _bad_string_in(value: Any) -> str | None:
    """What is wrong with the first string in a decoded JSON value that a database cannot store, if any."""
    if isinstance(value, str):
        found = _BAD_CHAR_RE.search(value)
        if found is None:
            return None
        if found[0] == "\x00":
            return "NUL characters (\\u0000) are not allowed in strings"
        return f"lone UTF-16 surrogate \\u{ord(found[0]):04x} in a string (not valid Unicode)"
    if isinstance(value, dict):
        return next(filter(None, (_bad_string_in(k) or _bad_string_in(v) for k, v in value.items())), None)
    if isinstance(value, list):
        return next(filter(None, map(_bad_string_in, value)), None)
    return None


def _json_response(status: int, payload: Any) -> str:
    """A JSON answer; parts of the payload that are already JSON text (read documents) go in as they are."""
    bottle.response.status = status
    bottle.response.content_type = "application/json; charset=utf-8"
    spliced: list[str] = []

    def splice(value: Any) -> str:
        text = getattr(value, "text", None)
        if type(text) is not str:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        spliced.append(text)
        return f"{_SPLICE_MARK}{len(spliced) - 1}"

    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=splice)
    if not spliced:
        return body
    return _splice_pattern().sub(lambda m: spliced[int(m[1])], body)


# Stands in the encoded payload for a spliced part: a NUL character and a random tag, so that no value a
# client stored can be taken for it.
_SPLICE_MARK = "\x00splice" + os.urandom(6).hex() + "-"


@functools.cache
def _splice_pattern() -> re.Pattern[str]:
    return re.compile('"' + re.escape(json.dumps(_SPLICE_MARK)[1:-1]) + r'(\d+)"')


CORS_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"  # what Twenty's cors middleware allows


def _cors_origins(spec: str) -> frozenset[str] | None:
    """The origins of --cors-origin; None: any origin ("*")."""
    origins = frozenset(o.strip().rstrip("/") for o in spec.split(",") if o.strip())
    return None if not origins or "*" in origins else origins


def _cors_headers(allowed: frozenset[str] | None, origin: str | None) -> list[tuple[str, str]]:
    """The CORS headers of an answer: "*" for any origin, else the caller's origin when it is allowed."""
    if allowed is None:
        return [("Access-Control-Allow-Origin", "*")]
    headers = [("Vary", "Origin")]
    if origin and origin.rstrip("/") in allowed:
        headers.append(("Access-Control-Allow-Origin", origin))
    return headers


def _cannot(method: str, path: str) -> str:
    """The web framework's 404 for a route that does not exist."""
    return _json_response(404, {"statusCode": 404, "message": f"Cannot {method} {path}", "error": "Not Found"})


# ============================================================================================
# 3. Settings
# ============================================================================================


@dataclass
class Settings:
    """Everything the server can be told; create_app(settings) builds from this alone."""

    host: str = "127.0.0.1"
    port: int = 3000
    db: str = "twenty_lite.db"
    api_key: str | None = None
    admin_key: str | None = None  # the /_lite admin API's key; defaults to api_key
    seed: str | None = None  # "demo" | "none"; None means demo for a new database
    max_records: int = 60
    rate_limit: str = "100/60"
    clock: Callable[[], datetime] = _utcnow
    new_id: Callable[[], str] = _new_uuid
    deterministic: bool = False  # ids from a counter, time frozen at 2026-01-01 until moved by /_lite/clock
    max_nesting: int = 32  # levels of a REST filter and of the selections of a /graphql document
    max_body_bytes: int = 10 * 1024 * 1024  # a larger request body is refused (413); 0: no limit
    cors_origin: str = "*"  # origins browsers may call from: "*" (Twenty's default) or a comma-separated list
    request_log: str | None = None  # "text" or "json": a line per request on stdout (the command line: text)
    feature_flags: dict[str, bool] = field(default_factory=dict)  # the default workspace's, over FEATURE_FLAGS


# Twenty's feature flags (the FeatureFlagKey enum) with the value each has in a new workspace: Twenty stores
# its default flags (default-feature-flags.ts) as true and no row for the others, which read as false. A
# workspace stores the flags set for it by name. IS_REST_METADATA_API_NEW_FORMAT_DIRECT picks the
# /rest/metadata envelopes; the others change nothing an API key sees here.
FEATURE_FLAGS: dict[str, bool] = {
    "IS_ASYNC_CSV_EXPORT_ENABLED": False,
    "IS_CONFIGURABLE_SEARCH_FIELDS_ENABLED": False,
    "IS_JSON_FILTER_ENABLED": False,
    "IS_MESSAGE_CAMPAIGN_ENABLED": False,
    "IS_REST_METADATA_API_NEW_FORMAT_DIRECT": True,
    "IS_APPLICATION_WORKFLOWS_ENABLED": False,
    "IS_WORKFLOW_CORE_INDEX_PAGE_ENABLED": True,
    "IS_AI_CHAT_SHARING_DROPDOWN_ENABLED": False,
    "IS_INITIAL_OBJECT_VIEW_ENABLED": False,
    "IS_RECORD_LEVEL_SHARING_ENABLED": False,
    "IS_RECORD_SHARE_VISIBILITY_GATING_ENABLED": False,
    "IS_DEFERRED_WORKSPACE_MIGRATION_ACTIONS_ENABLED": False,
    "IS_RECORD_CREATION_FORM_ENABLED": False,
    "IS_LOGS_SETTINGS_SECTION_ENABLED": False,
    "IS_CONVERSATIONS_TAB_ENABLED": False,
    "IS_VALIDATION_RULES_ENABLED": False,
    "IS_WORKFLOW_SEND_CHAT_MESSAGE_ENABLED": False,
    "IS_CALENDAR_SYNC_SKIP_UNCHANGED_RECORDS_ENABLED": False,
    "IS_DASHBOARD_FILTERS_ENABLED": False,
}


def _feature_flag_overrides(value: Any, where: str) -> dict[str, bool]:
    """Flags asked for by name (an object of booleans), checked against FEATURE_FLAGS; ApiError if wrong."""
    if not isinstance(value, dict):
        raise _bad_request(f"{where} must be an object of flag names and booleans")
    for name, flag in value.items():
        if name not in FEATURE_FLAGS:
            raise _bad_request(f"{where}: unknown feature flag {name!r}; the flags are {', '.join(FEATURE_FLAGS)}")
        if not isinstance(flag, bool):
            raise _bad_request(f"{where}.{name} must be true or false")
    return dict(value)


# ============================================================================================
# 4. Data model
# ============================================================================================

ACTOR_SOURCES = (
    "EMAIL", "CALENDAR", "WORKFLOW", "AGENT", "API", "IMPORT", "MANUAL", "SYSTEM", "WEBHOOK", "APPLICATION",
)  # fmt: skip
RATING_VALUES = tuple(f"RATING_{n}" for n in range(1, 6))
# Twenty's e-mail check (the schema library's "unicode e-mail" pattern it validates with).
EMAIL_RE = _Pattern(r'^[^\s@"]{1,64}@[^\s@]{1,255}$')


class InvalidOption(Exception):
    """A SELECT/MULTI_SELECT value that is not an option: the records layer words it (it knows the enum)."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


def _invalid(kind_word: str, value: Any, label: str) -> ApiError:
    """Twenty's `Invalid <kind> value <inspected> for field "<label>"`."""
    return _bad_request(f'Invalid {kind_word} value {_js_inspect(value)} for field "{label}"')


def _text_error(value: Any, label: str) -> ApiError:
    return _bad_request(f'Invalid string value {_js_inspect(value)} for text field "{label}"')


def _array_error(value: Any, label: str) -> ApiError:
    return _bad_request(f'Invalid value {_js_inspect(value)} for field "{label} - Array values need to be string"')


def _object_error(value: Any, label: str) -> ApiError:
    return _bad_request(f'Invalid object value {_js_inspect(value)} for field "{label}"')


def _finite(number: Any) -> bool:
    """A JSON number that is not a boolean, NaN or infinite (an integer too large for a double is infinite)."""
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return False
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def _stored_number(number: int | float) -> int | float:
    """Integral floats are stored as integers (a 1.0 and a 1 sort and compare alike); integers past 64 bits
    as the double JavaScript reads them as."""
    if isinstance(number, int) and not -(2**63) <= number < 2**63:
        return float(number)
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _js_number(value: Any) -> float:
    """JavaScript's Number(value), which Twenty applies to NUMERIC input."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    if isinstance(value, list) and len(value) <= 1:
        return _js_number(value[0]) if value else 0.0
    return math.nan


def _store_text(value: Any, label: str, meta: Any) -> Any:
    if not isinstance(value, str):
        raise _text_error(value, label)
    return value


def _store_number(value: Any, label: str, meta: Any) -> Any:
    if not _finite(value):
        raise _invalid("number", value, label)
    return _stored_number(value)


def _store_numeric(value: Any, label: str, meta: Any) -> Any:
    if value == "":
        return None
    number = value if _finite(value) else _js_number(value)
    if not math.isfinite(number):
        raise _bad_request(f'Invalid number value {_js_inspect(number)} for field "{label}"')
    return _stored_number(number)


def _store_position(value: Any, label: str, meta: Any) -> Any:
    if not _finite(value):
        raise _invalid("position", value, label)
    return _stored_number(value)


def _store_boolean(value: Any, label: str, meta: Any) -> Any:
    if not isinstance(value, bool):
        raise _invalid("boolean", value, label)
    return 1 if value else 0


def _store_date_time(value: Any, label: str, meta: Any) -> Any:
    out = _parse_datetime(value)
    if out is None:
        raise _bad_request(
            f'Invalid value {_js_inspect(value)} for date-time field "{label}". '
            "Expected format: 'YYYY-MM-DDTHH:mm:ssZ'"
        )
    return out


def _store_date(value: Any, label: str, meta: Any) -> Any:
    out = _parse_date(value)
    if out is None:
        raise _bad_request(
            f"Invalid value {_js_inspect(value)} for date field \"{label}\". Expected format: 'YYYY-MM-DD'"
        )
    return out


def _store_uuid(value: Any, label: str, meta: Any) -> Any:
    if not _is_uuid(value):
        raise _invalid("UUID", value, label)
    return _uuid_blob(value.lower())


def _store_select(value: Any, label: str, meta: Any) -> Any:
    if not isinstance(value, str):
        raise _text_error(value, label)
    if meta is None:  # the ACTOR composite's source
        if value not in ACTOR_SOURCES:
            raise _bad_request(
                f'Invalid value "{value}" for field "{label}". Valid values are: {", ".join(ACTOR_SOURCES)}'
            )
        return value
    if value not in (meta.option_values or (RATING_VALUES if meta.type == "RATING" else ())):
        raise InvalidOption(value)
    return value


def _string_list(value: Any, label: str) -> list[str]:
    """ARRAY and MULTI_SELECT input: a list of strings, or one string standing for a list of one."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise _array_error(value, label)
    return items


def _store_multi_select(value: Any, label: str, meta: Any) -> Any:
    items = _string_list(value, label)
    for item in items:
        if item not in meta.option_values:
            raise InvalidOption(item)
    return _dumps(items)


def _store_array(value: Any, label: str, meta: Any) -> Any:
    return _dumps(_string_list(value, label))


def _store_raw_json(value: Any, label: str, meta: Any) -> Any:
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise _object_error(value, label) from None
    elif not isinstance(value, (dict, list)):
        raise _object_error(value, label)
    return _dumps(value)


def _store_rich_text_part(value: Any, label: str, meta: Any) -> Any:
    if not isinstance(value, str):
        raise _text_error(value, label)
    if label.endswith(".blocknote") and value:
        try:
            blocks = json.loads(value)
        except ValueError:
            raise _bad_request(f'Invalid blocknote value for field "{label}" - must contain valid JSON') from None
        if not isinstance(blocks, list):
            raise _bad_request(f'Invalid blocknote value for field "{label}" - must be a JSON array of blocks')
    return value


def _files_issues(items: Any) -> list[str]:
    """Problems with a FILES value, worded as the schema validator Twenty uses words them."""
    if not isinstance(items, list):
        return [f": Invalid input: expected array, received {_js_type(items)}"]
    issues = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            issues.append(f"{i}: Invalid input: expected object, received {_js_type(item)}")
            continue
        for key in ("fileId", "label"):
            if not isinstance(item.get(key), str):
                issues.append(f"{i}.{key}: Invalid input: expected string, received {_js_type(item.get(key, ...))}")
            elif key == "fileId" and not UUID_V4_RE.match(item[key]):
                issues.append(f"{i}.fileId: Invalid UUID")
        extra = [k for k in item if k not in ("fileId", "label")]
        if extra:
            names = ", ".join(f'"{k}"' for k in extra)
            issues.append(f"{i}: Unrecognized key{'s' if len(extra) > 1 else ''}: {names}")
    return issues


def _js_type(value: Any) -> str:
    """The type word of a schema validator's message."""
    if value is ...:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "object")


def _store_files(value: Any, label: str, meta: Any) -> Any:
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            raise _bad_request(
                f'Invalid value "{_js_inspect(value)}" for FILES field "{label}" - It should be an array of '
                'objects with "fileId" and "label" properties.'
            ) from None
    issues = _files_issues(parsed)
    if issues:
        raise _bad_request(f'Invalid value "{_js_inspect(parsed)}" for FILES field "{label}" - {", ".join(issues)}')
    max_files = ((meta.settings or {}) if meta is not None else {}).get("maxNumberOfValues")
    if isinstance(max_files, int) and len(parsed) > max_files:
        raise _bad_request(f'Max number of files is {max_files} for field "{label}"')
    return _dumps(parsed)


def _normalize_url(url: Any) -> Any:
    """Twenty stores link URLs without a trailing slash."""
    return url.rstrip("/") if isinstance(url, str) and url.endswith("/") and url.strip("/") else url


def _store_email(value: Any, label: str, meta: Any) -> Any:
    if not isinstance(value, str) or (value and not EMAIL_RE.match(value)):
        raise _bad_request(f'Invalid string value {_js_inspect(value)} for email field "{label}"')
    return value


def _store_additional_emails(value: Any, label: str, meta: Any) -> Any:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or any(item is None for item in items):
        raise _array_error(value, label)
    for item in items:
        _store_email(item, label, meta)
    return _dumps(items)


def _store_link_url(value: Any, label: str, meta: Any) -> Any:
    return _normalize_url(_store_text(value, label, meta))


def _store_secondary_links(value: Any, label: str, meta: Any) -> Any:
    if isinstance(value, list):
        value = [dict(v, url=_normalize_url(v.get("url"))) if isinstance(v, dict) else v for v in value]
    return _store_raw_json(value, label, meta)


def _store_ts_vector(value: Any, label: str, meta: Any) -> Any:
    raise _bad_request(f"{label} TS_VECTOR-typed field does not support write operations")


# ---- filter values: typed (GraphQL) or the REST grammar's text ----------------------------


def _filter_text(label: str, raw: Any) -> Any:
    return raw if isinstance(raw, str) else str(raw)


def _filter_number(label: str, raw: Any) -> Any:
    if _finite(raw):
        return _stored_number(raw)
    try:
        number = float(raw) if isinstance(raw, str) and raw.strip() else math.nan
    except ValueError:
        number = math.nan
    if number != number:
        raise _bad_filter(f'Invalid number value {_js_inspect(raw)} for field "{label}"')
    return _stored_number(number) if math.isfinite(number) else number


def _filter_boolean(label: str, raw: Any) -> Any:
    if isinstance(raw, bool):
        return 1 if raw else 0
    if not isinstance(raw, str) or raw.lower() not in ("true", "false"):
        raise _bad_filter(f'Invalid boolean value {_js_inspect(raw)} for field "{label}"')
    return 1 if raw.lower() == "true" else 0


def _filter_date_time(label: str, raw: Any) -> Any:
    value = _parse_datetime(raw)
    if value is None:
        raise _bad_filter(
            f"Invalid value {_js_inspect(raw)} for date-time field \"{label}\". Expected format: 'YYYY-MM-DDTHH:mm:ssZ'"
        )
    return value


def _filter_date(label: str, raw: Any) -> Any:
    value = _parse_date(raw)
    if value is None:
        raise _bad_filter(f"Invalid value {_js_inspect(raw)} for date field \"{label}\". Expected format: 'YYYY-MM-DD'")
    return value


def _filter_uuid(label: str, raw: Any) -> Any:
    if not _is_uuid(raw):
        raise _bad_filter(f'Invalid UUID value {_js_inspect(raw)} for field "{label}"')
    return _uuid_blob(raw.lower())


def _json_out(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _bool_out(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _number_schema(meta: Any) -> dict[str, Any]:
    data_type = (meta.settings or {}).get("dataType") if meta is not None else None
    return {"type": "integer" if data_type in ("int", "bigint") else "number"}


def _options_schema(meta: Any) -> dict[str, Any]:
    values = list(meta.option_values or RATING_VALUES) if meta is not None else list(ACTOR_SOURCES)
    return {"type": "string", "enum": values}


_CMP = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "is")


def _quoted(value: Any) -> bool:
    """A default in the storage convention for text: single-quoted."""
    return isinstance(value, str) and len(value) >= 2 and value[0] == "'" and value[-1] == "'"


def _quoted_option(default: Any, options: tuple[str, ...]) -> bool:
    return _quoted(default) and default[1:-1] in options


def _quoted_options(default: Any, options: tuple[str, ...]) -> bool:
    return (isinstance(default, list) and bool(default) and len(set(default)) == len(default)
            and all(_quoted_option(v, options) for v in default))  # fmt: skip


def _number_default(default: Any, options: tuple[str, ...]) -> bool:
    return isinstance(default, (int, float)) and not isinstance(default, bool)


def _date_default(default: Any, options: tuple[str, ...]) -> bool:
    return default == "now" or (_quoted(default) and _parse_datetime(default[1:-1]) is not None)


def _uuid_default(default: Any, options: tuple[str, ...]) -> bool:
    return default == "uuid" or (_quoted(default) and _is_uuid(default[1:-1]))


_SUMS = (("min", "Float"), ("max", "Float"), ("avg", "Float"), ("sum", "Float"))
_EXTREMES = (("min", "DateTime"), ("max", "DateTime"))


@_record(frozen=True)
class FieldKind:
    """What one stored value kind means, in one place: filter operators and value coercion, write
    validation (Twenty's messages), output conversion, sorting, its OpenAPI schema and GraphQL types.
    Atomic field types are kinds; composite types (COMPOSITE_TYPES) are made of them."""

    operators: tuple[str, ...]  # REST filter operators (rest.md §4.1); REST's messages list these
    store: Callable[[Any, str, Any], Any]  # (API value, label, FieldMeta) -> stored value, or ApiError
    filter_value: Callable[[str, Any], Any] = _filter_text  # (label, typed or text value) -> stored value
    output: Callable[[Any], Any] | None = None  # stored -> API value; None: as stored
    graphql_operators: tuple[str, ...] = ()  # operators only GraphQL can express (graphql.md §7.1)
    orderable: bool = True
    json_schema: Callable[[Any], dict[str, Any]] = lambda meta: {"type": "string"}
    graphql: tuple[str, str] = ("String", "StringFilter")  # (output type, filter input) of an atomic field
    blank: str | None = None  # SQL of the stored value that filters treat as null ('' for text, [] for lists)
    aggregates: tuple[tuple[str, str], ...] = ()  # GraphQL aggregates beyond the counts: (operation, type)
    aggregate_sub: str = ""  # composites only: the sub-field they aggregate
    default_ok: Callable[[Any, tuple[str, ...]], bool] = lambda default, options: True
    quoted_default: bool = False  # defaults are stored single-quoted (data-model.md §3.1)


FIELD_KINDS: dict[str, FieldKind] = {
    "TEXT": FieldKind(_CMP + ("like", "ilike", "startsWith", "endsWith"), _store_text, blank="''",
                      default_ok=lambda default, options: _quoted(default), quoted_default=True),
    "NUMBER": FieldKind(_CMP, _store_number, _filter_number, json_schema=_number_schema, graphql=("Float", "FloatFilter"),
                        aggregates=_SUMS, default_ok=_number_default),
    "NUMERIC": FieldKind(_CMP, _store_numeric, _filter_number, json_schema=_number_schema,
                         graphql=("BigFloat", "BigFloatFilter"), default_ok=_number_default),
    "POSITION": FieldKind(_CMP, _store_position, _filter_number, json_schema=_number_schema,
                          graphql=("Position", "FloatFilter"), default_ok=_number_default),
    "BOOLEAN": FieldKind(("eq", "is"), _store_boolean, _filter_boolean, _bool_out,
                         json_schema=lambda meta: {"type": "boolean"}, graphql=("Boolean", "BooleanFilter"),
                         aggregates=(("countTrue", "Int"), ("countFalse", "Int")),
                         default_ok=lambda default, options: isinstance(default, bool)),
    "DATE": FieldKind(_CMP, _store_date, _filter_date, json_schema=lambda meta: {"type": "string", "format": "date"},
                      graphql=("Date", "DateFilter"), aggregates=_EXTREMES, default_ok=_date_default),
    "DATE_TIME": FieldKind(_CMP, _store_date_time, _filter_date_time,
                           json_schema=lambda meta: {"type": "string", "format": "date-time"},
                           graphql=("DateTime", "DateTimeFilter"), aggregates=_EXTREMES, default_ok=_date_default),
    "UUID": FieldKind(_CMP, _store_uuid, _filter_uuid, _blob_uuid,
                      json_schema=lambda meta: {"type": "string", "format": "uuid"}, graphql=("UUID", "UUIDFilter"),
                      default_ok=_uuid_default),
    # GraphQL types of SELECT-like fields are enums generated per field; this pair is the ACTOR source's.
    "SELECT": FieldKind(("eq", "neq", "in", "containsAny", "is"), _store_select, graphql_operators=("isEmptyArray",),
                        json_schema=_options_schema, graphql=("ActorSourceEnum", "ActorSourceEnumFilter"),
                        default_ok=_quoted_option, quoted_default=True),
    "RATING": FieldKind(("eq", "neq", "in", "containsAny", "is"), _store_select, graphql_operators=("isEmptyArray",),
                        json_schema=_options_schema, default_ok=_quoted_option),
    "MULTI_SELECT": FieldKind(("containsAny", "is"), _store_multi_select, output=_json_out,
                              graphql_operators=("isEmptyArray",), orderable=False, blank="'[]'",
                              default_ok=_quoted_options,
                              json_schema=lambda meta: {"type": "array", "items": {
                                  "type": "string", "enum": list(meta.option_values if meta else ())}}),
    "ARRAY": FieldKind(("is",), _store_array, output=_json_out, graphql_operators=("containsIlike", "isEmptyArray"),
                       orderable=False, blank="'[]'", json_schema=lambda meta: {"type": "array", "items": {"type": "string"}},
                       graphql=("[String]", "ArrayFilter"), default_ok=lambda default, options: (
                           isinstance(default, list) and all(isinstance(v, str) for v in default))),
    "RAW_JSON": FieldKind(("is", "like"), _store_raw_json, output=_json_out, orderable=False,
                          json_schema=lambda meta: {}, graphql=("JSON", "RawJsonFilter")),
    "FILES": FieldKind(("is", "like"), _store_files, output=_json_out, orderable=False,
                       json_schema=lambda meta: {"type": "array", "items": {"type": "object"}},
                       graphql=("JSON", "RawJsonFilter")),
    "RICH_TEXT_PART": FieldKind(("ilike",), _store_rich_text_part, orderable=False,
                                graphql=("String", "RichTextLeafFilter"),
                                default_ok=lambda default, options: _quoted(default), quoted_default=True),
    "TS_VECTOR": FieldKind((), _store_ts_vector, orderable=False, graphql=("TSVector", "TSVectorFilter")),
}  # fmt: skip
JSON_KINDS = tuple(k for k, kind in FIELD_KINDS.items() if kind.output is _json_out)
COMPARATORS = (
    "eq", "neq", "in", "containsAny", "is", "gt", "gte", "lt", "lte", "startsWith", "endsWith", "like", "ilike",
)  # fmt: skip


@_record(frozen=True)
class CompositeType:
    """A composite field type: its sub-fields and the kind each behaves as, and what else it means."""

    subs: tuple[tuple[str, str], ...]
    graphql_name: str  # FullName, Emails, …
    word: str  # in Twenty's `Invalid subfield x for <word> field "…"`
    unique_subs: tuple[str, ...] | None = None  # the sub-fields that form a unique key; None: all
    server_filled: tuple[str, ...] = ()  # sub-fields the server writes (validated, then ignored)
    checks: dict[str, Callable[[Any, str, Any], Any]] = _made(dict)  # sub-field rules beyond its kind
    aggregates: tuple[tuple[str, str], ...] = ()  # GraphQL aggregates beyond the counts: (operation, type)
    aggregate_sub: str = ""  # the sub-field they aggregate


COMPOSITE_TYPES: dict[str, CompositeType] = {
    "CURRENCY": CompositeType((("amountMicros", "NUMERIC"), ("currencyCode", "TEXT")), "Currency", "currency",
                              aggregates=_SUMS, aggregate_sub="AmountMicros"),
    "FULL_NAME": CompositeType((("firstName", "TEXT"), ("lastName", "TEXT")), "FullName", "full name"),
    "EMAILS": CompositeType((("primaryEmail", "TEXT"), ("additionalEmails", "RAW_JSON")), "Emails", "emails",
                            ("primaryEmail",), checks={"primaryEmail": _store_email,
                                                       "additionalEmails": _store_additional_emails}),
    "PHONES": CompositeType((("primaryPhoneNumber", "TEXT"), ("primaryPhoneCountryCode", "TEXT"),
                             ("primaryPhoneCallingCode", "TEXT"), ("additionalPhones", "RAW_JSON")), "Phones", "phones",
                            ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode")),
    "LINKS": CompositeType((("primaryLinkUrl", "TEXT"), ("primaryLinkLabel", "TEXT"), ("secondaryLinks", "RAW_JSON")),
                           "Links", "links", ("primaryLinkUrl",),
                           checks={"primaryLinkUrl": _store_link_url, "secondaryLinks": _store_secondary_links}),
    "ADDRESS": CompositeType((("addressStreet1", "TEXT"), ("addressStreet2", "TEXT"), ("addressCity", "TEXT"),
                              ("addressPostcode", "TEXT"), ("addressState", "TEXT"), ("addressCountry", "TEXT"),
                              ("addressLat", "NUMERIC"), ("addressLng", "NUMERIC")), "Address", "address"),
    "ACTOR": CompositeType((("source", "SELECT"), ("workspaceMemberId", "UUID"), ("name", "TEXT"),
                            ("context", "RAW_JSON")), "Actor", "actor", server_filled=("name", "workspaceMemberId")),
    "RICH_TEXT": CompositeType((("blocknote", "RICH_TEXT_PART"), ("markdown", "RICH_TEXT_PART")), "RichText",
                               "rich text"),
}  # fmt: skip
COMPOSITES: dict[str, tuple[tuple[str, str], ...]] = {name: t.subs for name, t in COMPOSITE_TYPES.items()}
UNIQUE_SUBFIELDS = {name: t.unique_subs for name, t in COMPOSITE_TYPES.items() if t.unique_subs}
ATOMIC_TYPES = {k for k in FIELD_KINDS if k != "RICH_TEXT_PART"}
RELATION_TYPES = {"RELATION", "MORPH_RELATION"}
FIELD_TYPES = ATOMIC_TYPES | set(COMPOSITES) | RELATION_TYPES

# Stored value -> API value, per atomic kind; kinds not listed are returned as stored.
OUTPUT_CONVERTERS: dict[str, Callable[[Any], Any]] = {k: kind.output for k, kind in FIELD_KINDS.items() if kind.output}


def _from_stored(kind: str, value: Any) -> Any:
    """The API value of a stored atomic value."""
    convert = FIELD_KINDS[kind].output
    return value if value is None or convert is None else convert(value)


@_record(frozen=True, eq=True)
class Column:
    """One EAV attribute: an atomic field, a composite sub-field or a join column."""

    key: int  # the attribute's integer id in the value table
    name: str  # database-style name: city, nameFirstName, companyId
    field: str  # the field it belongs to
    sub: str | None  # composite sub-field name
    kind: str  # the atomic behaviour: TEXT, NUMERIC, UUID, RAW_JSON, ...
    empty_is_null: bool  # '' (or []) counts as null in filters


@_record(frozen=True)
class FieldMeta:
    """A field of an object, as the metadata API describes it."""

    id: str
    object_id: str
    name: str
    label: str
    type: str
    description: str | None = None
    icon: str | None = None
    is_custom: bool = False
    is_active: bool = True
    is_system: bool = False
    is_nullable: bool = True
    is_unique: bool = False
    is_ui_readonly: bool = False
    is_label_synced: bool = False
    default: Any = None  # storage convention of data-model.md §3.1
    options: tuple[dict[str, Any], ...] | None = None
    settings: dict[str, Any] | None = None
    morph_id: str | None = None
    target_object_id: str | None = None  # relations: the other object
    target_field_id: str | None = None  # relations: the field on the other side
    created_at: str = ""
    updated_at: str = ""
    columns: tuple[Column, ...] = ()
    props: dict[str, Any] = _made(dict)  # everything stored, for the metadata API

    # Derived once in __post_init__ (plain attributes: read on every record, for every field).
    relation_type: str | None = None  # MANY_TO_ONE, ONE_TO_MANY or None
    join_column: str | None = None  # <name>Id of a many-to-one relation
    option_values: tuple[str, ...] = ()  # allowed SELECT/MULTI_SELECT values

    def __post_init__(self) -> None:
        settings = self.settings or {}
        relation_type = settings.get("relationType") if self.type in RELATION_TYPES else None
        object.__setattr__(self, "relation_type", relation_type)
        if relation_type == "MANY_TO_ONE":
            object.__setattr__(self, "join_column", settings.get("joinColumnName"))
        object.__setattr__(self, "option_values", tuple(o["value"] for o in self.options or ()))


# Bump when the output of a stored value changes (a converter of FIELD_KINDS): every read document of an
# older format is then ignored and rendered again.
DOC_FORMAT = 1


@_record(frozen=True)
class ObjectMeta:
    """An object (standard or custom) with its fields, as loaded from storage."""

    id: str
    key: int  # integer id used in the entity table
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    description: str | None
    icon: str | None
    shortcut: str | None
    is_custom: bool
    is_active: bool
    is_system: bool
    is_searchable: bool
    label_identifier: str | None  # field name
    image_identifier: str | None  # field name
    duplicate_criteria: tuple[tuple[str, ...], ...] | None
    created_at: str
    updated_at: str
    fields: tuple[FieldMeta, ...]
    by_name: dict[str, FieldMeta] = _made(dict)
    by_join_column: dict[str, FieldMeta] = _made(dict)
    columns_by_name: dict[str, Column] = _made(dict)
    columns_by_key: dict[int, Column] = _made(dict)
    props: dict[str, Any] = _made(dict)  # everything stored, for the metadata API
    hidden: frozenset[str] = frozenset()  # active fields hidden from records (relations to inactive objects)

    @functools.cached_property
    def active_fields(self) -> tuple[FieldMeta, ...]:
        """Fields that the record APIs expose: active, and not relations to an inactive object."""
        return tuple(f for f in self.fields if f.is_active and f.id not in self.hidden)

    def column(self, name: str) -> Column:
        """The column of an atomic field or join column by name."""
        return self.columns_by_name[name]

    @functools.cached_property
    def output_plan(self) -> tuple[tuple[str, str, Any], ...]:
        """How a depth-0 record is laid out: (field name, output key, (column, converter) or a tuple of them)."""
        plan: list[tuple[str, str, Any]] = []
        for meta in self.active_fields:
            if meta.type in COMPOSITES:
                subs = tuple((c.sub, c.name, OUTPUT_CONVERTERS.get(c.kind)) for c in meta.columns)
                plan.append((meta.name, meta.name, subs))
            elif meta.relation_type == "MANY_TO_ONE":
                plan.append((meta.name, meta.join_column or "", (meta.columns[0].name, _blob_uuid)))
            elif meta.columns and meta.relation_type is None:
                col = meta.columns[0]
                plan.append((meta.name, meta.name, (col.name, OUTPUT_CONVERTERS.get(col.kind))))
        return tuple(plan)

    @functools.cached_property
    def output_keys(self) -> dict[str, tuple[str, str]]:
        """What a record field selected by name reads from a read document: name (field name, or the join
        column of a many-to-one field) -> (output key, field name)."""
        keys: dict[str, tuple[str, str]] = {}
        for name, key, _ in self.output_plan:
            keys[name] = keys[key] = (key, name)
        return keys

    @functools.cached_property
    def doc_shape(self) -> int:
        """The identity of the output layout, stored with each read document: field names and output keys,
        and each column's attribute key (a field deleted and added again is another) and kind."""
        parts: list[Any] = [DOC_FORMAT]
        for name, key, spec in self.output_plan:
            names = [sub[1] for sub in spec] if isinstance(spec[0], tuple) else [spec[0]]
            cols = [self.columns_by_name[n] for n in names]
            parts.append((name, key, [(c.name, c.key, c.kind) for c in cols]))
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)


@_record(frozen=True)
class Schema:
    """The data model of one workspace; rebuilt whenever its metadata changes."""

    workspace_id: str
    version: int
    objects: tuple[ObjectMeta, ...]
    by_plural: dict[str, ObjectMeta]
    by_singular: dict[str, ObjectMeta]
    by_id: dict[str, ObjectMeta]
    enum_schema: str  # Postgres schema name used in enum error texts

    @functools.cached_property
    def shape(self) -> str:
        """A digest of everything the generated GraphQL schema depends on (names, types, options,
        nullability, relations), but not ids: workspaces with the same data model share a schema."""
        names = {o.id: o.name_singular for o in self.objects}
        parts = []
        for obj in sorted(self.by_plural.values(), key=lambda o: o.name_singular):
            fields = [
                (f.name, f.type, f.is_nullable, f.is_unique, f.default is None, f.option_values, f.relation_type,
                 f.join_column, names.get(f.target_object_id or ""), (f.settings or {}).get("dataType"))
                for f in obj.active_fields
            ]  # fmt: skip
            parts.append((obj.name_singular, obj.name_plural, obj.duplicate_criteria, fields))
        return hashlib.sha256(_dumps(parts).encode()).hexdigest()

    def incoming(self, obj: ObjectMeta) -> list[tuple[ObjectMeta, FieldMeta]]:
        """Many-to-one fields of any object that point at obj (for onDelete rules)."""
        out = []
        for other in self.objects:
            for f in other.fields:
                if f.relation_type == "MANY_TO_ONE" and f.target_object_id == obj.id:
                    out.append((other, f))
        return out


def _empty_is_null(kind: str) -> bool:
    """Twenty treats '' as null for text, and [] as null for lists."""
    return FIELD_KINDS[kind].blank is not None


def _quote_default(value: Any) -> Any:
    """Storage convention for a default value: strings are single-quoted."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return {k: _quote_default(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_quote_default(v) for v in value]
    return value


def _unquote_default(value: Any) -> Any:
    """Record value of a stored default: strip the single quotes; functions stay as names."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        return value[1:-1]
    if isinstance(value, dict):
        return {k: _unquote_default(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquote_default(v) for v in value]
    return value


# Standard model, compactly: per object its metadata and plain fields; relations follow.
# A plain field is (name, type, default record value, options); "!" after a name: not nullable.
_EMPTY = {
    "FULL_NAME": {"firstName": "", "lastName": ""},
    "EMAILS": {"primaryEmail": "", "additionalEmails": None},
    "PHONES": {
        "primaryPhoneNumber": "",
        "primaryPhoneCountryCode": "",
        "primaryPhoneCallingCode": "",
        "additionalPhones": None,
    },
    "LINKS": {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": None},
    "CURRENCY": {"amountMicros": None, "currencyCode": ""},
    "ADDRESS": {
        "addressStreet1": "",
        "addressStreet2": "",
        "addressCity": "",
        "addressPostcode": "",
        "addressState": "",
        "addressCountry": "",
        "addressLat": None,
        "addressLng": None,
    },
    "RICH_TEXT": {"blocknote": None, "markdown": None},
    "ACTOR": {"source": "MANUAL", "name": "System", "workspaceMemberId": None, "context": {}},
    "TEXT": "",
}


def _opts(spec: str) -> list[dict[str, Any]]:
    """Options from 'VALUE:Label:color,…' (color may be empty)."""
    out = []
    for position, item in enumerate(spec.split(",")):
        value, label, color = item.split(":")
        option = {"id": None, "value": value, "label": label, "position": position}
        if color:
            option["color"] = color
        out.append(option)
    return out


STANDARD_OBJECTS: list[dict[str, Any]] = [
    {
        "s": "company", "p": "companies", "ls": "Company", "lp": "Companies", "icon": "IconBuildingSkyscraper",
        "system": False, "searchable": True, "label": "name", "shortcut": "C",
        "dup": [["name"], ["domainNamePrimaryLinkUrl"]],
        "fields": [
            ("name", "TEXT", ""), ("domainName", "LINKS", "unique"), ("employees", "NUMBER", None),
            ("linkedinLink", "LINKS"), ("xLink", "LINKS"), ("annualRecurringRevenue", "CURRENCY"),
            ("address", "ADDRESS"), ("idealCustomerProfile!", "BOOLEAN", False),
        ],
    },
    {
        "s": "person", "p": "people", "ls": "Person", "lp": "People", "icon": "IconUser",
        "system": False, "searchable": True, "label": "name", "image": "avatarUrl", "shortcut": "P",
        "dup": [["nameFirstName", "nameLastName"], ["linkedinLinkPrimaryLinkUrl"], ["emailsPrimaryEmail"]],
        "fields": [
            ("name", "FULL_NAME"), ("emails", "EMAILS", "unique"), ("linkedinLink", "LINKS"), ("xLink", "LINKS"),
            ("jobTitle", "TEXT", ""), ("phones", "PHONES"), ("city", "TEXT", ""), ("avatarUrl", "TEXT", "", "system"),
            ("avatarFile", "FILES", None, "system"),
        ],
    },
    {
        "s": "opportunity", "p": "opportunities", "ls": "Opportunity", "lp": "Opportunities",
        "icon": "IconTargetArrow", "system": False, "searchable": True, "label": "name", "shortcut": "O",
        "fields": [
            ("name", "TEXT", ""), ("amount", "CURRENCY"), ("closeDate", "DATE_TIME", None),
            ("stage!", "SELECT", "NEW",
             _opts("NEW:New:red,SCREENING:Screening:purple,MEETING:Meeting:sky,PROPOSAL:Proposal:turquoise,"
                   "CUSTOMER:Customer:yellow")),
        ],
    },
    {
        "s": "note", "p": "notes", "ls": "Note", "lp": "Notes", "icon": "IconNotes", "system": False,
        "searchable": True, "label": "title", "shortcut": "N",
        "fields": [("title", "TEXT", ""), ("bodyV2", "RICH_TEXT")],
    },
    {
        "s": "noteTarget", "p": "noteTargets", "ls": "Note Target", "lp": "Note Targets",
        "icon": "IconCheckbox", "system": True, "searchable": False, "label": "id", "fields": [],
    },
    {
        "s": "task", "p": "tasks", "ls": "Task", "lp": "Tasks", "icon": "IconCheckbox", "system": False,
        "searchable": True, "label": "title", "shortcut": "T",
        "fields": [
            ("title", "TEXT", ""), ("bodyV2", "RICH_TEXT"), ("dueAt", "DATE_TIME", None),
            ("status", "SELECT", "TODO", _opts("TODO:To do:sky,IN_PROGRESS:In progress:purple,DONE:Done:green")),
        ],
    },
    {
        "s": "taskTarget", "p": "taskTargets", "ls": "Task Target", "lp": "Task Targets",
        "icon": "IconCheckbox", "system": True, "searchable": False, "label": "id", "fields": [],
    },
    {
        "s": "workspaceMember", "p": "workspaceMembers", "ls": "Workspace Member",
        "lp": "Workspace Members", "icon": "IconUserCircle", "system": True, "searchable": True,
        "label": "name",
        "fields": [
            ("name!", "FULL_NAME"), ("userEmail", "TEXT", "", "unique"), ("userId!", "UUID", None),
            ("avatarUrl", "TEXT", ""), ("colorScheme!", "TEXT", "System"), ("locale!", "TEXT", "en"),
            ("timeZone!", "TEXT", "system"), ("calendarStartDay!", "NUMBER", 7),
            ("dateFormat!", "SELECT", "SYSTEM",
             _opts("SYSTEM:System:,MONTH_FIRST:Month First:,DAY_FIRST:Day First:,YEAR_FIRST:Year First:")),
            ("timeFormat!", "SELECT", "SYSTEM", _opts("SYSTEM:System:,HOUR_24:24h:,HOUR_12:12h:")),
            ("numberFormat!", "SELECT", "SYSTEM",
             _opts("SYSTEM:System:,COMMAS_AND_DOT:Commas and dot:,SPACES_AND_COMMA:Spaces and comma:,"
                   "DOTS_AND_COMMA:Dots and comma:,APOSTROPHE_AND_DOT:Apostrophe and dot:")),
        ],
    },
    {
        "s": "attachment", "p": "attachments", "ls": "Attachment", "lp": "Attachments",
        "icon": "IconFileImport", "system": True, "searchable": False, "label": "name",
        "fields": [
            ("name", "TEXT", ""), ("file", "FILES", None), ("fullPath", "TEXT", ""),
            ("fileCategory!", "SELECT", "OTHER",
             _opts("ARCHIVE:Archive:gray,AUDIO:Audio:pink,IMAGE:Image:yellow,PRESENTATION:Presentation:orange,"
                   "SPREADSHEET:Spreadsheet:turquoise,TEXT_DOCUMENT:Text Document:blue,VIDEO:Video:purple,"
                   "OTHER:Other:gray")),
        ],
    },
    {
        "s": "favorite", "p": "favorites", "ls": "Favorite", "lp": "Favorites", "icon": "IconHeart",
        "system": True, "searchable": False, "label": "id", "no_updated_by": True,
        "fields": [("viewId", "UUID", None)],
    },
    {
        "s": "timelineActivity", "p": "timelineActivities", "ls": "Timeline Activity",
        "lp": "Timeline Activities", "icon": "IconTimeDuration", "system": True, "searchable": False,
        "label": "name",
        "fields": [
            ("happensAt!", "DATE_TIME", "now"), ("name", "TEXT", ""), ("properties", "RAW_JSON", None),
            ("linkedRecordCachedName", "TEXT", ""), ("linkedRecordId", "UUID", None),
            ("linkedObjectMetadataId", "UUID", None),
        ],
    },
    # E-mail and calendar, as the sync of a connected account fills them. The channels and folders behind
    # them are no longer workspace objects in the newest Twenty: the associations keep their ids.
    {
        "s": "message", "p": "messages", "ls": "Message", "lp": "Messages", "icon": "IconMessage",
        "system": True, "searchable": False, "label": "subject",
        "fields": [("headerMessageId", "TEXT", ""), ("subject", "TEXT", ""), ("text", "TEXT", ""),
                   ("receivedAt", "DATE_TIME", None), ("isDraft!", "BOOLEAN", False)],
    },
    {
        "s": "messageThread", "p": "messageThreads", "ls": "Message Thread", "lp": "Message Threads",
        "icon": "IconMessage", "system": True, "searchable": False, "label": "subject",
        "fields": [("subject", "TEXT", "")],
    },
    {
        "s": "messageParticipant", "p": "messageParticipants", "ls": "Message Participant",
        "lp": "Message Participants", "icon": "IconUserCircle", "system": True, "searchable": False, "label": "handle",
        "fields": [("role!", "SELECT", "FROM", _opts("FROM:From:green,TO:To:blue,CC:Cc:orange,BCC:Bcc:red")),
                   ("handle", "TEXT", ""), ("displayName", "TEXT", "")],
    },
    {
        "s": "messageChannelMessageAssociation", "p": "messageChannelMessageAssociations",
        "ls": "Message Channel Message Association", "lp": "Message Channel Message Associations",
        "icon": "IconMessage", "system": True, "searchable": False, "label": "id", "writability": "SYSTEM",
        "fields": [("messageExternalId", "TEXT", ""), ("messageThreadExternalId", "TEXT", ""),
                   ("direction!", "SELECT", "INCOMING", _opts("INCOMING:Incoming:green,OUTGOING:Outgoing:blue")),
                   ("messageChannelId", "UUID", None)],
    },
    {
        "s": "calendarEvent", "p": "calendarEvents", "ls": "Calendar event", "lp": "Calendar events",
        "icon": "IconCalendar", "system": True, "searchable": False, "label": "title",
        "fields": [("title", "TEXT", ""), ("isCanceled!", "BOOLEAN", False), ("isFullDay!", "BOOLEAN", False),
                   ("startsAt", "DATE_TIME", None), ("endsAt", "DATE_TIME", None),
                   ("externalCreatedAt", "DATE_TIME", None), ("externalUpdatedAt", "DATE_TIME", None),
                   ("description", "TEXT", ""), ("location", "TEXT", ""), ("iCalUid", "TEXT", ""),
                   ("conferenceSolution", "TEXT", ""), ("conferenceLink", "LINKS")],
    },
    {
        "s": "calendarEventParticipant", "p": "calendarEventParticipants", "ls": "Calendar event participant",
        "lp": "Calendar event participants", "icon": "IconCalendar", "system": True, "searchable": False,
        "label": "handle",
        "fields": [("handle", "TEXT", ""), ("displayName", "TEXT", ""), ("isOrganizer!", "BOOLEAN", False),
                   ("responseStatus!", "SELECT", "NEEDS_ACTION", _opts(
                       "NEEDS_ACTION:Needs Action:orange,DECLINED:Declined:red,TENTATIVE:Tentative:yellow,"
                       "ACCEPTED:Accepted:green"))],
    },
    {
        "s": "calendarChannelEventAssociation", "p": "calendarChannelEventAssociations",
        "ls": "Calendar Channel Event Association", "lp": "Calendar Channel Event Associations",
        "icon": "IconCalendar", "system": True, "searchable": False, "label": "id", "writability": "SYSTEM",
        "fields": [("eventExternalId", "TEXT", ""), ("recurringEventExternalId", "TEXT", ""),
                   ("calendarChannelId!", "UUID", None)],
    },
    {
        "s": "blocklist", "p": "blocklists", "ls": "Blocklist", "lp": "Blocklists", "icon": "IconForbid2",
        "system": True, "searchable": False, "label": "handle",
        "fields": [("handle", "TEXT", ""),
                   ("scope!", "SELECT", "WORKSPACE_MEMBER",
                    _opts("WORKSPACE_MEMBER:Workspace member:blue,WORKSPACE:Workspace:purple"), "system")],
    },
    # Dashboards and workflows. A dashboard's layout is a core table in Twenty: the record keeps its id. An
    # automated trigger is registered by the workflow engine only: read-only for keys, as in Twenty.
    {
        "s": "dashboard", "p": "dashboards", "ls": "Dashboard", "lp": "Dashboards", "icon": "IconLayoutDashboard",
        "system": False, "searchable": True, "label": "title", "shortcut": "D",
        "fields": [("title", "TEXT", ""), ("pageLayoutId", "UUID", None)],
    },
    {
        "s": "workflow", "p": "workflows", "ls": "Workflow", "lp": "Workflows", "icon": "IconSettingsAutomation",
        "system": False, "searchable": True, "label": "name", "shortcut": "W",
        "fields": [("name", "TEXT", ""), ("lastPublishedVersionId", "TEXT", ""),
                   ("statuses", "MULTI_SELECT", None,
                    _opts("DRAFT:Draft:yellow,ACTIVE:Active:green,DEACTIVATED:Deactivated:gray")),
                   ("coreWorkflowId", "UUID", None, "system")],
    },
    {
        "s": "workflowVersion", "p": "workflowVersions", "ls": "Workflow Version", "lp": "Workflow Versions",
        "icon": "IconVersions", "system": True, "searchable": False, "label": "name",
        "fields": [("name", "TEXT", ""), ("trigger", "RAW_JSON", None), ("steps", "RAW_JSON", None),
                   ("status!", "SELECT", "DRAFT",
                    _opts("DRAFT:Draft:yellow,ACTIVE:Active:green,DEACTIVATED:Deactivated:orange,ARCHIVED:Archived:gray")),
                   ("coreWorkflowVersionId", "UUID", None, "system")],
    },
    {
        "s": "workflowRun", "p": "workflowRuns", "ls": "Workflow Run", "lp": "Workflow Runs",
        "icon": "IconHistoryToggle", "system": True, "searchable": False, "label": "name",
        "fields": [("name", "TEXT", ""), ("enqueuedAt", "DATE_TIME", None), ("startedAt", "DATE_TIME", None),
                   ("endedAt", "DATE_TIME", None),
                   ("status!", "SELECT", "NOT_STARTED",
                    _opts("NOT_STARTED:Not started:gray,RUNNING:Running:yellow,COMPLETED:Completed:green,"
                          "FAILED:Failed:red,ENQUEUED:Enqueued:blue,STOPPING:Stopping:orange,STOPPED:Stopped:gray")),
                   ("state!", "RAW_JSON", None), ("stepLogs", "RAW_JSON", None, "system"),
                   ("coreWorkflowId", "UUID", None, "system"), ("coreWorkflowVersionId", "UUID", None, "system")],
    },
    {
        "s": "workflowAutomatedTrigger", "p": "workflowAutomatedTriggers", "ls": "Workflow Automated Trigger",
        "lp": "Workflow Automated Triggers", "icon": "IconSettingsAutomation", "system": True, "searchable": False,
        "label": "id", "writability": "SYSTEM",
        "fields": [("type!", "SELECT", "DATABASE_EVENT", _opts("DATABASE_EVENT:Database Event:green,CRON:Cron:blue")),
                   ("settings!", "RAW_JSON", None)],
    },
    {
        "s": "favoriteFolder", "p": "favoriteFolders", "ls": "Favorite Folder", "lp": "Favorite Folders",
        "icon": "IconFolder", "system": True, "searchable": False, "label": "name", "fields": [("name", "TEXT", "")],
    },
]  # fmt: skip

# Labels and icons of standard fields where Twenty's label is not the humanized name, or that have an icon:
# per object 'field:Label:Icon,…' (an empty label keeps the humanized one).
STANDARD_FIELD_LABELS = {
    "company": "name::IconBuildingSkyscraper,domainName::IconLink,linkedinLink:Linkedin:IconBrandLinkedin,"
               "address::IconMap,accountOwner::IconUserCircle,people::IconUsers,opportunities::IconTargetArrow,"
               "noteTargets:Notes:IconNotes,taskTargets:Tasks:IconCheckbox,attachments::IconPaperclip,"
               "timelineActivities::IconTimelineEvent",
    "person": "name::IconUser,emails::IconMail,linkedinLink:Linkedin:IconBrandLinkedin,jobTitle::IconBriefcase,"
              "phones::IconPhone,avatarUrl:Avatar:IconFileUpload,avatarFile::IconFileUpload,"
              "company::IconBuildingSkyscraper,pointOfContactForOpportunities:Opportunities:IconTargetArrow,"
              "messageParticipants::IconUserCircle,calendarEventParticipants::IconCalendar,"
              "noteTargets:Notes:IconNotes,taskTargets:Tasks:IconCheckbox,attachments::IconPaperclip,"
              "timelineActivities:Events:IconTimelineEvent",
    "opportunity": "name::IconTargetArrow,amount::IconCurrencyDollar,closeDate:Close date:IconCalendarEvent,"
                   "stage::IconProgressCheck,pointOfContact:Point of Contact:IconUser,company::IconBuildingSkyscraper,"
                   "owner::IconUserCircle,noteTargets:Notes:IconNotes,taskTargets:Tasks:IconCheckbox,"
                   "attachments::IconPaperclip,timelineActivities::IconTimelineEvent",
    "note": "title::IconNotes,bodyV2:Body:IconFilePencil,noteTargets:Relations:IconArrowUpRight,"
            "attachments::IconPaperclip,timelineActivities::IconTimelineEvent",
    "noteTarget": "note::IconNotes,targetPerson:Person:IconCheckbox,targetCompany:Company:IconCheckbox,"
                  "targetOpportunity:Opportunity:IconCheckbox",
    "task": "title::IconNotes,bodyV2:Body:IconFilePencil,dueAt:Due Date:IconCalendarEvent,status::IconCheck,"
            "assignee::IconUserCircle,taskTargets:Relations:IconArrowUpRight,attachments::IconPaperclip,"
            "timelineActivities::IconTimelineEvent",
    "taskTarget": "task::IconCheckbox,targetPerson:Person:IconCheckbox,targetCompany:Company:IconCheckbox,"
                  "targetOpportunity:Opportunity:IconCheckbox",
    "workspaceMember": "name::IconCircleUser,userEmail::IconMail,userId::IconCircleUsers,avatarUrl::IconFileUpload,"
                       "colorScheme::IconColorSwatch,locale:Language:IconLanguage,timeZone:Time zone:IconTimezone,"
                       "calendarStartDay:Start of the week:IconCalendar,dateFormat:Date format:IconCalendarEvent,"
                       "timeFormat:Time format:IconClock2,numberFormat:Number format:IconNumbers,"
                       "accountOwnerForCompanies::IconBriefcase,ownedOpportunities:Owned opportunities:IconTargetArrow,"
                       "assignedTasks:Assigned tasks:IconCheckbox,timelineActivities:Events:IconTimelineEvent,"
                       "messageParticipants::IconUserCircle,calendarEventParticipants::IconCalendar,blocklist::IconForbid2",
    "attachment": "name::IconFileUpload,file::IconFileUpload,fullPath:Full path:IconLink,"
                  "fileCategory:File category:IconList,targetTask:Task:IconFileImport,targetNote:Note:IconFileImport,"
                  "targetPerson:Person:IconFileImport,targetCompany:Company:IconFileImport,"
                  "targetOpportunity:Opportunity:IconFileImport,targetDashboard:Dashboard:IconFileImport,"
                  "targetWorkflow:Workflow:IconFileImport",
    "favorite": "viewId:ViewId:IconView,forWorkspaceMember:Workspace Member:IconCircleUser,"
                "favoriteFolder::IconFolder,person::IconUser,company::IconBuildingSkyscraper,"
                "opportunity::IconTargetArrow,task::IconCheckbox,note::IconNotes,dashboard::IconLayoutDashboard,"
                "workflow::IconSettingsAutomation,workflowVersion:Workflow:IconSettingsAutomation,"
                "workflowRun:Workflow:IconSettingsAutomation",
    "timelineActivity": "happensAt:Creation date:IconCalendar,properties:Event details:IconListDetails,"
                        "linkedRecordCachedName:Linked Record cached name:IconAbc,linkedRecordId:Linked Record id:IconAbc,"
                        "linkedObjectMetadataId::IconAbc,workspaceMember::IconCircleUser,"
                        "targetPerson:Person:IconTimelineEvent,targetCompany:Company:IconTimelineEvent,"
                        "targetOpportunity:Opportunity:IconTimelineEvent,targetNote:Note:IconTimelineEvent,"
                        "targetTask:Task:IconTimelineEvent,targetWorkflow:Workflow:IconTimelineEvent,"
                        "targetWorkflowVersion:WorkflowVersion:IconTimelineEvent,"
                        "targetWorkflowRun:WorkflowRun:IconTimelineEvent,targetDashboard:Dashboard:IconTimelineEvent",
    "message": "headerMessageId:Header message Id:IconHash,subject::IconMessage,text::IconMessage,"
               "receivedAt::IconCalendar,isDraft:Is draft:IconPencil,messageThread:Message Thread Id:IconHash,"
               "messageParticipants::IconUserCircle,"
               "messageChannelMessageAssociations:Message Channel Association:IconMessage",
    "messageThread": "subject::IconMessage,messages::IconMessage,"
                     "messageChannelMessageAssociations:Message Channel Association:IconMessage",
    "messageParticipant": "role::IconAt,handle::IconAt,displayName::IconUser,message::IconMessage,person::IconUser,"
                          "workspaceMember::IconCircleUser",
    "messageChannelMessageAssociation": "messageExternalId::IconHash,messageThreadExternalId:Thread External Id:IconHash,"
                                        "direction::IconDirection,messageChannelId::IconHash,messageThread:Message Thread Id:IconHash,"
                                        "message:Message Id:IconHash",
    "calendarEvent": "title::IconH1,isCanceled:Is canceled:IconCalendarCancel,isFullDay::IconHours24,"
                     "startsAt:Start Date:IconCalendarClock,endsAt:End Date:IconCalendarClock,"
                     "externalCreatedAt:Creation DateTime:IconCalendarPlus,"
                     "externalUpdatedAt:Update DateTime:IconCalendarCog,description::IconFileDescription,"
                     "location::IconMapPin,iCalUid:iCal UID:IconKey,conferenceSolution::IconScreenShare,"
                     "conferenceLink:Meet Link:IconLink,calendarEventParticipants:Event Participants:IconUserCircle,"
                     "calendarChannelEventAssociations::IconCalendar",
    "calendarEventParticipant": "handle::IconMail,displayName::IconUser,isOrganizer::IconUser,responseStatus::IconUser,"
                                "calendarEvent:Event ID:IconCalendar,person::IconUser,workspaceMember::IconUser",
    "calendarChannelEventAssociation": "eventExternalId:Event external ID:IconCalendar,"
                                       "recurringEventExternalId:Recurring Event ID:IconHistory,calendarChannelId:Channel ID:IconCalendar,"
                                       "calendarEvent:Event ID:IconCalendar",
    "blocklist": "handle::IconAt,scope::IconShieldLock,workspaceMember:WorkspaceMember:IconUsers",
    "dashboard": "title::IconNotes,pageLayoutId:Page Layout ID:IconLayout,attachments::IconPaperclip,"
                 "timelineActivities::IconTimelineEvent",
    "workflow": "name::IconSettingsAutomation,lastPublishedVersionId:Last published Version Id:IconVersions,"
                "statuses::IconStatusChange,coreWorkflowId:Core workflow id:IconSettingsAutomation,"
                "versions::IconVersions,runs::IconRun,automatedTriggers::IconSettingsAutomation,"
                "attachments::IconFileUpload,timelineActivities::IconTimelineEvent",
    "workflowVersion": "name::IconSettingsAutomation,trigger:Version trigger:IconSettingsAutomation,"
                       "steps:Version steps:IconSettingsAutomation,status:Version status:IconStatusChange,"
                       "coreWorkflowVersionId:Core workflow version id:IconSettingsAutomation,"
                       "workflow::IconSettingsAutomation,runs::IconRun,timelineActivities::IconTimelineEvent",
    "workflowRun": "name::IconSettingsAutomation,enqueuedAt:Workflow run enqueued at:IconHistory,"
                   "startedAt:Workflow run started at:IconHistory,endedAt:Workflow run ended at:IconHistory,"
                   "status:Workflow run status:IconStatusChange,state::IconHierarchy2,stepLogs:Step logs:IconTerminal2,"
                   "coreWorkflowId:Core workflow id:IconSettingsAutomation,"
                   "coreWorkflowVersionId:Core workflow version id:IconSettingsAutomation,"
                   "workflowVersion:Workflow version:IconVersions,workflow::IconSettingsAutomation,"
                   "timelineActivities::IconTimelineEvent",
    "workflowAutomatedTrigger": "type:Automated Trigger Type:IconSettingsAutomation,settings::IconSettings,"
                                "workflow::IconSettingsAutomation",
}  # fmt: skip

# Many-to-one relations: (object, field, target, inverse field, onDelete, morph group, inverse is system).
STANDARD_RELATIONS: list[tuple[str, str, str, str, str, str | None, bool]] = [
    ("company", "accountOwner", "workspaceMember", "accountOwnerForCompanies", "SET_NULL", None, False),
    ("person", "company", "company", "people", "SET_NULL", None, False),
    ("opportunity", "pointOfContact", "person", "pointOfContactForOpportunities", "SET_NULL", None, False),
    ("opportunity", "company", "company", "opportunities", "SET_NULL", None, False),
    ("opportunity", "owner", "workspaceMember", "ownedOpportunities", "SET_NULL", None, False),
    ("task", "assignee", "workspaceMember", "assignedTasks", "SET_NULL", None, False),
    ("noteTarget", "note", "note", "noteTargets", "CASCADE", None, False),
    ("taskTarget", "task", "task", "taskTargets", "CASCADE", None, False),
    ("favorite", "forWorkspaceMember", "workspaceMember", "favorites", "CASCADE", None, False),
    ("timelineActivity", "workspaceMember", "workspaceMember", "timelineActivities", "CASCADE", None, False),
    ("message", "messageThread", "messageThread", "messages", "CASCADE", None, False),
    ("messageParticipant", "message", "message", "messageParticipants", "CASCADE", None, False),
    ("messageParticipant", "person", "person", "messageParticipants", "SET_NULL", None, False),
    ("messageParticipant", "workspaceMember", "workspaceMember", "messageParticipants", "SET_NULL", None, False),
    ("messageChannelMessageAssociation", "messageThread", "messageThread", "messageChannelMessageAssociations",
     "CASCADE", None, False),
    ("messageChannelMessageAssociation", "message", "message", "messageChannelMessageAssociations", "CASCADE", None,
     False),
    ("calendarEventParticipant", "calendarEvent", "calendarEvent", "calendarEventParticipants", "CASCADE", None, False),
    ("calendarEventParticipant", "person", "person", "calendarEventParticipants", "SET_NULL", None, False),
    ("calendarEventParticipant", "workspaceMember", "workspaceMember", "calendarEventParticipants", "SET_NULL", None,
     False),
    ("calendarChannelEventAssociation", "calendarEvent", "calendarEvent", "calendarChannelEventAssociations", "CASCADE",
     None, False),
    ("blocklist", "workspaceMember", "workspaceMember", "blocklist", "CASCADE", None, False),
    ("workflowVersion", "workflow", "workflow", "versions", "CASCADE", None, False),
    ("workflowRun", "workflowVersion", "workflowVersion", "runs", "SET_NULL", None, False),
    ("workflowRun", "workflow", "workflow", "runs", "CASCADE", None, False),
    ("workflowAutomatedTrigger", "workflow", "workflow", "automatedTriggers", "CASCADE", None, False),
    ("favorite", "favoriteFolder", "favoriteFolder", "favorites", "SET_NULL", None, False),
]  # fmt: skip
for _target in ("person", "company", "opportunity"):
    _cap = _upper_first(_target)
    STANDARD_RELATIONS += [
        ("noteTarget", f"target{_cap}", _target, "noteTargets", "CASCADE", "noteTarget", False),
        ("taskTarget", f"target{_cap}", _target, "taskTargets", "CASCADE", "taskTarget", False),
    ]
for _target, _on_delete in (
    ("task", "SET_NULL"), ("note", "SET_NULL"), ("person", "CASCADE"), ("company", "CASCADE"),
    ("opportunity", "CASCADE"), ("dashboard", "CASCADE"), ("workflow", "CASCADE"),
):  # fmt: skip
    _cap = _upper_first(_target)
    STANDARD_RELATIONS.append(("attachment", f"target{_cap}", _target, "attachments", _on_delete, "attachment", True))
for _target in ("person", "company", "opportunity", "task", "note", "dashboard", "workflow", "workflowVersion",
                "workflowRun"):  # fmt: skip
    STANDARD_RELATIONS.append(("favorite", _target, _target, "favorites", "CASCADE", None, True))
for _target, _on_delete in (
    ("person", "CASCADE"), ("company", "CASCADE"), ("opportunity", "SET_NULL"), ("note", "SET_NULL"),
    ("task", "SET_NULL"), ("workflow", "CASCADE"), ("workflowVersion", "CASCADE"), ("workflowRun", "CASCADE"),
    ("dashboard", "SET_NULL"),
):  # fmt: skip
    STANDARD_RELATIONS.append(
        (
            "timelineActivity",
            f"target{_upper_first(_target)}",
            _target,
            "timelineActivities",
            _on_delete,
            "timelineActivity",
            True,
        )
    )


def _humanize(name: str) -> str:
    """A label from a camelCase name: 'jobTitle' -> 'Job Title'."""
    words = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name)
    return words[:1].upper() + words[1:]


# ============================================================================================
# 5. Storage
# ============================================================================================

SCHEMA_VERSION = 7
APPLICATION_ID = "twenty_lite"

SCHEMA_SQL = """
CREATE TABLE meta_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE workspace(
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL,
    meta_version INTEGER NOT NULL DEFAULT 1,
    -- 1 while the data model is the untouched standard one: the fields are then the template's, with
    -- ids and attribute keys computed, not stored; the first change of the data model writes them out.
    shared_fields INTEGER NOT NULL DEFAULT 0,
    feature_flags TEXT NOT NULL DEFAULT '{}',  -- the flags set for it by name, as JSON
    settings TEXT NOT NULL DEFAULT '{}',  -- what updateWorkspace set (display name, default role, …), as JSON
    -- 0 while its views are the standard ones, computed from the data model; the first change of a view
    -- writes them out to view_item.
    views_stored INTEGER NOT NULL DEFAULT 0);
CREATE TABLE object_meta(
    key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, workspace_id TEXT NOT NULL,
    name_singular TEXT NOT NULL, name_plural TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE(workspace_id, name_singular), UNIQUE(workspace_id, name_plural));
-- Fields belong to a workspace through their object, so that handing a data model to another
-- workspace id (recycling a deleted workspace) rewrites a dozen object rows, not hundreds of fields.
CREATE TABLE field_meta(
    id TEXT PRIMARY KEY, object_id TEXT NOT NULL, name TEXT NOT NULL,
    ordinal INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE(object_id, name));
-- EAV: an attribute is one stored column of a field (a composite has one per sub-field).
CREATE TABLE attribute(
    key INTEGER PRIMARY KEY, field_id TEXT NOT NULL, sub TEXT NOT NULL DEFAULT '',
    UNIQUE(field_id, sub));
-- EAV: an entity is one record (16-byte id); seq is its storage key, increasing with each insert,
-- so that new records append to the value table and its index instead of landing on random pages.
CREATE TABLE entity(seq INTEGER PRIMARY KEY, obj INTEGER NOT NULL, id BLOB NOT NULL, deleted_at TEXT);
-- Lookup by id, and the live records of an object in id order (the default sort), index-only.
CREATE INDEX entity_by_id ON entity(obj, id, deleted_at);
CREATE TABLE value(seq INTEGER NOT NULL, attr INTEGER NOT NULL, v, PRIMARY KEY(seq, attr)) WITHOUT ROWID;
-- Filters, sorts and counts walk this index: one attribute, ordered by value.
CREATE INDEX value_by_attr ON value(attr, v, seq);
-- The read document of each record: its depth-0 JSON as both APIs show it, written with the values in
-- the same transaction, so that a page reads one row per record instead of one per stored column. The
-- values stay the store of record: a changed value or a removed record drops the document (triggers,
-- so no write path can forget), and a document whose shape (the object's output layout) is not the
-- current one is ignored. Missing documents are rendered from the values and written back.
CREATE TABLE record_doc(seq INTEGER PRIMARY KEY, shape INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TRIGGER value_changed AFTER UPDATE ON value BEGIN DELETE FROM record_doc WHERE seq = NEW.seq; END;
CREATE TRIGGER value_removed AFTER DELETE ON value BEGIN DELETE FROM record_doc WHERE seq = OLD.seq; END;
CREATE TRIGGER entity_removed AFTER DELETE ON entity BEGIN DELETE FROM record_doc WHERE seq = OLD.seq; END;
-- Live record counts, so an unfiltered totalCount never scans.
CREATE TABLE entity_count(
    obj INTEGER PRIMARY KEY, live INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0);
-- Roles: the flags, and per-object / per-field permissions, as one JSON document each.
CREATE TABLE role(id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX role_by_workspace ON role(workspace_id);
CREATE TABLE webhook(id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, data TEXT NOT NULL, deleted_at TEXT);
CREATE INDEX webhook_by_workspace ON webhook(workspace_id);
CREATE TABLE api_key(
    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, expires_at TEXT NOT NULL,
    revoked_at TEXT, role_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX api_key_by_workspace ON api_key(workspace_id);
"""
# Views and their parts (fields, filters, filter groups, sorts, groups, field groups): one JSON document
# each; the parent is the view's object, or the part's view. (Schema version 7 added it.)
VIEW_SQL = (
    "CREATE TABLE view_item(id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, kind TEXT NOT NULL, "
    "parent_id TEXT NOT NULL, data TEXT NOT NULL, deleted_at TEXT)",
    "CREATE INDEX view_item_by_parent ON view_item(workspace_id, kind, parent_id)",
)
SCHEMA_SQL += "".join(statement + ";\n" for statement in VIEW_SQL)


def _schema_part(sql: str, first: str, last: str) -> list[str]:
    """The one-line statements of the schema from the one naming `first` to the one naming `last`."""
    lines = sql.splitlines()
    start = next(n for n, line in enumerate(lines) if f" {first}(" in line or f" {first} " in line)
    end = next(n for n, line in enumerate(lines) if f" {last} " in line)
    return [line for line in lines[start : end + 1] if not line.startswith("--")]


class StoreError(Exception):
    """A database file that twenty_lite cannot use, with a message for a person."""


WAL_LIMIT = 64 << 20  # bytes of write-ahead log between checkpoints under writes that never pause


def _check_db_path(path: str) -> None:
    """Refuse a --db that cannot be a database file, saying why (before SQLite says something vaguer)."""
    if path == ":memory:" or path.startswith("file:"):
        return
    if os.path.isdir(path):
        raise StoreError(f"{path} is a folder: --db takes the path of a database file, e.g. {path}/twenty_lite.db")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise StoreError(f"The folder {folder} does not exist: create it, or give --db a path in a folder that does.")


# What SQLite's error text says went wrong with the file or the machine: (clue, fault), first match wins.
DB_FAULT_CLUES = (
    ("write-ahead log lost: ", "wal"), ("locked", "locked"), ("busy", "locked"), ("full", "full"),
    ("readonly", "readonly"), ("disk i/o", "io"), ("malformed", "damaged"), ("corrupt", "damaged"),
    ("not a database", "foreign"), ("unable to open", "open"), ("access", "open"),
)  # fmt: skip


def _db_fault(exc: sqlite3.Error) -> str | None:
    """The fault of the database file or the machine behind a SQLite error (DB_FAULT_CLUES), if any."""
    text = str(exc).lower()
    return next((fault for clue, fault in DB_FAULT_CLUES if clue in text), None)


def _store_error(path: str, exc: sqlite3.DatabaseError) -> StoreError:
    """What went wrong opening a database file, for a person."""
    return StoreError({
        "locked": f"{path} is locked by another process (another twenty_lite?): stop it, or use another --db.",
        "damaged": f"{path} is damaged ({exc}): restore it from a copy, or start with a new --db file.",
        "foreign": f"{path} is not a SQLite database: give --db a twenty_lite database or a new file name.",
        "readonly": f"{path} cannot be opened for writing ({exc}): check its permissions and free space.",
        "open": f"{path} cannot be opened for writing ({exc}): check its permissions and free space.",
        "full": f"{path} cannot be written: the disk is full.",
    }.get(_db_fault(exc) or "", f"{path} cannot be used as a database ({exc})."))  # fmt: skip


class Store:
    """SQLite access: one transaction helper for writes, snapshot reads, pooled connections."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.memory = path == ":memory:"
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None
        # Idle connections, lent to one thread at a time: a thread per HTTP connection must not pay for
        # opening SQLite and warming its page cache on every request.
        self._idle: list[sqlite3.Connection] = []
        self._writer: sqlite3.Connection | None = None
        self._tracer: Callable[[str], None] | None = None
        self._idle_lock = threading.Lock()
        self.created = False
        self._wal_dirty = threading.Event()
        self._checkpoint_lock = threading.Lock()
        self._checkpointer: threading.Thread | None = None
        self.wal_limit = WAL_LIMIT
        self._busy_ms = 3000  # at start a lock held elsewhere is reported after 3 s, not waited out
        self._wal_inode: int | None = None  # the WAL file the connections write to
        self.wal_lost: str | None = None  # set when it was removed under them: writes are refused
        _check_db_path(path)
        try:
            with self._lease() as conn:
                self._check_or_create(conn)
        except sqlite3.DatabaseError as exc:
            raise _store_error(path, exc) from None
        self._busy_ms = 30000
        for conn in self._idle:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        if self._writer is not None:
            self._writer.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    def _checkpoint_loop(self) -> None:
        """Fold the WAL back into the database off the request path: when writes pause, or, under
        writes that never pause, each time the WAL has grown by WAL_LIMIT. Then writes wait while it
        runs: a checkpoint racing new commits never catches up, so the WAL would never start over, and
        every page read looks through the index of every frame (reads 50 times slower at 1.6 GB)."""
        conn = self._open()
        while True:
            self._wal_dirty.wait()
            self._wal_dirty.clear()
            time.sleep(0.25)
            writing = self._wal_dirty.is_set()
            try:
                size = os.path.getsize(self.path + "-wal")
            except OSError:  # removed: the next commit notices (_check_wal); this thread must not end
                continue
            if writing and size < self.wal_limit:
                continue  # still writing, and the WAL is not yet large: wait for a pause
            hold = self._write_lock if writing else contextlib.nullcontext()
            with hold, self._checkpoint_lock, contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Fold what the WAL holds into the database file without waiting for anyone, and close every
        idle connection (at shutdown: nothing is left for interpreter finalization to do)."""
        with self._write_lock:
            with self._idle_lock:
                conns = [*self._idle, *(c for c in (self._writer, self._shared) if c is not None)]
                self._idle = []
            self._writer = self._shared = None
            for conn in conns:
                with contextlib.suppress(sqlite3.Error):
                    if not self.memory and not self.wal_lost:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    conn.close()

    def checkpoint(self) -> None:
        """Fold the whole WAL into the database file now and truncate it."""
        if not self.memory:
            with self._checkpoint_lock, self._lease() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _after_commit(self) -> None:
        if self.memory:
            return
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="wal-checkpoint", daemon=True)
            self._checkpointer.start()
        self._wal_dirty.set()

    def _open(self) -> sqlite3.Connection:
        """A new connection with the pragmas every connection needs."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        if self._tracer is not None:
            conn.set_trace_callback(self._tracer)
        conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        conn.execute("PRAGMA cache_size = -16384")  # 16 MiB a connection: hot index pages; the OS caches the file
        conn.execute("PRAGMA temp_store = MEMORY")
        if not self.memory:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")  # the WAL file shrinks back when it starts over
            conn.execute("PRAGMA mmap_size = 0")  # a mapped file counts its touched pages in RSS (739 MiB at 100k)
        return conn

    @contextlib.contextmanager
    def trace(self, callback: Callable[[str], None]) -> Iterator[None]:
        """Report every SQL statement of every connection to callback, for the time of a block (tools that
        count statements; connections are pooled, so tracing one would miss the others)."""
        self._tracer = callback
        with self._idle_lock:
            conns = [*self._idle, *(c for c in (self._writer, self._shared) if c is not None)]
        for conn in conns:
            conn.set_trace_callback(callback)
        try:
            yield
        finally:
            self._tracer = None
            for conn in conns:
                conn.set_trace_callback(None)

    def _conn(self) -> sqlite3.Connection:
        """A connection for a look outside any request (tests, tools): the shared one for :memory:, else
        this thread's held one or one of its own."""
        if self.memory:
            with self._lease() as conn:
                return conn
        held = getattr(self._local, "conn", None) or getattr(self._local, "own", None)
        if held is None:
            held = self._local.own = self._open()
        return held

    @contextlib.contextmanager
    def _lease(self, writer: bool = False) -> Iterator[sqlite3.Connection]:
        """This thread's connection for the time of a block: the one it already holds, the writer's (for a
        write transaction), an idle one, or a new one (the one shared connection for :memory:)."""
        if self.memory:
            if self._shared is None:
                self._shared = self._open()
            yield self._shared
            return
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        if writer:  # under the write lock: one connection for every write, so its page cache stays valid
            if self._writer is None:
                self._writer = self._open()
            self._local.conn = self._writer
            try:
                yield self._writer
            finally:
                self._local.conn = None
            return
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        self._local.conn = conn = conn or self._open()
        try:
            yield conn
        finally:
            self._local.conn = None
            with self._idle_lock:
                self._idle.append(conn)

    def _check_or_create(self, conn: sqlite3.Connection) -> None:
        """Create the schema in an empty file; refuse an older or foreign one clearly."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            with self._write_lock:
                conn.executescript("BEGIN;" + SCHEMA_SQL + "COMMIT;")
            with self.write() as c:
                c.executemany(
                    "INSERT INTO meta_info(key, value) VALUES (?, ?)",
                    [
                        ("application", APPLICATION_ID),
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("app_secret", os.urandom(32).hex()),
                    ],
                )
            self.created = True
            return
        info = dict(conn.execute("SELECT key, value FROM meta_info")) if "meta_info" in tables else {}
        if info.get("application") != APPLICATION_ID:
            raise StoreError(f"{self.path} is a SQLite database, but not one of twenty_lite's.")
        if info.get("schema_version") in ("4", "5", "6"):
            with self.write() as c:
                if info["schema_version"] == "4":  # version 5 added the read documents: built as records are read
                    for statement in _schema_part(SCHEMA_SQL, "record_doc", "entity_removed"):
                        c.execute(statement)
                columns = {row[1] for row in c.execute("PRAGMA table_info(workspace)")}
                if "feature_flags" not in columns:  # version 6 added the workspaces' feature flags
                    c.execute("ALTER TABLE workspace ADD COLUMN feature_flags TEXT NOT NULL DEFAULT '{}'")
                if "settings" not in columns:  # version 7 added workspace settings and views
                    c.execute("ALTER TABLE workspace ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")
                    c.execute("ALTER TABLE workspace ADD COLUMN views_stored INTEGER NOT NULL DEFAULT 0")
                    for statement in VIEW_SQL:
                        c.execute(statement)
                    # A key with no role could do nothing (403); the newest Twenty has none: such a key is
                    # revoked and shown with the Guest role.
                    c.execute(
                        "UPDATE api_key SET revoked_at = COALESCE(revoked_at, ?), role_id = (SELECT r.id FROM role r "
                        "WHERE r.workspace_id = api_key.workspace_id AND json_extract(r.data, '$.props.label') = "
                        "'Guest') WHERE role_id IS NULL",
                        (_iso(datetime.now(timezone.utc)),),
                    )
                c.execute("UPDATE meta_info SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            return
        if info.get("schema_version") != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has twenty_lite schema version {info.get('schema_version')}; this "
                f"twenty_lite reads version {SCHEMA_VERSION}. Start with a new --db file."
            )

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The one transaction helper: everything inside commits together or not at all."""
        with self._write_lock, self._lease(writer=True) as conn:
            if conn.in_transaction:  # nested use joins the outer transaction
                yield conn
                return
            if self.wal_lost:
                raise sqlite3.OperationalError(f"write-ahead log lost: {self.wal_lost}")
            conn.execute("BEGIN IMMEDIATE")
            self._local.writing = True
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite itself rolls back on a full disk or an I/O error
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._local.writing = False
            if not conn.in_transaction:  # rolled back by SQLite under an error a caller reported and went on
                raise sqlite3.OperationalError("disk full or I/O error: the transaction was rolled back")
            conn.execute("COMMIT")
            self._check_wal(conn)
            self._after_commit()

    def _check_wal(self, writer: sqlite3.Connection) -> None:
        """After a commit, still under the write lock: if the WAL file was removed or replaced (someone
        deleted db-wal while the server ran), fold what it held into the database file through this
        connection, which still has it open, before the write is acknowledged; then refuse writes, which
        would go to a file nobody will ever read again."""
        if self.memory:
            return
        try:
            inode: int | None = os.stat(self.path + "-wal").st_ino
        except OSError:
            inode = None
        if self._wal_inode is None:
            self._wal_inode = inode
            return
        if inode == self._wal_inode:
            return
        writer.execute("PRAGMA wal_checkpoint(FULL)")
        self.wal_lost = (
            f"{self.path}-wal was removed while twenty_lite ran; everything written is safe in {self.path}: "
            "restart twenty_lite to write again"
        )

    def writing(self) -> bool:
        """Whether this thread is inside a write transaction."""
        return getattr(self._local, "writing", False)

    @contextlib.contextmanager
    def write_if_free(self) -> Iterator[sqlite3.Connection | None]:
        """A write transaction if no other thread holds the write lock now, else None (for work that can
        wait for another request, never worth making one wait)."""
        if self.wal_lost or not self._write_lock.acquire(blocking=False):
            yield None
            return
        try:
            with self.write() as conn:
                yield conn
        finally:
            self._write_lock.release()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for the reads of one request."""
        if self.memory:
            with self._write_lock, self._lease() as conn:
                yield conn
            return
        with self._lease() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def info(self, key: str) -> str | None:
        """A value of the meta_info table."""
        with self.read() as conn:
            row = conn.execute("SELECT value FROM meta_info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


def _savepoint(conn: sqlite3.Connection, change: Callable[[], Any]) -> Any:
    """Run change inside the current transaction so that, if it fails, it alone is undone
    (one GraphQL root field of a document that holds several)."""
    conn.execute("SAVEPOINT field")
    try:
        result = change()
    except BaseException:
        conn.execute("ROLLBACK TO field")
        conn.execute("RELEASE field")
        raise
    conn.execute("RELEASE field")
    return result


# ---- metadata rows ------------------------------------------------------------------------

OBJECT_PROPS = (
    "labelSingular", "labelPlural", "description", "icon", "shortcut", "color", "isCustom", "isActive", "isSystem",
    "isSearchable", "isRemote", "isLabelSyncedWithName", "labelIdentifier", "imageIdentifier", "duplicateCriteria",
    "createdAt", "updatedAt", "customIndexes", "writability",
)  # fmt: skip


def _field_columns(props: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(sub, column name, kind) for each stored attribute of a field."""
    ftype, name = props["type"], props["name"]
    if name == "id":  # the entity row holds it
        return []
    if ftype in COMPOSITES:
        return [(sub, name + _upper_first(sub), kind) for sub, kind in COMPOSITES[ftype]]
    if ftype in RELATION_TYPES:
        settings = props.get("settings") or {}
        if settings.get("relationType") == "MANY_TO_ONE":
            return [("", settings["joinColumnName"], "UUID")]
        return []
    if ftype == "TS_VECTOR":
        return []
    return [("", name, ftype)]


def _insert_object(conn: sqlite3.Connection, workspace_id: str, props: dict[str, Any]) -> int:
    """Store an object's metadata row; returns its integer key."""
    data = {k: props.get(k) for k in OBJECT_PROPS}
    cur = conn.execute(
        "INSERT INTO object_meta(id, workspace_id, name_singular, name_plural, data) VALUES (?,?,?,?,?)",
        (props["id"], workspace_id, props["nameSingular"], props["namePlural"], _dumps(data)),
    )
    conn.execute("INSERT INTO entity_count(obj, live) VALUES (?, 0)", (cur.lastrowid,))
    return int(cur.lastrowid or 0)


WORKSPACE_FIELDS = "field_meta f JOIN object_meta o ON o.id = f.object_id WHERE o.workspace_id = ?"


def _workspace_attributes(conn: sqlite3.Connection, workspace_id: str) -> list[tuple[int, str, str]]:
    """(key, field id, sub) of every attribute of a workspace's fields, in key order."""
    return conn.execute(
        "SELECT a.key, a.field_id, a.sub FROM attribute a JOIN field_meta f ON f.id = a.field_id "
        "JOIN object_meta o ON o.id = f.object_id WHERE o.workspace_id = ? ORDER BY a.key",
        (workspace_id,),
    ).fetchall()


def _insert_fields(conn: sqlite3.Connection, workspace_id: str, fields: list[dict[str, Any]]) -> None:
    """Store field metadata rows and their EAV attributes."""
    if _shares_fields(conn, workspace_id):
        raise RuntimeError("the workspace's shared fields must be written out first (_own_fields)")
    start = conn.execute(f"SELECT coalesce(max(f.ordinal), 0) FROM {WORKSPACE_FIELDS}", (workspace_id,)).fetchone()[0]
    conn.executemany(
        "INSERT INTO field_meta(id, object_id, name, ordinal, data) VALUES (?,?,?,?,?)",
        [(f["id"], f["objectMetadataId"], f["name"], start + i + 1, _dumps(f)) for i, f in enumerate(fields)],
    )
    conn.executemany(
        "INSERT INTO attribute(field_id, sub) VALUES (?, ?)",
        [(f["id"], sub) for f in fields for sub, _, _ in _field_columns(f)],
    )


def _stored_fields(
    conn: sqlite3.Connection, workspace_id: str, field_cache: dict[str, FieldMeta] | None
) -> list[FieldMeta]:
    """The FieldMeta of a workspace's own field rows, in order, reusing those of unchanged rows."""
    cache = field_cache if field_cache is not None else {}
    rows = [r[0] for r in conn.execute(f"SELECT f.data FROM {WORKSPACE_FIELDS} ORDER BY f.ordinal", (workspace_id,))]
    attrs: dict[tuple[str, str], int] = {}
    if any(data not in cache for data in rows):
        attrs = {(fid, sub): key for key, fid, sub in _workspace_attributes(conn, workspace_id)}
    used: dict[str, FieldMeta] = {}
    for data in rows:
        meta = cache.get(data)
        if meta is None:
            props = json.loads(data)
            columns = tuple(
                Column(attrs[(props["id"], sub)], cname, props["name"], sub or None, kind, _empty_is_null(kind))
                for sub, cname, kind in _field_columns(props)
            )
            meta = _field_from_props(props, columns)
        used[data] = meta
    if field_cache is not None:
        field_cache.clear()
        field_cache.update(used)
    return list(used.values())


def _load_schema(
    conn: sqlite3.Connection,
    workspace_id: str,
    field_cache: dict[str, FieldMeta] | None = None,
    standard: StandardModel | None = None,
) -> Schema:
    """Read a workspace's objects, fields and attributes into frozen metadata.

    field_cache maps a field's stored JSON to its FieldMeta from an earlier load: a field whose
    row did not change is reused as is (its attributes never change), so a data-model change
    rebuilds only what it touched. standard is the template's model, for a workspace that shares
    its fields (read from the database when not given).
    """
    row = conn.execute("SELECT meta_version, shared_fields FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
    if row is None:
        raise ApiError(401, "WORKSPACE_NOT_FOUND", "Workspace not found")
    object_rows = conn.execute(
        "SELECT key, id, name_singular, name_plural, data FROM object_meta WHERE workspace_id = ? ORDER BY key",
        (workspace_id,),
    ).fetchall()
    if row[1]:
        if standard is None:
            template = conn.execute("SELECT value FROM meta_info WHERE key = 'template_workspace'").fetchone()[0]
            standard = _standard_model_of(conn, template)
        metas = _shared_fields(standard, object_rows)[0]
        shape = standard.shape
    else:
        metas = _stored_fields(conn, workspace_id, field_cache)
        shape = None
    fields_by_object: dict[str, list[FieldMeta]] = {}
    for meta in metas:
        fields_by_object.setdefault(meta.object_id, []).append(meta)
    parsed = [(key, oid, singular, plural, json.loads(data)) for key, oid, singular, plural, data in object_rows]
    inactive = {oid for _, oid, _, _, d in parsed if d.get("isActive") is False}
    objects = []
    for key, oid, singular, plural, d in parsed:
        fields = tuple(fields_by_object.get(oid, ()))
        hidden = frozenset(f.id for f in fields if f.target_object_id in inactive)
        active = [f for f in fields if f.is_active and f.id not in hidden]
        columns = [c for f in active for c in f.columns]
        objects.append(
            ObjectMeta(
                id=oid,
                key=key,
                name_singular=singular,
                name_plural=plural,
                label_singular=d["labelSingular"],
                label_plural=d["labelPlural"],
                description=d.get("description"),
                icon=d.get("icon"),
                shortcut=d.get("shortcut"),
                is_custom=bool(d.get("isCustom")),
                is_active=d.get("isActive", True) is not False,
                is_system=bool(d.get("isSystem")),
                is_searchable=bool(d.get("isSearchable")),
                label_identifier=d.get("labelIdentifier"),
                image_identifier=d.get("imageIdentifier"),
                duplicate_criteria=tuple(tuple(g) for g in d["duplicateCriteria"])
                if d.get("duplicateCriteria")
                else None,
                created_at=d.get("createdAt") or "",
                updated_at=d.get("updatedAt") or "",
                fields=fields,
                by_name={f.name: f for f in active},
                by_join_column={f.join_column: f for f in active if f.join_column},
                columns_by_name={c.name: c for c in columns},
                columns_by_key={c.key: c for c in columns},
                props=d,
                hidden=hidden,
            )
        )
    schema = _assemble_schema(workspace_id, row[0], objects)
    if shape is not None:  # the standard model's, known already
        schema.__dict__["shape"] = shape
    return schema


def _assemble_schema(workspace_id: str, version: int, objects: Sequence[ObjectMeta]) -> Schema:
    """A Schema of its objects, with the lookups by name and id."""
    active_objects = [o for o in objects if o.is_active]
    return Schema(
        workspace_id=workspace_id,
        version=version,
        objects=tuple(objects),
        by_plural={o.name_plural: o for o in active_objects},
        by_singular={o.name_singular: o for o in active_objects},
        by_id={o.id: o for o in objects},
        enum_schema="workspace_" + _base36(int(workspace_id.replace("-", ""), 16)),
    )


def _moved_schema(schema: Schema, workspace_id: str) -> Schema:
    """The same data model held by another workspace id (a recycled workspace): its objects, with their
    parsed fields and output plans, and its GraphQL shape are shared rather than rebuilt."""
    moved = _assemble_schema(workspace_id, schema.version, schema.objects)
    if "shape" in schema.__dict__:
        moved.__dict__["shape"] = schema.__dict__["shape"]
    return moved


def _field_from_props(props: dict[str, Any], columns: tuple[Column, ...]) -> FieldMeta:
    """A FieldMeta from its stored JSON properties."""
    return FieldMeta(
        id=props["id"],
        object_id=props["objectMetadataId"],
        name=props["name"],
        label=props["label"],
        type=props["type"],
        description=props.get("description"),
        icon=props.get("icon"),
        is_custom=bool(props.get("isCustom")),
        is_active=props.get("isActive", True) is not False,
        is_system=bool(props.get("isSystem")),
        is_nullable=props.get("isNullable", True) is not False,
        is_unique=bool(props.get("isUnique")),
        is_ui_readonly=bool(props.get("isUIReadOnly")),
        is_label_synced=bool(props.get("isLabelSyncedWithName")),
        default=props.get("defaultValue"),
        options=tuple(props["options"]) if props.get("options") else None,
        settings=props.get("settings"),
        morph_id=props.get("morphId"),
        target_object_id=props.get("relationTargetObjectMetadataId"),
        target_field_id=props.get("relationTargetFieldMetadataId"),
        created_at=props.get("createdAt") or "",
        updated_at=props.get("updatedAt") or "",
        columns=columns,
        props=props,
    )


def _field_props(
    object_id: str, name: str, ftype: str, now: str, new_id: Callable[[], str], **extra: Any
) -> dict[str, Any]:
    """Stored properties of a new field, with Twenty's defaults for the rest."""
    props: dict[str, Any] = {
        "id": new_id(), "objectMetadataId": object_id, "name": name,
        "label": extra["label"] if "label" in extra else _humanize(name), "type": ftype,
        "description": None, "icon": None, "isCustom": False, "isActive": True, "isSystem": False,
        "isNullable": True, "isUnique": False, "isUIReadOnly": False, "isLabelSyncedWithName": False,
        "defaultValue": None, "options": None, "settings": None, "createdAt": now, "updatedAt": now,
    }  # fmt: skip
    props.update(extra)
    return props


def _standard_model_rows(now: str, new_id: Callable[[], str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Object and field properties of a new workspace's standard objects."""
    objects, fields = [], []
    ids: dict[str, str] = {}
    by_object: dict[str, list[dict[str, Any]]] = {}
    for spec in STANDARD_OBJECTS:
        oid = ids[spec["s"]] = new_id()
        objects.append(
            {
                "id": oid,
                "nameSingular": spec["s"],
                "namePlural": spec["p"],
                "labelSingular": spec["ls"],
                "labelPlural": spec["lp"],
                "description": None,
                "icon": spec["icon"],
                "shortcut": spec.get("shortcut"),
                "isCustom": False,
                "isActive": True,
                "isSystem": spec["system"],
                "isSearchable": spec["searchable"],
                "isRemote": False,
                "labelIdentifier": spec["label"],
                "imageIdentifier": spec.get("image"),
                "duplicateCriteria": spec.get("dup"),
                "writability": spec.get("writability", "OPEN"),
                "createdAt": now,
                "updatedAt": now,
            }
        )
        own = by_object[spec["s"]] = []
        own.append(
            _field_props(
                oid,
                "id",
                "UUID",
                now,
                new_id,
                label="Id",
                isSystem=True,
                isNullable=False,
                isUnique=True,
                defaultValue="uuid",
                isUIReadOnly=True,
            )
        )
        for entry in spec["fields"]:
            name, ftype = entry[0].rstrip("!"), entry[1]
            extra: dict[str, Any] = {"isNullable": not entry[0].endswith("!")}
            rest = entry[2:]
            if ftype in COMPOSITES:
                extra["defaultValue"] = _quote_default(_EMPTY[ftype])
                if "unique" in rest:
                    extra["isUnique"] = True
                if ftype in ("EMAILS", "PHONES", "LINKS") and name in ("domainName", "emails", "phones"):
                    extra["settings"] = {"maxNumberOfValues": 1}
            else:
                extra["defaultValue"] = rest[0] if rest[0] == "now" else _quote_default(rest[0])
                if len(rest) > 1 and isinstance(rest[1], list):
                    extra["options"] = [dict(o, id=new_id()) for o in rest[1]]
                if "unique" in rest:
                    extra["isUnique"] = True
                if ftype == "NUMBER" and name == "calendarStartDay":
                    extra["settings"] = {"dataType": "int"}
                if ftype == "FILES":
                    extra["settings"] = {"maxNumberOfValues": 1}
            if "system" in rest:
                extra["isSystem"] = True
            own.append(_field_props(oid, name, ftype, now, new_id, **extra))
        pos_type = "NUMBER" if spec["s"] == "favorite" else "POSITION"
        own.append(
            _field_props(
                oid,
                "position",
                pos_type,
                now,
                new_id,
                isSystem=pos_type == "POSITION",
                isNullable=False,
                defaultValue=0,
            )
        )
        for name in ("createdAt", "updatedAt"):
            own.append(
                _field_props(
                    oid, name, "DATE_TIME", now, new_id, isNullable=False, defaultValue="now", isUIReadOnly=True
                )
            )
        own.append(_field_props(oid, "deletedAt", "DATE_TIME", now, new_id, isUIReadOnly=True))
        actors = ("createdBy",) if spec.get("no_updated_by") else ("createdBy", "updatedBy")
        for name in actors:
            own.append(
                _field_props(
                    oid,
                    name,
                    "ACTOR",
                    now,
                    new_id,
                    isNullable=False,
                    isUIReadOnly=True,
                    defaultValue=_quote_default(_EMPTY["ACTOR"]),
                )
            )
        if spec["searchable"]:
            own.append(
                _field_props(oid, "searchVector", "TS_VECTOR", now, new_id, isSystem=True, label="Search vector")
            )
    morph_ids: dict[str, str] = {}
    for source, name, target, inverse, on_delete, morph, inverse_system in STANDARD_RELATIONS:
        m2o = _field_props(
            ids[source],
            name,
            "MORPH_RELATION" if morph else "RELATION",
            now,
            new_id,
            settings={"relationType": "MANY_TO_ONE", "onDelete": on_delete, "joinColumnName": name + "Id"},
            relationTargetObjectMetadataId=ids[target],
        )
        if morph:
            m2o["morphId"] = morph_ids.setdefault(morph, new_id())
        o2m = _field_props(
            ids[target],
            inverse,
            "RELATION",
            now,
            new_id,
            settings={"relationType": "ONE_TO_MANY"},
            relationTargetObjectMetadataId=ids[source],
            isSystem=inverse_system,
        )
        m2o["relationTargetFieldMetadataId"], o2m["relationTargetFieldMetadataId"] = o2m["id"], m2o["id"]
        by_object[source].append(m2o)
        by_object[target].append(o2m)
    for spec in STANDARD_OBJECTS:
        labels = _field_labels(spec["s"])
        for props in by_object[spec["s"]]:
            label, icon = labels.get(props["name"], ("", None))
            props.update(label=label or props["label"], icon=icon or props["icon"])
        fields.extend(by_object[spec["s"]])
    return objects, fields


def _field_labels(object_name: str) -> dict[str, tuple[str, str | None]]:
    """STANDARD_FIELD_LABELS of one object: field -> (label or '', icon or None)."""
    out = {}
    for item in filter(None, STANDARD_FIELD_LABELS.get(object_name, "").split(",")):
        name, label, icon = item.split(":")
        out[name] = (label, icon or None)
    return out


def _stored_feature_flags(conn: sqlite3.Connection, workspace_id: str) -> dict[str, bool]:
    """The flags a workspace has a row for, as Twenty lists them: its defaults (true), then the ones set."""
    row = conn.execute("SELECT feature_flags FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
    return {**{name: True for name, value in FEATURE_FLAGS.items() if value}, **(json.loads(row[0]) if row else {})}


def _feature_flags(conn: sqlite3.Connection, workspace_id: str) -> dict[str, bool]:
    """Every flag's value in a workspace (a flag with no row is false)."""
    return {**FEATURE_FLAGS, **_stored_feature_flags(conn, workspace_id)}


def _set_feature_flags(conn: sqlite3.Connection, workspace_id: str, flags: dict[str, bool]) -> None:
    """Set some of a workspace's feature flags (names and values checked by the caller)."""
    row = conn.execute("SELECT feature_flags FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
    merged = {**(json.loads(row[0]) if row else {}), **flags}
    conn.execute("UPDATE workspace SET feature_flags = ? WHERE id = ?", (_dumps(merged), workspace_id))


def _create_workspace(
    conn: sqlite3.Connection, workspace_id: str, name: str, now: str, new_id: Callable[[], str]
) -> None:
    """A workspace with Twenty's standard data model stored in full, and no records: the template, whose
    fields the other workspaces share."""
    conn.execute("INSERT INTO workspace(id, name, created_at) VALUES (?, ?, ?)", (workspace_id, name, now))
    conn.executemany(
        "INSERT INTO role(id, workspace_id, data) VALUES (?, ?, ?)", _standard_role_rows(workspace_id, new_id)
    )
    _insert_standard_model(conn, workspace_id, now, new_id)


def _insert_standard_model(conn: sqlite3.Connection, workspace_id: str, now: str, new_id: Callable[[], str]) -> None:
    """The standard objects and their fields."""
    objects, fields = _standard_model_rows(now, new_id)
    for props in objects:
        _insert_object(conn, workspace_id, props)
    _insert_fields(conn, workspace_id, fields)


def _drop_workspace_data(conn: sqlite3.Connection, workspace_id: str) -> None:
    """Every record and every object and field of a workspace (roles and keys stay)."""
    _purge_records(conn, workspace_id)
    keys = [r[0] for r in conn.execute("SELECT key FROM object_meta WHERE workspace_id = ?", (workspace_id,))]
    for part in _chunks(keys):
        conn.execute(f"DELETE FROM entity_count WHERE obj IN ({_marks(len(part))})", part)
    conn.execute(f"DELETE FROM attribute WHERE field_id IN (SELECT f.id FROM {WORKSPACE_FIELDS})", (workspace_id,))
    conn.execute(
        "DELETE FROM field_meta WHERE object_id IN (SELECT id FROM object_meta WHERE workspace_id = ?)", (workspace_id,)
    )
    conn.execute("DELETE FROM object_meta WHERE workspace_id = ?", (workspace_id,))
    conn.execute("DELETE FROM view_item WHERE workspace_id = ?", (workspace_id,))
    conn.execute("UPDATE workspace SET shared_fields = 0, views_stored = 0 WHERE id = ?", (workspace_id,))


def _purge_records(conn: sqlite3.Connection, workspace_id: str) -> None:
    """Every record of a workspace, deleted or not; its data model stays."""
    keys = [
        r[0]
        for r in conn.execute(
            "SELECT c.obj FROM object_meta o JOIN entity_count c ON c.obj = o.key WHERE o.workspace_id = ? AND c.total > 0",
            (workspace_id,),
        )
    ]
    for part in _chunks(keys):
        inner = f"SELECT seq FROM entity WHERE obj IN ({_marks(len(part))})"
        conn.execute(f"DELETE FROM value WHERE seq IN ({inner})", part)
        conn.execute(f"DELETE FROM entity WHERE obj IN ({_marks(len(part))})", part)
        conn.execute(f"UPDATE entity_count SET live = 0, total = 0 WHERE obj IN ({_marks(len(part))})", part)


# ---- The standard data model, shared ------------------------------------------------------

# A new workspace stores only its objects; its fields are the template workspace's, their ids
# derived from the workspace's first object id and their attribute keys from its object keys, so
# they are the same every time they are computed. Making a workspace writes a dozen rows instead of
# four hundred, and the first change of its data model writes the fields out unchanged.

FIELD_ID_KEYS = ("id", "objectMetadataId", "relationTargetFieldMetadataId", "relationTargetObjectMetadataId", "morphId")
SLOTS_PER_OBJECT = 4096  # attribute keys of shared fields: -(object key * SLOTS_PER_OBJECT + slot)


@_record(frozen=True)
class StandardModel:
    """The template workspace's data model, laid out for workspaces that share its fields."""

    objects: tuple[tuple[str, str, str, str], ...]  # (id, singular, plural, data), in key order
    text: str  # the fields' JSON, joined by newlines
    derived: tuple[str, ...]  # field and morph ids, which each workspace derives its own of
    metas: tuple[FieldMeta, ...]  # the template's fields, in field order
    remaps: tuple[tuple[tuple[str, str], ...], ...]  # per field: (property, template id) to renew
    columns: tuple[tuple[tuple[Column, int, int], ...], ...]  # per field: (column, object index, slot)
    shape: str  # the GraphQL shape of the standard model, the same in every workspace that shares it

    @functools.cached_property
    def text_parts(self) -> tuple[str, ...]:
        """The fields' JSON split around UUIDs, for writing a workspace's fields out: split when first needed,
        not at start-up, which it would cost 3 ms."""
        return tuple(re.split(f"({UUID_ANY.pattern})", self.text))


def _standard_model_of(conn: sqlite3.Connection, template: str) -> StandardModel:
    """Read the template workspace's data model."""
    objects = tuple(
        conn.execute(
            "SELECT id, name_singular, name_plural, data FROM object_meta WHERE workspace_id = ? ORDER BY key",
            (template,),
        )
    )
    rows = conn.execute(
        f"SELECT f.id, f.object_id, f.name, f.data FROM {WORKSPACE_FIELDS} ORDER BY f.ordinal", (template,)
    ).fetchall()
    index = {row[0]: n for n, row in enumerate(rows)}
    object_index = {o[0]: n for n, o in enumerate(objects)}
    used: dict[int, int] = {}
    where = {}  # (field index, sub) -> (object index, slot among the object's attributes)
    for _, fid, sub in _workspace_attributes(conn, template):
        obj = object_index[rows[index[fid]][1]]
        used[obj] = used.get(obj, -1) + 1
        where[(index[fid], sub)] = (obj, used[obj])
    schema = _load_schema(conn, template)
    by_id = {f.id: f for o in schema.objects for f in o.fields}
    metas = tuple(by_id[row[0]] for row in rows)
    derived = [row[0] for row in rows] + [m.morph_id for m in metas if m.morph_id]
    renewed = set(derived) | set(object_index)
    remaps = tuple(
        tuple((name, m.props[name]) for name in FIELD_ID_KEYS if m.props.get(name) in renewed) for m in metas
    )
    columns = tuple(tuple((c, *where[(i, c.sub or "")]) for c in m.columns) for i, m in enumerate(metas))
    text = "\n".join(row[3] for row in rows)
    return StandardModel(objects, text, tuple(dict.fromkeys(derived)), metas, remaps, columns, schema.shape)


def _shares_fields(conn: sqlite3.Connection, workspace_id: str) -> bool:
    """Whether a workspace's data model is still the standard one, its fields the template's."""
    row = conn.execute("SELECT shared_fields FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
    return bool(row and row[0])


def _derived_id(seed: str, template_id: str) -> str:
    """A workspace's own id for a template field or morph id: a UUID v4 computed, not stored."""
    return _uuid_text(hashlib.blake2b(f"{seed}/{template_id}".encode(), digest_size=16).digest(), 4)


def _shared_fields(
    model: StandardModel, object_rows: Sequence[Sequence[Any]]
) -> tuple[list[FieldMeta], dict[str, str]]:
    """The FieldMeta of a workspace that shares the template's fields, built from the template's (no
    JSON parsed), and the map of template ids to the workspace's. object_rows: (key, id, singular, …)."""
    mine = {row[2]: (row[0], row[1]) for row in object_rows}
    renewed: dict[str, str] = {}
    keys_of_objects = []
    for oid, singular, _, _ in model.objects:
        key, renewed[oid] = mine[singular]
        keys_of_objects.append(key)
    seed = renewed[model.objects[0][0]]
    for old in model.derived:
        renewed[old] = _derived_id(seed, old)
    metas = []
    for meta, remap, template_columns in zip(model.metas, model.remaps, model.columns):
        props = meta.props.copy()
        for name, old in remap:
            props[name] = renewed[old]
        columns = tuple(
            _copied(c, key=-(keys_of_objects[obj] * SLOTS_PER_OBJECT + slot)) for c, obj, slot in template_columns
        )
        metas.append(
            _copied(
                meta,
                id=props["id"],
                object_id=props["objectMetadataId"],
                morph_id=props.get("morphId"),
                target_object_id=props.get("relationTargetObjectMetadataId"),
                target_field_id=props.get("relationTargetFieldMetadataId"),
                columns=columns,
                props=props,
            )
        )
    return metas, renewed


def _insert_shared_model(
    conn: sqlite3.Connection, workspace_id: str, model: StandardModel, new_id: Callable[[], str]
) -> None:
    """Give a workspace without a data model the standard one: its objects, sharing the template's fields."""
    conn.executemany(
        "INSERT INTO object_meta(id, workspace_id, name_singular, name_plural, data) VALUES (?,?,?,?,?)",
        [(new_id(), workspace_id, singular, plural, data) for _, singular, plural, data in model.objects],
    )
    conn.execute("INSERT INTO entity_count(obj) SELECT key FROM object_meta WHERE workspace_id = ?", (workspace_id,))
    conn.execute("UPDATE workspace SET shared_fields = 1 WHERE id = ?", (workspace_id,))


def _store_shared_fields(conn: sqlite3.Connection, workspace_id: str, model: StandardModel) -> dict[str, FieldMeta]:
    """Write out the fields a workspace shares with the template as its own rows, with the same ids and
    attribute keys (before its data model first changes); returns their FieldMeta by stored JSON."""
    if not _shares_fields(conn, workspace_id):
        return {}
    object_rows = conn.execute(
        "SELECT key, id, name_singular FROM object_meta WHERE workspace_id = ?", (workspace_id,)
    ).fetchall()
    metas, renewed = _shared_fields(model, object_rows)
    texts = "".join([renewed.get(part, part) for part in model.text_parts]).split("\n")
    conn.executemany(
        "INSERT INTO field_meta(id, object_id, name, ordinal, data) VALUES (?,?,?,?,?)",
        [(m.id, m.object_id, m.name, n, text) for n, (m, text) in enumerate(zip(metas, texts), 1)],
    )
    conn.executemany(
        "INSERT INTO attribute(key, field_id, sub) VALUES (?, ?, ?)",
        [(c.key, m.id, c.sub or "") for m in metas for c in m.columns],
    )
    conn.execute("UPDATE workspace SET shared_fields = 0 WHERE id = ?", (workspace_id,))
    return dict(zip(texts, metas))


# ---- EAV reads and writes -----------------------------------------------------------------

CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Slices of at most size items, to stay under SQLite's parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int) -> str:
    """'?,?,…' for an IN list."""
    return ",".join("?" * count)


def _keys_cte(count: int) -> str:
    """A table k(key) of count parameters, to look records up one key at a time in a correlated
    subquery: SQLite then looks each one up whatever its statistics say (stale ones, taken while a table
    was small, once chose a scan of every read document over 60 lookups: 15 ms instead of 40 µs)."""
    return f"WITH k(key) AS (VALUES {','.join(['(?)'] * count)})"


def _fetch_values(conn: sqlite3.Connection, obj: ObjectMeta, ids: Sequence[bytes]) -> dict[bytes, dict[str, Any]]:
    """Stored values of records by id: {id: {column name: stored value}} (two queries per 500 ids)."""
    out: dict[bytes, dict[str, Any]] = {i: {} for i in ids}
    names = {key: col.name for key, col in obj.columns_by_key.items()}
    for part in _chunks(list(out)):
        by_seq = {
            seq: out[rid]
            for seq, rid in conn.execute(
                f"SELECT seq, id FROM entity WHERE obj = ? AND id IN ({_marks(len(part))})", (obj.key, *part)
            )
        }
        seqs = list(by_seq)
        for seq, attr, v in conn.execute(f"SELECT seq, attr, v FROM value WHERE seq IN ({_marks(len(seqs))})", seqs):
            name = names.get(attr)
            if name is not None:
                by_seq[seq][name] = v
    return out


def _existing_ids(
    conn: sqlite3.Connection, obj: ObjectMeta, ids: Sequence[bytes], live_only: bool = False
) -> set[bytes]:
    """Which of these ids exist in the object (optionally: and are not soft-deleted)."""
    found: set[bytes] = set()
    extra = " AND deleted_at IS NULL" if live_only else ""
    for part in _chunks(list(dict.fromkeys(ids))):
        found.update(
            r[0]
            for r in conn.execute(
                f"SELECT id FROM entity WHERE obj = ? AND id IN ({_marks(len(part))}){extra}", (obj.key, *part)
            )
        )
    return found


def _insert_entities(conn: sqlite3.Connection, obj: ObjectMeta, rows: Sequence[tuple[bytes, dict[str, Any]]]) -> None:
    """Store new records: an entity row each and one value row per column, in two statements."""
    columns = list(obj.columns_by_key.values())
    first = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM entity").fetchone()[0]
    conn.executemany(
        "INSERT INTO entity(seq, obj, id, deleted_at) VALUES (?, ?, ?, ?)",
        [(first + n, obj.key, rid, values.get("deletedAt")) for n, (rid, values) in enumerate(rows)],
    )
    conn.executemany(
        "INSERT INTO value(seq, attr, v) VALUES (?, ?, ?)",
        [(first + n, c.key, values.get(c.name)) for n, (_, values) in enumerate(rows) for c in columns],
    )
    _store_docs(conn, obj, {first + n: _render_doc(obj, rid, values) for n, (rid, values) in enumerate(rows)})
    live = sum(1 for _, values in rows if values.get("deletedAt") is None)
    conn.execute("UPDATE entity_count SET live = live + ?, total = total + ? WHERE obj = ?", (live, len(rows), obj.key))


def _update_entity(
    conn: sqlite3.Connection,
    obj: ObjectMeta,
    rid: bytes,
    changes: dict[str, Any],
    was_deleted: bool,
    merged: dict[str, Any],
) -> None:
    """Write changed columns of a record (merged: all its values after the change), keeping its read
    document, the live count and the deleted flag in step."""
    if not changes:
        return
    seq = conn.execute("SELECT seq FROM entity WHERE obj = ? AND id = ?", (obj.key, rid)).fetchone()[0]
    conn.executemany(
        "UPDATE value SET v = ? WHERE seq = ? AND attr = ?",
        [(v, seq, obj.column(name).key) for name, v in changes.items()],
    )
    _store_docs(conn, obj, {seq: _render_doc(obj, rid, merged)})
    if "deletedAt" in changes:
        now_deleted = changes["deletedAt"] is not None
        conn.execute("UPDATE entity SET deleted_at = ? WHERE seq = ?", (changes["deletedAt"], seq))
        if now_deleted != was_deleted:
            conn.execute("UPDATE entity_count SET live = live + ? WHERE obj = ?", (-1 if now_deleted else 1, obj.key))


def _remove_entities(conn: sqlite3.Connection, obj: ObjectMeta, ids: Sequence[bytes]) -> None:
    """Delete records for good, every value included."""
    for part in _chunks(list(ids), 400):
        rows = conn.execute(
            f"SELECT seq, deleted_at IS NULL FROM entity WHERE obj = ? AND id IN ({_marks(len(part))})",
            (obj.key, *part),
        ).fetchall()
        seqs = [r[0] for r in rows]
        conn.execute(f"DELETE FROM entity WHERE seq IN ({_marks(len(seqs))})", seqs)
        conn.execute(f"DELETE FROM value WHERE seq IN ({_marks(len(seqs))})", seqs)
        live = sum(1 for r in rows if r[1])
        conn.execute(
            "UPDATE entity_count SET live = live - ?, total = total - ? WHERE obj = ?", (live, len(rows), obj.key)
        )


def _record_counts(conn: sqlite3.Connection, obj: ObjectMeta) -> tuple[int, int]:
    """(live, soft-deleted) record counts, from the maintained counters."""
    row = conn.execute("SELECT live, total FROM entity_count WHERE obj = ?", (obj.key,)).fetchone()
    return (int(row[0]), int(row[1]) - int(row[0])) if row else (0, 0)


# ---- read documents -----------------------------------------------------------------------


def _build_record(obj: ObjectMeta, rid: bytes, values: dict[str, Any]) -> dict[str, Any]:
    """A record as both APIs show it at depth 0 (id, fields, composites, join columns), from its values."""
    record: dict[str, Any] = {"id": _blob_uuid(rid)}
    get = values.get
    for _, key, spec in obj.output_plan:
        if type(spec[0]) is tuple:
            record[key] = {sub: get(col) if conv is None else conv(get(col)) for sub, col, conv in spec}
        else:
            col, conv = spec
            record[key] = get(col) if conv is None else conv(get(col))
    return record


def _render_doc(obj: ObjectMeta, rid: bytes, values: dict[str, Any]) -> str:
    """A record's read document: its depth-0 JSON with every field."""
    return _dumps(_build_record(obj, rid, values))


def _store_docs(conn: sqlite3.Connection, obj: ObjectMeta, docs: dict[int, str]) -> None:
    """Keep read documents by storage key, in the current shape of the object."""
    shape = obj.doc_shape
    conn.executemany(
        "INSERT OR REPLACE INTO record_doc(seq, shape, doc) VALUES (?, ?, ?)", [(q, shape, d) for q, d in docs.items()]
    )


def _storage_keys(conn: sqlite3.Connection, obj: ObjectMeta, ids: Sequence[bytes]) -> dict[bytes, int]:
    """The storage key of each of these records that exists (deleted ones included)."""
    found: dict[bytes, int] = {}
    for part in _chunks(list(dict.fromkeys(ids))):
        sql = f"SELECT id, seq FROM entity WHERE obj = ? AND id IN ({_marks(len(part))})"
        found.update(conn.execute(sql, (obj.key, *part)))
    return found


def _record_docs(
    conn: sqlite3.Connection, obj: ObjectMeta, ids: Sequence[bytes], known: Sequence[int] | None = None
) -> tuple[dict[bytes, str], dict[bytes, int], dict[int, bytes]]:
    """Current read documents of records by id, the storage key of each record found, and the records
    (storage key -> id) whose document is missing or of another shape (known: the ids' storage keys)."""
    seqs = dict(zip(ids, known)) if known is not None else _storage_keys(conn, obj, ids)
    stale = {seq: rid for rid, seq in seqs.items()}
    docs: dict[bytes, str] = {}
    for part in _chunks(list(stale)):
        sql = (
            f"{_keys_cte(len(part))} SELECT k.key, (SELECT doc FROM record_doc WHERE seq = k.key AND shape = ?) FROM k"
        )
        for seq, doc in conn.execute(sql, (*part, obj.doc_shape)):
            if doc is not None:
                docs[stale.pop(seq)] = doc
    return docs, seqs, stale


def _doc_values(
    conn: sqlite3.Connection,
    obj: ObjectMeta,
    keys: Sequence[str],
    ids: Sequence[bytes],
    known: Sequence[int] | None = None,
) -> dict[bytes, list[Any]]:
    """The values at these top-level keys of records' current read documents, read out by SQLite (one JSON
    array per record, far shorter to parse than the document); records without one are left out."""
    paths = [f'$."{key}"' for key in keys]
    paths += ['$."id"'] * (2 - len(paths))  # two paths at least: json_extract then gives an array
    # One JSON text for all the records, [key, [values], key, [values], ...]: one parse, not one a record.
    values = f"(SELECT json_extract(doc, {_marks(len(paths))}) FROM record_doc WHERE seq = k.key AND shape = ?)"
    pairs = zip(ids, known) if known is not None else _storage_keys(conn, obj, ids).items()
    by_seq = {seq: rid for rid, seq in pairs}
    out: dict[bytes, list[Any]] = {}
    for part in _chunks(list(by_seq)):
        sql = f"{_keys_cte(len(part))} SELECT '[' || group_concat(k.key || ',' || {values}, ',') || ']' FROM k"
        text = conn.execute(sql, (*part, *paths, obj.doc_shape)).fetchone()[0]
        flat = json.loads(text) if text else []
        for n in range(0, len(flat), 2):
            out[by_seq[flat[n]]] = flat[n + 1]
    return out


def _render_docs(conn: sqlite3.Connection, obj: ObjectMeta, records: dict[int, bytes]) -> dict[int, str]:
    """Read documents rendered from the stored values (storage key -> id in, storage key -> JSON out)."""
    values: dict[int, dict[str, Any]] = {seq: {} for seq in records}
    names = {key: col.name for key, col in obj.columns_by_key.items()}
    for part in _chunks(list(records)):
        for seq, attr, v in conn.execute(f"SELECT seq, attr, v FROM value WHERE seq IN ({_marks(len(part))})", part):
            name = names.get(attr)
            if name is not None:
                values[seq][name] = v
    return {seq: _render_doc(obj, rid, values[seq]) for seq, rid in records.items()}


def _heal_docs(conn: sqlite3.Connection, obj: ObjectMeta, seqs: Iterable[int]) -> None:
    """Write the missing or outdated read documents of these records from their current values (inside a
    write transaction, so that no change can slip between the reading and the writing)."""
    stale: dict[int, bytes] = {}
    for part in _chunks(list(seqs)):
        stale.update(
            conn.execute(
                "SELECT e.seq, e.id FROM entity e LEFT JOIN record_doc d ON d.seq = e.seq AND d.shape = ? "
                f"WHERE e.obj = ? AND d.seq IS NULL AND e.seq IN ({_marks(len(part))})",
                (obj.doc_shape, obj.key, *part),
            ).fetchall()
        )
    if stale:
        _store_docs(conn, obj, _render_docs(conn, obj, stale))


def _columns_in_use(conn: sqlite3.Connection, keys: Sequence[int]) -> set[int]:
    """Which of these attributes hold a value in at least one record (one index probe each)."""
    if not keys:
        return set()
    return {
        r[0]
        for r in conn.execute(
            f"WITH k(attr) AS (VALUES {','.join(['(?)'] * len(keys))}) SELECT attr FROM k "
            "WHERE EXISTS (SELECT 1 FROM value WHERE value.attr = k.attr AND value.v IS NOT NULL)",
            keys,
        )
    }


def _live_targets(
    conn: sqlite3.Connection, col: Column, seqs: Sequence[int], target: ObjectMeta
) -> dict[int, tuple[bytes, int]]:
    """Where a join column of records points, when it points at a live record of target: storage key of
    the record -> (id, storage key) of the one it points at."""
    out: dict[int, tuple[bytes, int]] = {}
    for part in _chunks(list(seqs)):
        for seq, rid, target_seq in conn.execute(
            "SELECT x.seq, e.id, e.seq FROM value x JOIN entity e ON e.obj = ? AND e.id = x.v AND e.deleted_at IS NULL "
            f"WHERE x.attr = ? AND x.seq IN ({_marks(len(part))})",
            (target.key, col.key, *part),
        ):
            out[seq] = (rid, target_seq)
    return out


# ============================================================================================
# 6. Query engine
# ============================================================================================
# Typed queries in, SQL out: a filter tree of Leaf conditions, sort keys, cursors. The adapters
# build these from their own grammars (REST text, GraphQL arguments); nothing here parses text.

DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")
MAX_CHAR = "\U0010ffff"


# What threads share (the data model, the tables) is frozen; a value of one request, as here, is not:
# only its own thread ever sees it.
@_record()
class Leaf:
    """One filter condition: a field path, an operator and its value (typed, or the REST grammar's text)."""

    path: tuple[str, ...]
    op: str
    value: Any  # a scalar, or a list for in/containsAny


@_record()
class SearchText:
    """The value of the search endpoint's condition: its text, and the fields it must not look at (those
    the caller may not read)."""

    text: str
    skip: frozenset[str]


def _search_fields(obj: ObjectMeta) -> list[str]:
    """The fields full-text search looks at: the object's own text, name, email, phone and link fields."""
    return [
        f.name
        for f in obj.active_fields
        if not f.is_system and f.type in ("TEXT", "FULL_NAME", "EMAILS", "PHONES", "LINKS")
    ]


if TYPE_CHECKING:
    Node = Any  # ("and"|"or", [Node]) | ("not", Node) | Leaf


def _mentions_deleted_at(node: Node) -> bool:
    """True if any condition of the filter names deletedAt."""
    if isinstance(node, Leaf):
        return node.path[0] == "deletedAt"
    if node[0] == "not":
        return _mentions_deleted_at(node[1])
    return any(_mentions_deleted_at(n) for n in node[1])


@_record()
class Ref:
    """A resolved field path: the column it reads, and how to reach it."""

    column: Column | None  # None: the record id
    kind: str
    label: str  # field name used in error messages
    cursor_path: tuple[str, ...]
    via: Column | None = None  # a many-to-one join column when the path crosses a relation


ID_REF = Ref(None, "UUID", "id", ("id",))


def _unknown_field(obj: ObjectMeta, name: str, sub_code: str | None = "INVALID_ARGS_FILTER") -> ApiError:
    """Twenty's message for a field name the object does not have."""
    return _bad_request(f'Object {obj.name_singular} doesn\'t have any "{name}" field.', sub_code)


def _resolve_path(
    schema: Schema, obj: ObjectMeta, path: Sequence[str], op: str | None = None, allow_relation: bool = True
) -> Ref:
    """Find the column a filter, sort or group path refers to (rest.md §4.1, §4.2)."""
    head = path[0]
    if head == "id" and len(path) == 1:
        return ID_REF
    if head in obj.by_join_column and len(path) == 1:
        return Ref(obj.column(head), "UUID", head, (head,))
    meta = obj.by_name.get(head)
    if meta is None or meta.type == "TS_VECTOR":
        raise _unknown_field(obj, head)
    if meta.type in COMPOSITES:
        if len(path) < 2:
            raise _bad_filter(f'Sub field "{op or head}" not found for composite type: {meta.type}')
        sub = path[1]
        col = next((c for c in meta.columns if c.sub == sub), None)
        if col is None or len(path) > 2:
            raise _bad_filter(f'Sub field "{sub}" not found for composite type: {meta.type}')
        return Ref(col, col.kind, sub, (head, sub))
    if meta.relation_type == "MANY_TO_ONE" and len(path) > 1 and allow_relation:
        target = schema.by_id.get(meta.target_object_id or "")
        if target is None:
            raise _unknown_field(obj, head)
        inner = _resolve_path(schema, target, path[1:], op, allow_relation=False)
        return _replace(inner, via=meta.columns[0], cursor_path=(head, *inner.cursor_path))
    if meta.type in RELATION_TYPES or len(path) > 1:
        raise _unknown_field(obj, ".".join(path))
    return Ref(meta.columns[0], meta.columns[0].kind, head, (head,))


def _display_kind(kind: str) -> str:
    """The type name a filter message shows for a stored kind."""
    return "TEXT" if kind == "RICH_TEXT_PART" else kind


def _coerce_filter_value(ref: Ref, raw: Any) -> Any:
    """A filter value (typed, or text from the REST grammar) as the stored value it compares with;
    the field type's own coercion (FIELD_KINDS) decides."""
    return FIELD_KINDS[ref.kind].filter_value(ref.label, raw)


def _like_to_glob(pattern: str) -> str:
    """A case-sensitive SQL LIKE pattern as a SQLite GLOB pattern."""
    out = []
    for ch in pattern:
        if ch == "%":
            out.append("*")
        elif ch == "_":
            out.append("?")
        elif ch in "*?[":
            out.append(f"[{ch}]")
        else:
            out.append(ch)
    return "".join(out)


class SqlQuery:
    """Builds one SELECT over the EAV tables: a join per attribute used, parameters in order.

    Joins are kept as structure and rendered by from_sql(), either from the entity row or, for
    counts that read nothing else of it, from the first attribute's value rows."""

    def __init__(self, schema: Schema, obj: ObjectMeta) -> None:
        self.schema = schema
        self.obj = obj
        self.joins: dict[tuple[int, int | None], str] = {}
        self._joins: list[tuple[str, str, int, str]] = []  # (value|related, alias, attr, related join SQL)
        self.params: list[Any] = []
        self.reads_entity = False  # the SQL reads e.id or e.deleted_at

    @property
    def join_sql(self) -> list[str]:
        """The joins from the entity row e."""
        return self._render("e.seq")

    def _render(self, seq: str, skip: str | None = None) -> list[str]:
        out = []
        for kind, alias, attr, related in self._joins:
            if alias == skip:
                continue
            if kind == "value":
                out.append(f"JOIN value {alias} ON {alias}.seq = {seq} AND {alias}.attr = {attr}")
            else:
                out.append(related)
        return out

    def from_sql(self) -> str:
        """FROM clause over the entity row and every join."""
        return "entity e " + " ".join(self.join_sql)

    def value_scan(self) -> tuple[str, str] | None:
        """(FROM clause, attribute condition) that starts from the first attribute's value rows instead of
        the entity rows, when the query reads nothing of the entity row; else None."""
        if self.reads_entity:
            return None
        first = next(((alias, attr) for kind, alias, attr, _ in self._joins if kind == "value"), None)
        if first is None:
            return None
        alias, attr = first
        rest = self._render(f"{alias}.seq", skip=alias)
        return f"value {alias} " + " ".join(rest), f"{alias}.attr = {attr}"

    def expr(self, ref: Ref) -> str:
        """SQL expression of a resolved path's stored value (joining its attribute once)."""
        if ref.via is not None:
            via = self._join(ref.via.key)
            if ref.column is None:
                return f"{via}.v"
            key = (ref.column.key, ref.via.key)
            if key not in self.joins:
                alias = self.joins[key] = f"r{len(self.joins)}"
                target = self.schema.by_id[self.obj.by_join_column[ref.via.name].target_object_id or ""]
                self._joins.append(
                    (
                        "related",
                        alias,
                        ref.column.key,
                        f"LEFT JOIN entity t{alias} ON t{alias}.obj = {target.key} AND t{alias}.id = {via}.v "
                        f"LEFT JOIN value {alias} ON {alias}.seq = t{alias}.seq AND {alias}.attr = {ref.column.key}",
                    )
                )
            return f"{self.joins[key]}.v"
        if ref.column is None:
            self.reads_entity = True
            return "e.id"
        if ref.column.name == "deletedAt":
            self.reads_entity = True
            return "e.deleted_at"
        return f"{self._join(ref.column.key)}.v"

    def _join(self, attr: int) -> str:
        key = (attr, None)
        if key not in self.joins:
            alias = self.joins[key] = f"a{len(self.joins)}"
            self._joins.append(("value", alias, attr, ""))
        return self.joins[key]

    def search(self, text: str, skip: frozenset[str] = frozenset()) -> str:
        """Full-text search, approximated: every word appears in one of the searchable text columns (but
        those of the fields in skip)."""
        searched = set(_search_fields(self.obj)) - skip
        columns = [c for f in self.obj.active_fields if f.name in searched for c in f.columns if c.kind == "TEXT"]
        words = [w for w in re.split(r"\s+", text.strip()) if w]
        if not words or not columns:
            return "1"
        exprs = [self.expr(Ref(c, c.kind, c.name, (c.name,))) for c in columns]
        ands = []
        for word in words:
            pattern = "%" + word.replace("%", "").replace("_", "") + "%"
            ands.append("(" + " OR ".join(f"{x} LIKE ?" for x in exprs) + ")")
            self.params.extend([pattern] * len(exprs))
        return "(" + " AND ".join(ands) + ")"

    def condition(self, node: Node) -> str:
        """SQL for a filter tree (validated against the object as it goes)."""
        if isinstance(node, Leaf):
            return self.leaf(node)
        if node[0] == "not":
            return f"NOT ({self.condition(node[1])})"
        parts = [self.condition(n) for n in node[1]]
        if not parts:
            return "1"
        return "(" + f" {node[0].upper()} ".join(parts) + ")"

    def leaf(self, leaf: Leaf) -> str:
        if leaf.path == ("searchVector",) and leaf.op == "search":
            if isinstance(leaf.value, SearchText):
                return self.search(leaf.value.text, leaf.value.skip)
            return self.search(str(leaf.value))
        ref = _resolve_path(self.schema, self.obj, leaf.path, leaf.op)
        kind = FIELD_KINDS[ref.kind]
        allowed = kind.operators
        if ref.via is None and ref.column is not None and ref.column.name in self.obj.by_join_column:
            allowed = FIELD_KINDS["UUID"].operators
        if leaf.op not in allowed and leaf.op not in kind.graphql_operators:
            raise _bad_filter(
                f'Operator "{leaf.op}" is not valid for field "{ref.label}" of type {_display_kind(ref.kind)} - '
                f"Allowed operators: {', '.join(allowed)}"
            )
        x = self.expr(ref)
        op, value = leaf.op, leaf.value
        empty_null = ref.column is not None and ref.column.empty_is_null
        if op == "is":
            if value not in ("NULL", "NOT_NULL"):
                raise _bad_filter('Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"')
            cond = f"({x} IS NULL OR {x} = {kind.blank})" if empty_null else f"{x} IS NULL"
            return cond if value == "NULL" else f"NOT {cond}"
        if op == "isEmptyArray":
            return f"{x} = '[]'" if value in (True, "true") else f"({x} IS NULL OR {x} != '[]')"
        if op == "containsIlike":
            self.params.append(str(value))
            return f"EXISTS (SELECT 1 FROM json_each({x}) j WHERE j.value LIKE ?)"
        if op in ("in", "containsAny"):
            if not value:
                raise _bad_filter(f"Invalid filter value for field {ref.label}. Expected non-empty array")
            values = [_coerce_filter_value(ref, v) for v in value]
            self.params.extend(values)
            if ref.kind == "MULTI_SELECT":
                return f"EXISTS (SELECT 1 FROM json_each({x}) j WHERE j.value IN ({_marks(len(values))}))"
            return f"{x} IN ({_marks(len(values))})"
        v = _coerce_filter_value(ref, value)
        if empty_null and v == "" and op in ("eq", "like", "ilike"):
            return f"({x} IS NULL OR {x} = '')"
        if op == "like":
            self.params.append(_like_to_glob(str(v)))
            return f"{x} GLOB ?"
        if op == "ilike":
            self.params.append(str(v))
            return f"{x} LIKE ?"
        if op == "startsWith":
            self.params.extend([v, f"{v}{MAX_CHAR}"])
            return f"({x} >= ? AND {x} < ?)"
        if op == "endsWith":
            if v == "":
                return f"{x} IS NOT NULL"
            self.params.extend([-len(v), v])
            return f"substr({x}, ?) = ?"
        sql_op = {"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        self.params.append(v)
        return f"{x} {sql_op} ?"


@_record()
class SortKey:
    """One sort key: the path and its direction."""

    ref: Ref
    direction: str

    @property
    def ascending(self) -> bool:
        return self.direction.startswith("Asc")

    @property
    def nulls_first(self) -> bool:
        return self.direction.endswith("NullsFirst")

    @property
    def sql_direction(self) -> str:
        """ASC/DESC with the null placement, for ORDER BY."""
        return f"{'ASC' if self.ascending else 'DESC'} {'NULLS FIRST' if self.nulls_first else 'NULLS LAST'}"


ID_KEY = SortKey(ID_REF, "AscNullsFirst")


def _sort_keys(schema: Schema, obj: ObjectMeta, items: Iterable[tuple[Sequence[str], str]]) -> list[SortKey]:
    """Sort keys from (field path, direction) pairs; id ascending is always the last key (rest.md §4.2)."""
    keys: list[SortKey] = []
    for parts, direction in items:
        meta = obj.by_name.get(parts[0])
        if meta is not None and meta.type in COMPOSITES and len(parts) == 1:
            raise _bad_filter(
                f"Composite field \"{parts[0]}\" of type {meta.type} needs a sub-field in 'order_by', "
                f"eg: {parts[0]}.{COMPOSITES[meta.type][0][0]}"
            )
        ref = _resolve_path(schema, obj, parts)
        if not FIELD_KINDS[ref.kind].orderable:
            raise _bad_filter(f"Field \"{'.'.join(parts)}\" of type {ref.kind} cannot be used in 'order_by'")
        keys.append(SortKey(ref, direction))
    if not any(k.ref.column is None and k.ref.via is None for k in keys):
        keys.append(ID_KEY)
    return keys


def _encode_cursor(keys: Sequence[SortKey], values: Sequence[Any]) -> str:
    """Cursor of a record: its sort values nested by path, id last."""
    doc: dict[str, Any] = {}
    for key, stored in zip(keys, values):
        node = doc
        *parents, last = key.ref.cursor_path
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _from_stored(key.ref.kind, stored)
    if "id" in doc:  # id last, as Twenty writes it
        doc["id"] = doc.pop("id")
    return _b64_cursor(doc)


def _decode_cursor(keys: Sequence[SortKey], cursor: str) -> list[Any]:
    """Sort values of a cursor, in stored form; 400 Invalid cursor when it does not decode."""
    try:
        doc = json.loads(_unb64(cursor))
        if not isinstance(doc, dict):
            raise ValueError("not an object")
        values = []
        for key in keys:
            node: Any = doc
            for part in key.ref.cursor_path:
                node = node.get(part) if isinstance(node, dict) else None
            values.append(None if node is None else FIELD_KINDS[key.ref.kind].filter_value(key.ref.label, node))
        return values
    except (ApiError, ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise _bad_request(f"Invalid cursor: {cursor}", "INVALID_CURSOR") from None


def _after_condition(exprs: Sequence[str], keys: Sequence[SortKey], values: Sequence[Any], params: list[Any]) -> str:
    """Keyset condition: rows strictly after the given sort values, honouring nulls placement."""
    ors = []
    for i, key in enumerate(keys):
        ands = []
        for j in range(i):
            if values[j] is None:
                ands.append(f"{exprs[j]} IS NULL")
            else:
                ands.append(f"{exprs[j]} = ?")
                params.append(values[j])
        x, v = exprs[i], values[i]
        cmp = ">" if key.ascending else "<"
        if v is None:
            ands.append(f"{x} IS NOT NULL" if key.nulls_first else "0")
        elif key.nulls_first:
            ands.append(f"{x} {cmp} ?")
            params.append(v)
        else:
            ands.append(f"({x} {cmp} ? OR {x} IS NULL)")
            params.append(v)
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")"


def _flip(key: SortKey) -> SortKey:
    """The same key read backwards (for ending_before)."""
    asc = "Desc" if key.ascending else "Asc"
    nulls = "NullsLast" if key.nulls_first else "NullsFirst"
    return SortKey(key.ref, asc + nulls)


@_record()
class Page:
    """A page of record ids with what the envelope needs."""

    ids: list[bytes]
    sort_values: list[tuple[Any, ...]]
    keys: list[SortKey]
    has_next: bool
    has_previous: bool
    total: int | None = None
    seqs: list[int] | None = None  # the records' storage keys, when the page query read them

    def cursor(self, index: int) -> str:
        return _encode_cursor(self.keys, self.sort_values[index])

    def info(self) -> dict[str, Any]:
        """pageInfo, the same on both APIs (rest.md §4.4)."""
        return {
            "hasNextPage": self.has_next,
            "hasPreviousPage": self.has_previous,
            "startCursor": self.cursor(0) if self.ids else None,
            "endCursor": self.cursor(len(self.ids) - 1) if self.ids else None,
        }


def _id_page(ids: list[bytes], total: int | None = None) -> Page:
    """A page of ids in id order, without further pages (duplicates, group samples)."""
    return Page(ids, [(i,) for i in ids], [ID_KEY], False, False, total)


def _filter_sql(
    schema: Schema, obj: ObjectMeta, node: Node | None, query: SqlQuery, include_deleted: bool | None = None
) -> str:
    """WHERE clause for a filter tree, with the soft-delete rule (rest.md §4.1)."""
    where = ["e.obj = ?"]
    params_before = list(query.params)
    query.params = []
    cond = query.condition(node) if node is not None else None
    if include_deleted is None:
        include_deleted = node is not None and _mentions_deleted_at(node)
    if not include_deleted:
        where.append("e.deleted_at IS NULL")
    if cond:
        where.append(cond)
    query.params = params_before + [obj.key] + query.params
    return " AND ".join(where)


def _find_ids(
    conn: sqlite3.Connection,
    schema: Schema,
    obj: ObjectMeta,
    node: Node | None,
    include_deleted: bool | None = None,
    only_deleted: bool = False,
    cap: int | None = None,
) -> list[bytes]:
    """Ids of every record matching a filter (for many-mutations), in id order, up to cap+1."""
    query = SqlQuery(schema, obj)
    where = _filter_sql(schema, obj, node, query, include_deleted or only_deleted)
    if only_deleted:
        where += " AND e.deleted_at IS NOT NULL"
    sql = f"SELECT e.id FROM {query.from_sql()} WHERE {where} ORDER BY e.id"
    if cap is not None:
        sql += f" LIMIT {int(cap) + 1}"
    return [r[0] for r in conn.execute(sql, query.params)]


def _count_matches(conn: sqlite3.Connection, schema: Schema, obj: ObjectMeta, node: Node | None) -> int:
    """totalCount of a filter: the live counter when unfiltered, else an index-driven count."""
    live, deleted = _record_counts(conn, obj)
    if node is None:
        return live
    query = SqlQuery(schema, obj)
    cond = query.condition(node)
    scan = query.value_scan() if not deleted and not _mentions_deleted_at(node) else None
    if scan is not None:
        # No soft-deleted rows, and the filter reads nothing else of the entity row: the value index
        # alone answers, without a lookup per matching row.
        source, attr_condition = scan
        return conn.execute(
            f"SELECT count(*) FROM {source} WHERE {attr_condition} AND {cond}", query.params
        ).fetchone()[0]
    query = SqlQuery(schema, obj)
    where = _filter_sql(schema, obj, node, query)
    return conn.execute(f"SELECT count(*) FROM {query.from_sql()} WHERE {where}", query.params).fetchone()[0]


def _find_page(
    conn: sqlite3.Connection,
    schema: Schema,
    obj: ObjectMeta,
    node: Node | None,
    keys: list[SortKey],
    limit: int,
    after: str | None = None,
    before: str | None = None,
    with_total: bool = True,
    offset: int = 0,
) -> Page:
    """One page of a list: filter, keyset cursor, order, limit+1 probe and totalCount."""
    backward = before is not None
    effective = [_flip(k) for k in keys] if backward else keys
    cursor = before if backward else after
    query = SqlQuery(schema, obj)
    where = _filter_sql(schema, obj, node, query)
    total = _count_matches(conn, schema, obj, node) if with_total else None
    if total is not None and node is not None and query.value_scan() is not None:
        live = _record_counts(conn, obj)[0]
        if total * total < (limit + 1 + offset) * live:
            # Few matches: walking them from the value index and sorting them costs less than walking
            # the records in order until a page is found; '+' keeps SQLite off the entity index.
            where = "+" + where
    sort_exprs = [query.expr(k.ref) for k in keys]
    params = list(query.params)
    if cursor is not None:
        values = _decode_cursor(keys, cursor)
        where += " AND " + _after_condition(sort_exprs, effective, values, params)
    order = []
    for key, x in zip(effective, sort_exprs):
        direction = "ASC" if key.ascending else "DESC"
        natural = key.nulls_first == key.ascending  # SQLite's own null placement
        order.append(f"{x} {direction}" + ("" if natural else (" NULLS FIRST" if key.nulls_first else " NULLS LAST")))
    sql = (
        f"SELECT e.id, e.seq, {', '.join(sort_exprs)} FROM {query.from_sql()} WHERE {where} "
        f"ORDER BY {', '.join(order)} LIMIT {int(limit) + 1} OFFSET {int(offset) if not backward else 0}"
    )
    rows = conn.execute(sql, params).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    return Page(
        ids=[r[0] for r in rows],
        sort_values=[tuple(r[2:]) for r in rows],
        keys=keys,
        has_next=True if backward else more,
        has_previous=more if backward else after is not None,
        total=total,
        seqs=[r[1] for r in rows],
    )


# ============================================================================================
# 7. Auth
# ============================================================================================

LOCAL_KEY_NAME = "Local API key"
MAX_MEMBERS = 10_000  # workspace members listed on a role
HUNDRED_YEARS = timedelta(days=36525)


ROLE_FLAGS = (
    "canUpdateAllSettings", "canAccessAllTools", "canReadAllObjectRecords", "canUpdateAllObjectRecords",
    "canSoftDeleteAllObjectRecords", "canDestroyAllObjectRecords", "canBeAssignedToUsers", "canBeAssignedToAgents",
    "canBeAssignedToApiKeys",
)  # fmt: skip
# Twenty's PermissionFlagType: settings flags, then tool flags (what a role may do besides records).
SETTINGS_FLAGS = (
    "API_KEYS_AND_WEBHOOKS", "WORKSPACE", "WORKSPACE_MEMBERS", "ROLES", "DATA_MODEL", "SECURITY", "WORKFLOWS",
    "IMPERSONATE", "SSO_BYPASS", "APPLICATIONS", "MARKETPLACE_APPS", "LAYOUTS", "BILLING", "AI_SETTINGS", "AI",
    "VIEWS", "UPLOAD_FILE", "DOWNLOAD_FILE", "SEND_EMAIL_TOOL", "CREATE_CALENDAR_EVENT_TOOL", "HTTP_REQUEST_TOOL",
    "CODE_INTERPRETER_TOOL", "IMPORT_CSV", "EXPORT_CSV", "CONNECTED_ACCOUNTS", "PROFILE_INFORMATION",
)  # fmt: skip
# (label, standardId, records: read/update/soft delete/destroy, all settings, editable, icon)
STANDARD_ROLES = (
    ("Admin", "20202020-0001-0001-0001-000000000001", True, True, False, "IconUserCog"),
    ("Member", "20202020-0001-0001-0001-000000000002", True, False, True, "IconUser"),
    ("Guest", "20202020-0001-0001-0001-000000000003", None, False, False, "IconUserQuestion"),
)
RECORD_ACTIONS = {  # action -> (role-wide flag, per-object permission)
    "read": ("canReadAllObjectRecords", "canReadObjectRecords"),
    "update": ("canUpdateAllObjectRecords", "canUpdateObjectRecords"),
    "softDelete": ("canSoftDeleteAllObjectRecords", "canSoftDeleteObjectRecords"),
    "destroy": ("canDestroyAllObjectRecords", "canDestroyObjectRecords"),
}
PERMISSION_DENIED = "Entity performing the request does not have permission"


@_record(frozen=True)
class Role:
    """A role: record-wide flags, settings flags, and per-object and per-field permissions."""

    id: str
    props: dict[str, Any]  # label, description, icon, isEditable, standardId and the ROLE_FLAGS
    object_permissions: dict[str, dict[str, Any]]  # object id -> the four nullable booleans
    field_permissions: dict[str, dict[str, Any]]  # field id -> canReadFieldValue / canUpdateFieldValue
    permission_flags: frozenset[str]

    @functools.cached_property
    def reads_everything(self) -> bool:
        """Every record and every field of every object: no filter or sort needs a permission check."""
        return (
            bool(self.props.get("canReadAllObjectRecords"))
            and not self.field_permissions
            and all(p.get("canReadObjectRecords") is not False for p in self.object_permissions.values())
        )


def _role_from_json(role_id: str, data: str) -> Role:
    doc = json.loads(data)
    return Role(
        role_id,
        doc["props"],
        doc.get("objectPermissions", {}),
        doc.get("fieldPermissions", {}),
        frozenset(doc.get("permissionFlags", [])),
    )


def _role_json(role: Role) -> str:
    return _dumps(
        {
            "props": role.props,
            "objectPermissions": role.object_permissions,
            "fieldPermissions": role.field_permissions,
            "permissionFlags": sorted(role.permission_flags),
        }
    )


def _standard_role_rows(workspace_id: str, new_id: Callable[[], str]) -> list[tuple[str, str, str]]:
    """(id, workspace, JSON) of Admin, Member and Guest (auth-and-limits.md §6.2)."""
    rows = []
    for label, standard_id, records, settings, editable, icon in STANDARD_ROLES:
        props: dict[str, Any] = {
            "label": label, "standardId": standard_id, "description": f"{label} role", "icon": icon,
            "isEditable": editable, "canUpdateAllSettings": settings, "canAccessAllTools": settings,
            "canReadAllObjectRecords": True, "canUpdateAllObjectRecords": bool(records),
            "canSoftDeleteAllObjectRecords": bool(records), "canDestroyAllObjectRecords": bool(records),
            "canBeAssignedToUsers": True, "canBeAssignedToApiKeys": True,
        }  # fmt: skip
        rows.append((new_id(), workspace_id, _role_json(Role("", props, {}, {}, frozenset()))))
    return rows


def _can(role: Role | None, action: str, obj: ObjectMeta | None = None) -> bool:
    """Whether a role may do an action: a record action on obj, or a settings permission flag."""
    if role is None:
        return False
    if action in RECORD_ACTIONS:
        role_flag, object_flag = RECORD_ACTIONS[action]
        own = role.object_permissions.get(obj.id, {}).get(object_flag) if obj is not None else None
        return bool(role.props.get(role_flag)) if own is None else bool(own)
    return bool(role.props.get("canUpdateAllSettings")) or action in role.permission_flags


def _require(actor: Actor, action: str, obj: ObjectMeta | None = None, field: str | None = None) -> None:
    """The one permission check: 403 in Twenty's words unless the caller's role allows the action (with a
    field: reading that field of obj)."""
    if actor.role is None and actor.api_key_id is not None:
        raise ApiError(403, "ForbiddenException", "API key has no role assigned")
    if not _can(actor.role, action, obj):
        raise ApiError(403, "ForbiddenException", PERMISSION_DENIED)
    if field is not None and obj is not None and field in _unreadable_fields(actor, obj):
        raise ApiError(403, "ForbiddenException", PERMISSION_DENIED)


def _unreadable_fields(actor: Actor, obj: ObjectMeta) -> frozenset[str]:
    """Names of obj's fields the caller may not read (field permissions restrict, never grant)."""
    role = actor.role
    if role is None or not role.field_permissions:
        return frozenset()
    return frozenset(
        f.name for f in obj.fields if role.field_permissions.get(f.id, {}).get("canReadFieldValue") is False
    )


def _unwritable_fields(actor: Actor, obj: ObjectMeta) -> frozenset[str]:
    role = actor.role
    if role is None or not role.field_permissions:
        return frozenset()
    return frozenset(
        f.name for f in obj.fields if role.field_permissions.get(f.id, {}).get("canUpdateFieldValue") is False
    ) | _unreadable_fields(actor, obj)


@_record()
class Actor:
    """Who is calling: an API key of one workspace (the CLI key included), with its role."""

    workspace_id: str
    name: str
    api_key_id: str | None
    source: str = "API"
    role: Role | None = None


def _jwt_secret(app_secret: str, workspace_id: str, kind: str = "API_KEY") -> bytes:
    """Twenty's per-workspace signing secret: hex SHA-256 of APP_SECRET + workspace + kind."""
    return hashlib.sha256(f"{app_secret}{workspace_id}{kind}".encode()).hexdigest().encode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign_jwt(payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 JWT."""
    head = _b64url(_dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(_dumps(payload).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64url(signature)}"


def _api_key_token(app_secret: str, workspace_id: str, key_id: str, issued: datetime, expires: datetime) -> str:
    """The bearer token of an API key (auth-and-limits.md §2.1)."""
    payload = {
        "sub": workspace_id, "type": "API_KEY", "workspaceId": workspace_id,
        "iat": int(issued.timestamp()), "exp": int(expires.timestamp()), "jti": key_id,
    }  # fmt: skip
    return _sign_jwt(payload, _jwt_secret(app_secret, workspace_id))


def _unauthenticated(message: str, error: str = "UNAUTHENTICATED", status: int = 401) -> ApiError:
    return ApiError(status, error, message)


def _authenticate(state: AppState, header: str | None) -> Actor:
    """The actor of a request from its Authorization header, or Twenty's auth error."""
    actor = _verify_token(state, header)
    with contextlib.suppress(RuntimeError, KeyError):  # outside a request there is nothing to mark
        bottle.request.environ["twenty_lite.workspace"] = actor.workspace_id
    return actor


def _verify_token(state: AppState, header: str | None) -> Actor:
    """Check a bearer token (auth-and-limits.md §2.2) and return who it is."""
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("Missing authentication token", "FORBIDDEN_EXCEPTION", 403)
    if state.settings.api_key and hmac.compare_digest(token, state.settings.api_key):
        return Actor(
            state.default_workspace, LOCAL_KEY_NAME, None, role=state.models.admin_role(state.default_workspace)
        )
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not a JWT")
        header_doc = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
        if not isinstance(payload, dict) or not isinstance(header_doc, dict):
            raise ValueError("no payload")
    except (ValueError, UnicodeDecodeError):
        raise _unauthenticated("No payload") from None
    workspace_id = str(payload.get("workspaceId") or payload.get("sub") or "")
    signed = f"{parts[0]}.{parts[1]}".encode()
    valid = header_doc.get("alg") == "HS256" and any(
        hmac.compare_digest(
            hmac.new(_jwt_secret(state.app_secret, workspace_id, kind), signed, hashlib.sha256).digest(), signature
        )
        for kind in ("API_KEY", "ACCESS")
    )
    if not valid:
        raise _unauthenticated("Token invalid.")
    exp = payload.get("exp")
    if isinstance(exp, (int, float)) and exp < state.clock().timestamp():
        raise _unauthenticated("Token has expired.")
    with state.store.read() as conn:
        known = conn.execute("SELECT 1 FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
        if not known:
            raise _unauthenticated("Workspace not found", "WORKSPACE_NOT_FOUND")
        if payload.get("type") != "API_KEY":
            raise ApiError(403, "INVALID_JWT_TOKEN_TYPE", "Invalid token type")
        key = conn.execute(
            "SELECT k.name, k.revoked_at, r.id, r.data FROM api_key k LEFT JOIN role r ON r.id = k.role_id "
            "WHERE k.id = ? AND k.workspace_id = ?",
            (str(payload.get("jti")), workspace_id),
        ).fetchone()
    if key is None or key[1] is not None:
        raise ApiError(403, "FORBIDDEN_EXCEPTION", "This API Key is revoked")
    role = _role_from_json(key[2], key[3]) if key[2] else None
    return Actor(workspace_id, key[0], str(payload.get("jti")), role=role)


class RateLimiter:
    """Sliding window per workspace (auth-and-limits.md §9): an operation passes while fewer than
    N were accepted in the last W seconds. Refusals do not count. Thread-safe."""

    def __init__(self, spec: str, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.limit, self.window = _parse_rate_limit(spec)
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, workspace_id: str) -> None:
        """Count one operation, or raise the 429 with its Retry-After."""
        if not self.limit:
            return
        now = self.clock().timestamp()
        with self._lock:
            times = self._seen.setdefault(workspace_id, [])
            cutoff = now - self.window
            while times and times[0] <= cutoff:
                times.pop(0)
            if len(times) >= self.limit:
                wait = max(1, math.ceil(times[0] + self.window - now))
                raise ApiError(
                    429,
                    "TooManyRequestsException",
                    f"Limit reached ({self.limit} tokens per {int(self.window * 1000)} ms)",
                    {"Retry-After": str(wait)},
                )
            times.append(now)

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            self._seen.pop(workspace_id, None)


def _parse_rate_limit(spec: str) -> tuple[int, float]:
    """'N/W' (N calls per W seconds) or '0' (off)."""
    if str(spec).strip() in ("0", ""):
        return 0, 60.0
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", str(spec))
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ValueError(f"invalid rate limit {spec!r}: expected N/W, e.g. 100/60, or 0")
    return int(match.group(1)), float(match.group(2))


# ============================================================================================
# 8. Records
# ============================================================================================

# Fields a body may carry that the server sets itself: their values are checked by type, then ignored
# (rest.md §6); createdAt only on update.
SERVER_SET_FIELDS = ("updatedAt", "deletedAt", "updatedBy")


@_record()
class Ctx:
    """One request's view of the world: its connection, data model, caller and time."""

    state: AppState
    conn: sqlite3.Connection
    schema: Schema
    actor: Actor
    now: str
    events: list[tuple[dict[str, Any], dict[str, Any]]] = _made(list)  # webhook deliveries
    stale_docs: dict[int, tuple[ObjectMeta, set[int]]] = _made(dict)  # read documents to write
    _hooks: list[dict[str, Any]] | None = None

    def new_id(self) -> str:
        """A new id from the app's one id factory (a counter in deterministic mode)."""
        return self.state.settings.new_id()

    def webhooks(self) -> list[dict[str, Any]]:
        """The workspace's webhooks, read once per request (none: record changes emit nothing)."""
        if self._hooks is None:
            self._hooks = _list_webhooks(self.conn, self.schema.workspace_id)
        return self._hooks

    @property
    def max_records(self) -> int:
        return self.state.settings.max_records

    def hidden(self, obj: ObjectMeta) -> frozenset[str]:
        """Fields of obj this caller may not read: left out of every record it is shown."""
        return _unreadable_fields(self.actor, obj)

    def keep_docs(self, obj: ObjectMeta, docs: dict[int, str]) -> None:
        """Keep read documents rendered from the values: now inside a write transaction, else noted for
        after the request (a read snapshot may be older than the values a document must show)."""
        if self.state.store.writing():
            _store_docs(self.conn, obj, docs)
        else:
            self.stale_docs.setdefault(obj.key, (obj, set()))[1].update(docs)

    def actor_value(self) -> dict[str, Any]:
        """The ACTOR composite written for this caller."""
        return {"source": self.actor.source, "workspaceMemberId": None, "name": self.actor.name, "context": {}}


def _enum_error(ctx: Ctx, obj: ObjectMeta, meta: FieldMeta, value: Any) -> ApiError:
    """Postgres's enum message, as Twenty's tests match it."""
    prefix = "_" if obj.is_custom else ""
    return _bad_request(
        f'invalid input value for enum {ctx.schema.enum_schema}.{prefix}{obj.name_singular}_{meta.name}_enum: "{value}"'
    )


def _to_stored(ctx: Ctx, obj: ObjectMeta, meta: FieldMeta | None, kind: str, value: Any, label: str) -> Any:
    """Validate one API value of an atomic field or sub-field (meta None) and return its stored form."""
    if value is None and kind != "POSITION":
        return None
    try:
        return FIELD_KINDS[kind].store(value, label, meta)
    except InvalidOption as bad:
        raise _enum_error(ctx, obj, meta, bad.value) from None  # type: ignore[arg-type]


def _composite_to_stored(ctx: Ctx, obj: ObjectMeta, meta: FieldMeta, value: Any, out: dict[str, Any]) -> None:
    """Validate a composite value (Twenty's rules: an object of known sub-fields, each checked by its own
    rule) and add the stored columns it sets to out."""
    ctype = COMPOSITE_TYPES[meta.type]
    if value is None:
        value = {c.sub: None for c in meta.columns}
    if not isinstance(value, dict):
        raise _bad_request(f'Invalid object value {_js_inspect(value)} for field "{meta.name}"')
    columns = {c.sub: c for c in meta.columns}
    for sub, sub_value in value.items():
        col = columns.get(sub)
        if col is None:
            shown = _js_inspect(sub) if meta.type == "RICH_TEXT" else sub
            raise _bad_request(f'Invalid subfield {shown} for {ctype.word} field "{meta.name}"')
        label = f"{meta.name}.{sub}"
        check = ctype.checks.get(sub or "")
        stored = (
            (None if sub_value is None else check(sub_value, label, None))
            if check
            else _to_stored(ctx, obj, None, col.kind, sub_value, label)
        )
        if sub not in ctype.server_filled:
            out[col.name] = stored


def _default_values(ctx: Ctx, meta: FieldMeta) -> dict[str, Any]:
    """Stored column values of a field's default (data-model.md §3)."""
    fixed, computed = _default_plan(meta)
    out = dict(fixed)
    for name, kind, function in computed:
        out[name] = _uuid_blob(ctx.new_id()) if function == "uuid" else ctx.now if kind == "DATE_TIME" else ctx.now[:10]
    return out


@functools.lru_cache(maxsize=4096)
def _default_plan(meta: FieldMeta) -> tuple[dict[str, Any], tuple[tuple[str, str, str], ...]]:
    """A field's default as stored values, worked out once per field: the fixed ones, and the columns
    whose default is a function of the moment (now, uuid)."""
    default = meta.default
    fixed: dict[str, Any] = {}
    computed: list[tuple[str, str, str]] = []
    for col in meta.columns:
        raw = default.get(col.sub) if isinstance(default, dict) and col.sub else (None if col.sub else default)
        if raw in ("now", "uuid"):
            computed.append((col.name, col.kind, raw))
            continue
        value = _unquote_default(raw)
        if value is not None:
            if col.kind == "BOOLEAN":
                value = 1 if value else 0
            elif col.kind in JSON_KINDS:
                value = _dumps(value)
            elif col.kind == "UUID" and isinstance(value, str) and _is_uuid(value):
                value = _uuid_blob(value)
        fixed[col.name] = value
    return fixed, tuple(computed)


def _connect_conditions(obj: ObjectMeta, where: dict[str, Any]) -> list[tuple[str, Leaf]]:
    """A connect-where as (label, condition) pairs; only id and unique fields may be named."""
    out: list[tuple[str, Leaf]] = []
    for name, value in where.items():
        meta = obj.by_name.get(name)
        if meta is None or not (meta.is_unique or name == "id"):
            raise _bad_request(f'Field "{name}" of {obj.name_singular} is not unique and cannot be used to connect')
        pairs = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, raw in pairs:
            if raw is None:
                continue
            text = _normalize_url(str(raw)) if sub == "primaryLinkUrl" else str(raw)
            path = (name, sub) if sub else (name,)
            out.append((".".join(path), Leaf(path, "eq", text)))
    return out


def _find_by_unique(ctx: Ctx, meta: FieldMeta, obj: ObjectMeta, where: dict[str, Any]) -> bytes:
    """The live record a connect-where names (by id or a unique field), else Twenty's 400."""
    conditions = _connect_conditions(obj, where)
    ids = _find_ids(ctx.conn, ctx.schema, obj, ("and", [c for _, c in conditions]), cap=1) if conditions else []
    if len(ids) != 1:
        described = " and ".join(f"{label} = {leaf.value}" for label, leaf in conditions)
        raise _bad_request(f"Expected 1 record to connect to {meta.name}, but found {len(ids)} for {described}")
    return ids[0]


def _read_body_values(ctx: Ctx, obj: ObjectMeta, body: Any, creating: bool) -> tuple[dict[str, Any], Any]:
    """Validate a create/update body as Twenty does (each key in order: known field, permission, then its
    type's rule; the first problem refuses the write): stored column values it sets, and its position."""
    if not isinstance(body, dict):
        raise _bad_request("Request body must be a JSON object")
    out: dict[str, Any] = {}
    position: Any = None
    locked = _unwritable_fields(ctx.actor, obj)
    for name, value in body.items():
        if locked and (name in locked or getattr(obj.by_join_column.get(name), "name", None) in locked):
            raise ApiError(403, "ForbiddenException", PERMISSION_DENIED)
        if name == "id":
            if creating:
                if not _is_uuid(value):
                    raise _bad_request(f'Value "{value}" is not a valid UUID')
                out["id"] = _uuid_blob(value.lower())
            continue
        if name in obj.by_join_column:
            meta = obj.by_join_column[name]
            out[name] = _set_relation(ctx, meta, _to_stored(ctx, obj, None, "UUID", value, name))
            continue
        meta = obj.by_name.get(name)
        if meta is None:
            raise _unknown_field(obj, name, sub_code=None)
        if meta.relation_type == "ONE_TO_MANY":
            raise _bad_request(f"One-to-many relation {name} field does not support write operations.")
        if meta.relation_type == "MANY_TO_ONE":
            if not isinstance(value, dict) or not ({"connect", "disconnect"} & set(value)):
                raise _bad_request(f'Relation "{name}" requires connect or disconnect operation')
            out[meta.join_column or ""] = _connect_relation(ctx, meta, value)
            continue
        if name == "position" and meta.type == "POSITION" and value in ("first", "last"):
            position = value
            continue
        target = {} if name in SERVER_SET_FIELDS or (name == "createdAt" and not creating) else out
        if meta.type in COMPOSITE_TYPES:
            _composite_to_stored(ctx, obj, meta, value, target)
        elif meta.columns or meta.type == "TS_VECTOR":
            stored = _to_stored(ctx, obj, meta, meta.columns[0].kind if meta.columns else meta.type, value, name)
            if target is out:
                out[name] = stored
                if name == "position":
                    position = "given"
    return out, position


def _set_relation(ctx: Ctx, meta: FieldMeta, rid: bytes | None) -> bytes | None:
    """A join-column value (validated): the id of an existing record of the target object, or null."""
    if rid is None:
        return None
    target = ctx.schema.by_id[meta.target_object_id or ""]
    if not _existing_ids(ctx.conn, target, [rid]):  # Postgres's foreign-key text, as Twenty passes it on
        owner = ctx.schema.by_id[meta.object_id].name_singular
        raise _bad_request(
            f'insert or update on table "{owner}" violates foreign key constraint "FK_{owner}_{meta.join_column}"'
        )
    return rid


def _connect_relation(ctx: Ctx, meta: FieldMeta, value: dict[str, Any]) -> bytes | None:
    """The join-column value of a {connect: {where}} or {disconnect: true} operation."""
    if value.get("disconnect") is True and "connect" not in value:
        return None
    where = (value.get("connect") or {}).get("where") if isinstance(value.get("connect"), dict) else None
    if not isinstance(where, dict) or not where:
        raise _bad_request(f'Relation "{meta.name}" requires connect or disconnect operation')
    return _find_by_unique(ctx, meta, ctx.schema.by_id[meta.target_object_id or ""], where)


def _next_position(ctx: Ctx, obj: ObjectMeta, where: str) -> float | int:
    """first: lowest position - 1 (0 in an empty table); last: highest + 1."""
    col = obj.column("position")
    fn = "min" if where == "first" else "max"
    row = ctx.conn.execute(f"SELECT {fn}(v) FROM value WHERE attr = ?", (col.key,)).fetchone()
    if row[0] is None:
        return 0
    return row[0] - 1 if where == "first" else row[0] + 1


def _unique_keys(obj: ObjectMeta) -> list[tuple[FieldMeta, list[Column]]]:
    """Each unique field with the columns that form its key (data-model.md §2)."""
    out = []
    for meta in obj.active_fields:
        if meta.is_unique and meta.name != "id":
            subs = UNIQUE_SUBFIELDS.get(meta.type)
            cols = [c for c in meta.columns if subs is None or c.sub in subs]
            if cols:
                out.append((meta, cols))
    return out


def _check_unique(
    ctx: Ctx,
    obj: ObjectMeta,
    rows: Sequence[tuple[bytes, dict[str, Any]]],
    changed: set[str] | None = None,
    ignore: frozenset[bytes] = frozenset(),
) -> None:
    """Refuse a unique key that another record holds, soft-deleted ones included (Twenty's unique indexes
    are not partial); empty keys never conflict."""
    for _meta, cols in _unique_keys(obj):
        if changed is not None and not any(c.name in changed for c in cols):
            continue
        keys: dict[tuple[Any, ...], bytes] = {}
        for rid, values in rows:
            key = tuple(values.get(c.name) for c in cols)
            if any(v in (None, "") for v in key):
                continue
            if key in keys and keys[key] != rid:
                raise _duplicate_entry(cols)
            keys[key] = rid
        if not keys:
            continue
        joins = "".join(
            f" JOIN value a{i} ON a{i}.seq = a0.seq AND a{i}.attr = {col.key}" for i, col in enumerate(cols[1:], 1)
        )
        base = (
            f"SELECT e.id, {', '.join(f'a{i}.v' for i in range(len(cols)))} FROM value a0{joins} "
            "JOIN entity e ON e.seq = a0.seq AND e.obj = ? "
            f"WHERE a0.attr = {cols[0].key} AND a0.v IN "
        )
        firsts = list(dict.fromkeys(k[0] for k in keys))
        for part in _chunks(firsts):
            for found, *vals in ctx.conn.execute(base + f"({_marks(len(part))})", (obj.key, *part)):
                owner = keys.get(tuple(vals))
                if owner is not None and owner != found and found not in ignore:
                    raise _duplicate_entry(cols)


def _duplicate_entry(cols: Sequence[Column]) -> ApiError:
    names = ", ".join(c.name for c in cols)
    return _bad_request(f"A duplicate entry was detected. The combination of {names} must be unique.")


def _check_required(obj: ObjectMeta, values: dict[str, Any]) -> None:
    """Non-nullable fields need a value once defaults are applied."""
    for meta in obj.active_fields:
        if meta.is_nullable or meta.type in COMPOSITES or not meta.columns:
            continue
        if values.get(meta.columns[0].name) is None:
            raise _bad_request(f"Field {meta.name} is not nullable and has no default value.")


def _new_record_template(ctx: Ctx, obj: ObjectMeta) -> dict[str, Any]:
    """Stored values every new record starts from: defaults, the caller as actor, timestamps."""
    values: dict[str, Any] = {}
    for meta in obj.active_fields:
        if meta.columns and meta.relation_type is None:
            values.update(_default_values(ctx, meta))
    actor = ctx.actor_value()
    for prefix in ("createdBy", "updatedBy"):
        if prefix in obj.by_name:
            values[prefix + "Source"] = actor["source"]
            values[prefix + "Name"] = actor["name"]
            values[prefix + "WorkspaceMemberId"] = None
            values[prefix + "Context"] = _dumps(actor["context"])
    values.update(createdAt=ctx.now, updatedAt=ctx.now, deletedAt=None)
    return values


def _insert_records(ctx: Ctx, obj: ObjectMeta, items: Sequence[tuple[dict[str, Any], Any]]) -> list[bytes]:
    """Create records from validated (values, position) pairs, checked and written together."""
    template = _new_record_template(ctx, obj)
    actor_name = template.get("createdByName")
    rows: list[tuple[bytes, dict[str, Any]]] = []
    for given, _ in items:
        rid = given.pop("id", None) or _uuid_blob(ctx.new_id())
        values = dict(template)
        values.update(given)
        if actor_name is not None:
            values["createdByName"] = actor_name
        values["deletedAt"] = None
        rows.append((rid, values))
    ids = [rid for rid, _ in rows]
    taken = _existing_ids(ctx.conn, obj, ids)
    if taken or len(set(ids)) != len(ids):
        rid = next((i for i in ids if i in taken), None) or next(i for i in ids if ids.count(i) > 1)
        raise _bad_request(f"Record already exists: a {obj.name_singular} with id {_blob_uuid(rid)} exists")
    if "position" in obj.by_name:
        ends: dict[str, float | int] = {}
        for (_rid, values), (_, position) in zip(rows, items):
            if position == "given":
                continue
            where = position or "first"
            if where not in ends:
                ends[where] = _next_position(ctx, obj, where)
            else:
                ends[where] += -1 if where == "first" else 1
            values["position"] = ends[where]
    for _, values in rows:
        _check_required(obj, values)
    _check_unique(ctx, obj, rows)
    _insert_entities(ctx.conn, obj, rows)
    _emit(ctx, obj, "created", ids)
    return ids


def _insert_record(ctx: Ctx, obj: ObjectMeta, given: dict[str, Any], position: Any) -> bytes:
    """Create one record from validated values."""
    return _insert_records(ctx, obj, [(given, position)])[0]


def _touch(ctx: Ctx, obj: ObjectMeta, changes: dict[str, Any]) -> None:
    """Stamp updatedAt and updatedBy on a change."""
    changes["updatedAt"] = ctx.now
    if "updatedBy" in obj.by_name:
        actor = ctx.actor_value()
        changes.update(
            updatedBySource=actor["source"],
            updatedByName=actor["name"],
            updatedByWorkspaceMemberId=None,
            updatedByContext=_dumps(actor["context"]),
        )


def _update_record(
    ctx: Ctx,
    obj: ObjectMeta,
    rid: bytes,
    changes: dict[str, Any],
    position: Any,
    current: dict[str, Any],
    restore: bool = False,
    ignore: frozenset[bytes] = frozenset(),
) -> None:
    """Apply validated changes to one stored record (ignore: records whose unique values may be shared)."""
    changes = {k: v for k, v in changes.items() if k not in ("createdByName", "createdBySource", "createdByContext")}
    if position in ("first", "last"):
        changes["position"] = _next_position(ctx, obj, position)
    was_deleted = current.get("deletedAt") is not None
    if restore:
        changes["deletedAt"] = None
    _touch(ctx, obj, changes)
    merged = dict(current, **changes)
    _check_required(obj, merged)
    _check_unique(ctx, obj, [(rid, merged)], set(changes), ignore)
    _update_entity(ctx.conn, obj, rid, changes, was_deleted, merged)
    now_deleted = changes.get("deletedAt", current.get("deletedAt")) is not None
    action = (
        "restored" if was_deleted and not now_deleted else "deleted" if now_deleted and not was_deleted else "updated"
    )
    _emit(ctx, obj, action, [rid], _changed_fields(obj, changes) if action == "updated" else ())


def _destroy_records(ctx: Ctx, obj: ObjectMeta, ids: Sequence[bytes], seen: set[bytes] | None = None) -> None:
    """Hard-delete records, applying each incoming relation's onDelete rule first."""
    seen = seen if seen is not None else set()
    ids = [i for i in ids if i not in seen]
    if not ids:
        return
    seen.update(ids)
    for other, meta in ctx.schema.incoming(obj):
        col = meta.columns[0]
        on_delete = (meta.settings or {}).get("onDelete", "SET_NULL")
        children: list[bytes] = []
        for part in _chunks(list(ids)):
            children += [
                r[0]
                for r in ctx.conn.execute(
                    f"SELECT e.id FROM value x JOIN entity e ON e.seq = x.seq WHERE x.attr = ? AND x.v IN ({_marks(len(part))})",
                    (col.key, *part),
                )
            ]
        if not children:
            continue
        if on_delete == "CASCADE":
            _destroy_records(ctx, other, children, seen)
        elif on_delete in ("SET_NULL", "RESTRICT", "NO_ACTION"):
            for part in _chunks(list(ids)):
                ctx.conn.execute(
                    f"UPDATE value SET v = NULL WHERE attr = ? AND v IN ({_marks(len(part))})", (col.key, *part)
                )
    if ctx.webhooks():
        _emit(ctx, obj, "destroyed", ids, records=_load_records(ctx, obj, ids))
    _remove_entities(ctx.conn, obj, ids)


# ---- reading records out ------------------------------------------------------------------


def _readable_target(ctx: Ctx, meta: FieldMeta, explicit: bool) -> ObjectMeta | None:
    """The object a relation field leads to, if the caller may read it: the one rule of both APIs. A
    relation asked for by name (a GraphQL selection) is refused with 403; one that only comes along
    (REST depth=1) is left out."""
    target = ctx.schema.by_id.get(meta.target_object_id or "")
    if target is None or not target.is_active:
        return None
    if explicit:
        _require(ctx.actor, "read", target)
    return target if _can(ctx.actor.role, "read", target) else None


def _many_to_one_targets(
    ctx: Ctx, target: ObjectMeta, wanted: Sequence[bytes | None]
) -> tuple[list[bytes], list[bytes | None]]:
    """Where a many-to-one field of GraphQL nodes points (wanted: each one's join value): the live target ids
    (sorted), and each node's target (None when unset, soft-deleted or gone). REST pages, which know their
    records' storage keys, ask _live_targets."""
    live = _existing_ids(ctx.conn, target, [w for w in wanted if w], live_only=True)
    return sorted(live), [w if w in live else None for w in wanted]


def _docs(
    ctx: Ctx, obj: ObjectMeta, ids: Sequence[bytes], known: Sequence[int] | None = None
) -> tuple[dict[bytes, str], dict[bytes, int]]:
    """Current read documents of records by id (rendering those missing), and their storage keys."""
    docs, seqs, stale = _record_docs(ctx.conn, obj, ids, known)
    if stale:
        fresh = _render_docs(ctx.conn, obj, stale)
        ctx.keep_docs(obj, fresh)
        docs.update((stale[seq], doc) for seq, doc in fresh.items())
    for rid in ids:
        if rid not in docs:  # not stored: shown empty, as a record with no values
            docs[rid] = _render_doc(obj, rid, {})
    return docs, seqs


def _record_values(
    ctx: Ctx, obj: ObjectMeta, ids: Sequence[bytes], keys: Sequence[str], seqs: Sequence[int] | None = None
) -> list[list[Any]]:
    """The values at these output keys of records, in the order of ids (what GraphQL selected of them)."""
    if not ids:
        return []
    out = _doc_values(ctx.conn, obj, keys, ids, seqs)
    missing = [rid for rid in ids if rid not in out]
    if missing:  # no current document: rendered from the values (and kept)
        docs, _ = _docs(ctx, obj, missing)
        for rid in missing:
            record = json.loads(docs[rid])
            out[rid] = [record.get(k) for k in keys]
    return [out[rid] for rid in ids]


class _Raw:
    """JSON text spliced into a response as it is: a read document, or a list or record built from them."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _raw_json(value: Any) -> str:
    """The JSON text of a value made of _Raw parts, None and lists of them."""
    if type(value) is _Raw:
        return value.text
    if value is None:
        return "null"
    if type(value) is list:
        return "[" + ",".join(_raw_json(v) for v in value) + "]" if value else "[]"
    return _dumps(value)


def _load_records(
    ctx: Ctx,
    obj: ObjectMeta,
    ids: Sequence[bytes],
    depth: int = 0,
    selected: set[str] | None = None,
    raw: bool = False,
    seqs: Sequence[int] | None = None,
) -> list[Any]:
    """Records by id in the given order, with relations embedded at depth 1 (one query per relation).
    raw: a record with every field comes as a _Raw of its read document, for a response to splice."""
    if not ids:
        return []
    docs, found = _docs(ctx, obj, ids, seqs)
    hidden = ctx.hidden(obj)
    whole = selected is None and not hidden
    records: list[Any]
    if whole and raw:
        records = [_Raw(docs[rid]) for rid in ids]
    else:
        records = [json.loads(docs[rid]) for rid in ids]
        if not whole:
            drop = [
                key
                for name, key, _ in obj.output_plan
                if name in hidden or (selected is not None and name not in selected)
            ]
            for record in records:
                for key in drop:
                    del record[key]
    if depth < 1 or not records:
        return records
    columns: list[tuple[str, list[Any] | None]] = []  # each relation's value in each record; None: all []
    relations: list[tuple[FieldMeta, ObjectMeta, FieldMeta | None]] = []
    for meta in obj.active_fields:
        if meta.relation_type is None or (selected is not None and meta.name not in selected) or meta.name in hidden:
            continue
        target = _readable_target(ctx, meta, explicit=False)
        if target is not None:
            inverse = next((f for f in target.active_fields if f.id == meta.target_field_id), None)
            relations.append((meta, target, inverse))
    inverse_keys = [i.columns[0].key for m, _, i in relations if m.relation_type != "MANY_TO_ONE" and i and i.columns]
    used = _columns_in_use(ctx.conn, inverse_keys)  # most one-to-many relations of a page point at nothing
    for meta, target, inverse in relations:
        if meta.relation_type == "MANY_TO_ONE":
            pointed = _live_targets(ctx.conn, meta.columns[0], [found[rid] for rid in ids if rid in found], target)
            live = sorted(set(pointed.values()))
            loaded = _load_records(ctx, target, [t for t, _ in live], raw=raw, seqs=[s for _, s in live])
            related = {t: record for (t, _), record in zip(live, loaded)}
            columns.append(
                (meta.name, [related[pointed[found[r]][0]] if found.get(r) in pointed else None for r in ids])
            )
            continue
        if inverse is None or not inverse.columns:
            continue
        if inverse.columns[0].key not in used:
            columns.append((meta.name, None))
            continue
        children: dict[bytes, list[bytes]] = {rid: [] for rid in ids}
        for part in _chunks(list(ids)):
            for parent, child in ctx.conn.execute(
                "SELECT a.v, e.id FROM value a JOIN entity e ON e.seq = a.seq AND e.obj = ? AND e.deleted_at IS NULL "
                f"WHERE a.attr = ? AND a.v IN ({_marks(len(part))}) ORDER BY a.v, e.id",
                (target.key, inverse.columns[0].key, *part),
            ):
                if len(children[parent]) < 60:
                    children[parent].append(child)
        all_children = [c for cs in children.values() for c in cs]
        if not all_children:
            columns.append((meta.name, None))
            continue
        loaded = dict(zip(all_children, _load_records(ctx, target, all_children, raw=raw)))
        columns.append((meta.name, [[loaded[c] for c in children[rid]] for rid in ids]))
    if whole and raw:
        pieces: list[Any] = []
        for name, values in columns:
            key = f",{_dumps(name)}:"
            pieces.append(key + "[]" if values is None else [key + _raw_json(v) for v in values])
        merged: list[Any] = []  # runs of fragments shared by every record joined once
        for piece in pieces:
            if type(piece) is str and merged and type(merged[-1]) is str:
                merged[-1] += piece
            else:
                merged.append(piece)
        return [
            _Raw(r.text[:-1] + "".join(p if type(p) is str else p[i] for p in merged) + "}")
            for i, r in enumerate(records)
        ]
    for i, record in enumerate(records):
        for name, values in columns:
            record[name] = [] if values is None else values[i]
    return records


def _load_values(ctx: Ctx, obj: ObjectMeta, rid: bytes) -> dict[str, Any] | None:
    """Stored values of one record, or None if it does not exist (deleted ones included)."""
    row = ctx.conn.execute("SELECT deleted_at FROM entity WHERE obj = ? AND id = ?", (obj.key, rid)).fetchone()
    if row is None:
        return None
    return _fetch_values(ctx.conn, obj, [rid])[rid]


# ============================================================================================
# 9. Data-model changes
# ============================================================================================

RESERVED_NAMES = frozenset(
    f"{word}{suffix}"
    for word in (
        "approvedAccessDomain",
        "appToken",
        "billingCustomer",
        "billingEntitlement",
        "billingMeter",
        "billingProduct",
        "billingSubscription",
        "billingSubscriptionItem",
        "featureFlag",
        "job",
        "keyValuePair",
        "pageLayout",
        "pageLayoutTab",
        "pageLayoutWidget",
        "postgresCredential",
        "twoFactorMethod",
        "user",
        "userWorkspace",
        "workspace",
        "role",
        "userWorkspaceRole",
        "plan",
        "event",
        "field",
        "link",
        "type",
        "object",
        "relation",
    )
    for suffix in ("", "s")
) | {
    "currency",
    "currencies",
    "fullNames",
    "address",
    "addresses",
    "index",
    "aggregate",
    "batch",
    "restore",
    "metadata",
}
OPTION_COLORS = ("green", "turquoise", "sky", "blue", "purple", "pink", "red", "orange", "yellow", "gray")
CREATABLE_TYPES = FIELD_TYPES - {"TS_VECTOR", "MORPH_RELATION"}
DEFAULT_RELATIONS = (  # what a new custom object gets: (other object, its field name pattern, inverse name)
    ("timelineActivity", "target{S}", "timelineActivities"),
    ("favorite", "{s}", "favorites"),
    ("attachment", "target{S}", "attachments"),
    ("noteTarget", "target{S}", "noteTargets"),
    ("taskTarget", "target{S}", "taskTargets"),
)
TIMESTAMP_FIELDS = ("createdAt", "updatedAt", "deletedAt")


def _metadata_not_found(kind: str = "Object") -> ApiError:
    return ApiError(404, "NotFoundException", f"{kind} metadata not found")


def _camel_case(text: str) -> str:
    """lodash-style camelCase: words split on case, digits and punctuation, then joined."""
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|[0-9]|\b|_)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", text)
    if not words:
        return ""
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


def _name_from_label(label: str) -> str:
    """The API name Twenty computes from a label: ASCII, camelCase, 'n' before a leading digit."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    name = _camel_case(re.sub(r"[^a-zA-Z0-9]+", " ", ascii_text))
    return f"n{name}" if name[:1].isdigit() else name


def _check_name(name: Any) -> str:
    """The naming rules every object and field name follows (metadata.md §7)."""
    if not isinstance(name, str) or not name:
        raise _bad_request("Name is too short")
    if len(name) > 63:
        raise _bad_request("Name is too long")
    if _camel_case(name) != name:
        raise _bad_request("Name should be in camelCase")
    if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", name):
        raise _bad_request(
            "Name is not valid: it must start with lowercase letter and contain only alphanumeric letters"
        )
    return name


def _check_label(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad_request(f"{key} should not be empty")
    return value


def _check_object_names(schema: Schema, singular: str, plural: str, exclude: str | None = None) -> None:
    """Object names: valid, different, not reserved, not used by another object."""
    _check_name(singular)
    _check_name(plural)
    if singular == plural:
        raise _bad_request("The singular and plural name cannot be the same for an object")
    taken = {n for o in schema.objects if o.id != exclude for n in (o.name_singular, o.name_plural)}
    for name in (singular, plural):
        if name in RESERVED_NAMES or name in taken:
            raise _bad_request("The name is not available")


def _taken_field_names(obj: ObjectMeta, exclude: str | None = None) -> set[str]:
    """Names a new field may not take: other fields and every stored column name."""
    names: set[str] = set()
    for f in obj.fields:
        if f.id == exclude:
            continue
        names.add(f.name)
        names.update(c.name for c in f.columns)
        if f.join_column:
            names.add(f.join_column)
    return names


def _check_field_name(obj: ObjectMeta, name: Any, exclude: str | None = None) -> str:
    """A field name: valid, not reserved, free in its object (its join column too for relations)."""
    _check_name(name)
    if name in RESERVED_NAMES:
        raise _bad_request(f'Name "{name}" is not available')
    if name in _taken_field_names(obj, exclude):
        raise _bad_request(f'Name "{name}" is not available as it is already used by another field')
    return name


def _check_synced(name: str, label: str, synced: bool) -> None:
    """With isLabelSyncedWithName, the name must be the one computed from the label."""
    expected = _name_from_label(label)
    if synced and name != expected:
        raise _bad_request(f'Name is not synced with label. Expected name: "{expected}", got {name}')


def _check_options(ftype: str, options: Any, new_id: Callable[[], str]) -> list[dict[str, Any]] | None:
    """Validated options of a SELECT or MULTI_SELECT field (data-model.md §4.1); RATING's are generated."""
    if ftype == "RATING":
        return [{"id": new_id(), "value": v, "label": v[-1], "position": i} for i, v in enumerate(RATING_VALUES)]
    if ftype not in ("SELECT", "MULTI_SELECT"):
        return None
    if not isinstance(options, list) or not options:
        raise _bad_request("Options are required for select fields")
    out = []
    for position, option in enumerate(options):
        if not isinstance(option, dict):
            raise _bad_request("Options must be objects with a value and a label")
        value, label = option.get("value"), option.get("label")
        if (
            not isinstance(value, str)
            or not 1 <= len(value) <= 63
            or not re.fullmatch(r"[A-Z0-9]+(_[A-Z0-9]+)*", value)
        ):
            raise _bad_request(f'Value must be in UPPER_CASE and follow snake_case "{value}"')
        if not isinstance(label, str) or not 1 <= len(label) <= 63 or "," in label:
            raise _bad_request(f'Label must be 1 to 63 characters long and contain no comma "{label}"')
        color = option.get("color")
        if color is not None and color not in OPTION_COLORS:
            raise _bad_request(f'Invalid option color "{color}". Allowed colors: {", ".join(OPTION_COLORS)}')
        item = {
            "id": option.get("id") or new_id(),
            "value": value,
            "label": label,
            "position": option.get("position", position),
        }
        if color is not None:
            item["color"] = color
        out.append(item)
    for key in ("id", "value", "position"):
        values = [o[key] for o in out]
        if len(set(map(str, values))) != len(values):
            raise _bad_request(f"Duplicated option {key}")
    return out


def _check_default(ftype: str, default: Any, options: list[dict[str, Any]] | None) -> Any:
    """A defaultValue in Twenty's storage convention (data-model.md §3.1), or a 400: each kind's rule
    (FIELD_KINDS), and for a composite its known sub-fields, quoted where their kind is quoted."""
    if default is None:
        return None
    invalid = _bad_request(f"Invalid default value {_dumps(default)} for field type {ftype}")
    values = tuple(o["value"] for o in options or ())
    kind = FIELD_KINDS.get(ftype)
    if kind is not None and not kind.default_ok(default, values):
        raise invalid
    if ftype in COMPOSITES:
        subs = dict(COMPOSITES[ftype])
        if not isinstance(default, dict) or not set(default) <= set(subs):
            raise invalid
        for sub, value in default.items():
            if value is not None and FIELD_KINDS[subs[sub]].quoted_default and not _quoted(value):
                raise invalid
    return default


def _new_meta_version(conn: sqlite3.Connection, workspace_id: str) -> None:
    """Mark the data model changed; versions are random so a rolled-back change never reappears."""
    conn.execute(
        "UPDATE workspace SET meta_version = ? WHERE id = ?", (int.from_bytes(os.urandom(6), "big"), workspace_id)
    )


def _save_object_props(conn: sqlite3.Connection, obj_id: str, props: dict[str, Any]) -> None:
    """Write back an object's metadata row."""
    data = {k: props.get(k) for k in OBJECT_PROPS}
    conn.execute(
        "UPDATE object_meta SET name_singular = ?, name_plural = ?, data = ? WHERE id = ?",
        (props["nameSingular"], props["namePlural"], _dumps(data), obj_id),
    )


def _save_field_props(conn: sqlite3.Connection, props: dict[str, Any]) -> None:
    """Write back a field's metadata row."""
    cur = conn.execute(
        "UPDATE field_meta SET name = ?, data = ? WHERE id = ?", (props["name"], _dumps(props), props["id"])
    )
    if cur.rowcount != 1:  # a shared field not yet written out: a data-model change that skipped _own_fields
        raise RuntimeError(f"field {props['id']} has no row to update")


def _add_fields(ctx: Ctx, fields: list[dict[str, Any]]) -> None:
    """Store new fields and give every existing record their default values (storage stays dense)."""
    _insert_fields(ctx.conn, ctx.schema.workspace_id, fields)
    for props in fields:
        attrs = dict(ctx.conn.execute("SELECT sub, key FROM attribute WHERE field_id = ?", (props["id"],)).fetchall())
        columns = tuple(
            Column(attrs[sub], cname, props["name"], sub or None, kind, _empty_is_null(kind))
            for sub, cname, kind in _field_columns(props)
        )
        if not columns:
            continue
        meta = _field_from_props(props, columns)
        defaults = _default_values(ctx, meta) if meta.relation_type is None else {c.name: None for c in columns}
        obj_key = ctx.conn.execute("SELECT key FROM object_meta WHERE id = ?", (props["objectMetadataId"],)).fetchone()[
            0
        ]
        for col in columns:
            ctx.conn.execute(
                "INSERT INTO value(seq, attr, v) SELECT seq, ?, ? FROM entity WHERE obj = ?",
                (col.key, defaults.get(col.name), obj_key),
            )
    _add_index_view_columns(ctx, fields)


def _drop_fields(conn: sqlite3.Connection, field_ids: Iterable[str]) -> None:
    """Remove fields with their attributes and every stored value."""
    for fid in field_ids:
        for (key,) in conn.execute("SELECT key FROM attribute WHERE field_id = ?", (fid,)).fetchall():
            conn.execute("DELETE FROM value WHERE attr = ?", (key,))
        conn.execute("DELETE FROM attribute WHERE field_id = ?", (fid,))
        if conn.execute("DELETE FROM field_meta WHERE id = ?", (fid,)).rowcount != 1:
            raise RuntimeError(f"field {fid} has no row to delete")


def _relation_pair(
    ctx: Ctx,
    source: ObjectMeta,
    name: str,
    label: str,
    target: ObjectMeta,
    inverse_name: str,
    inverse_label: str,
    on_delete: str = "SET_NULL",
    many_to_one_on_source: bool = True,
    **extra: Any,
) -> list[dict[str, Any]]:
    """The two field rows of a relation; the many-to-one side owns the join column."""
    new_id = ctx.new_id
    m2o_obj, m2o_name, m2o_label, o2m_obj, o2m_name, o2m_label = (
        (source, name, label, target, inverse_name, inverse_label)
        if many_to_one_on_source
        else (target, inverse_name, inverse_label, source, name, label)
    )
    m2o = _field_props(
        m2o_obj.id,
        m2o_name,
        "RELATION",
        ctx.now,
        new_id,
        label=m2o_label,
        isCustom=True,
        settings={"relationType": "MANY_TO_ONE", "onDelete": on_delete, "joinColumnName": m2o_name + "Id"},
        relationTargetObjectMetadataId=o2m_obj.id,
    )
    o2m = _field_props(
        o2m_obj.id,
        o2m_name,
        "RELATION",
        ctx.now,
        new_id,
        label=o2m_label,
        isCustom=True,
        settings={"relationType": "ONE_TO_MANY"},
        relationTargetObjectMetadataId=m2o_obj.id,
    )
    m2o["relationTargetFieldMetadataId"], o2m["relationTargetFieldMetadataId"] = o2m["id"], m2o["id"]
    for props in (m2o, o2m):
        props.update(extra)
    source_side = m2o if many_to_one_on_source else o2m
    return [source_side, o2m if source_side is m2o else m2o]


def _own_fields(ctx: Ctx) -> None:
    """Before a workspace's data model first changes, write out the fields it shares with the template
    (same ids and keys, so the loaded schema stays right); every data-model change starts here."""
    written = _store_shared_fields(ctx.conn, ctx.schema.workspace_id, ctx.state.models.standard_model(ctx.conn))
    if written:
        ctx.state.models.add_fields(ctx.schema.workspace_id, written)


def _create_object(ctx: Ctx, data: Any) -> str:
    """A custom object with its default fields and relations (metadata.md §9.1); returns its id."""
    _own_fields(ctx)
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    label_s = _check_label(data.get("labelSingular"), "labelSingular")
    label_p = _check_label(data.get("labelPlural"), "labelPlural")
    singular, plural = data.get("nameSingular"), data.get("namePlural")
    _check_object_names(ctx.schema, singular, plural)
    synced = bool(data.get("isLabelSyncedWithName"))
    _check_synced(singular, label_s, synced)
    _check_synced(plural, label_p, synced)
    new_id = ctx.new_id
    oid = new_id()
    skip_name = bool(data.get("skipNameField"))
    props = {
        "id": oid, "nameSingular": singular, "namePlural": plural, "labelSingular": label_s, "labelPlural": label_p,
        "description": data.get("description"), "icon": data.get("icon"), "shortcut": data.get("shortcut"),
        "color": data.get("color"), "isCustom": True, "isActive": True, "isSystem": False, "isSearchable": True,
        "isRemote": bool(data.get("isRemote")), "isLabelSyncedWithName": synced,
        "labelIdentifier": "id" if skip_name else "name", "imageIdentifier": None, "duplicateCriteria": None,
        "createdAt": ctx.now, "updatedAt": ctx.now,
    }  # fmt: skip
    _insert_object(ctx.conn, ctx.schema.workspace_id, props)
    actor_default = {"name": "''", "source": "'MANUAL'"}
    fields = [
        _field_props(
            oid,
            "id",
            "UUID",
            ctx.now,
            new_id,
            label="Id",
            isSystem=True,
            isNullable=False,
            isUnique=True,
            defaultValue="uuid",
            isUIReadOnly=True,
        )
    ]
    if not skip_name:
        fields.append(_field_props(oid, "name", "TEXT", ctx.now, new_id, label="Name", icon="IconAbc"))
    fields += [
        _field_props(oid, "createdAt", "DATE_TIME", ctx.now, new_id, isNullable=False, defaultValue="now",
                    isUIReadOnly=True),
        _field_props(oid, "updatedAt", "DATE_TIME", ctx.now, new_id, isNullable=False, defaultValue="now",
                    isUIReadOnly=True),
        _field_props(oid, "deletedAt", "DATE_TIME", ctx.now, new_id, isUIReadOnly=True),
        _field_props(oid, "createdBy", "ACTOR", ctx.now, new_id, isNullable=False, isUIReadOnly=True,
                    defaultValue=actor_default),
        _field_props(oid, "updatedBy", "ACTOR", ctx.now, new_id, isNullable=False, isUIReadOnly=True,
                    defaultValue=actor_default),
        _field_props(oid, "position", "POSITION", ctx.now, new_id, isSystem=True, isNullable=False, defaultValue=0),
        _field_props(oid, "searchVector", "TS_VECTOR", ctx.now, new_id, isSystem=True, label="Search vector"),
    ]  # fmt: skip
    created = ObjectMeta(
        id=oid,
        key=0,
        name_singular=singular,
        name_plural=plural,
        label_singular=label_s,
        label_plural=label_p,
        description=None,
        icon=None,
        shortcut=None,
        is_custom=True,
        is_active=True,
        is_system=False,
        is_searchable=True,
        label_identifier=None,
        image_identifier=None,
        duplicate_criteria=None,
        created_at=ctx.now,
        updated_at=ctx.now,
        fields=(),
    )
    for other_name, pattern, inverse in DEFAULT_RELATIONS:
        other = ctx.schema.by_singular.get(other_name) or next(
            (o for o in ctx.schema.objects if o.name_singular == other_name), None
        )
        if other is None:
            continue
        field_name = pattern.format(S=_upper_first(singular), s=singular)
        morph = next((f.morph_id for f in other.fields if f.morph_id), None) if pattern.startswith("target") else None
        pair = _relation_pair(
            ctx,
            created,
            inverse,
            _humanize(inverse),
            other,
            field_name,
            label_s,
            "CASCADE",
            many_to_one_on_source=False,
            isSystem=True,
        )
        if morph:
            pair[1].update(type="MORPH_RELATION", morphId=morph)
        for p in pair:
            p["isCustom"] = False
        fields += pair
    _add_fields(ctx, fields)
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return oid


def _object_by_id(ctx: Ctx, oid: str) -> ObjectMeta:
    obj = ctx.schema.by_id.get(oid) if _is_uuid(oid) else None
    if obj is None:
        raise _metadata_not_found()
    return obj


def _field_by_id(ctx: Ctx, fid: str, status: int = 404) -> tuple[ObjectMeta, FieldMeta]:
    for obj in ctx.schema.objects:
        for f in obj.fields:
            if f.id == fid:
                return obj, f
    raise ApiError(status, "NotFoundException" if status == 404 else "BadRequestException", "Field metadata not found")


def _update_object(ctx: Ctx, oid: str, update: Any) -> None:
    """Apply an UpdateObjectPayload (metadata.md §4.2)."""
    _own_fields(ctx)
    obj = _object_by_id(ctx, oid)
    if not isinstance(update, dict):
        raise _bad_request("Request body must be a JSON object")
    props = dict(obj.props, id=obj.id, nameSingular=obj.name_singular, namePlural=obj.name_plural)
    for key in ("labelSingular", "labelPlural"):
        if key in update:
            props[key] = _check_label(update[key], key)
    for key in ("description", "icon", "shortcut", "color"):
        if key in update:
            props[key] = update[key]
    for key in ("isActive", "isSearchable", "isLabelSyncedWithName"):
        if key in update:
            if not isinstance(update[key], bool):
                raise _bad_request(f"{key} must be a boolean value")
            props[key] = update[key]
    synced = bool(props.get("isLabelSyncedWithName"))
    renames = {k: update[k] for k in ("nameSingular", "namePlural") if k in update}
    if synced and not renames and ({"labelSingular", "labelPlural"} & set(update)) and obj.is_custom:
        renames = {
            "nameSingular": _name_from_label(props["labelSingular"]),
            "namePlural": _name_from_label(props["labelPlural"]),
        }
    if renames and any(renames[k] != props[k] for k in renames):
        if not obj.is_custom:
            raise _bad_request("Standard object names cannot be changed")
        props.update(renames)
        _check_object_names(ctx.schema, props["nameSingular"], props["namePlural"], exclude=obj.id)
    if synced and obj.is_custom:
        _check_synced(props["nameSingular"], props["labelSingular"], True)
        _check_synced(props["namePlural"], props["labelPlural"], True)
    for key, prop in (
        ("labelIdentifierFieldMetadataId", "labelIdentifier"),
        ("imageIdentifierFieldMetadataId", "imageIdentifier"),
    ):
        if key in update:
            if update[key] is None:
                props[prop] = None
                continue
            target = next((f for f in obj.fields if f.id == update[key]), None)
            if target is None:
                raise _bad_request(f"{key} must be the id of a field of this object")
            props[prop] = target.name
    props["updatedAt"] = ctx.now
    _save_object_props(ctx.conn, obj.id, props)
    if props["nameSingular"] != obj.name_singular:
        _rename_target_fields(ctx, obj, props["nameSingular"])
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)


def _rename_target_fields(ctx: Ctx, obj: ObjectMeta, singular: str) -> None:
    """After an object rename, its default relation fields on other objects follow (targetPet → targetDog)."""
    old_names = {
        pattern.format(S=_upper_first(obj.name_singular), s=obj.name_singular): pattern
        for _, pattern, _ in DEFAULT_RELATIONS
    }
    for other, meta in ctx.schema.incoming(obj):
        if meta.name in old_names and not meta.is_custom:
            props = dict(meta.props)
            props["name"] = old_names[meta.name].format(S=_upper_first(singular), s=singular)
            props["settings"] = dict(props["settings"], joinColumnName=props["name"] + "Id")
            if props["name"] in _taken_field_names(other, meta.id):
                continue
            _save_field_props(ctx.conn, props)


def _delete_object(ctx: Ctx, oid: str) -> ObjectMeta:
    """Delete a custom, inactive object with its records and every relation field that points to it."""
    _own_fields(ctx)
    obj = _object_by_id(ctx, oid)
    if not obj.is_custom:
        raise _bad_request("Standard Objects can't be deleted")
    if obj.is_active:
        raise _bad_request("Active objects can't be deleted")
    doomed = {f.id for f in obj.fields}
    for f in obj.fields:
        if f.target_field_id:
            doomed.add(f.target_field_id)
    for _other, meta in ctx.schema.incoming(obj):
        doomed.add(meta.id)
    ctx.conn.execute("DELETE FROM value WHERE seq IN (SELECT seq FROM entity WHERE obj = ?)", (obj.key,))
    ctx.conn.execute("DELETE FROM entity WHERE obj = ?", (obj.key,))
    ctx.conn.execute("DELETE FROM entity_count WHERE obj = ?", (obj.key,))
    _drop_fields(ctx.conn, doomed)
    ctx.conn.execute("DELETE FROM object_meta WHERE id = ?", (obj.id,))
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return obj


def _create_field(ctx: Ctx, data: Any) -> str:
    """A field (and, for a relation, its inverse) from a CreateFieldInput (metadata.md §4.3); returns its id."""
    _own_fields(ctx)
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    obj = _object_by_id(ctx, str(data.get("objectMetadataId")))
    ftype = "RICH_TEXT" if data.get("type") == "RICH_TEXT_V2" else data.get("type")
    if ftype not in CREATABLE_TYPES:
        raise _bad_request(f"Invalid field type: {ftype}")
    label = _check_label(data.get("label"), "label")
    name = _check_field_name(obj, data.get("name"))
    _check_synced(name, label, bool(data.get("isLabelSyncedWithName")))
    new_id = ctx.new_id
    if ftype == "RELATION":
        return _create_relation(ctx, obj, name, label, data)
    options = _check_options(ftype, data.get("options"), new_id)
    default = _check_default(ftype, data.get("defaultValue"), options)
    props = _field_props(
        obj.id,
        name,
        ftype,
        ctx.now,
        new_id,
        label=label,
        description=data.get("description"),
        icon=data.get("icon"),
        isCustom=True,
        isNullable=data.get("isNullable", True) is not False,
        isUnique=bool(data.get("isUnique")),
        isSearchable=data.get("isSearchable") is True,
        isAuditLogged=data.get("isAuditLogged") is not False,
        defaultValue=default,
        options=options,
        settings=data.get("settings"),
        isLabelSyncedWithName=bool(data.get("isLabelSyncedWithName")),
    )
    if ftype in ("CURRENCY", "FULL_NAME", "EMAILS", "PHONES", "LINKS", "ADDRESS", "ACTOR", "RICH_TEXT"):
        taken = _taken_field_names(obj)
        for _, column, _ in _field_columns(props):
            if column in taken:
                raise _bad_request(f'Name "{column}" is not available as it is already used by another field')
    _add_fields(ctx, [props])
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return props["id"]


def _create_relation(ctx: Ctx, obj: ObjectMeta, name: str, label: str, data: dict[str, Any]) -> str:
    """Both sides of a relation from relationCreationPayload (metadata.md §6)."""
    _own_fields(ctx)
    payload = data.get("relationCreationPayload")
    if not isinstance(payload, dict):
        raise _bad_request("relationCreationPayload is required for RELATION fields")
    rtype = payload.get("type")
    if rtype not in ("MANY_TO_ONE", "ONE_TO_MANY"):
        raise _bad_request(f"Invalid relation type: {rtype}. Expected MANY_TO_ONE or ONE_TO_MANY")
    target = ctx.schema.by_id.get(str(payload.get("targetObjectMetadataId")))
    if target is None:
        raise _metadata_not_found()
    inverse_label = _check_label(payload.get("targetFieldLabel") or obj.label_plural, "targetFieldLabel")
    inverse_name = _name_from_label(inverse_label)
    source_side_m2o = rtype == "MANY_TO_ONE"
    if source_side_m2o:
        _check_field_name(obj, name + "Id")
    inverse_obj = target
    _check_field_name(inverse_obj, inverse_name)
    if not source_side_m2o:
        _check_field_name(inverse_obj, inverse_name + "Id")
    if target.id == obj.id and inverse_name == name:
        raise _bad_request(f'Name "{name}" is not available as it is already used by another field')
    pair = _relation_pair(
        ctx,
        obj,
        name,
        label,
        target,
        inverse_name,
        inverse_label,
        (data.get("settings") or {}).get("onDelete", "SET_NULL"),
        many_to_one_on_source=source_side_m2o,
    )
    pair[0].update(description=data.get("description"), icon=data.get("icon"))
    pair[1]["icon"] = payload.get("targetFieldIcon")
    _add_fields(ctx, pair)
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return pair[0]["id"]


def _update_field(ctx: Ctx, fid: str, update: Any) -> None:
    """Apply an UpdateFieldInput (metadata.md §4.4, §8, §9.2)."""
    _own_fields(ctx)
    obj, meta = _field_by_id(ctx, fid, status=400)
    if not isinstance(update, dict):
        raise _bad_request("Request body must be a JSON object")
    props = dict(meta.props)
    if "type" in update and update["type"] != meta.type:
        raise _bad_request("Cannot change the type of a field")
    standard_editable = {"label", "description", "icon", "isActive", "options", "id", "isLabelSyncedWithName",
                         "isSearchable", "isAuditLogged", "translations"}  # fmt: skip
    if not meta.is_custom and set(update) - standard_editable - {"objectMetadataId", "type"}:
        extra = sorted(set(update) - standard_editable - {"objectMetadataId", "type"})
        raise _bad_request(f"Standard field metadata cannot be updated: {', '.join(extra)}")
    if "label" in update:
        props["label"] = _check_label(update["label"], "label")
    for key in ("description", "icon"):
        if key in update:
            props[key] = update[key]
    if "isActive" in update and update["isActive"] is False and meta.is_active:
        if obj.label_identifier == meta.name:
            raise _bad_request("Cannot deactivate label identifier field")
        if meta.name in TIMESTAMP_FIELDS:
            raise _bad_request("Cannot deactivate createdAt, updatedAt or deletedAt field")
        if meta.is_system:
            raise _bad_request("Cannot deactivate system field")
    for key in ("isActive", "isNullable", "isUnique", "isLabelSyncedWithName", "isSearchable", "isAuditLogged"):
        if key in update:
            if not isinstance(update[key], bool):
                raise _bad_request(f"{key} must be a boolean value")
            props[key] = update[key]
    if "name" in update and update["name"] != meta.name:
        if not meta.is_custom:
            raise _bad_request("Standard field names cannot be changed")
        props["name"] = _check_field_name(obj, update["name"], exclude=meta.id)
        if meta.join_column:
            _check_field_name(obj, props["name"] + "Id", exclude=meta.id)
            props["settings"] = dict(props["settings"], joinColumnName=props["name"] + "Id")
    if props.get("isLabelSyncedWithName") and meta.is_custom:
        if "label" in update and "name" not in update:
            props["name"] = _check_field_name(obj, _name_from_label(props["label"]), exclude=meta.id)
        _check_synced(props["name"], props["label"], True)
    if "options" in update and meta.type in ("SELECT", "MULTI_SELECT"):
        props["options"] = _check_options(meta.type, update["options"], ctx.new_id)
        _clear_removed_options(ctx, meta, {o["value"] for o in props["options"]})
    if "settings" in update and meta.relation_type is None:
        props["settings"] = update["settings"]
    if "defaultValue" in update or "options" in update:
        default = update.get("defaultValue", props.get("defaultValue"))
        props["defaultValue"] = _check_default(meta.type, default, props.get("options"))
    props["updatedAt"] = ctx.now
    _save_field_props(ctx.conn, props)
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)


def _clear_removed_options(ctx: Ctx, meta: FieldMeta, kept: set[str]) -> None:
    """Records holding a removed option lose it: SELECT becomes null, MULTI_SELECT drops the value."""
    key = meta.columns[0].key
    values = sorted(kept)
    if meta.type == "SELECT":
        ctx.conn.execute(
            f"UPDATE value SET v = NULL WHERE attr = ? AND v IS NOT NULL AND v NOT IN ({_marks(len(values))})",
            (key, *values),
        )
    else:
        ctx.conn.execute(
            "UPDATE value SET v = (SELECT json_group_array(j.value) FROM json_each(value.v) j "
            f"WHERE j.value IN ({_marks(len(values))})) WHERE attr = ? AND v IS NOT NULL",
            (*values, key),
        )


def _delete_field(ctx: Ctx, fid: str) -> FieldMeta:
    """Delete a custom, inactive field with its data; a relation takes its other side along."""
    _own_fields(ctx)
    obj, meta = _field_by_id(ctx, fid)
    if not meta.is_custom:
        raise _bad_request("Standard Fields can't be deleted")
    if meta.is_active:
        raise _bad_request("Active fields can't be deleted")
    if obj.label_identifier == meta.name:
        raise _bad_request("Cannot delete, please update the label identifier field first")
    _drop_fields(ctx.conn, [meta.id] + ([meta.target_field_id] if meta.target_field_id else []))
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return meta


# ---- metadata output ----------------------------------------------------------------------


def _relation_out(schema: Schema, obj: ObjectMeta, meta: FieldMeta) -> dict[str, Any] | None:
    """The `relation` of a RELATION field: its type and both sides."""
    if meta.relation_type is None:
        return None
    target = schema.by_id.get(meta.target_object_id or "")
    inverse = next((f for f in target.fields if f.id == meta.target_field_id), None) if target else None
    side = lambda o: {"id": o.id, "nameSingular": o.name_singular, "namePlural": o.name_plural}  # noqa: E731
    return {
        "type": meta.relation_type,
        "sourceObjectMetadata": side(obj),
        "targetObjectMetadata": side(target) if target else None,
        "sourceFieldMetadata": {"id": meta.id, "name": meta.name},
        "targetFieldMetadata": {"id": inverse.id, "name": inverse.name} if inverse else None,
    }


def _field_out(schema: Schema, obj: ObjectMeta, meta: FieldMeta) -> dict[str, Any]:
    """A field as the metadata API shows it (metadata.md §5.2)."""
    p = meta.props
    return {
        "id": meta.id, "type": meta.type, "name": meta.name, "label": meta.label, "description": meta.description,
        "icon": meta.icon, "standardOverrides": None, "isCustom": meta.is_custom, "isActive": meta.is_active,
        "isSystem": meta.is_system, "isUIEditable": not meta.is_ui_readonly, "isUIReadOnly": meta.is_ui_readonly,
        "isNullable": meta.is_nullable, "isUnique": meta.is_unique, "defaultValue": meta.default,
        "options": list(meta.options) if meta.options else None, "settings": meta.settings,
        "objectMetadataId": meta.object_id, "isLabelSyncedWithName": meta.is_label_synced,
        "morphId": meta.morph_id, "workspaceId": schema.workspace_id, "createdAt": p.get("createdAt"),
        "updatedAt": p.get("updatedAt"), "relation": _relation_out(schema, obj, meta),
    }  # fmt: skip


def _object_out(schema: Schema, obj: ObjectMeta, with_fields: bool = True, rest: bool = True) -> dict[str, Any]:
    """An object as the metadata API shows it (metadata.md §5.1); REST leaves out null extras."""
    ids = {f.name: f.id for f in obj.fields}
    p = obj.props
    out: dict[str, Any] = {
        "id": obj.id, "nameSingular": obj.name_singular, "namePlural": obj.name_plural,
        "labelSingular": obj.label_singular, "labelPlural": obj.label_plural, "description": obj.description,
        "icon": obj.icon, "shortcut": obj.shortcut, "color": p.get("color"), "standardOverrides": None,
        "isCustom": obj.is_custom, "isRemote": bool(p.get("isRemote")), "isActive": obj.is_active,
        "isSystem": obj.is_system, "isUIReadOnly": False, "isUIEditable": True, "isUICreatable": True,
        "isSearchable": obj.is_searchable, "isLabelSyncedWithName": bool(p.get("isLabelSyncedWithName")),
        "labelIdentifierFieldMetadataId": ids.get(obj.label_identifier or ""),
        "imageIdentifierFieldMetadataId": ids.get(obj.image_identifier or ""),
        "duplicateCriteria": [list(g) for g in obj.duplicate_criteria] if obj.duplicate_criteria else None,
        "openRecordIn": "SIDE_PANEL", "workspaceId": schema.workspace_id, "createdAt": obj.created_at,
        "updatedAt": obj.updated_at,
    }  # fmt: skip
    if rest:
        for key in ("description", "icon", "shortcut", "color", "standardOverrides", "duplicateCriteria"):
            if out[key] is None:
                del out[key]
    if with_fields:
        out["fields"] = [_field_out(schema, obj, f) for f in obj.fields]
    return out


# ---- the workspace's settings -------------------------------------------------------------------

# What updateWorkspace sets and currentWorkspace shows, with a new workspace's values. Sign-in, billing
# and AI settings change nothing here; they are kept so that a client that sets them reads them back.
WORKSPACE_SETTINGS: dict[str, Any] = {
    "logo": None, "logoFileId": None, "inviteHash": None, "allowImpersonation": False,
    "isPublicInviteLinkEnabled": True, "workspaceDiscoverability": "MEMBERS_AND_INVITEES", "trashRetentionDays": 14,
    "eventLogRetentionDays": 365, "subdomain": None, "customDomain": None, "isGoogleAuthEnabled": True,
    "isGoogleAuthBypassEnabled": False, "isTwoFactorAuthenticationEnforced": False, "isPasswordAuthEnabled": True,
    "isPasswordAuthBypassEnabled": False, "isMicrosoftAuthEnabled": True, "isMicrosoftAuthBypassEnabled": False,
    "isCustomDomainEnabled": False, "isInternalMessagesImportEnabled": False, "allowedIframeOrigins": [],
    "editableProfileFields": [], "defaultRoleId": None, "aiChatModelTier": "smart", "aiAgentModelTier": "smart",
    "isAutoModelSelectionEnabled": True, "aiModelIdByTier": {}, "aiEvaluationModelId": None,
    "aiAdditionalInstructions": None,
}  # fmt: skip


def _workspace_settings(conn: sqlite3.Connection, workspace_id: str) -> dict[str, Any]:
    """A workspace's name, dates and settings (WORKSPACE_SETTINGS, then what was set)."""
    row = conn.execute(
        "SELECT name, created_at, settings, meta_version FROM workspace WHERE id = ?", (workspace_id,)
    ).fetchone()
    out = {**WORKSPACE_SETTINGS, **json.loads(row[2])}
    out.update(displayName=row[0], createdAt=row[1], updatedAt=out.get("updatedAt") or row[1], metadataVersion=row[3])
    if not out["subdomain"]:
        out["subdomain"] = re.sub(r"[^a-z0-9]+", "-", row[0].lower()).strip("-") or "workspace"
    if not out["defaultRoleId"]:
        out["defaultRoleId"] = _role_by_label(conn, workspace_id, "Member").id
    return out


def _update_workspace(conn: sqlite3.Connection, workspace_id: str, data: Any, now: str) -> None:
    """Apply an UpdateWorkspaceInput: known keys only, numbers not negative, a default role that exists."""
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    unknown = sorted(set(data) - set(WORKSPACE_SETTINGS) - {"displayName"})
    if unknown:
        raise _bad_request(f"Unknown workspace settings: {', '.join(unknown)}")
    for key in ("trashRetentionDays", "eventLogRetentionDays"):
        if key in data and (not _finite(data[key]) or data[key] < 0):
            raise _bad_request(f"{key} must be a number not below 0")
    if data.get("defaultRoleId") is not None:
        role = _find_role(conn, workspace_id, data["defaultRoleId"])
        if not role.props.get("canBeAssignedToUsers", True):
            raise _bad_request("This role cannot be assigned to users")
        data = dict(data, defaultRoleId=role.id)
    if "displayName" in data:
        if not isinstance(data["displayName"], str) or not data["displayName"].strip():
            raise _bad_request("displayName should not be empty")
        conn.execute("UPDATE workspace SET name = ? WHERE id = ?", (data["displayName"], workspace_id))
    row = conn.execute("SELECT settings FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
    settings = {**json.loads(row[0]), **{k: v for k, v in data.items() if k != "displayName"}, "updatedAt": now}
    conn.execute("UPDATE workspace SET settings = ? WHERE id = ?", (_dumps(settings), workspace_id))


def _assign_member_role(conn: sqlite3.Connection, workspace_id: str, member_id: str, role_id: Any) -> Role:
    """Give a workspace member one role (Twenty's updateWorkspaceMemberRole); the member is checked by the caller."""
    role = _find_role(conn, workspace_id, role_id)
    if not role.props.get("canBeAssignedToUsers", True):
        raise _bad_request("This role cannot be assigned to users")
    for other in _list_roles(conn, workspace_id):
        members = [m for m in other.props.get("workspaceMemberIds", []) if m != member_id]
        if other.id == role.id:
            members.append(member_id)
        if members != other.props.get("workspaceMemberIds", []):
            _save_role(conn, _replace(other, props=dict(other.props, workspaceMemberIds=members)))
    return _find_role(conn, workspace_id, role.id)


def _role_member_ids(roles: list[Role], role: Role, default_role_id: str, member_ids: list[str]) -> list[str]:
    """The members holding a role: those given it, and those given none when it is the default role."""
    given = {m for r in roles for m in r.props.get("workspaceMemberIds", [])}
    own = set(role.props.get("workspaceMemberIds", []))
    return [m for m in member_ids if m in own or (role.id == default_role_id and m not in given)]


# ---- API keys and roles: management -----------------------------------------------------------

KEY_COLUMNS = "id, name, expires_at, revoked_at, role_id, created_at, updated_at"


def _key_out(row: Sequence[Any]) -> dict[str, Any]:
    """An API key as the metadata APIs show it (the token is never stored, never shown here)."""
    return {
        "id": row[0],
        "name": row[1],
        "expiresAt": row[2],
        "revokedAt": row[3],
        "roleId": row[4],
        "createdAt": row[5],
        "updatedAt": row[6],
    }


def _find_key(conn: sqlite3.Connection, workspace_id: str, key_id: str) -> dict[str, Any]:
    row = conn.execute(
        f"SELECT {KEY_COLUMNS} FROM api_key WHERE id = ? AND workspace_id = ?", (str(key_id).lower(), workspace_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "NotFoundException", f"API Key with id {key_id} not found")
    return _key_out(row)


def _list_keys(conn: sqlite3.Connection, workspace_id: str) -> list[dict[str, Any]]:
    """Keys that are not revoked, newest first."""
    rows = conn.execute(
        f"SELECT {KEY_COLUMNS} FROM api_key WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id",
        (workspace_id,),
    )
    return [_key_out(r) for r in rows]


def _check_expiry(value: Any) -> str:
    out = _parse_datetime(value) if isinstance(value, str) else None
    if out is None:
        raise _bad_request(f"expiresAt must be an ISO-8601 date-time, got {_dumps(value)}")
    return out


def _find_role(conn: sqlite3.Connection, workspace_id: str, role_id: Any) -> Role:
    row = conn.execute(
        "SELECT id, data FROM role WHERE id = ? AND workspace_id = ?", (str(role_id).lower(), workspace_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "NotFoundException", f"Role with id {role_id} not found")
    return _role_from_json(row[0], row[1])


def _list_roles(conn: sqlite3.Connection, workspace_id: str) -> list[Role]:
    rows = conn.execute("SELECT id, data FROM role WHERE workspace_id = ?", (workspace_id,)).fetchall()
    order = {label: n for n, (label, *_rest) in enumerate(STANDARD_ROLES)}
    roles = [_role_from_json(r[0], r[1]) for r in rows]
    return sorted(roles, key=lambda r: (order.get(r.props["label"], 99), r.props["label"]))


def _role_by_label(conn: sqlite3.Connection, workspace_id: str, label: str) -> Role:
    role = next((r for r in _list_roles(conn, workspace_id) if r.props["label"].lower() == label.lower()), None)
    if role is None:
        raise _bad_request(f"No role labelled {label!r}")
    return role


def _assignable(conn: sqlite3.Connection, workspace_id: str, role_id: Any) -> str:
    role = _find_role(conn, workspace_id, role_id)
    if not role.props.get("canBeAssignedToApiKeys", True):
        raise ApiError(
            400,
            "BadRequestException",
            "This role cannot be assigned to API keys",
            sub_code="ROLE_CANNOT_BE_ASSIGNED_TO_API_KEYS",
        )
    return role.id


def _create_key(
    conn: sqlite3.Connection, workspace_id: str, data: Any, now: str, new_id: Callable[[], str]
) -> dict[str, Any]:
    """A new API key row (no token: generateApiKeyToken makes one)."""
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad_request("name should not be empty")
    expires = _check_expiry(data.get("expiresAt"))
    if not _is_uuid(data.get("roleId")):  # the newest Twenty requires a role (CreateApiKeyInput.roleId: UUID!)
        raise _bad_request("roleId must be a UUID")
    role_id = _assignable(conn, workspace_id, data["roleId"])
    revoked = _check_expiry(data["revokedAt"]) if data.get("revokedAt") else None
    key_id = new_id()
    conn.execute(
        "INSERT INTO api_key(id, workspace_id, name, expires_at, revoked_at, role_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (key_id, workspace_id, name, expires, revoked, role_id, now, now),
    )
    return _find_key(conn, workspace_id, key_id)


def _update_key(conn: sqlite3.Connection, workspace_id: str, key_id: str, data: Any, now: str) -> dict[str, Any]:
    key = _find_key(conn, workspace_id, key_id)
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    name = data.get("name", key["name"])
    if not isinstance(name, str) or not name.strip():
        raise _bad_request("name should not be empty")
    expires = _check_expiry(data["expiresAt"]) if "expiresAt" in data else key["expiresAt"]
    revoked = key["revokedAt"]
    if "revokedAt" in data:
        revoked = _check_expiry(data["revokedAt"]) if data["revokedAt"] else None
    conn.execute(
        "UPDATE api_key SET name = ?, expires_at = ?, revoked_at = ?, updated_at = ? WHERE id = ?",
        (name, expires, revoked, now, key["id"]),
    )
    return _find_key(conn, workspace_id, key["id"])


def _revoke_key(conn: sqlite3.Connection, workspace_id: str, key_id: str, now: str) -> dict[str, Any]:
    """Revoking is deleting: every token of the key stops working at once."""
    key = _find_key(conn, workspace_id, key_id)
    conn.execute(
        "UPDATE api_key SET revoked_at = coalesce(revoked_at, ?), updated_at = ? WHERE id = ?", (now, now, key["id"])
    )
    return _find_key(conn, workspace_id, key["id"])


def _key_token(state: AppState, workspace_id: str, key_id: Any, expires_at: Any) -> str:
    """generateApiKeyToken: a fresh JWT for a live key (auth-and-limits.md §4.2)."""
    with state.store.read() as conn:
        key = _find_key(conn, workspace_id, str(key_id))
    if key["revokedAt"] is not None:
        raise ApiError(403, "FORBIDDEN_EXCEPTION", "This API Key is revoked")
    expires = _check_expiry(expires_at)
    now = state.clock()
    if expires <= _iso(now):
        raise ApiError(403, "FORBIDDEN_EXCEPTION", "This API Key has expired")
    moment = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    return _api_key_token(state.app_secret, workspace_id, key["id"], now, moment)


def _save_role(conn: sqlite3.Connection, role: Role) -> None:
    conn.execute("UPDATE role SET data = ? WHERE id = ?", (_role_json(role), role.id))


def _check_role_props(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in ("label", "description", "icon"):
        if key in data:
            out[key] = data[key]
    for key in ROLE_FLAGS:
        if key in data and data[key] is not None:
            if not isinstance(data[key], bool):
                raise _bad_request(f"{key} must be a boolean value")
            out[key] = data[key]
    return out


_ID_TABLES = {"role": "role", "webhook": "webhook", "view": "view_item"}  # resources whose id a caller may choose


def _fresh_id(conn: sqlite3.Connection, table: str, given: Any, new_id: Callable[[], str]) -> str:
    """The id of a new role or webhook: the caller's, if it is a UUID not taken yet, else a new one. Ids are
    unique across workspaces (as in Twenty's one table of each); the refusal does not say whose it is."""
    if not given:
        return new_id()
    if not isinstance(given, str) or not UUID_RE.match(given):
        raise _bad_request(f"Invalid id {_dumps(given)}: a UUID is expected")
    if conn.execute(f"SELECT 1 FROM {_ID_TABLES[table]} WHERE id = ?", (given.lower(),)).fetchone():
        raise _bad_request(f"A {table} with id {given.lower()} already exists")
    return given.lower()


def _create_role(conn: sqlite3.Connection, workspace_id: str, data: Any, new_id: Callable[[], str]) -> Role:
    """A custom role; flags default to false (auth-and-limits.md §6.1)."""
    if not isinstance(data, dict) or not isinstance(data.get("label"), str) or not data["label"].strip():
        raise _bad_request("label should not be empty")
    if any(r.props["label"] == data["label"] for r in _list_roles(conn, workspace_id)):
        raise _bad_request("A role with this label already exists")
    props: dict[str, Any] = {
        "label": data["label"],
        "standardId": None,
        "description": None,
        "icon": None,
        "isEditable": True,
        **{flag: False for flag in ROLE_FLAGS},
        "canBeAssignedToUsers": True,
        "canBeAssignedToApiKeys": True,
    }
    props.update(_check_role_props(data))
    role = Role(_fresh_id(conn, "role", data.get("id"), new_id), props, {}, {}, frozenset())
    conn.execute("INSERT INTO role(id, workspace_id, data) VALUES (?, ?, ?)", (role.id, workspace_id, _role_json(role)))
    return role


def _editable_role(conn: sqlite3.Connection, workspace_id: str, role_id: Any) -> Role:
    role = _find_role(conn, workspace_id, role_id)
    if not role.props.get("isEditable", True):
        raise _bad_request("Role is not editable")
    return role


def _update_role(conn: sqlite3.Connection, workspace_id: str, role_id: Any, update: Any) -> Role:
    role = _editable_role(conn, workspace_id, role_id)
    changes = _check_role_props(update if isinstance(update, dict) else {})
    label = changes.get("label", role.props["label"])
    if not isinstance(label, str) or not label.strip():
        raise _bad_request("label should not be empty")
    if any(r.props["label"] == label and r.id != role.id for r in _list_roles(conn, workspace_id)):
        raise _bad_request("A role with this label already exists")
    role = _replace(role, props=dict(role.props, **changes))
    _save_role(conn, role)
    return role


def _delete_role(conn: sqlite3.Connection, workspace_id: str, role_id: Any) -> str:
    """Delete a custom role; its API keys fall back to the Member role."""
    role = _editable_role(conn, workspace_id, role_id)
    if role.props.get("standardId"):
        raise _bad_request("Standard roles cannot be deleted")
    member = _role_by_label(conn, workspace_id, "Member")
    conn.execute("UPDATE api_key SET role_id = ? WHERE role_id = ?", (member.id, role.id))
    conn.execute("DELETE FROM role WHERE id = ?", (role.id,))
    return role.id


def _upsert_object_permissions(conn: sqlite3.Connection, schema: Schema, role_id: Any, items: Any) -> Role:
    """Set per-object permissions of a role; null inherits the role-wide flag (auth-and-limits.md §7.1)."""
    role = _editable_role(conn, schema.workspace_id, role_id)
    perms = {k: dict(v) for k, v in role.object_permissions.items()}
    for item in items or []:
        obj = schema.by_id.get(str(item.get("objectMetadataId", "")).lower())
        if obj is None:
            raise _metadata_not_found()
        entry = {k: item.get(k) for _, k in RECORD_ACTIONS.values()}
        read = entry["canReadObjectRecords"]
        readable = read if read is not None else role.props.get("canReadAllObjectRecords")
        writes = [entry[k] for k in ("canUpdateObjectRecords", "canSoftDeleteObjectRecords", "canDestroyObjectRecords")]
        if any(writes) and not readable:
            raise _bad_request("Cannot give writing permission without reading permission")
        perms[obj.id] = entry
    role = _replace(role, object_permissions=perms)
    _save_role(conn, role)
    return role


def _upsert_field_permissions(conn: sqlite3.Connection, schema: Schema, role_id: Any, items: Any) -> Role:
    """Set per-field restrictions of a role: canReadFieldValue false, canUpdateFieldValue false."""
    role = _editable_role(conn, schema.workspace_id, role_id)
    perms = {k: dict(v) for k, v in role.field_permissions.items()}
    for item in items or []:
        fid = str(item.get("fieldMetadataId", "")).lower()
        if not any(f.id == fid for o in schema.objects for f in o.fields):
            raise ApiError(404, "NotFoundException", "Field metadata not found")
        if item.get("canUpdateFieldValue") not in (None, False):
            raise _bad_request("Field permission can only introduce a restriction")
        if item.get("canReadFieldValue") not in (None, False):
            raise _bad_request("Field permission can only introduce a restriction")
        perms[fid] = {
            "objectMetadataId": str(item.get("objectMetadataId", "")).lower(),
            "canReadFieldValue": item.get("canReadFieldValue"),
            "canUpdateFieldValue": item.get("canUpdateFieldValue"),
        }
    role = _replace(role, field_permissions=perms)
    _save_role(conn, role)
    return role


def _upsert_permission_flags(conn: sqlite3.Connection, workspace_id: str, role_id: Any, keys: Any) -> Role:
    role = _editable_role(conn, workspace_id, role_id)
    unknown = [k for k in keys or [] if k not in SETTINGS_FLAGS]
    if unknown:
        raise _bad_request(f"Unknown permission flags: {', '.join(unknown)}")
    role = _replace(role, permission_flags=frozenset(keys or []))
    _save_role(conn, role)
    return role


def _role_out(role: Role, keys: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A role as /metadata shows it, with its permissions listed."""
    stable = lambda *parts: _uuid5("/".join(parts))  # noqa: E731  (ids kept as before)
    return {
        "id": role.id, **{k: role.props.get(k) for k in ("standardId", "label", "description", "icon", "isEditable")},
        "universalIdentifier": role.props.get("standardId"),
        **{flag: bool(role.props.get(flag)) for flag in ROLE_FLAGS},
        "objectPermissions": [{"id": stable(role.id, oid), "roleId": role.id, "objectMetadataId": oid, **perm}
                              for oid, perm in role.object_permissions.items()],
        "fieldPermissions": [{"id": stable(role.id, fid), "roleId": role.id, "fieldMetadataId": fid, **perm}
                             for fid, perm in role.field_permissions.items()],
        "permissionFlags": [{"id": stable(role.id, flag), "roleId": role.id, "flag": flag}
                            for flag in sorted(role.permission_flags)],
        "apiKeys": keys or [],
    }  # fmt: skip


# ---- webhooks: management, events, signed delivery ------------------------------------------


def _webhook_out(row: Sequence[Any]) -> dict[str, Any]:
    doc = json.loads(row[1])
    return {"id": row[0], **doc, "deletedAt": row[2], "applicationId": _application_id(row[3])}


def _list_webhooks(conn: sqlite3.Connection, workspace_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, data, deleted_at, workspace_id FROM webhook WHERE workspace_id = ? AND deleted_at IS NULL",
        (workspace_id,),
    ).fetchall()
    return sorted((_webhook_out(r) for r in rows), key=lambda w: (w["createdAt"], w["id"]))


def _find_webhook(conn: sqlite3.Connection, workspace_id: str, webhook_id: Any) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, data, deleted_at, workspace_id FROM webhook WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL",
        (str(webhook_id).lower(), workspace_id),
    ).fetchone()
    if row is None:
        raise ApiError(404, "NotFoundException", "Webhook not found")
    return _webhook_out(row)


def _check_webhook(data: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """targetUrl (absolute http(s)), operations (patterns), description, secret (webhooks.md §1)."""
    from urllib.parse import urlsplit

    out = dict(current or {})
    if "targetUrl" in data or current is None:
        url = data.get("targetUrl")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _bad_request(f"Invalid targetUrl {_dumps(url)}: an absolute http(s) URL is required")
        out["targetUrl"] = url
    if "operations" in data or current is None:
        ops = data.get("operations") or ["*.*"]
        if not isinstance(ops, list) or not all(isinstance(o, str) and re.fullmatch(r"[\w*]+\.[\w*]+", o) for o in ops):
            raise _bad_request("operations must be a list of <object>.<action> patterns, e.g. person.created or *.*")
        out["operations"] = ops
    for key in ("description", "secret"):
        if key in data:
            if data[key] is not None and not isinstance(data[key], str):
                raise _bad_request(f"{key} must be a string")
            out[key] = data[key]
    if not out.get("secret"):
        out["secret"] = os.urandom(32).hex()
    out.setdefault("description", None)
    return out


def _save_webhook(
    conn: sqlite3.Connection,
    workspace_id: str,
    data: Any,
    now: str,
    new_id: Callable[[], str],
    webhook_id: str | None = None,
) -> dict[str, Any]:
    """Create (no id) or update a webhook."""
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    if webhook_id is None:
        doc = _check_webhook(data, None)
        doc.update(createdAt=now, updatedAt=now)
        new = _fresh_id(conn, "webhook", data.get("id"), new_id)
        conn.execute("INSERT INTO webhook(id, workspace_id, data) VALUES (?, ?, ?)", (new, workspace_id, _dumps(doc)))
        return _find_webhook(conn, workspace_id, new)
    current = _find_webhook(conn, workspace_id, webhook_id)
    base = {k: current[k] for k in ("targetUrl", "operations", "description", "secret", "createdAt")}
    doc = _check_webhook(data, base)
    doc["updatedAt"] = now
    conn.execute("UPDATE webhook SET data = ? WHERE id = ?", (_dumps(doc), current["id"]))
    return _find_webhook(conn, workspace_id, current["id"])


def _delete_webhook(conn: sqlite3.Connection, workspace_id: str, webhook_id: Any, now: str) -> dict[str, Any]:
    current = _find_webhook(conn, workspace_id, webhook_id)
    conn.execute("UPDATE webhook SET deleted_at = ? WHERE id = ?", (now, current["id"]))
    return dict(current, deletedAt=now)


def _webhook_matches(operations: Sequence[str], event: str) -> bool:
    obj, action = event.split(".", 1)
    return any(op in (event, f"*.{action}", f"{obj}.*", "*.*") for op in operations)


def _finish(ctx: Ctx) -> None:
    """After a request's transaction: deliver its webhook events, and keep the read documents it had to
    render (from current values, in a write transaction of their own, unless writes are busy)."""
    ctx.state.webhook_sender.send(ctx.events)
    if ctx.stale_docs:
        with ctx.state.store.write_if_free() as conn:
            if conn is not None:
                for obj, seqs in ctx.stale_docs.values():
                    _heal_docs(conn, obj, seqs)


def _emit(
    ctx: Ctx,
    obj: ObjectMeta,
    action: str,
    rids: Sequence[bytes],
    updated: Sequence[str] = (),
    records: list[dict[str, Any]] | None = None,
) -> None:
    """Queue webhook events of a record change; delivered after the request commits (webhooks.md §3-4)."""
    hooks = ctx.webhooks()
    event = f"{obj.name_singular}.{action}"
    targets = [h for h in hooks if _webhook_matches(h["operations"], event)]
    if not targets or not rids:
        return
    if records is None:
        records = _load_records(ctx, obj, rids)
    for record in records:
        for hook in targets:
            payload = {
                "targetUrl": hook["targetUrl"],
                "eventName": event,
                "objectMetadata": {"id": obj.id, "nameSingular": obj.name_singular},
                "workspaceId": ctx.schema.workspace_id,
                "webhookId": hook["id"],
                "eventDate": ctx.now,
                "record": record,
            }
            if action == "updated":
                payload["updatedFields"] = list(updated)
            ctx.events.append((hook, payload))


def _changed_fields(obj: ObjectMeta, changes: dict[str, Any]) -> list[str]:
    """Field names behind changed columns, without the server-managed ones."""
    skip = {"updatedAt", "updatedBy", "deletedAt"}
    names = [obj.columns_by_name[c].field for c in changes if c in obj.columns_by_name]
    return [n for n in dict.fromkeys(names) if n not in skip]


class WebhookSender:
    """Deliveries in the background: signed POSTs, cut off 5 s after they start, no retries (webhooks.md
    §5-6). Each workspace with deliveries pending has its own thread, so a slow, trickling or dead
    receiver delays only its own workspace's deliveries; a delivery that fails in any way is journalled."""

    deadline_seconds = 5.0

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.lock = threading.Lock()
        self.queues: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}  # a key: a thread serves it
        self.pending = 0

    def send(self, events: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Queue deliveries, starting a thread for a workspace that has none."""
        with self.lock:
            for hook, payload in events:
                workspace_id = payload["workspaceId"]
                if workspace_id not in self.queues:
                    self.queues[workspace_id] = []
                    threading.Thread(target=self.run, args=(workspace_id,), name="webhooks", daemon=True).start()
                self.queues[workspace_id].append((hook, payload))
                self.pending += 1

    def run(self, workspace_id: str) -> None:
        """Deliver a workspace's events in order; end when none is left."""
        while True:
            with self.lock:
                waiting = self.queues[workspace_id]
                if not waiting:
                    del self.queues[workspace_id]
                    return
                hook, payload = waiting.pop(0)
            try:
                self.deliver(hook, payload)
            except Exception as exc:  # a bug must not stop deliveries: journal it and go on
                self.journal(hook, payload, 0, 0.0, f"internal error ({type(exc).__name__})")
            finally:
                with self.lock:
                    self.pending -= 1

    def deliver(self, hook: dict[str, Any], payload: dict[str, Any]) -> None:
        import urllib.error
        import urllib.request

        body = _dumps(payload)
        headers = {"Content-Type": "application/json"}
        if hook.get("secret"):
            stamp = str(int(self.state.clock().timestamp() * 1000))
            signature = hmac.new(hook["secret"].encode(), f"{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
            headers.update(
                {
                    "X-Twenty-Webhook-Timestamp": stamp,
                    "X-Twenty-Webhook-Signature": signature,
                    "X-Twenty-Webhook-Nonce": os.urandom(16).hex(),
                }
            )
        request = urllib.request.Request(hook["targetUrl"], data=body.encode(), headers=headers, method="POST")
        started = time.perf_counter()
        error, answer = None, b""
        cut = _Cutoff(self.deadline_seconds)
        try:
            with cut.opener().open(request, timeout=self.deadline_seconds) as resp:
                status = resp.status
                answer = cut.read_all(resp)
        except urllib.error.HTTPError as exc:
            status = exc.code
            with contextlib.suppress(OSError, http.client.HTTPException):
                answer = cut.read_all(exc)
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc  # URLError wraps the socket's error: say that one
            # the deadline is both a timer and the socket's timeout: whichever fires first, it is a timeout
            timed_out = cut.fired or isinstance(reason, TimeoutError)
            status, error = 0, "timeout" if timed_out else f"{type(reason).__name__}: {reason}"[:200]
        finally:
            cut.cancel()
        if cut.fired and error is None:
            error = "timeout"
        exchange = {"requestHeaders": headers, "requestBody": body[:JOURNAL_BODY_CHARS]}
        exchange["responseBody"] = answer.decode("utf-8", "replace")
        self.journal(hook, payload, status, time.perf_counter() - started, error, exchange)

    def journal(
        self,
        hook: dict[str, Any],
        payload: dict[str, Any],
        status: int,
        seconds: float,
        error: str | None,
        exchange: dict[str, Any] | None = None,
    ) -> None:
        """A delivery's outcome in its workspace's journal (with what was sent and answered, if it got
        that far)."""
        entry = {
            "at": _iso(self.state.clock()),
            "webhook": hook.get("id"),
            "eventName": payload.get("eventName"),
            "url": hook.get("targetUrl"),
            "status": status,
            "success": 200 <= status < 300 and error is None,
            "durationMs": round(seconds * 1000, 2),
        }
        if error is not None:
            entry["error"] = error
        entry.update(exchange or {})
        self.state.tools.journal_add(payload["workspaceId"], entry)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued delivery is done (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.01)


class _Cutoff:
    """An overall deadline for one HTTP exchange: urllib's timeout bounds each socket read, so a receiver
    trickling a byte every few seconds would never time out; this shuts the socket down when time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._timer: threading.Timer | None = None
        self._sockets: list[socket.socket] = []

    def opener(self) -> Any:
        """A urllib opener whose connections report their socket to this cutoff."""
        import urllib.request

        cutoff = self

        class Http(http.client.HTTPConnection):
            def connect(self) -> None:
                super().connect()
                cutoff._watch(self.sock)

        class Https(http.client.HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                cutoff._watch(self.sock)

        class HttpHandler(urllib.request.HTTPHandler):
            def http_open(self, req: Any) -> Any:
                return self.do_open(Http, req)

        class HttpsHandler(urllib.request.HTTPSHandler):
            def https_open(self, req: Any) -> Any:
                return self.do_open(Https, req)

        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return urllib.request.build_opener(HttpHandler, HttpsHandler)

    def _watch(self, sock: socket.socket) -> None:
        self._sockets.append(sock)
        if self.fired:
            self._fire()

    def _fire(self) -> None:
        self.fired = True
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def read_all(self, resp: Any) -> bytes:
        """Read the answer's body to its end (a receiver that never finishes it is cut off); keep its start."""
        kept = b""
        while chunk := resp.read(65536):
            if len(kept) < JOURNAL_BODY_CHARS:
                kept += chunk[: JOURNAL_BODY_CHARS - len(kept)]
        return kept

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


# ---- indexes: computed from the data model, plus the ones a workspace adds -----------------------------

# The sub-field a composite's unique index covers (the one upserts match on).
INDEXED_SUB_FIELD = {"EMAILS": "primaryEmail", "LINKS": "primaryLinkUrl", "PHONES": "primaryPhoneNumber"}
STANDARD_FIELD_INDEXES = {"opportunity": ("stage",)}  # plain fields Twenty indexes besides keys and joins
MAX_CUSTOM_INDEXES = 10  # per object (Twenty's MAX_CUSTOM_INDEXES_PER_OBJECT)


def _index_column(meta: FieldMeta, sub: str | None) -> str:
    """The stored column an index field covers: a composite's sub-column, a join column, or the field."""
    if sub:
        return meta.name + sub[:1].upper() + sub[1:]
    return meta.join_column or meta.name


def _index_name(obj: ObjectMeta, columns: Sequence[str], unique: bool) -> str:
    """Twenty's index names: IDX_, UNIQUE_ for a unique one, and 27 hex of the SHA-256 of table and columns."""
    table = ("_" if obj.is_custom else "") + obj.name_singular
    digest = hashlib.sha256((table + "".join(columns)).encode()).hexdigest()[:27]
    return f"IDX_{'UNIQUE_' if unique else ''}{digest}"


def _object_indexes(obj: ObjectMeta) -> list[dict[str, Any]]:
    """An object's indexes: one per unique field, one per many-to-one join column (and the few plain fields
    Twenty indexes), the search vector's, and those added with createOneIndex."""
    out = []

    def add(metas: list[tuple[FieldMeta, str | None]], unique: bool, kind: str, where: str | None = None,
            custom: dict[str, Any] | None = None) -> None:  # fmt: skip
        columns = [_index_column(m, s) for m, s in metas]
        index_id = custom["id"] if custom else _stable_id(obj.id, "index", *columns)
        stamp = custom["createdAt"] if custom else obj.created_at
        out.append({
            "id": index_id, "name": _index_name(obj, columns, unique), "isCustom": custom is not None,
            "isUnique": unique, "indexWhereClause": where, "indexType": kind, "createdAt": stamp, "updatedAt": stamp,
            "objectMetadataId": obj.id,
            "indexFieldMetadataList": [
                {"id": _stable_id(index_id, m.id, s or ""), "fieldMetadataId": m.id, "order": n, "subFieldName": s,
                 "createdAt": stamp, "updatedAt": stamp} for n, (m, s) in enumerate(metas)],
        })  # fmt: skip

    plain = STANDARD_FIELD_INDEXES.get(obj.name_singular, ()) if not obj.is_custom else ()
    for meta in obj.active_fields:
        if meta.is_unique and meta.name != "id":
            sub = INDEXED_SUB_FIELD.get(meta.type)
            # A field made unique by the workspace leaves empty values out; Twenty's own unique indexes do not.
            where = f"\"{_index_column(meta, sub)}\" != ''" if meta.is_custom and (sub or meta.type == "TEXT") else None
            add([(meta, sub)], True, "BTREE", where)
        elif meta.relation_type == "MANY_TO_ONE" or meta.name in plain:
            add([(meta, None)], False, "BTREE")
        elif meta.type == "TS_VECTOR":
            add([(meta, None)], False, "GIN")
    by_id = {f.id: f for f in obj.fields}
    for index in obj.props.get("customIndexes") or []:
        metas = [
            (by_id[f["fieldMetadataId"]], f.get("subFieldName"))
            for f in index["fields"]
            if f["fieldMetadataId"] in by_id
        ]
        if len(metas) == len(index["fields"]):  # an index goes with any of its fields
            add(metas, False, index["indexType"], custom=index)
    return out


def _index_error(status: int, message: str, code: str) -> ApiError:
    names = {400: "BadRequestException", 403: "ForbiddenException", 404: "NotFoundException", 409: "ConflictException"}
    return ApiError(status, names[status], message, code=code)


def _create_index(ctx: Ctx, data: Any) -> str:
    """A workspace's own index (createOneIndex: never unique, no WHERE clause) on fields of one object; its id."""
    _own_fields(ctx)
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    object_id = str(data.get("objectMetadataId"))
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise _index_error(400, "At least one field is required to create an index", "INDEX_FIELDS_REQUIRED")
    obj = ctx.schema.by_id.get(object_id.lower())
    if obj is None:
        raise _index_error(404, f"Object metadata {object_id} not found", "INDEX_OBJECT_NOT_FOUND")
    by_id = {f.id: f for f in obj.active_fields}
    checked: list[dict[str, Any]] = []
    for entry in fields:
        fid, sub = str(entry.get("fieldMetadataId", "")).lower(), entry.get("subFieldName")
        meta = by_id.get(fid)
        if meta is None:
            raise _index_error(400, f"Field {fid} not found on object {obj.id}", "INDEX_FIELD_NOT_FOUND_ON_OBJECT")
        if meta.relation_type is not None:
            raise _index_error(400, f"Relation field {meta.name} cannot be indexed",
                               "INDEX_NOT_SUPPORTED_FOR_MORH_RELATION_FIELD_AND_RELATION_FIELD")  # fmt: skip
        subs = [c[0] for c in COMPOSITES.get(meta.type, ())]
        if subs and sub is None:
            raise _index_error(400, f"Composite field {meta.name} requires a sub-field selection",
                               "INDEX_NOT_SUPPORTED_FOR_COMPOSITE_FIELD")  # fmt: skip
        if subs and sub not in subs:
            raise _index_error(400, f"Unknown sub-field {sub} on composite field {meta.name}",
                               "INDEX_NOT_SUPPORTED_FOR_COMPOSITE_FIELD")  # fmt: skip
        if not subs and sub is not None:
            raise _index_error(400, f"Field {meta.name} is not composite — subFieldName must not be set",
                               "INDEX_NOT_SUPPORTED_FOR_COMPOSITE_FIELD")  # fmt: skip
        if {"fieldMetadataId": fid, "subFieldName": sub} in checked:
            raise _index_error(400, "Duplicate field+sub-field in index field list", "DUPLICATE_INDEX_FIELDS")
        checked.append({"fieldMetadataId": fid, "subFieldName": sub})
    if data.get("indexType") not in ("BTREE", "GIN"):
        raise _bad_request("indexType must be one of BTREE, GIN")
    customs = obj.props.get("customIndexes") or []
    if len(customs) >= MAX_CUSTOM_INDEXES:
        raise _index_error(409, f"Custom index limit of {MAX_CUSTOM_INDEXES} reached for object {obj.id}",
                           "CUSTOM_INDEX_LIMIT_REACHED")  # fmt: skip
    if any(i["fields"] == checked for i in customs):
        raise _bad_request("An index on these fields already exists")
    index = {"id": ctx.new_id(), "fields": checked, "indexType": data["indexType"], "createdAt": ctx.now}
    props = dict(obj.props, id=obj.id, nameSingular=obj.name_singular, namePlural=obj.name_plural)
    props["customIndexes"] = [*customs, index]
    _save_object_props(ctx.conn, obj.id, props)
    _new_meta_version(ctx.conn, ctx.schema.workspace_id)
    return index["id"]


def _delete_index(ctx: Ctx, index_id: str) -> None:
    """Remove an index the workspace added; Twenty's own (system) indexes stay."""
    _own_fields(ctx)
    for obj in ctx.schema.objects:
        indexes = obj.props.get("customIndexes") or []
        if any(i["id"] == index_id for i in indexes):
            props = dict(obj.props, id=obj.id, nameSingular=obj.name_singular, namePlural=obj.name_plural)
            props["customIndexes"] = [i for i in indexes if i["id"] != index_id]
            _save_object_props(ctx.conn, obj.id, props)
            _new_meta_version(ctx.conn, ctx.schema.workspace_id)
            return
    if any(i["id"] == index_id for obj in ctx.schema.objects for i in _object_indexes(obj)):
        raise _index_error(
            403, f"Index {index_id} is a system index and cannot be deleted", "CANNOT_DELETE_SYSTEM_INDEX"
        )
    raise _index_error(404, f"Index {index_id} not found", "INDEX_NOT_FOUND")


# ---- views: which columns, filters, sorts and groups a client shows ----------------------------------

_REQUIRED = object()  # a property a create must give
VIEW_TYPES = (
    "TABLE", "KANBAN", "CALENDAR", "LIST", "FIELDS_WIDGET", "TABLE_WIDGET", "KANBAN_WIDGET", "LIST_WIDGET",
    "CALENDAR_WIDGET",
)  # fmt: skip
AGGREGATE_OPERATIONS = (
    "MIN", "MAX", "AVG", "SUM", "COUNT", "COUNT_UNIQUE_VALUES", "COUNT_EMPTY", "COUNT_NOT_EMPTY", "COUNT_TRUE",
    "COUNT_FALSE", "PERCENTAGE_EMPTY", "PERCENTAGE_NOT_EMPTY",
)  # fmt: skip
VIEW_FILTER_OPERANDS = (
    "IS", "IS_NOT_NULL", "IS_NOT", "LESS_THAN_OR_EQUAL", "GREATER_THAN_OR_EQUAL", "IS_BEFORE", "IS_AFTER", "CONTAINS",
    "DOES_NOT_CONTAIN", "IS_EMPTY", "IS_NOT_EMPTY", "IS_RELATIVE", "IS_IN_PAST", "IS_IN_FUTURE", "IS_TODAY",
    "VECTOR_SEARCH",
)  # fmt: skip


@_record(frozen=True)
class ViewKind:
    """One kind of view part: its REST resource, GraphQL type, parent and properties with their checks
    ("text", "uuid", "number", "int", "bool", "json", or the allowed values) and defaults."""

    resource: str
    type_name: str
    label: str  # in messages: "View field not found"
    parent: str  # the view's object ("objectMetadataId"), or the part's view ("viewId")
    props: dict[str, tuple[Any, Any]]
    field_refs: tuple[str, ...] = ()  # properties naming a field of the view's object
    part_refs: tuple[tuple[str, str], ...] = ()  # (property, kind) naming another part of the same view
    extra: tuple[tuple[str, Any], ...] = ()  # output-only properties and their values


VIEW_KINDS: dict[str, ViewKind] = {
    "view": ViewKind("views", "View", "View", "objectMetadataId", {
        "name": ("text", _REQUIRED), "type": (VIEW_TYPES, "TABLE"), "key": (("INDEX",), None),
        "icon": ("text", _REQUIRED), "position": ("number", 0), "isCompact": ("bool", False),
        "openRecordIn": (("SIDE_PANEL", "RECORD_PAGE"), "SIDE_PANEL"),
        "kanbanAggregateOperation": (AGGREGATE_OPERATIONS, None), "kanbanAggregateOperationFieldMetadataId": ("uuid", None),
        "mainGroupByFieldMetadataId": ("uuid", None), "shouldHideEmptyGroups": ("bool", False),
        "kanbanColumnWidth": ("int", None), "groupLoadLimit": ("int", None), "calendarFieldMetadataId": ("uuid", None),
        "calendarEndFieldMetadataId": ("uuid", None), "anyFieldFilterValue": ("text", None),
        "calendarLayout": (("DAY", "WEEK", "MONTH"), None), "visibility": (("WORKSPACE", "UNLISTED"), "WORKSPACE"),
        "isCustom": ("bool", True),
    }, field_refs=("kanbanAggregateOperationFieldMetadataId", "mainGroupByFieldMetadataId", "calendarFieldMetadataId",
                   "calendarEndFieldMetadataId"), extra=(("createdByUserWorkspaceId", None),)),
    "viewField": ViewKind("viewFields", "ViewField", "View field", "viewId", {
        "fieldMetadataId": ("uuid", _REQUIRED), "isVisible": ("bool", True), "size": ("number", 0),
        "position": ("number", 0), "aggregateOperation": (AGGREGATE_OPERATIONS, None), "viewFieldGroupId": ("uuid", None),
    }, field_refs=("fieldMetadataId",), part_refs=(("viewFieldGroupId", "viewFieldGroup"),),
        extra=(("isOverridden", None),)),
    "viewFilter": ViewKind("viewFilters", "ViewFilter", "View filter", "viewId", {
        "fieldMetadataId": ("uuid", _REQUIRED), "operand": (VIEW_FILTER_OPERANDS, "IS"), "value": ("json", _REQUIRED),
        "viewFilterGroupId": ("uuid", None), "positionInViewFilterGroup": ("number", None),
        "subFieldName": ("text", None), "relationTargetFieldMetadataId": ("uuid", None),
    }, field_refs=("fieldMetadataId",), part_refs=(("viewFilterGroupId", "viewFilterGroup"),)),
    "viewFilterGroup": ViewKind("viewFilterGroups", "ViewFilterGroup", "View filter group", "viewId", {
        "parentViewFilterGroupId": ("uuid", None), "logicalOperator": (("AND", "OR", "NOT"), "AND"),
        "positionInViewFilterGroup": ("number", None),
    }, part_refs=(("parentViewFilterGroupId", "viewFilterGroup"),)),
    "viewSort": ViewKind("viewSorts", "ViewSort", "View sort", "viewId", {
        "fieldMetadataId": ("uuid", _REQUIRED), "direction": (("ASC", "DESC"), "ASC"), "subFieldName": ("text", None),
    }, field_refs=("fieldMetadataId",)),
    "viewGroup": ViewKind("viewGroups", "ViewGroup", "View group", "viewId", {
        "fieldMetadataId": ("uuid", None), "isVisible": ("bool", True), "fieldValue": ("text", _REQUIRED),
        "position": ("number", 0),
    }, field_refs=("fieldMetadataId",)),
    "viewFieldGroup": ViewKind("viewFieldGroups", "ViewFieldGroup", "View field group", "viewId", {
        "name": ("text", _REQUIRED), "position": ("number", 0), "isVisible": ("bool", True),
    }, extra=(("isOverridden", False),)),
}  # fmt: skip
VIEW_KIND_BY_RESOURCE = {kind.resource: name for name, kind in VIEW_KINDS.items()}
REST_VIEW_RESOURCES = tuple(r for r in VIEW_KIND_BY_RESOURCE if r != "viewFieldGroups")  # Twenty: GraphQL only


@_record(frozen=True)
class StandardView:
    """One of Twenty's curated views of a standard object: columns are (field, position, size, aggregate)."""

    name: str
    key: str | None
    type: str
    position: int
    icon: str
    columns: tuple[tuple[str, int, int, str | None], ...]
    group_by: str | None = None  # mainGroupByFieldMetadataId's field; its groups are the SELECT's values
    empty_group: bool = False  # a last group for records with no value
    kanban_sum: str | None = None  # kanbanAggregateOperation SUM of this field
    filters: tuple[tuple[str, str, Any], ...] = ()  # (field, operand, value)


def _cols(spec: str) -> tuple[tuple[str, int, int, str | None], ...]:
    """Columns from 'field:size[:AGGREGATE][@position],…' (positions default to the order)."""
    out = []
    for n, item in enumerate(spec.split(",")):
        item, _, at = item.partition("@")
        name, size, *agg = item.split(":")
        out.append((name, int(at) if at else n, int(size), agg[0] if agg else None))
    return tuple(out)


_ALL = "All {objectLabelPlural}"  # Twenty stores this and shows it with the object's plural label
_TASK_FIELDS = (
    "title:210,status:150@2,taskTargets:150@3,createdBy:150@4,dueAt:150@5,assignee:150@6,bodyV2:150@7,createdAt:150@8"
)
STANDARD_VIEWS: dict[str, tuple[StandardView, ...]] = {
    "company": (StandardView(_ALL, "INDEX", "TABLE", 0, "IconTable", _cols(
        "name:180,domainName:100:COUNT,createdBy:150,accountOwner:150,createdAt:150,employees:150:MAX,"
        "linkedinLink:170:PERCENTAGE_EMPTY,address:170:COUNT_NOT_EMPTY")),),
    "person": (StandardView(_ALL, "INDEX", "TABLE", 0, "IconTable", _cols(
        "name:210,emails:150:COUNT_UNIQUE_VALUES,createdBy:150,company:150,phones:150:PERCENTAGE_EMPTY,"
        "createdAt:150:MIN,jobTitle:150,linkedinLink:150")),),
    "opportunity": (
        StandardView(_ALL, "INDEX", "TABLE", 0, "IconTable", _cols(
            "name:150,amount:150:AVG,createdBy:150,closeDate:150:MIN,company:150,pointOfContact:150")),
        StandardView("By Stage", None, "KANBAN", 2, "IconLayoutKanban", _cols(
            "name:150,amount:150,createdBy:150,closeDate:150,company:150,pointOfContact:150"), group_by="stage",
            kanban_sum="amount"),
    ),
    "task": (
        StandardView(_ALL, "INDEX", "TABLE", 0, "IconTable", _cols(_TASK_FIELDS)),
        StandardView("By Status", None, "KANBAN", 1, "IconLayoutKanban", _cols(
            "title:210,status:150@2,dueAt:150@3,assignee:150@4,createdAt:150@6"), group_by="status"),
        StandardView("Assigned to Me", None, "TABLE", 2, "IconUserCircle", _cols(
            "title:210,taskTargets:150@3,createdBy:150@4,dueAt:150@5,assignee:150@6,bodyV2:150@7,createdAt:150@8"),
            group_by="status", empty_group=True,
            filters=(("assignee", "IS", '{"isCurrentWorkspaceMemberSelected":true,"selectedRecordIds":[]}'),)),
    ),
    "note": (StandardView(_ALL, "INDEX", "TABLE", 0, "IconTable", _cols(
        "title:210,noteTargets:150,bodyV2:150,createdBy:150,createdAt:150")),),
}  # fmt: skip
DEFAULT_VIEW_FIELD_SIZE = 180


def _default_view_column(name: str, ftype: str) -> bool:
    """Whether Twenty gives a field a column in the INDEX view it makes itself."""
    return name not in ("id", "deletedAt") and ftype not in ("TS_VECTOR", "POSITION", "RELATION", "MORPH_RELATION")


def _add_index_view_columns(ctx: Ctx, fields: list[dict[str, Any]]) -> None:
    """New fields get a column at the end of their object's stored INDEX view, as Twenty gives them one (while
    the views are computed, the computing does it)."""
    conn, ws = ctx.conn, ctx.schema.workspace_id
    if not conn.execute("SELECT views_stored FROM workspace WHERE id = ?", (ws,)).fetchone()[0]:
        return
    ends: dict[str, tuple[str, int] | None] = {}  # object id -> (its INDEX view, the next column position)
    for props in fields:
        oid = props["objectMetadataId"]
        if not _default_view_column(props["name"], props["type"]):
            continue
        if oid not in ends:
            view = conn.execute(
                "SELECT v.id, (SELECT max(json_extract(f.data, '$.position')) FROM view_item f "
                "WHERE f.kind = 'viewField' AND f.parent_id = v.id) FROM view_item v WHERE v.workspace_id = ? "
                "AND v.kind = 'view' AND v.parent_id = ? AND json_extract(v.data, '$.key') = 'INDEX' "
                "AND v.deleted_at IS NULL",
                (ws, oid),
            ).fetchone()  # none for an object made since the views were stored: its views are still computed
            ends[oid] = (view[0], 0 if view[1] is None else view[1] + 1) if view else None
        if ends[oid] is None:
            continue
        view_id, position = ends[oid]
        ends[oid] = (view_id, position + 1)
        item = {
            "kind": "viewField", "id": _stable_id(view_id, props["id"]), "viewId": view_id, **_view_defaults("viewField"),
            "fieldMetadataId": props["id"], "size": DEFAULT_VIEW_FIELD_SIZE, "position": position,
            "createdAt": ctx.now, "updatedAt": ctx.now,
        }  # fmt: skip
        conn.execute(
            "INSERT OR IGNORE INTO view_item(id, workspace_id, kind, parent_id, data) VALUES (?, ?, 'viewField', ?, ?)",
            (item["id"], ws, view_id, _view_doc(item)),
        )


def _default_view_columns(obj: ObjectMeta) -> tuple[tuple[str, int, int, str | None], ...]:
    """The INDEX view columns Twenty makes for an object it has no curated view of: the label field, then every
    field but the id, deletedAt, positions, search vectors and relations, in order."""
    shown = [f.name for f in obj.active_fields if _default_view_column(f.name, f.type)]
    names = [n for n in shown if n == obj.label_identifier] + [n for n in shown if n != obj.label_identifier]
    return tuple((name, n, DEFAULT_VIEW_FIELD_SIZE, None) for n, name in enumerate(names))


def _standard_views(workspace_id: str, obj: ObjectMeta) -> list[dict[str, Any]]:
    """An object's standard views and their parts, with ids computed from the workspace, object and view:
    Twenty's curated ones for its CRM objects, else the INDEX table every object gets."""
    specs = STANDARD_VIEWS.get(obj.name_singular) if not obj.is_custom else None
    # Twenty curates every standard object's INDEX view (IconTable); a custom object's is generated (IconList).
    icon = "IconList" if obj.is_custom else "IconTable"
    specs = specs or (StandardView(_ALL, "INDEX", "TABLE", 0, icon, _default_view_columns(obj)),)
    fields = {f.name: f for f in obj.active_fields}
    stamp = {"createdAt": obj.created_at, "updatedAt": obj.created_at, "deletedAt": None}
    items: list[dict[str, Any]] = []
    for spec in specs:
        view_id = _stable_id(workspace_id, obj.id, "view", spec.key or spec.name)
        group_field = fields.get(spec.group_by or "")
        sum_field = fields.get(spec.kanban_sum or "")
        items.append({
            "kind": "view", "id": view_id, "objectMetadataId": obj.id, **_view_defaults("view"),
            "name": spec.name.replace("{objectLabelPlural}", obj.label_plural), "key": spec.key, "type": spec.type,
            "position": spec.position, "icon": spec.icon, "isCustom": obj.is_custom, "isSystemSideEffect": spec.key == "INDEX",
            "mainGroupByFieldMetadataId": group_field.id if group_field else None,
            "kanbanAggregateOperation": "SUM" if sum_field else None,
            "kanbanAggregateOperationFieldMetadataId": sum_field.id if sum_field else None, **stamp,
        })  # fmt: skip
        for name, position, size, aggregate in spec.columns:
            if name in fields:
                items.append({
                    "kind": "viewField", "id": _stable_id(view_id, fields[name].id), "viewId": view_id,
                    **_view_defaults("viewField"), "fieldMetadataId": fields[name].id, "size": size,
                    "position": position, "aggregateOperation": aggregate, **stamp,
                })  # fmt: skip
        values = [o["value"] for o in (group_field.options or ())] if group_field else []
        for position, value in enumerate(values + ([""] if spec.empty_group else [])):
            items.append({"kind": "viewGroup", "id": _stable_id(view_id, "group", value), "viewId": view_id,
                          **_view_defaults("viewGroup"), "fieldMetadataId": group_field.id, "fieldValue": value,
                          "position": position, **stamp})  # fmt: skip
        for name, operand, value in spec.filters:
            if name in fields:
                items.append({"kind": "viewFilter", "id": _stable_id(view_id, "filter", name), "viewId": view_id,
                              **_view_defaults("viewFilter"), "fieldMetadataId": fields[name].id, "operand": operand,
                              "value": value, **stamp})  # fmt: skip
    return items


def _view_defaults(kind: str) -> dict[str, Any]:
    return {k: default for k, (_, default) in VIEW_KINDS[kind].props.items() if default is not _REQUIRED}


def _view_items(conn: sqlite3.Connection, schema: Schema) -> list[dict[str, Any]]:
    """Every view and view part of a workspace (soft-deleted ones included): computed from the data model
    while none was changed, else as stored, less those of objects and fields that are gone, plus the computed
    views of objects made since (marked "_computed": not stored yet)."""
    ws = schema.workspace_id
    row = conn.execute("SELECT views_stored FROM workspace WHERE id = ?", (ws,)).fetchone()
    shown = [obj for obj in schema.objects if obj.is_active and not obj.is_system]
    if not row or not row[0]:
        return [dict(i, _computed=True) for obj in shown for i in _standard_views(ws, obj)]
    fields = {f.id for o in schema.objects for f in o.fields}
    items = []
    for kind, data, deleted in conn.execute(
        "SELECT kind, data, deleted_at FROM view_item WHERE workspace_id = ?", (ws,)
    ):  # fmt: skip
        item = dict(json.loads(data), kind=kind, deletedAt=deleted)
        refs = [item.get(p) for p in VIEW_KINDS[kind].field_refs if item.get(p)]
        if all(r in fields for r in refs):
            items.append(item)
    views = {i["id"] for i in items if i["kind"] == "view" and i["objectMetadataId"] in schema.by_id}
    items = [i for i in items if (i["id"] if i["kind"] == "view" else i["viewId"]) in views]
    indexed = {i["objectMetadataId"] for i in items if i["kind"] == "view" and i.get("key") == "INDEX"}
    for obj in shown:  # an INDEX view cannot be removed: an object without one was made after the views were stored
        if obj.id not in indexed:
            items += [dict(i, _computed=True) for i in _standard_views(ws, obj)]
    return items


def _store_views(conn: sqlite3.Connection, schema: Schema) -> list[dict[str, Any]]:
    """Before a view change: write out the views still computed (all of them, the first time); the items."""
    items = _view_items(conn, schema)
    ws = schema.workspace_id
    conn.executemany(
        "INSERT INTO view_item(id, workspace_id, kind, parent_id, data) VALUES (?, ?, ?, ?, ?)",
        [(i["id"], ws, i["kind"], i[VIEW_KINDS[i["kind"]].parent], _view_doc(i)) for i in items if i.get("_computed")],
    )
    conn.execute("UPDATE workspace SET views_stored = 1 WHERE id = ? AND views_stored = 0", (ws,))
    return [{k: v for k, v in i.items() if k != "_computed"} for i in items]


def _view_doc(item: dict[str, Any]) -> str:
    return _dumps({k: v for k, v in item.items() if k not in ("kind", "deletedAt", "_computed")})


def _view_item(items: list[dict[str, Any]], kind: str, item_id: Any) -> dict[str, Any] | None:
    """A live view or view part by id (a part of a deleted view is gone with it)."""
    found = next((i for i in items if i["kind"] == kind and i["id"] == str(item_id).lower()), None)
    if found is None or found["deletedAt"] is not None:
        return None
    if kind != "view" and _view_item(items, "view", found["viewId"]) is None:
        return None
    return found


def _view_not_found(kind: str, item_id: Any = None) -> ApiError:
    """Twenty's `View (id: …) not found`, with the kind's code (VIEW_NOT_FOUND, VIEW_FIELD_NOT_FOUND, …)."""
    label = VIEW_KINDS[kind].label
    message = f"{label} (id: {item_id}) not found" if item_id is not None else f"{label} not found"
    return ApiError(
        404, "NotFoundException", message, code=re.sub(r"(?<!^)([A-Z])", r"_\1", kind).upper() + "_NOT_FOUND"
    )


def _live_view_item(items: list[dict[str, Any]], kind: str, item_id: Any) -> dict[str, Any]:
    found = _view_item(items, kind, item_id) if _is_uuid(item_id) else None
    if found is None:
        raise _view_not_found(kind, item_id)
    return found


def _list_view_items(
    items: list[dict[str, Any]], kind: str, parent: Any = None, types: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Live items of a kind, of one parent if given, by position then creation."""
    out = [
        i for i in items
        if i["kind"] == kind and (parent is None or i[VIEW_KINDS[kind].parent] == str(parent).lower())
        and (types is None or i.get("type") in types) and _view_item(items, kind, i["id"]) is not None
    ]  # fmt: skip
    return sorted(out, key=lambda i: (i.get("position") or 0, i["id"]))


def _check_view_value(kind: str, key: str, check: Any, value: Any) -> Any:
    """One property of a view part, checked; None clears a property that has no default."""
    ok = {
        "text": lambda v: isinstance(v, str) and len(v) <= 10_000,
        "uuid": _is_uuid,
        "number": _finite,
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and -(2**31) <= v < 2**31,
        "bool": lambda v: isinstance(v, bool),
        "json": lambda v: True,
    }.get(check, lambda v: v in check)
    if value is None and VIEW_KINDS[kind].props[key][1] in (None, _REQUIRED) and check != "json":
        return None
    if not ok(value):
        expected = f"one of {', '.join(check)}" if isinstance(check, tuple) else {"uuid": "a UUID", "int": "an integer",
            "bool": "a boolean", "number": "a number", "text": "a string of at most 10000 characters"}[check]  # fmt: skip
        raise _bad_request(f"{key} must be {expected}")
    return value.lower() if check == "uuid" else value


def _check_view_data(
    schema: Schema, items: list[dict[str, Any]], kind: str, data: Any, current: dict[str, Any] | None
) -> dict[str, Any]:
    """A create's or an update's properties, checked: types, required ones, the parent, and that fields and
    parts named belong to the view's object and view."""
    spec = VIEW_KINDS[kind]
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    allowed = set(spec.props) | {"id", spec.parent}
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        raise _bad_request(f"property {unknown[0]} should not exist")
    out = dict(current) if current else {"kind": kind, **_view_defaults(kind)}
    for key, (check, default) in spec.props.items():
        if key in data:
            out[key] = _check_view_value(kind, key, check, data[key])
        elif current is None and default is _REQUIRED:
            raise _bad_request(f"{key} should not be empty")
        if default is _REQUIRED and out.get(key) is None and check != "json":
            raise _bad_request(f"{key} should not be empty")
    if current is None:
        parent = data.get(spec.parent)
        if not _is_uuid(parent):
            raise _bad_request(f"{spec.parent} must be a UUID")
        if kind == "view":
            if not _is_uuid(parent) or parent.lower() not in schema.by_id:
                raise _metadata_not_found()
        else:
            _live_view_item(items, "view", parent)
        out[spec.parent] = parent.lower()
    elif spec.parent in data and str(data[spec.parent]).lower() != current[spec.parent]:
        raise _bad_request(f"{spec.parent} cannot be changed")
    object_id = (
        out["objectMetadataId"] if kind == "view" else _live_view_item(items, "view", out["viewId"])["objectMetadataId"]
    )
    own_fields = {f.id for f in schema.by_id[object_id].fields}
    for key in spec.field_refs:
        if out.get(key) is not None and out[key] not in own_fields:
            raise ApiError(404, "NotFoundException", "Field metadata not found")
    for key, other in spec.part_refs:
        if out.get(key) is not None:
            part = _view_item(items, other, out[key])
            if part is None or part["viewId"] != out["viewId"]:
                raise _view_not_found(other, out[key])
    return out


def _change_view_item(
    ctx: Ctx, kind: str, verb: str, item_id: Any = None, data: Any = None, items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Create, update, delete (soft) or destroy a view or view part; the one writer of views. A view's
    parts go with it; an INDEX view cannot be removed (each object keeps its main table). A batch passes the
    items it read once (_store_views); a create or update keeps them current."""
    try:
        _require(ctx.actor, "VIEWS")
    except ApiError as err:  # Twenty words the refusal of a view change itself
        denied = "create workspace-level views" if verb == "create" and kind == "view" else "modify this view"
        code = (
            "VIEW_CREATE_PERMISSION_DENIED" if verb == "create" and kind == "view" else "VIEW_MODIFY_PERMISSION_DENIED"
        )
        raise ApiError(403, "ForbiddenException", f"You do not have permission to {denied}", code=code) from err
    if items is None:
        items = _store_views(ctx.conn, ctx.schema)
    ws = ctx.schema.workspace_id
    if verb == "create":
        item = _check_view_data(ctx.schema, items, kind, data, None)
        if kind == "view" and item.get("key") == "INDEX":
            raise _bad_request("An INDEX view is made by twenty_lite with its object; it cannot be created")
        given = data.get("id")
        item["id"] = _fresh_id(ctx.conn, "view", given, ctx.new_id)
        item.update(createdAt=ctx.now, updatedAt=ctx.now, deletedAt=None)
        ctx.conn.execute(
            "INSERT INTO view_item(id, workspace_id, kind, parent_id, data) VALUES (?, ?, ?, ?, ?)",
            (item["id"], ws, kind, item[VIEW_KINDS[kind].parent], _view_doc(item)),
        )
        items.append(item)
        return item
    current = _live_view_item(items, kind, item_id)
    if verb == "update":
        item = _check_view_data(ctx.schema, items, kind, data, current)
        item["updatedAt"] = ctx.now
        ctx.conn.execute("UPDATE view_item SET data = ? WHERE id = ?", (_view_doc(item), item["id"]))
        items[items.index(current)] = item
        return item
    if kind == "view" and current.get("key") == "INDEX":
        raise _bad_request("The INDEX view of an object cannot be deleted")
    if verb == "delete":
        ctx.conn.execute("UPDATE view_item SET deleted_at = ? WHERE id = ?", (ctx.now, current["id"]))
        return dict(current, deletedAt=ctx.now)
    ctx.conn.execute("DELETE FROM view_item WHERE id = ? OR (kind != 'view' AND parent_id = ?)", (current["id"],) * 2)
    return current


def _view_out(workspace_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """A view or view part as both APIs show it."""
    spec = VIEW_KINDS[item["kind"]]
    out = {k: v for k, v in item.items() if k not in ("kind", "_computed")}
    out.update(spec.extra)
    out.update(
        workspaceId=workspace_id, universalIdentifier=item["id"], applicationId=_application_id(workspace_id),
        isSystemSideEffect=bool(item.get("isSystemSideEffect")), isActive=True,
    )  # fmt: skip
    return out


# ============================================================================================
# 10. Record service
# ============================================================================================
# Every record operation, once, for both APIs: the adapters parse their own grammar into typed
# arguments (filter trees, sort keys, bodies), call these, and render what comes back. Errors are
# raised here with their REST status and GraphQL subCode.

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
MERGE_MAX = 9
GROUP_BY_HELP = (
    'Invalid group_by query parameter - should be a valid array of objects - ex: [{"firstField": true}, '
    '{"secondField": {"subField": true}}, {"dateField": {"granularity": \'DAY\'}}]'
)
# The record permissions each operation needs (auth-and-limits.md §7.2).
OPERATION_ACTIONS: dict[str, tuple[str, ...]] = {
    "find": ("read",), "get": ("read",), "duplicates": ("read",), "group_by": ("read",), "search": (),
    "create": ("update",), "update": ("update",), "delete": ("softDelete",), "restore": ("softDelete",),
    "destroy": ("destroy",), "merge": ("update", "softDelete"),
}  # fmt: skip
READ_OPERATIONS = frozenset(("find", "get", "duplicates", "group_by", "search"))
TOO_MANY_CODES = {"update": "TOO_MANY_RECORDS_TO_UPDATE", "destroy": "TOO_MANY_RECORDS_TO_DESTROY"}


def _authorize(ctx: Ctx, obj: ObjectMeta | None, operation: str) -> None:
    """The one gate of a record operation, for both APIs: rate-limit accounting, the role's record
    permissions, and the workspace-member rule (only WORKSPACE_MEMBERS may change members)."""
    ctx.state.limiter.take(ctx.actor.workspace_id)
    for action in OPERATION_ACTIONS[operation]:
        _require(ctx.actor, action, obj)
    if operation not in READ_OPERATIONS and obj is not None and obj.name_singular == "workspaceMember":
        _require(ctx.actor, "WORKSPACE_MEMBERS")
    if operation not in READ_OPERATIONS and obj is not None and obj.props.get("writability") == "SYSTEM":
        raise ApiError(403, "ForbiddenException", PERMISSION_DENIED)  # only the platform writes these


def _filter_paths(node: Node | None) -> Iterator[tuple[str, ...]]:
    """The field paths a filter tree names."""
    if node is None:
        return
    if isinstance(node, Leaf):
        yield node.path
    elif node[0] == "not":
        yield from _filter_paths(node[1])
    else:
        for item in node[1]:
            yield from _filter_paths(item)


def _require_readable(ctx: Ctx, obj: ObjectMeta, *parts: Iterable[Sequence[str]]) -> None:
    """Refuse (403, as Twenty) a filter, sort, group-by or aggregate over a field or related object the
    caller may not read: what it answers (counts, order, groups) would tell the values."""
    role = ctx.actor.role
    if role is not None and role.reads_everything:
        return
    for path in itertools.chain(*parts):
        head = path[0]
        if head == "searchVector":  # matches every searchable text field
            for name in _search_fields(obj):
                _require(ctx.actor, "read", obj, name)
            continue
        relation = obj.by_join_column.get(head)  # companyId reads the company relation
        _require(ctx.actor, "read", obj, relation.name if relation is not None else head)
        meta = obj.by_name.get(head)
        if meta is not None and meta.relation_type == "MANY_TO_ONE" and len(path) > 1:
            target = ctx.schema.by_id.get(meta.target_object_id or "")
            if target is not None:
                _require(ctx.actor, "read", target, path[1])


@_record()
class FindQuery:
    """A typed list query: filter tree, sort keys (id last), page size, cursors and offset."""

    filter: Node | None
    sort: list[SortKey]
    limit: int
    after: str | None = None
    before: str | None = None
    offset: int = 0
    with_total: bool = True


def _find(ctx: Ctx, obj: ObjectMeta, query: FindQuery) -> Page:
    """A page of records (ids, sort values, flags, totalCount)."""
    if query.after is not None and query.before is not None:
        raise _bad_request("Cannot provide both before and after", "ARGS_CONFLICT")
    _require_readable(ctx, obj, _filter_paths(query.filter), (k.ref.cursor_path for k in query.sort))
    return _find_page(
        ctx.conn,
        ctx.schema,
        obj,
        query.filter,
        query.sort,
        query.limit,
        query.after,
        query.before,
        query.with_total,
        query.offset,
    )


def _find_first(ctx: Ctx, obj: ObjectMeta, node: Node) -> bytes:
    """The first record (by id) that a filter matches, else 404."""
    _require_readable(ctx, obj, _filter_paths(node))
    page = _find_page(ctx.conn, ctx.schema, obj, node, [ID_KEY], 1, with_total=False)
    if not page.ids:
        raise _record_not_found()
    return page.ids[0]


def _find_related(
    ctx: Ctx, target: ObjectMeta, meta: FieldMeta, parents: Sequence[bytes], query: FindQuery
) -> dict[bytes, Page]:
    """The page of records of target that each parent's one-to-many field meta holds, for many parents at
    once: a windowed page query and a grouped count (a fixed number of statements, whatever the parents)."""
    inverse = next((f for f in target.active_fields if f.id == meta.target_field_id), None)
    keys, limit, after, before = query.sort, query.limit, query.after, query.before
    _require_readable(ctx, target, _filter_paths(query.filter), (k.ref.cursor_path for k in keys))
    if inverse is None or not inverse.columns:
        return {rid: _id_page([], 0) for rid in parents}
    parent_ref = Ref(inverse.columns[0], "UUID", inverse.name, (inverse.name,))
    sql = SqlQuery(ctx.schema, target)
    where = _filter_sql(ctx.schema, target, query.filter, sql)
    parent_x = sql.expr(parent_ref)
    sort_exprs = [sql.expr(k.ref) for k in keys]
    effective = [_flip(k) for k in keys] if before else keys
    params = list(sql.params)
    if before or after:
        where += " AND " + _after_condition(sort_exprs, effective, _decode_cursor(keys, before or after or ""), params)
    order = ", ".join(f"{x} {k.sql_direction}" for k, x in zip(effective, sort_exprs))
    counter = SqlQuery(ctx.schema, target)
    count_where = _filter_sql(ctx.schema, target, query.filter, counter)
    count_parent = counter.expr(parent_ref)
    rows_of: dict[bytes, list[Any]] = {}
    counts: dict[bytes, int] = {}
    for part in _chunks(list(parents)):
        for row in ctx.conn.execute(
            f"SELECT * FROM (SELECT {parent_x} AS parent, e.id, {', '.join(sort_exprs)}, row_number() OVER "
            f"(PARTITION BY {parent_x} ORDER BY {order}) AS rn FROM {sql.from_sql()} "
            f"WHERE {where} AND {parent_x} IN ({_marks(len(part))})) WHERE rn > ? AND rn <= ? ORDER BY parent, rn",
            (*params, *part, query.offset, query.offset + limit + 1),
        ):
            rows_of.setdefault(row[0], []).append(row[1:-1])
        counts.update(
            ctx.conn.execute(
                f"SELECT {count_parent}, count(*) FROM {counter.from_sql()} WHERE {count_where} "
                f"AND {count_parent} IN ({_marks(len(part))}) GROUP BY {count_parent}",
                (*counter.params, *part),
            ).fetchall()
        )
    pages = {}
    for rid in parents:
        rows = rows_of.get(rid, [])
        more = len(rows) > limit
        rows = rows[:limit]
        if before:
            rows.reverse()
        pages[rid] = Page(
            [r[0] for r in rows],
            [tuple(r[1:]) for r in rows],
            keys,
            True if before else more,
            more if before else bool(after),
            counts.get(rid, 0),
        )
    return pages


def _live_record(ctx: Ctx, obj: ObjectMeta, rid: bytes) -> dict[str, Any]:
    """Stored values of a record that exists and is not soft-deleted, else 404."""
    values = _load_values(ctx, obj, rid)
    if values is None or values.get("deletedAt") is not None:
        raise _record_not_found()
    return values


def _workspace_members(ctx: Ctx, member_id: str | None = None) -> list[dict[str, Any]]:
    """Workspace members as read documents, for the metadata API's roles: all live ones in id order, or one
    (404 if it is not a live member)."""
    obj = ctx.schema.by_singular.get("workspaceMember")
    if obj is None:
        return []
    if member_id is not None:
        if not _is_uuid(member_id):
            raise _record_not_found()
        rids = [_uuid_blob(member_id.lower())]
        _live_record(ctx, obj, rids[0])
    else:
        rids = _find_page(ctx.conn, ctx.schema, obj, None, [ID_KEY], MAX_MEMBERS, None, None, False, 0).ids
    docs, _ = _docs(ctx, obj, rids)
    return [json.loads(docs[rid]) for rid in rids]


def _upsert_match(ctx: Ctx, obj: ObjectMeta, values: dict[str, Any]) -> bytes | None:
    """The one record (deleted ones included) that an upsert updates, by id or unique fields."""
    matches: dict[bytes, str] = {}
    if values.get("id") and _existing_ids(ctx.conn, obj, [values["id"]]):
        matches[values["id"]] = "id"
    for meta, cols in _unique_keys(obj):
        vals = [values.get(c.name) for c in cols]
        if any(v in (None, "") for v in vals):
            continue
        query = SqlQuery(ctx.schema, obj)
        exprs = [query.expr(Ref(c, c.kind, c.name, (c.name,))) for c in cols]
        sql = f"SELECT e.id FROM {query.from_sql()} WHERE e.obj = ? AND " + " AND ".join(f"{x} = ?" for x in exprs)
        for (rid,) in ctx.conn.execute(sql, [obj.key, *vals]):
            matches.setdefault(rid, ".".join(p for p in (meta.name, cols[0].sub) if p))
    if len(matches) > 1:
        names = ", ".join(dict.fromkeys(matches.values()))
        raise _bad_request(
            f"Multiple records found with the same unique field values for {names}. "
            "Cannot determine which record to update.",
            "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT",
        )
    return next(iter(matches), None)


def _create(ctx: Ctx, obj: ObjectMeta, bodies: Sequence[Any], upsert: bool = False) -> list[bytes]:
    """Create records (one or a batch, all or nothing); with upsert, a body that matches an existing
    record by id or a unique field updates it instead (restoring it if it was soft-deleted)."""
    if len(bodies) > ctx.max_records:
        raise _bad_request(f"Maximum number of records to upsert is {ctx.max_records}.", "TOO_MANY_RECORDS_TO_UPDATE")
    items = [_read_body_values(ctx, obj, body, creating=True) for body in bodies]
    if not upsert:
        return _insert_records(ctx, obj, items)
    ids = []
    for values, position in items:
        rid = _upsert_match(ctx, obj, values)
        if rid is None:
            ids.append(_insert_record(ctx, obj, values, position))
            continue
        values.pop("id", None)
        _update_record(ctx, obj, rid, values, position, _fetch_values(ctx.conn, obj, [rid])[rid], restore=True)
        ids.append(rid)
    return ids


def _capped_ids(
    ctx: Ctx,
    obj: ObjectMeta,
    node: Node | None,
    verb: str,
    include_deleted: bool | None = None,
    only_deleted: bool = False,
) -> list[bytes]:
    """Ids a many-operation touches; more than max_records refuses the whole request."""
    _require_readable(ctx, obj, _filter_paths(node))
    ids = _find_ids(ctx.conn, ctx.schema, obj, node, include_deleted, only_deleted, cap=ctx.max_records)
    if len(ids) > ctx.max_records:
        raise _bad_request(f"Cannot {verb} more than {ctx.max_records} records at once", TOO_MANY_CODES.get(verb))
    return ids


def _update_one(ctx: Ctx, obj: ObjectMeta, rid: bytes, body: Any) -> None:
    """Apply a partial update to one live record."""
    current = _live_record(ctx, obj, rid)
    changes, position = _read_body_values(ctx, obj, body, creating=False)
    _update_record(ctx, obj, rid, changes, position, current)


def _update_many(ctx: Ctx, obj: ObjectMeta, node: Node | None, body: Any) -> list[bytes]:
    """Apply one partial update to every live record a filter matches (at most max_records)."""
    changes, position = _read_body_values(ctx, obj, body, creating=False)
    ids = _capped_ids(ctx, obj, node, "update")
    current = _fetch_values(ctx.conn, obj, ids)
    for rid in ids:
        _update_record(ctx, obj, rid, dict(changes), position, current[rid])
    return ids


def _soft_delete(ctx: Ctx, obj: ObjectMeta, ids: Sequence[bytes]) -> None:
    """Set deletedAt (and updatedBy) on live records."""
    current = _fetch_values(ctx.conn, obj, ids)
    for rid in ids:
        _update_record(ctx, obj, rid, {"deletedAt": ctx.now}, None, current[rid])


def _restore_records(ctx: Ctx, obj: ObjectMeta, ids: Sequence[bytes]) -> None:
    """Clear deletedAt on the records that have it."""
    current = _fetch_values(ctx.conn, obj, ids)
    for rid in ids:
        if current[rid].get("deletedAt") is not None:
            _update_record(ctx, obj, rid, {}, None, current[rid], restore=True)


if TYPE_CHECKING:
    Snapshot = Callable[[list[bytes]], Any]


def _change_one(ctx: Ctx, obj: ObjectMeta, verb: str, rid: bytes, snapshot: Snapshot | None = None) -> Any:
    """delete (soft), destroy or restore one record by id; 404 if it does not exist (or, for delete, is
    already deleted). snapshot renders the record before a destroy, the answer of both APIs."""
    values = _load_values(ctx, obj, rid)
    if values is None or (verb == "delete" and values.get("deletedAt") is not None):
        raise _record_not_found()
    return _change_records(ctx, obj, verb, [rid], snapshot)


def _change_many(ctx: Ctx, obj: ObjectMeta, verb: str, node: Node | None, snapshot: Snapshot | None = None) -> Any:
    """delete, destroy or restore every record a filter matches (at most max_records). A destroy
    includes soft-deleted records, as Twenty's does; a restore touches only those."""
    ids = _capped_ids(
        ctx, obj, node, verb, include_deleted=True if verb == "destroy" else None, only_deleted=verb == "restore"
    )
    return _change_records(ctx, obj, verb, ids, snapshot)


def _change_records(ctx: Ctx, obj: ObjectMeta, verb: str, ids: list[bytes], snapshot: Snapshot | None) -> Any:
    """Apply a delete/destroy/restore; the ids, or what snapshot made of them before a destroy."""
    before = snapshot(ids) if snapshot is not None and verb == "destroy" else ids
    if verb == "destroy":
        _destroy_records(ctx, obj, ids)
    elif verb == "delete":
        _soft_delete(ctx, obj, ids)
    else:
        _restore_records(ctx, obj, ids)
    return before


# ---- duplicates and merge -------------------------------------------------------------------


def _duplicate_ids(ctx: Ctx, obj: ObjectMeta, values: dict[str, Any], exclude: bytes | None) -> list[bytes]:
    """Live records equal to values on every column of at least one duplicate-criteria group."""
    groups = [g for g in obj.duplicate_criteria or () if all(values.get(c) not in (None, "") for c in g)]
    groups = [g for g in groups if all(c in obj.columns_by_name for c in g)]
    if not groups:
        return []
    _require_readable(ctx, obj, [(obj.columns_by_name[c].field,) for g in groups for c in g])
    query = SqlQuery(ctx.schema, obj)
    ors, params = [], []
    for group in groups:
        ands = []
        for name in group:
            col = obj.columns_by_name[name]
            ands.append(f"{query.expr(Ref(col, col.kind, name, (name,)))} = ?")
            params.append(values[name])
        ors.append("(" + " AND ".join(ands) + ")")
    sql = f"SELECT e.id FROM {query.from_sql()} WHERE e.obj = ? AND e.deleted_at IS NULL AND ({' OR '.join(ors)})"
    params = [obj.key, *params]
    if exclude is not None:
        sql += " AND e.id != ?"
        params.append(exclude)
    return [r[0] for r in ctx.conn.execute(sql + " ORDER BY e.id", params)]


def _duplicates(ctx: Ctx, obj: ObjectMeta, data: Any, ids: Any) -> list[list[bytes]]:
    """For each input (a stored record by id, or a record given as data), the ids of its duplicates
    (rest.md §11)."""
    if data is not None and ids is not None:
        raise _bad_request('You cannot provide both "data" and "ids" arguments')
    inputs: list[tuple[dict[str, Any], bytes | None]] = []
    if ids is not None:
        if not isinstance(ids, list):
            raise _bad_request('"ids" must be an array of UUIDs')
        for raw in ids:
            rid = _record_id(raw)
            inputs.append((_live_record(ctx, obj, rid), rid))
    else:
        if not isinstance(data, list) or not data:
            raise _bad_request('The "data" condition can not be empty when "ids" input not provided')
        inputs = [(_read_body_values(ctx, obj, item, creating=True)[0], None) for item in data]
    return [_duplicate_ids(ctx, obj, values, exclude) for values, exclude in inputs]


def _record_id(raw: Any) -> bytes:
    """A record id given by a caller, as stored."""
    text = str(raw)
    if not _is_uuid(text):
        raise _bad_request(f"'{text}' is not a valid UUID")
    return _uuid_blob(text.lower())


def _merged_values(obj: ObjectMeta, ordered: list[dict[str, Any]]) -> dict[str, Any]:
    """Field-by-field merge: the priority record's non-empty value wins, lists are unioned."""
    out: dict[str, Any] = {}
    skip = {"createdAt", "updatedAt", "deletedAt", "position"}
    for name, col in obj.columns_by_name.items():
        if name in skip or name.startswith(("createdBy", "updatedBy")):
            continue
        vals = [r.get(name) for r in ordered]
        if col.kind in ("RAW_JSON", "MULTI_SELECT", "ARRAY") and any(isinstance(v, str) for v in vals):
            lists = [json.loads(v) for v in vals if isinstance(v, str)]
            if all(isinstance(x, list) for x in lists):
                union: list[Any] = []
                for item in (i for lst in lists for i in lst):
                    if item not in union:
                        union.append(item)
                out[name] = _dumps(union)
                continue
        out[name] = next((v for v in vals if v not in (None, "")), vals[0])
    return out


def _merge(ctx: Ctx, obj: ObjectMeta, raw_ids: Any, index: Any, dry_run: bool) -> tuple[bytes, dict[str, Any] | None]:
    """Merge 2-9 records into the one at index (rest.md §12): (survivor id, preview when dry_run)."""
    if not isinstance(raw_ids, list):
        raise _bad_request('"ids" must be an array of record ids')
    if not 2 <= len(raw_ids) <= MERGE_MAX:
        raise _bad_request(f"Merge needs between 2 and {MERGE_MAX} record ids, got {len(raw_ids)}")
    ids = [_record_id(i) for i in raw_ids]
    if len(set(ids)) != len(ids):
        raise _bad_request("Merge ids must be distinct")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(ids):
        raise _bad_request(f"conflictPriorityIndex must be between 0 and {len(ids) - 1}")
    rows = [_live_record(ctx, obj, rid) for rid in ids]
    survivor = ids[index]
    ordered = [rows[index]] + [r for i, r in enumerate(rows) if i != index]
    merged = _merged_values(obj, ordered)
    if dry_run:
        preview_id = _uuid_blob(ctx.new_id())
        return preview_id, _build_record(obj, preview_id, dict(rows[index], **merged, deletedAt=ctx.now))
    others = [rid for rid in ids if rid != survivor]
    for _other, meta in ctx.schema.incoming(obj):
        col = meta.columns[0]
        ctx.conn.execute(
            f"UPDATE value SET v = ? WHERE attr = ? AND v IN ({_marks(len(others))})", (survivor, col.key, *others)
        )
    _soft_delete(ctx, obj, others)
    changes = {k: v for k, v in merged.items() if rows[index].get(k) != v}
    # The merged-away records keep their values in the trash; the survivor may take their unique ones.
    _update_record(ctx, obj, survivor, changes, None, rows[index], ignore=frozenset(others))
    return survivor, None


# ---- group by and aggregates ----------------------------------------------------------------


def _date_bucket(expr: str, granularity: str) -> str:
    """SQL that maps an ISO date-time to its group (rest.md §13)."""
    buckets = {
        "DAY": f"substr({expr}, 1, 10)",
        "DAY_OF_THE_WEEK": f"strftime('%w', {expr})",
        "WEEK": f"date({expr}, '-6 days', 'weekday 1')",
        "MONTH": f"substr({expr}, 1, 7) || '-01'",
        "QUARTER": f"substr({expr}, 1, 5) || printf('%02d', ((CAST(substr({expr}, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)"
        " || '-01'",
        "YEAR": f"substr({expr}, 1, 4) || '-01-01'",
        "MONTH_OF_THE_YEAR": f"CAST(strftime('%m', {expr}) AS INTEGER)",
        "QUARTER_OF_THE_YEAR": f"'Q' || ((CAST(strftime('%m', {expr}) AS INTEGER) + 2) / 3)",
        "NONE": expr,
    }
    if granularity not in buckets:
        raise _bad_filter(f"Invalid granularity '{granularity}'. Allowed values are {', '.join(buckets)}")
    return buckets[granularity]


def _dimension_path(spec: Any) -> tuple[tuple[str, ...], Any]:
    """(field path, granularity or None) of one group-by dimension such as {"name": {"firstName": true}}."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise _bad_filter(GROUP_BY_HELP)
    name, inner = next(iter(spec.items()))
    path = [name]
    granularity = None
    while isinstance(inner, dict):
        if "granularity" in inner:
            granularity = inner["granularity"]
            break
        if len(inner) != 1:
            raise _bad_filter(GROUP_BY_HELP)
        sub, inner = next(iter(inner.items()))
        path.append(sub)
    if inner is not True and granularity is None:
        raise _bad_filter(GROUP_BY_HELP)
    return tuple(path), granularity


def _group_dimension(schema: Schema, obj: ObjectMeta, spec: Any, query: SqlQuery) -> tuple[str, Callable[[Any], Any]]:
    """(SQL expression, output converter) of one group_by dimension."""
    path, granularity = _dimension_path(spec)
    ref = _resolve_path(schema, obj, path)
    expr = query.expr(ref)
    if granularity is not None and ref.kind in ("DATE_TIME", "DATE"):
        expr = _date_bucket(expr, str(granularity))
        if granularity == "DAY_OF_THE_WEEK":
            return expr, lambda v: None if v is None else WEEKDAYS[int(v)]
        if granularity == "MONTH_OF_THE_YEAR":
            return expr, lambda v: None if v is None else MONTHS[int(v) - 1]
        return expr, lambda v: v
    kind = ref.kind
    return expr, lambda v: _from_stored(kind, v)


AGGREGATE_RE = _Pattern(
    r"^(countUniqueValues|countEmpty|countNotEmpty|percentageEmpty|percentageNotEmpty|countTrue|countFalse|"
    r"min|max|avg|sum)([A-Z]\w*)$"
)


def _aggregate_sql(schema: Schema, obj: ObjectMeta, name: str, query: SqlQuery) -> str:
    """SQL of one aggregate field (graphql.md §5), over the filtered set."""
    if name == "totalCount":
        return "count(*)"
    op, target = _aggregate_target(obj, name)
    x = query.expr(target)
    empty = f"({x} IS NULL OR {x} = '' OR {x} = '[]')"
    return {
        "countUniqueValues": f"count(DISTINCT {x})",
        "countEmpty": f"sum(CASE WHEN {empty} THEN 1 ELSE 0 END)",
        "countNotEmpty": f"sum(CASE WHEN {empty} THEN 0 ELSE 1 END)",
        "percentageEmpty": f"avg(CASE WHEN {empty} THEN 1.0 ELSE 0.0 END)",
        "percentageNotEmpty": f"avg(CASE WHEN {empty} THEN 0.0 ELSE 1.0 END)",
        "countTrue": f"sum(CASE WHEN {x} = 1 THEN 1 ELSE 0 END)",
        "countFalse": f"sum(CASE WHEN {x} = 0 THEN 1 ELSE 0 END)",
        "min": f"min({x})",
        "max": f"max({x})",
        "avg": f"avg({x})",
        "sum": f"sum({x})",
    }[op]


def _aggregate_paths(obj: ObjectMeta, names: Sequence[str]) -> list[tuple[str, ...]]:
    """The field paths that aggregates read (for the permission check)."""
    return [_aggregate_target(obj, n)[1].cursor_path for n in names if n != "totalCount"]


def _aggregate_target(obj: ObjectMeta, name: str) -> tuple[str, Ref]:
    """The operation and the column of an aggregate field such as sumEmployees or minCreatedAt."""
    match = AGGREGATE_RE.match(name)
    target: Ref | None = None
    if match:
        op, rest = match.groups()
        for meta in obj.active_fields:
            if meta.relation_type is not None or meta.type == "TS_VECTOR":
                continue
            pascal = _upper_first(meta.name)
            if meta.name == "id" and rest == "Id":
                target = ID_REF
            elif meta.type in COMPOSITES:
                for col in meta.columns:
                    if rest == pascal + _upper_first(col.sub or "") or (rest == pascal and col is meta.columns[0]):
                        target = Ref(col, col.kind, meta.name, (meta.name, col.sub or ""))
            elif rest == pascal and meta.columns:
                target = Ref(meta.columns[0], meta.columns[0].kind, meta.name, (meta.name,))
            if target is not None:
                break
    if target is None or match is None:
        raise _bad_filter(f"Invalid aggregate '{name}'")
    return match.group(1), target


def _aggregates(ctx: Ctx, obj: ObjectMeta, node: Node | None, names: Sequence[str]) -> dict[str, Any]:
    """Aggregate values over the records a filter matches, in one query."""
    if not names:
        return {}
    _require_readable(ctx, obj, _filter_paths(node), _aggregate_paths(obj, names))
    query = SqlQuery(ctx.schema, obj)
    where = _filter_sql(ctx.schema, obj, node, query)
    exprs = [_aggregate_sql(ctx.schema, obj, name, query) for name in names]
    row = ctx.conn.execute(f"SELECT {', '.join(exprs)} FROM {query.from_sql()} WHERE {where}", query.params).fetchone()
    return dict(zip(names, row))


@_record()
class Group:
    """One group of a group-by: its raw key, dimension values as the API shows them, aggregate values,
    and a sample of its record ids."""

    key: tuple[Any, ...]
    dimensions: list[Any]
    values: list[Any]
    ids: list[bytes] = _made(list)


def _group_by(
    ctx: Ctx,
    obj: ObjectMeta,
    node: Node | None,
    dims_spec: list[Any],
    names: list[str],
    limit: int,
    order: list[SortKey],
    sample_order: list[SortKey] | None = None,
    sample_size: int = 60,
    sample_offset: int = 0,
) -> list[Group]:
    """Groups of the records a filter matches: dimension values, aggregates, and (with sample_order) the
    first records of each group. order: sort keys that name a dimension order the groups."""
    paths = [_dimension_path(spec)[0] for spec in dims_spec]
    _require_readable(
        ctx,
        obj,
        [*_filter_paths(node), *paths, *_aggregate_paths(obj, names)]
        + [k.ref.cursor_path for k in [*order, *(sample_order or [])]],
    )
    query = SqlQuery(ctx.schema, obj)
    where = _filter_sql(ctx.schema, obj, node, query)
    dims = [_group_dimension(ctx.schema, obj, spec, query) for spec in dims_spec]
    agg_sql = [_aggregate_sql(ctx.schema, obj, name, query) for name in names]
    dim_sql = [d[0] for d in dims]
    ordering = [
        f"{dim_sql[paths.index(k.ref.cursor_path)]} {k.sql_direction}" for k in order if k.ref.cursor_path in paths
    ]
    sql = (
        f"SELECT {', '.join(dim_sql + agg_sql)} FROM {query.from_sql()} WHERE {where} "
        f"GROUP BY {', '.join(dim_sql)} ORDER BY {', '.join(ordering + dim_sql)} LIMIT {int(limit)}"
    )
    groups = []
    for row in ctx.conn.execute(sql, query.params):
        key = tuple(row[: len(dims)])
        groups.append(Group(key, [conv(v) for (_, conv), v in zip(dims, key)], list(row[len(dims) :])))
    if sample_order is not None and groups:
        samples = _group_samples(ctx, obj, node, dims_spec, sample_order, sample_size, sample_offset)
        for group in groups:
            group.ids = samples.get(group.key, [])
    return groups


def _group_samples(
    ctx: Ctx, obj: ObjectMeta, node: Node | None, dims_spec: list[Any], keys: list[SortKey], size: int, offset: int
) -> dict[tuple[Any, ...], list[bytes]]:
    """Record ids of each group (up to size, after offset), in one windowed query."""
    query = SqlQuery(ctx.schema, obj)
    where = _filter_sql(ctx.schema, obj, node, query)
    dim_sql = [_group_dimension(ctx.schema, obj, spec, query)[0] for spec in dims_spec]
    order = [f"{query.expr(k.ref)} {'ASC' if k.ascending else 'DESC'}" for k in keys]
    inner = (
        f"SELECT {', '.join(f'{d} AS d{i}' for i, d in enumerate(dim_sql))}, e.id AS rid, "
        f"row_number() OVER (PARTITION BY {', '.join(dim_sql)} ORDER BY {', '.join(order)}) AS rn "
        f"FROM {query.from_sql()} WHERE {where}"
    )
    rows = ctx.conn.execute(
        f"SELECT * FROM ({inner}) WHERE rn > ? AND rn <= ? ORDER BY rn", (*query.params, offset, offset + size)
    ).fetchall()
    by_group: dict[tuple[Any, ...], list[bytes]] = {}
    for row in rows:
        by_group.setdefault(tuple(row[: len(dim_sql)]), []).append(row[len(dim_sql)])
    return by_group


# ---- search ---------------------------------------------------------------------------------


@_record()
class SearchHit:
    """One search result: the record, its label and image, and its rank."""

    obj: ObjectMeta
    rid: bytes
    label: str
    image_url: Any
    rank: float


def _search_records(
    ctx: Ctx,
    text: str,
    start: int,
    limit: int,
    included: Sequence[str] | None,
    excluded: Sequence[str] | None,
    filter_of: Callable[[ObjectMeta], Node | None],
) -> tuple[list[SearchHit], bool]:
    """Records of every searchable object the caller may read whose text matches every word, best first
    (graphql.md §11): (the window [start, start+limit), whether more follow)."""
    _authorize(ctx, None, "search")
    words = [w.lower() for w in text.split() if w]
    found: list[tuple[float, str, bytes, SearchHit]] = []
    for obj in sorted(ctx.schema.by_plural.values(), key=lambda o: o.name_singular):
        if not obj.is_searchable or (included and obj.name_singular not in included):
            continue
        if (excluded and obj.name_singular in excluded) or not _can(ctx.actor.role, "read", obj):
            continue
        hidden = ctx.hidden(obj)
        leaves: list[Node] = [Leaf(("searchVector",), "search", SearchText(text, hidden))] if words else []
        extra = filter_of(obj)
        _require_readable(ctx, obj, _filter_paths(extra))
        node = ("and", leaves + ([extra] if extra else []))
        keys = (
            [SortKey(_resolve_path(ctx.schema, obj, ("createdAt",)), "DescNullsLast"), ID_KEY]
            if ("createdAt" in obj.by_name)
            else [ID_KEY]
        )
        page = _find_page(ctx.conn, ctx.schema, obj, node, keys, start + limit, with_total=False)
        values = _fetch_values(ctx.conn, obj, page.ids)
        shown_label = obj.label_identifier not in hidden
        shown_image = obj.image_identifier and obj.image_identifier not in hidden
        for rid in page.ids:
            label = _record_label(obj, values[rid]) if shown_label else ""
            hits = sum(1 for w in words if w in label.lower())
            rank = hits / len(words) if words else 0.0
            image = values[rid].get(obj.image_identifier) if shown_image else None
            found.append((rank, obj.name_singular, rid, SearchHit(obj, rid, label, image, rank)))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    return [f[3] for f in found[start : start + limit]], len(found) > start + limit


def _record_label(obj: ObjectMeta, values: dict[str, Any]) -> str:
    """The label of a record: its label-identifier field as text (a full name as 'First Last')."""
    meta = obj.by_name.get(obj.label_identifier or "")
    if meta is None or meta.name == "id":
        return ""
    if meta.type == "FULL_NAME":
        return " ".join(p for p in (values.get(c.name) for c in meta.columns) if p)
    if meta.columns:
        value = values.get(meta.columns[0].name)
        return "" if value is None else str(value)
    return ""


# ============================================================================================
# 11. REST core
# ============================================================================================

# ---- the REST query grammar (rest.md §4) -> typed queries -----------------------------------

CONJ_RE = _Pattern(r"^(or|and|not)\((.+)\)$", re.S)
LEAF_RE = _Pattern(r"^(.+)\[(.+)\]:(.+)$", re.S)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s are' if n > 1 else ' is'}"


def _split_items(content: str) -> list[str]:
    """Split a conjunction's content on commas at depth 0, outside [...] and quotes."""
    items, depth, inside, current = [], 0, None, []
    closers = {"[": "]", '"': '"', "'": "'"}
    for ch in content:
        if inside:
            if ch == closers[inside]:
                inside = None
        elif ch in closers:
            inside = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return items


def _unquote(value: str) -> str:
    """Drop surrounding quotes when the value starts and ends with one (they need not match)."""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] in "\"'":
        return value[1:-1]
    return value


def _parse_filter(raw: str, max_nesting: int) -> Node:
    """Parse the REST filter grammar of rest.md §4.1, quirks included, into a filter tree."""
    if _nesting(raw) > max_nesting:
        raise _bad_filter(f"'filter' invalid. Conditions are nested more than {max_nesting} levels deep")
    opens, closes = raw.count("("), raw.count(")")
    if opens > closes:
        raise _bad_filter(f"'filter' invalid. {_plural(opens - closes, 'close bracket')} missing in the query")
    if closes > opens:
        raise _bad_filter(f"'filter' invalid. {_plural(closes - opens, 'open bracket')} missing in the query")
    if not CONJ_RE.match(raw):
        raw = f"and({raw})"
    return _parse_node(raw)


def _nesting(text: str) -> int:
    """How deep the brackets of a filter go (each level is one more recursion of the parser)."""
    if text.count("(") <= 1:
        return text.count("(")
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def _parse_node(text: str) -> Node:
    match = CONJ_RE.match(text)
    if not match:
        return _parse_leaf(text)
    conj, content = match.group(1), match.group(2)
    items = [_parse_node(item) for item in _split_items(content)]
    if conj == "not":
        if len(items) != 1:
            raise _bad_filter(f"'filter' invalid. 'not' takes exactly one condition, got {len(items)}")
        return ("not", items[0])
    return (conj, items)


def _parse_leaf(text: str) -> Leaf:
    if not LEAF_RE.match(text):
        raise _bad_filter(f"'filter' invalid for '{text}'. eg: price[gte]:10")
    open_at = text.index("[")
    close_at = text.index("]", open_at)
    colon_at = text.index(":", close_at)
    path, op, value = text[:open_at], text[open_at + 1 : close_at], text[colon_at + 1 :]
    if op not in COMPARATORS:
        raise _bad_filter(f"'filter' invalid for '{text}', comparator {op} not in {', '.join(COMPARATORS)}")
    parsed: Any
    if op in ("in", "containsAny"):
        if not (value.startswith("[") and value.endswith("]")):
            raise _bad_filter(
                f"'filter' invalid for '{op}' operator. Received '{value}' but array value expected "
                f"eg: 'field[in]:[value_1,value_2]'"
            )
        inner = value[1:-1]
        parsed = [] if not inner.strip() else [_unquote(v.strip()) for v in inner.split(",")]
    elif op == "is":
        parsed = value
    else:
        parsed = _unquote(value)
    return Leaf(tuple(path.strip().split(".")), op, parsed)


def _parse_order_by(schema: Schema, obj: ObjectMeta, raw: str | None) -> list[SortKey]:
    """The order_by grammar of rest.md §4.2 (`field[Direction],sub.field,…`) as sort keys."""
    items: list[tuple[list[str], str]] = []
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        match = re.match(r"^([^\[]+)(?:\[(.*)\])?$", item)
        path, direction = (match.group(1), match.group(2)) if match else (item, "")
        direction = direction if direction is not None else "AscNullsFirst"
        if direction not in DIRECTIONS:
            raise _bad_filter(
                f"'order_by' direction '{direction}' invalid. Allowed values are 'AscNullsFirst', 'AscNullsLast', "
                "'DescNullsFirst', 'DescNullsLast'. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3"
            )
        items.append((path.strip().split("."), direction))
    return _sort_keys(schema, obj, items)


def _parse_filter_param(q: Query, max_nesting: int) -> Node | None:
    raw = q.get("filter")
    return _parse_filter(raw, max_nesting) if raw else None


def _parse_depth(q: Query) -> int:
    raw = q.get("depth")
    if raw is None or raw == "":
        return 0
    if raw not in ("0", "1"):
        raise _bad_request(f"'depth={raw}' parameter invalid. Allowed values are 0, 1")
    return int(raw)


def _parse_fields(obj: ObjectMeta, q: Query, depth: int, hidden: frozenset[str] = frozenset()) -> set[str] | None:
    """The fields projection of rest.md §4.6, or None for every field."""
    raws = q.all("fields")
    if not raws:
        return None
    names = list(dict.fromkeys(n.strip() for raw in raws for n in raw.split(",") if n.strip()))
    if not names:
        raise _bad_request(
            "'fields' parameter is empty. Expected a comma-separated list of field names, e.g. fields=id,name"
        )
    unknown = [n for n in names if n not in obj.by_name or obj.by_name[n].type == "TS_VECTOR" or n in hidden]
    if unknown:
        raise _bad_request(
            f"'fields' parameter invalid. Unknown or unreadable fields on '{obj.name_singular}': {', '.join(unknown)}"
        )
    o2m = [n for n in names if obj.by_name[n].relation_type == "ONE_TO_MANY"]
    if o2m and depth < 1:
        raise _bad_request(
            f"'fields' parameter invalid. One-to-many relation fields on '{obj.name_singular}' are only returned "
            f"with depth=1: {', '.join(o2m)}"
        )
    return set(names) | {"id"}


def _rid_of(segment: str) -> bytes:
    if not _is_uuid(segment):
        raise _bad_request(f"'{segment}' is not a valid UUID")
    return _uuid_blob(segment.lower())


def _lookup_object(schema: Schema, name: str) -> ObjectMeta:
    """The active object whose namePlural is in the path (rest.md §3)."""
    obj = schema.by_plural.get(name)
    if obj is not None:
        return obj
    singular = schema.by_singular.get(name)
    if singular is not None:
        raise _bad_request(f"object '{name}' not found. Did you mean '{singular.name_plural}'?")
    raise _bad_request(f"object '{name}' not found. eg: companies")


def _route_rest(method: str, segs: list[str], path: str) -> tuple[str, str, str | None]:
    """(operation, plural, id segment) for a /rest path and method (rest.md §2-3)."""
    invalid = _bad_request(
        f"Query path '{path}' invalid. Valid examples: /rest/companies/id or /rest/companies or /rest/batch/companies"
    )
    writes = ("PATCH", "PUT")
    if not segs or len(segs) > 3:
        raise invalid
    if len(segs) == 3:
        if segs[0] == "restore" and method in writes:
            return "restore_one", segs[1], segs[2]
        if segs[2] == "restore" and method in writes:
            return "restore_one", segs[0], segs[1]
        raise invalid
    if len(segs) == 2:
        first, second = segs
        if first == "batch" and method == "POST":
            return "batch", second, None
        if first == "restore" and method in writes:
            return "restore_many", second, None
        special = {
            ("duplicates", "POST"): "duplicates",
            ("groupBy", "GET"): "group_by",
            ("merge", "PATCH"): "merge",
            ("merge", "PUT"): "merge",
            ("restore", "PATCH"): "restore_many",
            ("restore", "PUT"): "restore_many",
        }
        if (second, method) in special:
            return special[(second, method)], first, None
        ops = {"GET": "get_one", "PATCH": "update_one", "PUT": "update_one", "DELETE": "delete_one"}
        if method not in ops:
            raise invalid
        return ops[method], first, second
    ops = {"GET": "list", "POST": "create", "PATCH": "update_many", "PUT": "update_many", "DELETE": "delete_many"}
    if method not in ops:
        raise invalid
    return ops[method], segs[0], None


# ---- handlers: parse, call the record service, render ---------------------------------------


class RestCall:
    """One REST record request, parsed lazily: its query string, body and projection."""

    def __init__(self, ctx: Ctx, obj: ObjectMeta, q: Query, body: Body) -> None:
        self.ctx, self.obj, self.q, self.body = ctx, obj, q, body
        self.depth = _parse_depth(q)
        self.selected = _parse_fields(obj, q, self.depth, ctx.hidden(obj))

    def records(self, ids: Sequence[bytes], seqs: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Records as this call shows them (depth, fields), spliced from their read documents."""
        return _load_records(self.ctx, self.obj, ids, self.depth, self.selected, raw=True, seqs=seqs)

    def many(self, ids: Sequence[bytes], seqs: Sequence[int] | None = None) -> Any:
        """A list of records as this call shows them: one spliced JSON array when each is a read document."""
        records = self.records(ids, seqs)
        if all(type(r) is _Raw for r in records):
            return _Raw("[" + ",".join(r.text for r in records) + "]")
        return records

    def filter(self) -> Node | None:
        """The `filter` parameter as a filter tree, if any."""
        return _parse_filter_param(self.q, self.ctx.state.settings.max_nesting)

    def data(self) -> Any:
        """The JSON body (an empty body reads as {})."""
        data = self.body.json()
        return data if data is not None else {}


def _rest_list(call: RestCall) -> tuple[int, Any]:
    q, ctx, obj = call.q, call.ctx, call.obj
    query = FindQuery(
        call.filter(),
        _parse_order_by(ctx.schema, obj, q.get("order_by")),
        _parse_limit(q, ctx.max_records),
        q.get("starting_after") or None,
        q.get("ending_before") or None,
    )
    page = _find(ctx, obj, query)
    return 200, {
        "data": {obj.name_plural: call.many(page.ids, page.seqs)},
        "pageInfo": page.info(),
        "totalCount": page.total,
    }


def _rest_get_one(call: RestCall, rid: bytes) -> tuple[int, Any]:
    _live_record(call.ctx, call.obj, rid)
    return 200, {"data": {call.obj.name_singular: call.records([rid])[0]}}


def _rest_create(call: RestCall) -> tuple[int, Any]:
    rid = _create(call.ctx, call.obj, [call.data()], call.q.get("upsert") == "true")[0]
    return 201, {"data": {"create" + _upper_first(call.obj.name_singular): call.records([rid])[0]}}


def _rest_batch(call: RestCall) -> tuple[int, Any]:
    data = call.body.json()
    if not isinstance(data, list):
        raise _bad_request("Body must be an array")
    if not data:
        raise _bad_request("Input must not be empty")
    ids = _create(call.ctx, call.obj, data, call.q.get("upsert") == "true")
    return 201, {"data": {"create" + _upper_first(call.obj.name_plural): call.many(ids)}}


def _rest_update_one(call: RestCall, rid: bytes) -> tuple[int, Any]:
    _update_one(call.ctx, call.obj, rid, call.data())
    return 200, {"data": {"update" + _upper_first(call.obj.name_singular): call.records([rid])[0]}}


def _rest_update_many(call: RestCall) -> tuple[int, Any]:
    node = call.filter()
    ids = _update_many(call.ctx, call.obj, node, call.data())
    return 200, {"data": {"update" + _upper_first(call.obj.name_plural): call.many(ids)}}


def _soft_delete_param(q: Query) -> bool:
    """soft_delete=true, exactly once, means a soft delete; anything else a destroy (rest.md §8)."""
    return q.all("soft_delete") == ["true"]


def _rest_delete_one(call: RestCall, rid: bytes) -> tuple[int, Any]:
    _change_one(call.ctx, call.obj, "delete" if _soft_delete_param(call.q) else "destroy", rid)
    return 200, {"data": {"delete" + _upper_first(call.obj.name_singular): {"id": _blob_uuid(rid)}}}


def _rest_delete_many(call: RestCall) -> tuple[int, Any]:
    soft = _soft_delete_param(call.q)
    node = call.filter()
    if node is None:
        word = "delete" if soft else "destroy"
        raise _bad_request(
            f"Filters are mandatory for bulk {word} operations. Please provide at least one filter to prevent "
            "accidental deletion of all records."
        )
    ids = _change_many(call.ctx, call.obj, "delete" if soft else "destroy", node)
    return 200, {"data": {"delete" + _upper_first(call.obj.name_plural): [{"id": _blob_uuid(i)} for i in ids]}}


def _rest_restore_one(call: RestCall, rid: bytes) -> tuple[int, Any]:
    _change_one(call.ctx, call.obj, "restore", rid)
    return 200, {"data": {"restore" + _upper_first(call.obj.name_singular): call.records([rid])[0]}}


def _rest_restore_many(call: RestCall) -> tuple[int, Any]:
    ids = _change_many(call.ctx, call.obj, "restore", call.filter())
    return 200, {"data": {"restore" + _upper_first(call.obj.name_plural): call.many(ids)}}


def _rest_duplicates(call: RestCall) -> tuple[int, Any]:
    data = call.body.json()
    if not isinstance(data, dict):
        raise _bad_request("Request body must be a JSON object")
    found = _duplicates(call.ctx, call.obj, data.get("data") if "data" in data else None, data.get("ids"))
    out = []
    for ids in found:
        out.append(
            {
                f"{call.obj.name_singular}Duplicates": _load_records(call.ctx, call.obj, ids, call.depth),
                "totalCount": len(ids),
                "pageInfo": _id_page(ids).info(),
            }
        )
    return 200, {"data": out}


def _rest_merge(call: RestCall) -> tuple[int, Any]:
    data = call.body.json()
    if not isinstance(data, dict):
        raise _bad_request('"ids" must be an array of record ids')
    survivor, preview = _merge(
        call.ctx, call.obj, data.get("ids"), data.get("conflictPriorityIndex", 0), data.get("dryRun") is True
    )
    record = preview if preview is not None else _load_records(call.ctx, call.obj, [survivor], call.depth)[0]
    return 200, {"data": {"merge" + _upper_first(call.obj.name_singular): record}}


def _aggregate_text(value: Any) -> str | None:
    """Group-by aggregates come back as strings; integral numbers without a fraction."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)
    return str(value)


def _json_param(q: Query, name: str, error: str) -> Any:
    raw = q.get(name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise _bad_request(error) from None


def _rest_group_by(call: RestCall) -> tuple[int, Any]:
    q, ctx, obj = call.q, call.ctx, call.obj
    dims_spec = _json_param(q, "group_by", GROUP_BY_HELP)
    if not isinstance(dims_spec, list) or not dims_spec:
        raise _bad_request(GROUP_BY_HELP)
    _aggregates = _json_param(q, "aggregate", "Invalid aggregate query parameter - should be a JSON array of names")
    if _aggregates is not None and (
        not isinstance(_aggregates, list) or not all(isinstance(a, str) for a in _aggregates)
    ):
        raise _bad_request("Invalid aggregate query parameter - should be a JSON array of names")
    limit = _parse_limit(q, 10**6, default=50)
    node = call.filter()
    names = list(_aggregates) if _aggregates else ["totalCount"]
    sample = q.get("include_records_sample") == "true"
    groups = _group_by(
        ctx,
        obj,
        node,
        dims_spec,
        names,
        limit,
        _parse_order_by(ctx.schema, obj, q.get("order_by")),
        _parse_order_by(ctx.schema, obj, q.get("order_by_for_records")) if sample else None,
    )
    every = [i for g in groups for i in g.ids]
    loaded = dict(zip(every, _load_records(ctx, obj, every)))
    out = []
    for g in groups:
        group: dict[str, Any] = {"groupByDimensionValues": g.dimensions}
        for name, value in zip(names, g.values):
            group[name] = value if name == "totalCount" and not _aggregates else _aggregate_text(value)
        if sample:
            group["records"] = [loaded[i] for i in g.ids]
        out.append(group)
    return 200, out


REST_HANDLERS: dict[str, tuple[str, Callable[..., tuple[int, Any]]]] = {  # operation -> (service operation, handler)
    "list": ("find", _rest_list), "get_one": ("get", _rest_get_one), "create": ("create", _rest_create),
    "batch": ("create", _rest_batch), "update_one": ("update", _rest_update_one),
    "update_many": ("update", _rest_update_many), "delete_one": ("delete", _rest_delete_one),
    "delete_many": ("delete", _rest_delete_many), "restore_one": ("restore", _rest_restore_one),
    "restore_many": ("restore", _rest_restore_many), "duplicates": ("duplicates", _rest_duplicates),
    "merge": ("merge", _rest_merge), "group_by": ("group_by", _rest_group_by),
}  # fmt: skip


def _handle_rest(state: AppState, path: str) -> str:
    """Every /rest/{plural}… request: auth, path, parameters, one transaction, envelope."""
    request = bottle.request
    actor = _authenticate(state, request.get_header("Authorization"))
    method = request.method.upper()
    full_path = "/rest/" + path if path else "/rest"
    operation, plural, id_segment = _route_rest(method, [s for s in path.split("/") if s], full_path)
    q = Query(request.environ.get("QUERY_STRING", ""))
    body = Body(request.body.read() if method != "GET" else b"").parsed()
    manager = state.store.read() if method == "GET" else state.store.write()
    rid = _rid_of(id_segment) if id_segment is not None else None
    service_operation, handler = REST_HANDLERS[operation]
    if service_operation == "delete" and not _soft_delete_param(q):
        service_operation = "destroy"
    with manager as conn:
        schema = state.schema(conn, actor.workspace_id)
        obj = _lookup_object(schema, plural)
        ctx = Ctx(state, conn, schema, actor, _iso(state.clock()))
        _authorize(ctx, obj, service_operation)
        call = RestCall(ctx, obj, q, body)
        status, payload = handler(call, rid) if rid is not None else handler(call)
    _finish(ctx)
    return _json_response(status, payload)


# ---- /rest/metadata -----------------------------------------------------------------------

# Twenty serves these too; twenty_lite has no page layouts and answers their lists empty.
PAGE_LAYOUT_RESOURCES = ("pageLayouts", "pageLayoutTabs", "pageLayoutWidgets")


def _metadata_page(items: list[tuple[str, Any]], q: Query, maximum: int) -> tuple[list[Any], dict[str, Any]]:
    """Paging of REST metadata lists (metadata.md §2.3): id descending, raw id cursors."""
    limit = _parse_limit(q, maximum)
    after, before = q.get("starting_after") or None, q.get("ending_before") or None
    if after and before:
        raise _bad_request("'starting_after' and 'ending_before' cannot be used together.")
    for cursor in (after, before):
        if cursor is not None and not _is_uuid(cursor):
            raise _bad_request(f"Invalid cursor: {cursor}")
    ordered = sorted(items, key=lambda item: item[0], reverse=True)
    if after:
        rest = [it for it in ordered if it[0] < after.lower()]
        page, more = rest[:limit], len(rest) > limit
        has_next, has_previous = more, True
    elif before:
        rest = [it for it in ordered if it[0] > before.lower()]
        page, more = rest[-limit:] if limit else [], len(rest) > limit
        has_next, has_previous = True, more
    else:
        page, more = ordered[:limit], len(ordered) > limit
        has_next, has_previous = more, False
    info = {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": page[0][0] if page else None,
        "endCursor": page[-1][0] if page else None,
    }
    return [item for _, item in page], info


def _handle_rest_metadata(state: AppState, path: str) -> str:
    """/rest/metadata/{objects,fields}[/{id}]: the data model over REST, in the workspace's format."""
    request = bottle.request
    actor = _authenticate(state, request.get_header("Authorization"))
    method = request.method.upper()
    segs = [s for s in path.split("/") if s]
    if len(segs) == 1 and segs[0] in PAGE_LAYOUT_RESOURCES and method == "GET":
        info = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}
        return _json_response(200, {"data": [], "pageInfo": info, "totalCount": 0})
    if segs and segs[0] in REST_VIEW_RESOURCES and len(segs) <= 2:
        return _handle_rest_views(state, actor, segs[0], segs[1] if len(segs) == 2 else None)
    if segs and segs[0] in SETTINGS_RESOURCES and len(segs) <= 2:
        return _handle_settings_resource(state, actor, segs[0], segs[1] if len(segs) == 2 else None, legacy=False)
    if not segs or len(segs) > 2 or segs[0] not in ("objects", "fields"):
        return _cannot(method, "/rest/metadata/" + path)
    resource, item_id = segs[0], (segs[1] if len(segs) == 2 else None)
    _require(actor, "DATA_MODEL")
    allowed = {None: ("GET", "POST"), "id": ("GET", "PATCH", "PUT", "DELETE")}["id" if item_id else None]
    if method not in allowed:
        return _cannot(method, "/rest/metadata/" + path)
    if item_id is not None and not _is_uuid(item_id):
        raise _bad_request("Validation failed (uuid is expected)")
    q = Query(request.environ.get("QUERY_STRING", ""))
    body = Body(request.body.read() if method != "GET" else b"").parsed()
    manager = state.store.read() if method == "GET" else state.store.write()
    with manager as conn:
        ctx = Ctx(state, conn, state.schema(conn, actor.workspace_id), actor, _iso(state.clock()))
        answer = _metadata_operation(ctx, resource, method, item_id, q, body)
        new_format = _feature_flags(conn, actor.workspace_id)["IS_REST_METADATA_API_NEW_FORMAT_DIRECT"]
    return _json_response(answer.status, _metadata_envelope(resource, answer, new_format))


def _handle_rest_views(state: AppState, actor: Actor, resource: str, item_id: str | None) -> str:
    """/rest/metadata/{views,viewFields,viewFilters,viewFilterGroups,viewSorts,viewGroups}[/{id}]: lists (of an
    object's views, or of a view's parts) as a page, one item bare; a PATCH takes the changes, or {"update": …};
    a DELETE is soft and answers {"success": true}."""
    request = bottle.request
    method = request.method.upper()
    kind = VIEW_KIND_BY_RESOURCE[resource]
    path = f"/rest/metadata/{resource}" + (f"/{item_id}" if item_id else "")
    if method not in (("GET", "POST") if item_id is None else ("GET", "PATCH", "PUT", "DELETE")):
        return _cannot(method, path)
    if item_id is not None and not _is_uuid(item_id):
        raise _bad_request("Validation failed (uuid is expected)")
    q = Query(request.environ.get("QUERY_STRING", ""))
    body = Body(request.body.read() if method != "GET" else b"").parsed()
    with state.store.read() if method == "GET" else state.store.write() as conn:
        ctx = Ctx(state, conn, state.schema(conn, actor.workspace_id), actor, _iso(state.clock()))
        ws = actor.workspace_id
        if method == "GET" and item_id is None:
            parent_key = VIEW_KINDS[kind].parent
            parent = q.get(parent_key) or None
            if parent is not None and not _is_uuid(parent):
                raise _bad_request(f"{parent_key} must be a UUID")
            items = _list_view_items(_view_items(conn, ctx.schema), kind, parent)
            page, info = _metadata_page([(i["id"], _view_out(ws, i)) for i in items], q, state.settings.max_records)
            status, payload = 200, {"data": page, "pageInfo": info, "totalCount": len(items)}
        elif method == "GET":
            status, payload = 200, _view_out(ws, _live_view_item(_view_items(conn, ctx.schema), kind, item_id))
        elif method == "DELETE":
            _change_view_item(ctx, kind, "delete", item_id)
            status, payload = 200, {"success": True}
        else:
            data = body.json()
            if method != "POST" and isinstance(data, dict) and isinstance(data.get("update"), dict):
                data = data["update"]
            item = _change_view_item(ctx, kind, "create" if method == "POST" else "update", item_id, data)
            status, payload = (201 if method == "POST" else 200), _view_out(ws, item)
    return _json_response(status, payload)


@_record(frozen=True)
class SettingsResource:
    """A REST resource of workspace settings (API keys, webhooks): its store functions."""

    name: str
    list: Callable[[sqlite3.Connection, str], list[dict[str, Any]]]
    find: Callable[[sqlite3.Connection, str, str], dict[str, Any]]
    create: Callable[[sqlite3.Connection, str, Any, str, Callable[[], str]], dict[str, Any]]
    update: Callable[[sqlite3.Connection, str, str, Any, str, Callable[[], str]], dict[str, Any]]
    delete: Callable[[sqlite3.Connection, str, str, str], dict[str, Any]]


SETTINGS_RESOURCES = {
    "apiKeys": SettingsResource(
        "apiKeys", _list_keys, _find_key, _create_key,
        lambda conn, ws, key_id, data, now, _new_id: _update_key(conn, ws, key_id, data, now), _revoke_key,
    ),
    "webhooks": SettingsResource(
        "webhooks", _list_webhooks, _find_webhook, _save_webhook,
        lambda conn, ws, hook_id, data, now, new_id: _save_webhook(conn, ws, data, now, new_id, hook_id), _delete_webhook,
    ),
}  # fmt: skip


def _handle_settings_resource(state: AppState, actor: Actor, name: str, item_id: str | None, legacy: bool) -> str:
    """/rest/metadata/{apiKeys,webhooks}[/{id}] and their deprecated /rest/{…} aliases, which answer
    raw arrays and bare objects with Deprecation and Link headers (auth-and-limits.md §4.3, webhooks.md §2.2)."""
    request = bottle.request
    method = request.method.upper()
    resource = SETTINGS_RESOURCES[name]
    path = (f"/rest/{name}" if legacy else f"/rest/metadata/{name}") + (f"/{item_id}" if item_id else "")
    if method not in (("GET", "POST") if item_id is None else ("GET", "PATCH", "PUT", "DELETE")):
        return _cannot(method, path)
    if item_id is not None and not _is_uuid(item_id):
        raise _bad_request("Validation failed (uuid is expected)")
    _require(actor, "API_KEYS_AND_WEBHOOKS")
    body = Body(request.body.read() if method != "GET" else b"").parsed()
    ws, now, new_id = actor.workspace_id, _iso(state.clock()), state.settings.new_id
    with state.store.read() if method == "GET" else state.store.write() as conn:
        if method == "GET" and item_id is None:
            items = resource.list(conn, ws)
            page, info = _metadata_page(
                [(i["id"], i) for i in items],
                Query(request.environ.get("QUERY_STRING", "")),
                state.settings.max_records,
            )
            status, payload = 200, (page if legacy else {"data": page, "pageInfo": info, "totalCount": len(items)})
        elif method == "GET":
            status, payload = 200, resource.find(conn, ws, item_id or "")
        elif method == "POST":
            status, payload = 201, resource.create(conn, ws, body.json(), now, new_id)
        elif method == "DELETE":
            status, payload = 200, resource.delete(conn, ws, item_id or "", now)
        else:
            status, payload = 200, resource.update(conn, ws, item_id or "", body.json(), now, new_id)
    if legacy:
        bottle.response.set_header("Deprecation", "@1786320000")
        bottle.response.set_header("Link", f'</rest/metadata/{name}>; rel="successor-version"')
    return _json_response(status, payload)


def _handle_legacy_settings(state: AppState, name: str, path: str) -> str:
    """The deprecated /rest/apiKeys and /rest/webhooks aliases."""
    actor = _authenticate(state, bottle.request.get_header("Authorization"))
    segs = [s for s in path.split("/") if s]
    return _handle_settings_resource(state, actor, name, segs[0] if segs else None, legacy=True)


@_record()
class MetadataAnswer:
    """What a REST metadata call did, before its envelope: the operation, its status, the item or the
    page of items (with pageInfo and totalCount for a list)."""

    operation: str  # list, get, create, update or delete
    status: int
    value: Any
    page_info: dict[str, Any] | None = None
    total: int = 0


def _metadata_operation(
    ctx: Ctx, resource: str, method: str, item_id: str | None, q: Query, body: Body
) -> MetadataAnswer:
    """One REST metadata call against the workspace's data model."""
    item_id = item_id.lower() if item_id else None

    def fresh() -> Schema:
        return ctx.state.schema(ctx.conn, ctx.schema.workspace_id)

    def one(schema: Schema, oid: str) -> dict[str, Any]:
        if resource == "objects":
            return _object_out(schema, schema.by_id[oid])
        obj, meta = next((o, f) for o in schema.objects for f in o.fields if f.id == oid)
        return _field_out(schema, obj, meta)

    if method == "GET" and item_id is None:
        if resource == "objects":
            items = [(o.id, o) for o in ctx.schema.objects]
            page, info = _metadata_page(items, q, ctx.max_records)
            data = [_object_out(ctx.schema, o) for o in page]
        else:
            items = [(f.id, (o, f)) for o in ctx.schema.objects for f in o.fields]
            page, info = _metadata_page(items, q, ctx.max_records)
            data = [_field_out(ctx.schema, o, f) for o, f in page]
        return MetadataAnswer("list", 200, data, info, len(items))
    if method == "GET":
        if resource == "objects":
            return MetadataAnswer("get", 200, _object_out(ctx.schema, _object_by_id(ctx, item_id or "")))
        obj, meta = _field_by_id(ctx, item_id or "")
        return MetadataAnswer("get", 200, _field_out(ctx.schema, obj, meta))
    if method == "POST":
        data = body.json()
        new_id = _create_object(ctx, data) if resource == "objects" else _create_field(ctx, data)
        return MetadataAnswer("create", 201, one(fresh(), new_id))
    if method in ("PATCH", "PUT"):
        data = body.json()
        if resource == "objects":
            _update_object(ctx, item_id or "", data)
        else:
            _update_field(ctx, item_id or "", data)
        return MetadataAnswer("update", 200, one(fresh(), item_id or ""))
    if resource == "objects":
        gone = _object_out(ctx.schema, _object_by_id(ctx, item_id or ""), with_fields=False)
        _delete_object(ctx, item_id or "")
    else:
        obj, meta = _field_by_id(ctx, item_id or "")
        gone = _field_out(ctx.schema, obj, meta)
        _delete_field(ctx, item_id or "")
    return MetadataAnswer("delete", 200, gone)


def _metadata_envelope(resource: str, answer: MetadataAnswer, new_format: bool) -> Any:
    """The REST metadata body in the workspace's format (metadata.md §2.2): the new one (flag
    IS_REST_METADATA_API_NEW_FORMAT_DIRECT, on by default) answers lists as {data: [...], …} and one item
    bare; the legacy one wraps them in {data: {objects|object|createOneObject…: …}}."""
    if answer.operation == "list":
        data = answer.value if new_format else {resource: answer.value}
        return {"data": data, "pageInfo": answer.page_info, "totalCount": answer.total}
    if new_format:
        return answer.value
    singular = "object" if resource == "objects" else "field"
    key = singular if answer.operation == "get" else f"{answer.operation}One{_upper_first(singular)}"
    return {"data": {key: answer.value}}


# ============================================================================================
# 12. OpenAPI
# ============================================================================================

OPENAPI_INFO = {
    "title": "Twenty Api",
    "version": "v0.1",
    "description": "The REST API of this twenty_lite workspace, generated from its data model.",
    "termsOfService": "https://github.com/twentyhq/twenty?tab=coc-ov-file#readme",
    "contact": {"email": "felix@twenty.com"},
    "license": {"name": "AGPL-3.0", "url": "https://github.com/twentyhq/twenty?tab=License-1-ov-file#readme"},
}
UUID_SCHEMA = {"type": "string", "format": "uuid"}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "statusCode": {"type": "number"},
        "messages": {"type": "array", "items": {"type": "string"}},
        "error": {"type": "string"},
    },
}
PAGE_INFO_SCHEMA = {
    "type": "object",
    "properties": {
        "hasNextPage": {"type": "boolean"},
        "hasPreviousPage": {"type": "boolean"},
        "startCursor": {"type": ["string", "null"]},
        "endCursor": {"type": ["string", "null"]},
    },
}


def _atomic_schema(kind: str, meta: FieldMeta | None = None) -> dict[str, Any]:
    """JSON schema of one stored value kind (its FIELD_KINDS entry); unknown kinds: any JSON value."""
    found = FIELD_KINDS.get(kind)
    return found.json_schema(meta) if found is not None else {}


def _field_schema(meta: FieldMeta, for_input: bool) -> dict[str, Any]:
    """JSON schema of a field's API value; in a response, null where a stored value can be missing (a
    nullable field, and every sub-field of a composite)."""
    if meta.type in COMPOSITES:
        props = {}
        for col in meta.columns:
            if for_input and col.sub in COMPOSITE_TYPES[meta.type].server_filled:
                continue
            props[col.sub or ""] = _atomic_schema(col.kind) if for_input else _or_null(_atomic_schema(col.kind))
        return {"type": "object", "properties": props}
    schema = _atomic_schema(meta.columns[0].kind if meta.columns else meta.type, meta)
    if not for_input and (meta.is_nullable or meta.name == "deletedAt"):
        schema = _or_null(schema)
    if meta.description:
        schema["description"] = meta.description
    return schema


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The same JSON schema, null allowed too (OpenAPI 3.1: a type list, or anyOf for a $ref)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "type" not in schema:
        return schema  # any JSON value already
    out = dict(schema)
    types = out["type"] if isinstance(out["type"], list) else [out["type"]]
    out["type"] = [*types, "null"] if "null" not in types else types
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def _object_schemas(schema: Schema, obj: ObjectMeta) -> dict[str, Any]:
    """The four component schemas of an object (rest.md §14)."""
    singular, plural = _upper_first(obj.name_singular), _upper_first(obj.name_plural)
    _create: dict[str, Any] = {}
    response: dict[str, Any] = {"id": dict(UUID_SCHEMA)}
    required = []
    for meta in obj.active_fields:
        if meta.type == "TS_VECTOR":
            continue
        if meta.relation_type == "MANY_TO_ONE":
            join = meta.join_column or ""
            _create[join] = dict(UUID_SCHEMA)
            response[join] = _or_null(UUID_SCHEMA)
            target = schema.by_id.get(meta.target_object_id or "")
            if target is not None and target.is_active:
                ref = {"$ref": f"#/components/schemas/{_upper_first(target.name_singular)}ForResponse"}
                response[meta.name] = _or_null(ref)
            continue
        if meta.relation_type == "ONE_TO_MANY":
            target = schema.by_id.get(meta.target_object_id or "")
            if target is not None and target.is_active:
                ref = {"$ref": f"#/components/schemas/{_upper_first(target.name_singular)}ForResponse"}
                response[meta.name] = {"type": "array", "items": ref}
            continue
        response[meta.name] = _field_schema(meta, False)
        if meta.name in ("updatedAt", "deletedAt", "updatedBy"):
            continue
        _create[meta.name] = _field_schema(meta, True)
        if not meta.is_nullable and meta.default is None and meta.name != "id":
            required.append(meta.name)
    body: dict[str, Any] = {"type": "object", "properties": _create}
    if required:
        body["required"] = required
    return {
        singular: body,
        f"{plural}": {"type": "array", "items": {"$ref": f"#/components/schemas/{singular}"}},
        f"{singular}ForUpdate": {"type": "object", "properties": {k: v for k, v in _create.items() if k != "id"}},
        f"{singular}ForResponse": {"type": "object", "properties": response},
    }


def _core_parameters(max_records: int) -> dict[str, Any]:
    """components.parameters of the core document."""

    def query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}

    return {
        "orderBy": query("order_by", {"type": "string"}, "Sorts, e.g. field_1[AscNullsFirst],field_2[DescNullsLast]"),
        "filter": query("filter", {"type": "string"}, "Filters, e.g. and(name.firstName[eq]:Ada,city[in]:[Paris])"),
        "limit": query("limit", {"type": "integer", "minimum": 0, "maximum": max_records, "default": 60},
                       "Records per page"),
        "depth": query("depth", {"type": "integer", "enum": [0, 1], "default": 0},
                       "0: fields and join columns; 1: also the related records"),
        "startingAfter": query("starting_after", {"type": "string"}, "Cursor: records after this one"),
        "endingBefore": query("ending_before", {"type": "string"}, "Cursor: records before this one"),
        "idPath": {"name": "id", "in": "path", "required": True, "description": "Record id",
                   "schema": dict(UUID_SCHEMA)},
        "upsert": query("upsert", {"type": "boolean"}, "true: update the record matching id or a unique field"),
        "softDelete": query("soft_delete", {"type": "boolean"}, "true: soft delete instead of destroying"),
        "fields": query("fields", {"type": "string"}, "Comma-separated field names to return"),
        "groupBy": query("group_by", {"type": "string"}, 'JSON array of dimensions, e.g. [{"stage":true}]'),
        "aggregate": query("aggregate", {"type": "string"}, 'JSON array of aggregates, e.g. ["countNotEmptyId"]'),
    }  # fmt: skip


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


def _json_body(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"description": description, "required": True, "content": {"application/json": {"schema": schema}}}


def _reply(status: str, schema: dict[str, Any], description: str = "Successful operation") -> dict[str, Any]:
    """An operation's answers: its success, and every error status the server can give it."""
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}},
        **{code: {"$ref": f"#/components/responses/{code}"} for code in ERROR_STATUSES},
    }


# The errors any API operation can answer (bad input, auth, role, unknown record, oversized body, rate
# limit, a fault injected through the admin API or an unexpected error, a database that cannot be written).
ERROR_STATUSES = {
    "400": "Bad Request", "401": "Unauthorized", "403": "Forbidden", "404": "Not Found",
    "408": "Request Timeout", "413": "Payload Too Large", "429": "Too Many Requests",
    "500": "Internal Server Error", "503": "Service Unavailable",
}  # fmt: skip


def _envelope(key: str, inner: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"data": {"type": "object", "properties": {key: inner}}, **extra}}


def _object_paths(obj: ObjectMeta) -> dict[str, Any]:
    """The paths of one object, with Twenty's operationIds (rest.md §14)."""
    s, p = _upper_first(obj.name_singular), _upper_first(obj.name_plural)
    one = {"$ref": f"#/components/schemas/{s}ForResponse"}
    many = {"type": "array", "items": one}
    ids = {"type": "array", "items": {"type": "object", "properties": {"id": dict(UUID_SCHEMA)}}}
    tag = [obj.name_plural]
    plural = obj.name_plural

    def op(op_id: str, summary: str, params: list[Any], responses: dict[str, Any], body: Any = None) -> dict[str, Any]:
        out = {"tags": tag, "summary": summary, "operationId": op_id, "parameters": params, "responses": responses}
        if body is not None:
            out["requestBody"] = body
        return out

    list_reply = _envelope(plural, many, pageInfo=PAGE_INFO_SCHEMA, totalCount={"type": "integer"})
    return {
        f"/{plural}": {
            "get": op(f"findMany{p}", f"Find Many {obj.label_plural}",
                      _params("orderBy", "filter", "limit", "depth", "startingAfter", "endingBefore", "fields"),
                      _reply("200", list_reply)),
            "post": op(f"createOne{s}", f"Create One {obj.label_singular}", _params("depth", "upsert", "fields"),
                       _reply("201", _envelope(f"create{s}", one)), _json_body({"$ref": f"#/components/schemas/{s}"})),
            "patch": op(f"updateMany{p}", f"Update Many {obj.label_plural}", _params("filter", "depth", "fields"),
                        _reply("200", _envelope(f"update{p}", many)),
                        _json_body({"$ref": f"#/components/schemas/{s}ForUpdate"})),
            "delete": op(f"deleteMany{p}", f"Delete Many {obj.label_plural}", _params("filter", "softDelete"),
                         _reply("200", _envelope(f"delete{p}", ids))),
        },
        f"/batch/{plural}": {
            "post": op(f"createMany{p}", f"Create Many {obj.label_plural}", _params("depth", "upsert", "fields"),
                       _reply("201", _envelope(f"create{p}", many)),
                       _json_body({"$ref": f"#/components/schemas/{p}"})),
        },
        f"/{plural}/{{id}}": {
            "get": op(f"findOne{s}", f"Find One {obj.label_singular}", _params("idPath", "depth", "fields"),
                      _reply("200", _envelope(obj.name_singular, one))),
            "patch": op(f"UpdateOne{s}", f"Update One {obj.label_singular}", _params("idPath", "depth", "fields"),
                        _reply("200", _envelope(f"update{s}", one)),
                        _json_body({"$ref": f"#/components/schemas/{s}ForUpdate"})),
            "delete": op(f"deleteOne{s}", f"Delete One {obj.label_singular}", _params("idPath", "softDelete"),
                         _reply("200", _envelope(f"delete{s}", {"type": "object",
                                                                "properties": {"id": dict(UUID_SCHEMA)}}))),
        },
        f"/{plural}/duplicates": {
            "post": op(f"find{s}Duplicates", f"Find {obj.label_singular} Duplicates", _params("depth"),
                       _reply("200", {"type": "object", "properties": {"data": {"type": "array", "items": {
                           "type": "object", "properties": {f"{obj.name_singular}Duplicates": many,
                                                            "totalCount": {"type": "integer"},
                                                            "pageInfo": PAGE_INFO_SCHEMA}}}}}),
                       _json_body({"type": "object", "properties": {
                           "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{s}"}},
                           "ids": {"type": "array", "items": dict(UUID_SCHEMA)}}})),
        },
        f"/restore/{plural}/{{id}}": {
            "patch": op(f"restoreOne{s}", f"Restore One {obj.label_singular}", _params("idPath", "depth", "fields"),
                        _reply("200", _envelope(f"restore{s}", one))),
        },
        f"/restore/{plural}": {
            "patch": op(f"restoreMany{p}", f"Restore Many {obj.label_plural}", _params("filter", "depth", "fields"),
                        _reply("200", _envelope(f"restore{p}", many))),
        },
        f"/{plural}/merge": {
            "patch": op(f"mergeMany{p}", f"Merge {obj.label_plural}", _params("depth"),
                        _reply("200", _envelope(f"merge{s}", one)),
                        _json_body({"type": "object", "required": ["ids"], "properties": {
                            "ids": {"type": "array", "items": dict(UUID_SCHEMA), "minItems": 2, "maxItems": MERGE_MAX},
                            "conflictPriorityIndex": {"type": "integer", "default": 0},
                            "dryRun": {"type": "boolean", "default": False}}})),
        },
        f"/{plural}/groupBy": {
            "get": op(f"groupBy{p}", f"Group {obj.label_plural}", _params("groupBy", "aggregate", "filter", "limit"),
                      _reply("200", {"type": "array", "items": {"type": "object", "properties": {
                          "groupByDimensionValues": {"type": "array", "items": {}}}}})),
        },
    }  # fmt: skip


def _webhook_entries(obj: ObjectMeta) -> dict[str, Any]:
    """The webhooks section entries of an object (webhooks.md §7)."""
    out = {}
    for action in ("Created", "Updated", "Deleted", "Destroyed", "Restored"):
        payload = {
            "type": "object",
            "properties": {
                "targetUrl": {"type": "string"},
                "eventName": {"type": "string", "example": f"{obj.name_singular}.{action.lower()}"},
                "objectMetadata": {"type": "object", "properties": {"id": dict(UUID_SCHEMA),
                                                                    "nameSingular": {"type": "string"}}},
                "workspaceId": dict(UUID_SCHEMA),
                "webhookId": dict(UUID_SCHEMA),
                "eventDate": {"type": "string", "format": "date-time"},
                "record": {"$ref": f"#/components/schemas/{_upper_first(obj.name_singular)}ForResponse"},
                "updatedFields": {"type": "array", "items": {"type": "string"}},
            },
        }  # fmt: skip
        out[f"{obj.label_singular} {action}"] = {
            "post": {
                "tags": [obj.name_plural],
                "operationId": f"{obj.name_singular}{action}Webhook",
                "requestBody": _json_body(payload, f"A {obj.name_singular}.{action.lower()} event"),
                "responses": {"200": {"description": "Return a 200 status to acknowledge the event"}},
            }
        }
    return out


def _openapi_skeleton(base_url: str, kind: str) -> dict[str, Any]:
    """The document every caller gets; a valid key adds the workspace's paths and schemas."""
    server = f"{base_url}/rest/" if kind == "core" else f"{base_url}/rest/metadata"
    return {
        "openapi": "3.1.1",
        "info": dict(OPENAPI_INFO),
        "servers": [{"url": server, "description": "Production Development"}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {},
            "parameters": {},
            "responses": {
                code: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                for code, text in ERROR_STATUSES.items()
            },
        },
        "security": [{"bearerAuth": []}],
        "externalDocs": {"description": "Twenty's API documentation", "url": "https://docs.twenty.com"},
        "tags": [],
        "paths": {
            f"/open-api/{kind}": {
                "get": {
                    "tags": ["General"],
                    "summary": "Get Open Api Schema",
                    "operationId": f"GetOpenApiSchema{_upper_first(kind)}",
                    "servers": [{"url": base_url}],
                    "responses": {"200": {"description": "Successful operation"}},
                }
            }
        },
    }


def _openapi_core(schema: Schema | None, base_url: str, max_records: int) -> dict[str, Any]:
    """The core record API document (rest.md §14)."""
    doc = _openapi_skeleton(base_url, "core")
    if schema is None:
        return doc
    doc["components"]["parameters"] = _core_parameters(max_records)
    doc["webhooks"] = {}
    for obj in sorted(schema.by_plural.values(), key=lambda o: o.name_plural):
        doc["tags"].append({"name": obj.name_plural, "description": f"Object `{obj.label_plural}`"})
        doc["components"]["schemas"].update(_object_schemas(schema, obj))
        doc["paths"].update(_object_paths(obj))
        doc["webhooks"].update(_webhook_entries(obj))
    return doc


def _view_prop_schema(check: Any, default: Any) -> dict[str, Any]:
    """The JSON schema of one view property (VIEW_KINDS): null too when it has no default."""
    if check == "json":
        return {}
    if isinstance(check, tuple):
        out: dict[str, Any] = {"type": "string", "enum": list(check)}
    else:
        out = {"text": {"type": "string"}, "uuid": {"type": "string", "format": "uuid"}, "number": {"type": "number"},
               "int": {"type": "integer"}, "bool": {"type": "boolean"}}[check]  # fmt: skip
    if default is None:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _openapi_metadata(schema: Schema | None, base_url: str, new_format: bool = True) -> dict[str, Any]:
    """The metadata API document: objects, fields, webhooks and API keys, with the answers in the
    workspace's REST metadata format (new_format: flag IS_REST_METADATA_API_NEW_FORMAT_DIRECT)."""
    doc = _openapi_skeleton(base_url, "metadata")
    if schema is None:
        return doc
    doc["components"]["parameters"] = {
        "idPath": {"name": "id", "in": "path", "required": True, "schema": dict(UUID_SCHEMA)},
        "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 60}},
        "startingAfter": {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
        "endingBefore": {"name": "ending_before", "in": "query", "schema": {"type": "string"}},
    }
    views = {kind.resource: kind for kind in VIEW_KINDS.values() if kind.resource in REST_VIEW_RESOURCES}
    doc["components"]["parameters"].update(
        {key: {"name": key, "in": "query", "schema": dict(UUID_SCHEMA)} for key in ("objectMetadataId", "viewId")}
    )
    for resource, singular in (
        ("objects", "Object"),
        ("fields", "Field"),
        ("webhooks", "Webhook"),
        ("apiKeys", "ApiKey"),
        *((kind.resource, kind.type_name) for kind in views.values()),
    ):
        doc["tags"].append({"name": resource, "description": f"{singular} metadata"})
        properties = {"id": dict(UUID_SCHEMA)}
        if resource in views:
            properties[views[resource].parent] = dict(UUID_SCHEMA)
            properties.update((k, _view_prop_schema(c, d)) for k, (c, d) in views[resource].props.items())
        doc["components"]["schemas"][singular] = {"type": "object", "properties": properties}
        ref = {"$ref": f"#/components/schemas/{singular}"}
        plural_name = _upper_first(resource)
        bare = new_format or resource not in ("objects", "fields")  # the resource itself; lists as a page
        parent_param = (views[resource].parent,) if resource in views else ()

        def answer(key: str, inner: dict[str, Any]) -> dict[str, Any]:
            return inner if bare else _envelope(key, inner)  # noqa: B023 (used at once, in this iteration)

        many = {"type": "array", "items": ref}
        listed = (
            {
                "type": "object",
                "properties": {"data": many, "pageInfo": PAGE_INFO_SCHEMA, "totalCount": {"type": "integer"}},
            }
            if bare
            else _envelope(resource, many)
        )
        doc["paths"][f"/{resource}"] = {
            "get": {
                "tags": [resource],
                "operationId": f"findMany{plural_name}",
                "parameters": _params(*parent_param, "limit", "startingAfter", "endingBefore"),
                "responses": _reply("200", listed),
            },
            "post": {
                "tags": [resource],
                "operationId": f"createOne{singular}",
                "requestBody": _json_body(ref),
                "responses": _reply("201", answer(f"createOne{singular}", ref)),
            },
        }
        doc["paths"][f"/{resource}/{{id}}"] = {
            "get": {
                "tags": [resource],
                "operationId": f"findOne{singular}",
                "parameters": _params("idPath"),
                "responses": _reply("200", answer(singular[:1].lower() + singular[1:], ref)),
            },
            "patch": {
                "tags": [resource],
                "operationId": f"updateOne{singular}",
                "parameters": _params("idPath"),
                "requestBody": _json_body(ref),
                "responses": _reply("200", answer(f"updateOne{singular}", ref)),
            },
            "delete": {
                "tags": [resource],
                "operationId": f"deleteOne{singular}",
                "parameters": _params("idPath"),
                "responses": _reply(
                    "200",
                    {"type": "object", "properties": {"success": {"type": "boolean"}}}
                    if resource in views
                    else answer(f"deleteOne{singular}", ref),
                ),
            },
        }
    return doc


def _handle_openapi(state: AppState, kind: str) -> str:
    """GET /rest/open-api/{core,metadata}: never refused; a valid bearer key adds the workspace."""
    request = bottle.request
    base_url = f"{request.urlparts.scheme}://{request.urlparts.netloc}"
    schema, flags = None, FEATURE_FLAGS
    try:
        actor = _authenticate(state, request.get_header("Authorization"))
        with state.store.read() as conn:
            schema = state.schema(conn, actor.workspace_id)
            flags = _feature_flags(conn, actor.workspace_id)
    except ApiError:
        schema = None
    if kind == "core":
        return _json_response(200, _openapi_core(schema, base_url, state.settings.max_records))
    new_format = flags["IS_REST_METADATA_API_NEW_FORMAT_DIRECT"]
    return _json_response(200, _openapi_metadata(schema, base_url, new_format))


# ============================================================================================
# 13. GraphQL metadata
# ============================================================================================

METADATA_SDL = """
scalar UUID
scalar JSON
scalar DateTime
scalar ConnectionCursor

enum FieldMetadataType {
  UUID TEXT PHONES EMAILS DATE_TIME DATE BOOLEAN NUMBER NUMERIC LINKS CURRENCY FULL_NAME RATING SELECT
  MULTI_SELECT POSITION ADDRESS RAW_JSON RICH_TEXT RICH_TEXT_V2 ACTOR ARRAY TS_VECTOR RELATION MORPH_RELATION FILES
}
enum RelationType { ONE_TO_MANY MANY_TO_ONE }

type PageInfo {
  hasNextPage: Boolean
  hasPreviousPage: Boolean
  startCursor: ConnectionCursor
  endCursor: ConnectionCursor
}

type Relation {
  type: RelationType!
  sourceObjectMetadata: Object!
  targetObjectMetadata: Object!
  sourceFieldMetadata: Field!
  targetFieldMetadata: Field!
}

type Field {
  id: UUID!
  universalIdentifier: String!
  applicationId: UUID!
  type: FieldMetadataType!
  name: String!
  label: String!
  description: String
  icon: String
  standardOverrides: JSON
  isCustom: Boolean
  isActive: Boolean
  isSystem: Boolean
  isUIEditable: Boolean
  isUIReadOnly: Boolean
  isNullable: Boolean
  isUnique: Boolean
  isSearchable: Boolean
  isAuditLogged: Boolean
  defaultValue: JSON
  options: JSON
  settings: JSON
  objectMetadataId: UUID!
  isLabelSyncedWithName: Boolean
  morphId: UUID
  createdAt: DateTime!
  updatedAt: DateTime!
  relation: Relation
  morphRelations: [Relation!]
  object: Object
}
type FieldEdge { node: Field! cursor: ConnectionCursor! }
type FieldConnection { pageInfo: PageInfo! edges: [FieldEdge!]! }
type ObjectFieldsConnection { pageInfo: PageInfo! edges: [FieldEdge!]! }

type Object {
  id: UUID!
  universalIdentifier: String!
  applicationId: UUID!
  nameSingular: String!
  namePlural: String!
  labelSingular: String!
  labelPlural: String!
  description: String
  icon: String
  shortcut: String
  color: String
  standardOverrides: JSON
  isCustom: Boolean!
  isRemote: Boolean!
  isActive: Boolean!
  isSystem: Boolean!
  isUIEditable: Boolean!
  isUICreatable: Boolean!
  isUIReadOnly: Boolean!
  isSearchable: Boolean!
  isLabelSyncedWithName: Boolean!
  labelIdentifierFieldMetadataId: UUID
  imageIdentifierFieldMetadataId: UUID
  duplicateCriteria: [[String!]!]
  openRecordIn: ObjectOpenRecordIn!
  readability: MetadataReadability!
  readabilityParentFieldUniversalIdentifiers: [UUID!]
  writability: MetadataWritability!
  createdAt: DateTime!
  updatedAt: DateTime!
  fields(paging: CursorPaging! = {first: 10}, filter: FieldFilter! = {}): ObjectFieldsConnection!
  fieldsList: [Field!]!
  indexMetadatas(paging: CursorPaging! = {first: 10}, filter: IndexFilter! = {}): ObjectIndexMetadatasConnection!
  indexMetadataList: [Index!]!
}
enum IndexType { BTREE GIN }
type IndexField {
  id: UUID!
  fieldMetadataId: UUID!
  order: Float!
  subFieldName: String
  createdAt: DateTime!
  updatedAt: DateTime!
}
type Index {
  id: UUID!
  name: String!
  isCustom: Boolean
  isUnique: Boolean!
  indexWhereClause: String
  indexType: IndexType!
  createdAt: DateTime!
  updatedAt: DateTime!
  indexFieldMetadataList: [IndexField!]!
}
type IndexEdge { node: Index! cursor: ConnectionCursor! }
type ObjectIndexMetadatasConnection { pageInfo: PageInfo! edges: [IndexEdge!]! }
input IndexFilter { and: [IndexFilter!] or: [IndexFilter!] id: UUIDFilterComparison isCustom: BooleanFieldComparison }
input CreateIndexFieldInput { fieldMetadataId: UUID! subFieldName: String }
input CreateIndexInput { objectMetadataId: UUID! fields: [CreateIndexFieldInput!]! indexType: IndexType! }
input CreateOneIndexInput { index: CreateIndexInput! }
input DeleteOneIndexInput { id: UUID! }
type ObjectEdge { node: Object! cursor: ConnectionCursor! }
type ObjectConnection { pageInfo: PageInfo! edges: [ObjectEdge!]! }

enum WorkspaceActivationStatus { ONGOING_CREATION PENDING_CREATION CREATED ACTIVE INACTIVE SUSPENDED }
enum WorkspaceDiscoverability { PUBLIC MEMBERS_AND_INVITEES HIDDEN }
enum AiModelTier { extraFast fast balanced smart extraSmart }
type WorkspaceUrls { customUrl: String subdomainUrl: String! }
type Workspace {
  id: UUID!
  displayName: String
  logo: String
  logoFileId: UUID
  inviteHash: String
  deletedAt: DateTime
  createdAt: DateTime!
  updatedAt: DateTime!
  allowImpersonation: Boolean!
  isPublicInviteLinkEnabled: Boolean!
  workspaceDiscoverability: WorkspaceDiscoverability!
  trashRetentionDays: Float!
  eventLogRetentionDays: Float!
  workspaceMembersCount: Float
  activationStatus: WorkspaceActivationStatus!
  views: [View!]
  viewFields: [ViewField!]
  viewFilters: [ViewFilter!]
  viewFilterGroups: [ViewFilterGroup!]
  viewGroups: [ViewGroup!]
  viewSorts: [ViewSort!]
  metadataVersion: Float!
  databaseSchema: String
  subdomain: String!
  customDomain: String
  isGoogleAuthEnabled: Boolean!
  isGoogleAuthBypassEnabled: Boolean!
  isTwoFactorAuthenticationEnforced: Boolean!
  isPasswordAuthEnabled: Boolean!
  isPasswordAuthBypassEnabled: Boolean!
  isMicrosoftAuthEnabled: Boolean!
  isMicrosoftAuthBypassEnabled: Boolean!
  isCustomDomainEnabled: Boolean!
  isInternalMessagesImportEnabled: Boolean!
  allowedIframeOrigins: [String!]
  editableProfileFields: [String!]
  defaultRole: Role
  aiChatModelTier: AiModelTier!
  aiAgentModelTier: AiModelTier!
  isAutoModelSelectionEnabled: Boolean!
  aiModelIdByTier: JSON!
  aiEvaluationModelId: String
  aiAdditionalInstructions: String
  featureFlags: [FeatureFlag!]
  workspaceUrls: WorkspaceUrls!
  workspaceCustomApplicationId: String!
}
input UpdateWorkspaceInput {
  subdomain: String
  customDomain: String
  displayName: String
  logo: String
  inviteHash: String
  isPublicInviteLinkEnabled: Boolean
  workspaceDiscoverability: WorkspaceDiscoverability
  allowImpersonation: Boolean
  isGoogleAuthEnabled: Boolean
  isMicrosoftAuthEnabled: Boolean
  isPasswordAuthEnabled: Boolean
  isGoogleAuthBypassEnabled: Boolean
  isMicrosoftAuthBypassEnabled: Boolean
  isPasswordAuthBypassEnabled: Boolean
  defaultRoleId: UUID
  isTwoFactorAuthenticationEnforced: Boolean
  trashRetentionDays: Float
  eventLogRetentionDays: Float
  aiChatModelTier: AiModelTier
  aiAgentModelTier: AiModelTier
  isAutoModelSelectionEnabled: Boolean
  aiModelIdByTier: JSON
  aiEvaluationModelId: String
  aiAdditionalInstructions: String
  editableProfileFields: [String!]
  isInternalMessagesImportEnabled: Boolean
}
type FeatureFlag { key: FeatureFlagKey! value: Boolean! }
enum FeatureFlagKey { __FEATURE_FLAG_KEYS__ }
type ObjectRecordCount { objectNamePlural: String! totalCount: Int! }

type ApiKey {
  id: UUID!
  name: String!
  expiresAt: DateTime!
  revokedAt: DateTime
  createdAt: DateTime!
  updatedAt: DateTime!
  role: Role!
}
type ApiKeyForRole { id: UUID! name: String! expiresAt: DateTime! revokedAt: DateTime }
type ApiKeyToken { token: String! }
type Webhook {
  id: UUID!
  targetUrl: String!
  operations: [String!]!
  description: String
  secret: String!
  applicationId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}
input CreateWebhookInput { id: UUID targetUrl: String! operations: [String!]! description: String secret: String }
input UpdateWebhookInputUpdates { targetUrl: String operations: [String!] description: String secret: String }
input UpdateWebhookInput { id: UUID! update: UpdateWebhookInputUpdates! }
type ObjectPermission {
  id: UUID!
  roleId: UUID!
  objectMetadataId: UUID!
  canReadObjectRecords: Boolean
  canUpdateObjectRecords: Boolean
  canSoftDeleteObjectRecords: Boolean
  canDestroyObjectRecords: Boolean
  restrictedFields: JSON
}
type FieldPermission {
  id: UUID!
  roleId: UUID!
  objectMetadataId: UUID!
  fieldMetadataId: UUID!
  canReadFieldValue: Boolean
  canUpdateFieldValue: Boolean
}
type RolePermissionFlag { id: UUID! roleId: UUID! flag: String! }
enum PermissionFlagType { __PERMISSION_FLAGS__ }
type PermissionFlag {
  id: UUID!
  universalIdentifier: UUID!
  key: String!
  label: String!
  description: String
  icon: String
  permissionType: String!
  applicationId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type FullName { firstName: String! lastName: String! }
enum OpenRecordIn { SIDE_PANEL RECORD_PAGE }
enum WorkspaceMemberDateFormatEnum { SYSTEM MONTH_FIRST DAY_FIRST YEAR_FIRST }
enum WorkspaceMemberTimeFormatEnum { SYSTEM HOUR_12 HOUR_24 }
enum WorkspaceMemberNumberFormatEnum { SYSTEM COMMAS_AND_DOT SPACES_AND_COMMA DOTS_AND_COMMA APOSTROPHE_AND_DOT }
type WorkspaceMember {
  id: UUID!
  name: FullName!
  userEmail: String!
  colorScheme: String!
  uiScale: String!
  openRecordIn: OpenRecordIn!
  avatarUrl: String
  locale: String
  calendarStartDay: Int
  timeZone: String
  dateFormat: WorkspaceMemberDateFormatEnum
  timeFormat: WorkspaceMemberTimeFormatEnum
  userWorkspaceId: UUID
  numberFormat: WorkspaceMemberNumberFormatEnum
}
type Role {
  id: UUID!
  standardId: UUID
  universalIdentifier: UUID
  label: String!
  description: String
  icon: String
  isEditable: Boolean!
  canUpdateAllSettings: Boolean!
  canAccessAllTools: Boolean!
  canReadAllObjectRecords: Boolean!
  canUpdateAllObjectRecords: Boolean!
  canSoftDeleteAllObjectRecords: Boolean!
  canDestroyAllObjectRecords: Boolean!
  canBeAssignedToUsers: Boolean!
  canBeAssignedToAgents: Boolean!
  canBeAssignedToApiKeys: Boolean!
  workspaceMembers: [WorkspaceMember!]!
  apiKeys: [ApiKeyForRole!]!
  objectPermissions: [ObjectPermission!]
  fieldPermissions: [FieldPermission!]
  permissionFlags: [RolePermissionFlag!]
}
input CreateApiKeyInput { name: String! expiresAt: String! revokedAt: String roleId: UUID! }
input UpdateApiKeyInput { id: UUID! name: String expiresAt: String revokedAt: String }
input RevokeApiKeyInput { id: UUID! }
input GetApiKeyInput { id: UUID! }
input CreateRoleInput {
  id: String
  label: String!
  description: String
  icon: String
  canUpdateAllSettings: Boolean
  canAccessAllTools: Boolean
  canReadAllObjectRecords: Boolean
  canUpdateAllObjectRecords: Boolean
  canSoftDeleteAllObjectRecords: Boolean
  canDestroyAllObjectRecords: Boolean
  canBeAssignedToUsers: Boolean
  canBeAssignedToAgents: Boolean
  canBeAssignedToApiKeys: Boolean
}
input UpdateRolePayload {
  label: String
  description: String
  icon: String
  canUpdateAllSettings: Boolean
  canAccessAllTools: Boolean
  canReadAllObjectRecords: Boolean
  canUpdateAllObjectRecords: Boolean
  canSoftDeleteAllObjectRecords: Boolean
  canDestroyAllObjectRecords: Boolean
  canBeAssignedToUsers: Boolean
  canBeAssignedToAgents: Boolean
  canBeAssignedToApiKeys: Boolean
}
input UpdateRoleInput { id: UUID! update: UpdateRolePayload! }
input ObjectPermissionInput {
  objectMetadataId: UUID!
  canReadObjectRecords: Boolean
  canUpdateObjectRecords: Boolean
  canSoftDeleteObjectRecords: Boolean
  canDestroyObjectRecords: Boolean
}
input UpsertObjectPermissionsInput { roleId: UUID! objectPermissions: [ObjectPermissionInput!]! }
input FieldPermissionInput {
  objectMetadataId: UUID!
  fieldMetadataId: UUID!
  canReadFieldValue: Boolean
  canUpdateFieldValue: Boolean
}
input UpsertFieldPermissionsInput { roleId: UUID! fieldPermissions: [FieldPermissionInput!]! }
input UpsertPermissionFlagsInput { roleId: UUID! permissionFlagKeys: [String!]! }

input CursorPaging { before: ConnectionCursor after: ConnectionCursor first: Int last: Int }
input BooleanFieldComparison { is: Boolean isNot: Boolean }
input UUIDFilterComparison {
  is: Boolean isNot: Boolean eq: UUID neq: UUID gt: UUID gte: UUID lt: UUID lte: UUID like: UUID
  notLike: UUID iLike: UUID notILike: UUID in: [UUID!] notIn: [UUID!]
}
input ObjectFilter {
  and: [ObjectFilter!]
  or: [ObjectFilter!]
  id: UUIDFilterComparison
  universalIdentifier: UUIDFilterComparison
  isActive: BooleanFieldComparison
  isSystem: BooleanFieldComparison
  isRemote: BooleanFieldComparison
  isSearchable: BooleanFieldComparison
  isUICreatable: BooleanFieldComparison
  isUIEditable: BooleanFieldComparison
  isUIReadOnly: BooleanFieldComparison
  isCustom: BooleanFieldComparison
}
input FieldFilter {
  and: [FieldFilter!]
  or: [FieldFilter!]
  id: UUIDFilterComparison
  objectMetadataId: UUIDFilterComparison
  isActive: BooleanFieldComparison
  isSystem: BooleanFieldComparison
  isUIEditable: BooleanFieldComparison
  isUIReadOnly: BooleanFieldComparison
  isCustom: BooleanFieldComparison
}
input CreateObjectInput {
  nameSingular: String!
  namePlural: String!
  labelSingular: String!
  labelPlural: String!
  description: String
  icon: String
  shortcut: String
  color: String
  skipNameField: Boolean
  isRemote: Boolean
  primaryKeyColumnType: String
  primaryKeyFieldMetadataSettings: JSON
  isLabelSyncedWithName: Boolean
  dataSourceId: String
}
input CreateOneObjectInput { object: CreateObjectInput! }
input UpdateObjectPayload {
  labelSingular: String
  labelPlural: String
  nameSingular: String
  namePlural: String
  description: String
  icon: String
  shortcut: String
  color: String
  isActive: Boolean
  labelIdentifierFieldMetadataId: UUID
  imageIdentifierFieldMetadataId: UUID
  isLabelSyncedWithName: Boolean
  isSearchable: Boolean
  openRecordIn: ObjectOpenRecordIn
  readability: MetadataReadability
  translations: [MetadataTranslationOverrideInput!]
}
input MetadataTranslationOverrideInput { locale: String! property: String! value: String }
enum ObjectOpenRecordIn { SIDE_PANEL RECORD_PAGE USER_CHOICE }
enum MetadataReadability { OPEN PRIVATE INHERITED APPLICATION SYSTEM }
enum MetadataWritability { OPEN APPLICATION SYSTEM }
input UpdateOneObjectInput { update: UpdateObjectPayload! id: UUID! }
input DeleteOneObjectInput { id: UUID! }
input CreateFieldInput {
  type: FieldMetadataType!
  name: String!
  label: String!
  description: String
  icon: String
  isCustom: Boolean
  isActive: Boolean
  isSystem: Boolean
  isUIEditable: Boolean
  isUIReadOnly: Boolean
  isNullable: Boolean
  isUnique: Boolean
  isSearchable: Boolean
  isAuditLogged: Boolean
  defaultValue: JSON
  options: JSON
  settings: JSON
  objectMetadataId: UUID!
  isLabelSyncedWithName: Boolean
  isRemoteCreation: Boolean
  relationCreationPayload: JSON
  morphRelationsCreationPayload: [JSON!]
}
input CreateOneFieldMetadataInput { field: CreateFieldInput! }
input UpdateFieldInput {
  id: UUID
  universalIdentifier: String
  name: String
  label: String
  description: String
  icon: String
  isActive: Boolean
  isSystem: Boolean
  isUIEditable: Boolean
  isUIReadOnly: Boolean
  isNullable: Boolean
  isUnique: Boolean
  isSearchable: Boolean
  isAuditLogged: Boolean
  defaultValue: JSON
  options: JSON
  settings: JSON
  objectMetadataId: UUID
  isLabelSyncedWithName: Boolean
  morphRelationsUpdatePayload: [JSON!]
  translations: [MetadataTranslationOverrideInput!]
}
input UpdateOneFieldMetadataInput { id: UUID! update: UpdateFieldInput! }
input DeleteOneFieldInput { id: UUID! }

enum ViewType { TABLE KANBAN CALENDAR LIST FIELDS_WIDGET TABLE_WIDGET KANBAN_WIDGET LIST_WIDGET CALENDAR_WIDGET }
enum ViewKey { INDEX }
enum ViewOpenRecordIn { SIDE_PANEL RECORD_PAGE }
enum ViewVisibility { WORKSPACE UNLISTED }
enum ViewCalendarLayout { DAY WEEK MONTH }
enum AggregateOperations {
  MIN MAX AVG SUM COUNT COUNT_UNIQUE_VALUES COUNT_EMPTY COUNT_NOT_EMPTY COUNT_TRUE COUNT_FALSE
  PERCENTAGE_EMPTY PERCENTAGE_NOT_EMPTY
}
enum ViewFilterOperand {
  IS IS_NOT_NULL IS_NOT LESS_THAN_OR_EQUAL GREATER_THAN_OR_EQUAL IS_BEFORE IS_AFTER CONTAINS DOES_NOT_CONTAIN
  IS_EMPTY IS_NOT_EMPTY IS_RELATIVE IS_IN_PAST IS_IN_FUTURE IS_TODAY VECTOR_SEARCH
}
enum ViewSortDirection { ASC DESC }
enum ViewFilterGroupLogicalOperator { AND OR NOT }
type View {
  id: UUID!
  universalIdentifier: UUID!
  applicationId: UUID!
  isSystemSideEffect: Boolean!
  name: String!
  objectMetadataId: UUID!
  type: ViewType!
  key: ViewKey
  icon: String!
  position: Float!
  isCompact: Boolean!
  isCustom: Boolean!
  openRecordIn: ViewOpenRecordIn!
  kanbanAggregateOperation: AggregateOperations
  kanbanAggregateOperationFieldMetadataId: UUID
  mainGroupByFieldMetadataId: UUID
  shouldHideEmptyGroups: Boolean!
  kanbanColumnWidth: Int
  groupLoadLimit: Int
  calendarFieldMetadataId: UUID
  calendarEndFieldMetadataId: UUID
  workspaceId: UUID!
  anyFieldFilterValue: String
  calendarLayout: ViewCalendarLayout
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
  viewFields: [ViewField!]!
  viewFilters: [ViewFilter!]!
  viewFilterGroups: [ViewFilterGroup!]!
  viewSorts: [ViewSort!]!
  viewGroups: [ViewGroup!]!
  viewFieldGroups: [ViewFieldGroup!]!
  visibility: ViewVisibility!
  createdByUserWorkspaceId: UUID
  isActive: Boolean!
}
type ViewField {
  id: UUID!
  universalIdentifier: UUID!
  applicationId: UUID!
  isSystemSideEffect: Boolean!
  fieldMetadataId: UUID!
  isVisible: Boolean!
  size: Float!
  position: Float!
  aggregateOperation: AggregateOperations
  viewId: UUID!
  viewFieldGroupId: UUID
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  isActive: Boolean!
  deletedAt: DateTime
  isOverridden: Boolean
}
type ViewFilter {
  id: UUID!
  fieldMetadataId: UUID!
  operand: ViewFilterOperand!
  value: JSON!
  viewFilterGroupId: UUID
  positionInViewFilterGroup: Float
  subFieldName: String
  relationTargetFieldMetadataId: UUID
  viewId: UUID!
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}
type ViewFilterGroup {
  id: UUID!
  parentViewFilterGroupId: UUID
  logicalOperator: ViewFilterGroupLogicalOperator!
  positionInViewFilterGroup: Float
  viewId: UUID!
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}
type ViewSort {
  id: UUID!
  fieldMetadataId: UUID!
  direction: ViewSortDirection!
  subFieldName: String
  viewId: UUID!
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}
type ViewGroup {
  id: UUID!
  isVisible: Boolean!
  fieldValue: String!
  position: Float!
  viewId: UUID!
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}
type ViewFieldGroup {
  id: UUID!
  name: String!
  position: Float!
  isVisible: Boolean!
  viewId: UUID!
  workspaceId: UUID!
  createdAt: DateTime!
  updatedAt: DateTime!
  isActive: Boolean!
  deletedAt: DateTime
  viewFields: [ViewField!]!
  isOverridden: Boolean!
}
input CreateViewFieldGroupInput { id: UUID name: String! viewId: UUID! position: Float isVisible: Boolean }
input CreateViewFieldInput {
  id: UUID
  fieldMetadataId: UUID!
  viewId: UUID!
  isVisible: Boolean
  size: Float
  position: Float
  aggregateOperation: AggregateOperations
  viewFieldGroupId: UUID
}
input CreateViewFilterGroupInput {
  id: UUID
  parentViewFilterGroupId: UUID
  logicalOperator: ViewFilterGroupLogicalOperator
  positionInViewFilterGroup: Float
  viewId: UUID!
}
input CreateViewFilterInput {
  id: UUID
  fieldMetadataId: UUID!
  operand: ViewFilterOperand
  value: JSON!
  viewFilterGroupId: UUID
  positionInViewFilterGroup: Float
  subFieldName: String
  relationTargetFieldMetadataId: UUID
  viewId: UUID!
}
input CreateViewGroupInput { id: UUID isVisible: Boolean fieldValue: String! position: Float viewId: UUID! }
input CreateViewInput {
  id: UUID
  name: String!
  objectMetadataId: UUID!
  type: ViewType
  key: ViewKey
  icon: String!
  position: Float
  isCompact: Boolean
  shouldHideEmptyGroups: Boolean
  kanbanColumnWidth: Int
  groupLoadLimit: Int
  openRecordIn: ViewOpenRecordIn
  kanbanAggregateOperation: AggregateOperations
  kanbanAggregateOperationFieldMetadataId: UUID
  anyFieldFilterValue: String
  calendarLayout: ViewCalendarLayout
  calendarFieldMetadataId: UUID
  calendarEndFieldMetadataId: UUID
  mainGroupByFieldMetadataId: UUID
  visibility: ViewVisibility
}
input CreateViewSortInput {
  id: UUID
  fieldMetadataId: UUID!
  direction: ViewSortDirection
  subFieldName: String
  viewId: UUID!
}
input DeleteViewFieldGroupInput { id: UUID! }
input DeleteViewFieldInput { id: UUID! }
input DeleteViewFilterInput { id: UUID! }
input DeleteViewGroupInput { id: UUID! }
input DeleteViewSortInput { id: UUID! }
input DestroyViewFieldGroupInput { id: UUID! }
input DestroyViewFieldInput { id: UUID! }
input DestroyViewFilterInput { id: UUID! }
input DestroyViewGroupInput { id: UUID! }
input DestroyViewSortInput { id: UUID! }
input UpdateViewFieldGroupInput { id: UUID! update: UpdateViewFieldGroupInputUpdates! }
input UpdateViewFieldGroupInputUpdates { name: String position: Float isVisible: Boolean deletedAt: String }
input UpdateViewFieldInput { id: UUID! update: UpdateViewFieldInputUpdates! }
input UpdateViewFieldInputUpdates {
  isVisible: Boolean
  size: Float
  position: Float
  aggregateOperation: AggregateOperations
  viewFieldGroupId: UUID
}
input UpdateViewFilterGroupInput {
  id: UUID
  parentViewFilterGroupId: UUID
  logicalOperator: ViewFilterGroupLogicalOperator
  positionInViewFilterGroup: Float
  viewId: UUID
}
input UpdateViewFilterInput { id: UUID! update: UpdateViewFilterInputUpdates! }
input UpdateViewFilterInputUpdates {
  fieldMetadataId: UUID
  operand: ViewFilterOperand
  value: JSON
  viewFilterGroupId: UUID
  positionInViewFilterGroup: Float
  subFieldName: String
  relationTargetFieldMetadataId: UUID
}
input UpdateViewGroupInput { id: UUID! update: UpdateViewGroupInputUpdates! }
input UpdateViewGroupInputUpdates { fieldMetadataId: UUID isVisible: Boolean fieldValue: String position: Float }
input UpdateViewInput {
  id: UUID
  name: String
  type: ViewType
  icon: String
  position: Float
  isCompact: Boolean
  openRecordIn: ViewOpenRecordIn
  kanbanAggregateOperation: AggregateOperations
  kanbanAggregateOperationFieldMetadataId: UUID
  anyFieldFilterValue: String
  calendarLayout: ViewCalendarLayout
  calendarFieldMetadataId: UUID
  calendarEndFieldMetadataId: UUID
  visibility: ViewVisibility
  mainGroupByFieldMetadataId: UUID
  shouldHideEmptyGroups: Boolean
  kanbanColumnWidth: Int
  groupLoadLimit: Int
}
input UpdateViewSortInput { id: UUID! update: UpdateViewSortInputUpdates! }
input UpdateViewSortInputUpdates { direction: ViewSortDirection subFieldName: String }

type Query {
  objects(paging: CursorPaging! = {first: 10}, filter: ObjectFilter! = {}): ObjectConnection!
  object(id: UUID!): Object!
  fields(paging: CursorPaging! = {first: 10}, filter: FieldFilter! = {}): FieldConnection!
  field(id: UUID!): Field!
  objectRecordCounts: [ObjectRecordCount!]!
  currentWorkspace: Workspace!
  apiKeys: [ApiKey!]!
  apiKey(input: GetApiKeyInput!): ApiKey
  getRoles: [Role!]!
  webhooks: [Webhook!]!
  webhook(id: UUID!): Webhook
  getApiKeyRoles: [Role!]!
  getPermissionFlags: [PermissionFlag!]!
  getViewFilterGroups(viewId: String): [ViewFilterGroup!]!
  getViewFilterGroup(id: String!): ViewFilterGroup
  getViewFilters(viewId: String): [ViewFilter!]!
  getViewFilter(id: String!): ViewFilter
  getViews(objectMetadataId: String, viewTypes: [ViewType!]): [View!]!
  getView(id: String!): View
  getViewSorts(viewId: String): [ViewSort!]!
  getViewSort(id: String!): ViewSort
  getViewFields(viewId: String!): [ViewField!]!
  getViewField(id: String!): ViewField
  getViewFieldGroups(viewId: String!): [ViewFieldGroup!]!
  getViewFieldGroup(id: String!): ViewFieldGroup
  getViewGroups(viewId: String): [ViewGroup!]!
  getViewGroup(id: String!): ViewGroup
}

type Mutation {
  createOneObject(input: CreateOneObjectInput!): Object!
  updateOneObject(input: UpdateOneObjectInput!): Object!
  deleteOneObject(input: DeleteOneObjectInput!): Object!
  createOneField(input: CreateOneFieldMetadataInput!): Field!
  updateOneField(input: UpdateOneFieldMetadataInput!): Field!
  deleteOneField(input: DeleteOneFieldInput!): Field!
  createApiKey(input: CreateApiKeyInput!): ApiKey!
  updateApiKey(input: UpdateApiKeyInput!): ApiKey
  revokeApiKey(input: RevokeApiKeyInput!): ApiKey
  assignRoleToApiKey(apiKeyId: UUID!, roleId: UUID!): Boolean!
  generateApiKeyToken(apiKeyId: UUID!, expiresAt: String!): ApiKeyToken!
  createOneRole(createRoleInput: CreateRoleInput!): Role!
  updateOneRole(updateRoleInput: UpdateRoleInput!): Role!
  deleteOneRole(roleId: UUID!): String!
  upsertObjectPermissions(upsertObjectPermissionsInput: UpsertObjectPermissionsInput!): [ObjectPermission!]!
  upsertFieldPermissions(upsertFieldPermissionsInput: UpsertFieldPermissionsInput!): [FieldPermission!]!
  upsertPermissionFlags(upsertPermissionFlagsInput: UpsertPermissionFlagsInput!): [RolePermissionFlag!]!
  createWebhook(input: CreateWebhookInput!): Webhook!
  updateWebhook(input: UpdateWebhookInput!): Webhook!
  deleteWebhook(id: UUID!): Webhook!
  updateManyObjects(inputs: [UpdateOneObjectInput!]!): [Object!]!
  createOneIndex(input: CreateOneIndexInput!): Index!
  deleteOneIndex(input: DeleteOneIndexInput!): Index!
  updateWorkspace(data: UpdateWorkspaceInput!): Workspace!
  updateWorkspaceMemberRole(workspaceMemberId: UUID!, roleId: UUID!): WorkspaceMember!
  createViewFilterGroup(input: CreateViewFilterGroupInput!): ViewFilterGroup!
  updateViewFilterGroup(id: String!, input: UpdateViewFilterGroupInput!): ViewFilterGroup!
  deleteViewFilterGroup(id: String!): Boolean!
  destroyViewFilterGroup(id: String!): Boolean!
  createViewFilter(input: CreateViewFilterInput!): ViewFilter!
  updateViewFilter(input: UpdateViewFilterInput!): ViewFilter!
  deleteViewFilter(input: DeleteViewFilterInput!): ViewFilter!
  destroyViewFilter(input: DestroyViewFilterInput!): ViewFilter!
  createView(input: CreateViewInput!): View!
  updateView(id: String!, input: UpdateViewInput!): View!
  deleteView(id: String!): Boolean!
  destroyView(id: String!): Boolean!
  createViewSort(input: CreateViewSortInput!): ViewSort!
  updateViewSort(input: UpdateViewSortInput!): ViewSort!
  deleteViewSort(input: DeleteViewSortInput!): Boolean!
  destroyViewSort(input: DestroyViewSortInput!): Boolean!
  updateViewField(input: UpdateViewFieldInput!): ViewField!
  createViewField(input: CreateViewFieldInput!): ViewField!
  createManyViewFields(inputs: [CreateViewFieldInput!]!): [ViewField!]!
  deleteViewField(input: DeleteViewFieldInput!): ViewField!
  destroyViewField(input: DestroyViewFieldInput!): ViewField!
  updateViewFieldGroup(input: UpdateViewFieldGroupInput!): ViewFieldGroup!
  createViewFieldGroup(input: CreateViewFieldGroupInput!): ViewFieldGroup!
  createManyViewFieldGroups(inputs: [CreateViewFieldGroupInput!]!): [ViewFieldGroup!]!
  deleteViewFieldGroup(input: DeleteViewFieldGroupInput!): ViewFieldGroup!
  destroyViewFieldGroup(input: DestroyViewFieldGroupInput!): ViewFieldGroup!
  createViewGroup(input: CreateViewGroupInput!): ViewGroup!
  createManyViewGroups(inputs: [CreateViewGroupInput!]!): [ViewGroup!]!
  updateViewGroup(input: UpdateViewGroupInput!): ViewGroup!
  updateManyViewGroups(inputs: [UpdateViewGroupInput!]!): [ViewGroup!]!
  deleteViewGroup(input: DeleteViewGroupInput!): ViewGroup!
  destroyViewGroup(input: DestroyViewGroupInput!): ViewGroup!
}
"""
GRAPHQL_CODES = {400: "BAD_USER_INPUT", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT"}
METADATA_PAGE_MAX = 1000


def _gql_error(err: ApiError) -> Any:
    """An ApiError as a GraphQL error with Twenty's extensions."""
    from graphql import GraphQLError

    code = GRAPHQL_CODES.get(err.status, "INTERNAL_SERVER_ERROR")
    if err.status == 403 and err.error == "ForbiddenException":  # a role's refusal, not an auth failure
        extensions = {
            "code": code,
            "subCode": err.sub_code or "PERMISSION_DENIED",
            "userFriendlyMessage": "User does not have permission.",
        }
        return GraphQLError(err.message, extensions=extensions)
    friendly = (
        "You must be authenticated to perform this action." if code == "UNAUTHENTICATED" else "An error occurred."
    )
    extensions = {"code": code, "subCode": err.sub_code or err.error, "userFriendlyMessage": friendly}
    return GraphQLError(err.message, extensions=extensions)


def _gql_guard(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Resolver wrapper: ApiErrors become GraphQL errors with their code."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return resolver(*args, **kwargs)
        except ApiError as err:
            raise _gql_error(err) from None

    return wrapper


def _gql_cursor(item_id: str) -> str:
    return _b64_cursor({"id": item_id})


def _gql_page(items: list[tuple[str, Any]], paging: dict[str, Any]) -> dict[str, Any]:
    """A connection over (id, node) pairs: id descending, base64 {"id"} cursors (metadata.md §10)."""
    first, last = paging.get("first"), paging.get("last")
    if first is not None and last is not None:
        raise _bad_request("Cannot use both first and last")
    for size in (first, last):
        if size is not None and size > METADATA_PAGE_MAX:
            raise _bad_request(f"Requested page size of {size} exceeds the maximum size of {METADATA_PAGE_MAX}")
        if size is not None and size < 0:
            raise _bad_request(f"Invalid page size {size}")

    def decode(cursor: str) -> str:
        try:
            value = json.loads(_unb64(cursor)).get("id")
            if not _is_uuid(value):
                raise ValueError
            return value.lower()
        except (ValueError, AttributeError, TypeError, UnicodeDecodeError):
            raise _bad_request(f"Invalid cursor: {cursor}") from None

    ordered = sorted(items, key=lambda item: item[0], reverse=True)
    if paging.get("after"):
        after = decode(paging["after"])
        ordered = [it for it in ordered if it[0] < after]
    if paging.get("before"):
        before = decode(paging["before"])
        ordered = [it for it in ordered if it[0] > before]
    total = len(ordered)
    if last is not None:
        page = ordered[-last:] if last else []
        has_previous, has_next = total > last, bool(paging.get("before"))
    else:
        size = 10 if first is None else first
        page = ordered[:size]
        has_next, has_previous = total > size, bool(paging.get("after"))
    return {
        "edges": [{"node": node, "cursor": _gql_cursor(item_id)} for item_id, node in page],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": _gql_cursor(page[0][0]) if page else None,
            "endCursor": _gql_cursor(page[-1][0]) if page else None,
        },
    }


def _gql_filter_match(item: dict[str, Any], flt: dict[str, Any] | None) -> bool:
    """ObjectFilter / FieldFilter semantics (nestjs-query comparisons) on an output dict."""
    for key, cond in (flt or {}).items():
        if cond is None:
            continue
        if key == "and":
            if not all(_gql_filter_match(item, sub) for sub in cond):
                return False
            continue
        if key == "or":
            if cond and not any(_gql_filter_match(item, sub) for sub in cond):
                return False
            continue
        value = item.get(key)
        if isinstance(value, str) and _is_uuid(value):
            value = value.lower()
        for op, expected in cond.items():
            if isinstance(expected, str):
                expected = expected.lower()
            if isinstance(expected, list):
                expected = [e.lower() if isinstance(e, str) else e for e in expected]
            ok = {
                "is": lambda v, e: v is e or v == e,
                "isNot": lambda v, e: not (v is e or v == e),
                "eq": lambda v, e: v == e,
                "neq": lambda v, e: v != e,
                "gt": lambda v, e: v is not None and v > e,
                "gte": lambda v, e: v is not None and v >= e,
                "lt": lambda v, e: v is not None and v < e,
                "lte": lambda v, e: v is not None and v <= e,
                "in": lambda v, e: v in e,
                "notIn": lambda v, e: v not in e,
                "like": lambda v, e: v is not None and re.fullmatch(_like_regex(e), v) is not None,
                "notLike": lambda v, e: v is None or re.fullmatch(_like_regex(e), v) is None,
                "iLike": lambda v, e: v is not None and re.fullmatch(_like_regex(e), v, re.I) is not None,
                "notILike": lambda v, e: v is None or re.fullmatch(_like_regex(e), v, re.I) is None,
            }[op](value, expected)
            if not ok:
                return False
    return True


def _like_regex(pattern: str) -> str:
    return "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)


class MetaContext:
    """What /metadata resolvers share: the request's Ctx, refreshed after each mutation."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self._members: list[dict[str, Any]] | None = None
        self._views: list[dict[str, Any]] | None = None
        self._holders: dict[str, list[str]] | None = None

    def refresh(self) -> None:
        self.ctx.schema = self.ctx.state.schema(self.ctx.conn, self.ctx.schema.workspace_id)
        self._members = None
        self._views = None
        self._holders = None

    def views(self) -> list[dict[str, Any]]:
        """The workspace's views and view parts, read once per request (until a mutation)."""
        if self._views is None:
            self._views = _view_items(self.ctx.conn, self.ctx.schema)
        return self._views

    def members(self) -> list[dict[str, Any]]:
        """The workspace's members, read once per request (roles list theirs)."""
        if self._members is None:
            self._members = _workspace_members(self.ctx)
        return self._members

    def role_holders(self) -> dict[str, list[str]]:
        """Role id -> the ids of the members holding it, worked out once per request."""
        if self._holders is None:
            conn, ws = self.ctx.conn, self.ctx.schema.workspace_id
            roles, default = _list_roles(conn, ws), _workspace_settings(conn, ws)["defaultRoleId"]
            ids = [m["id"] for m in self.members()]
            self._holders = {role.id: _role_member_ids(roles, role, default, ids) for role in roles}
        return self._holders

    def object_node(self, obj: ObjectMeta) -> dict[str, Any]:
        node = _object_out(self.ctx.schema, obj, with_fields=False, rest=False)
        node.update(
            _obj=obj, universalIdentifier=obj.props.get("universalIdentifier") or obj.id,
            applicationId=_application_id(self.ctx.schema.workspace_id), readability="OPEN",
            writability=obj.props.get("writability") or "OPEN",
            readabilityParentFieldUniversalIdentifiers=None,
        )  # fmt: skip
        return node

    def field_node(self, obj: ObjectMeta, meta: FieldMeta) -> dict[str, Any]:
        node = _field_out(self.ctx.schema, obj, meta)
        node.update(
            _obj=obj, _meta=meta, universalIdentifier=meta.props.get("universalIdentifier") or meta.id,
            applicationId=_application_id(self.ctx.schema.workspace_id), writability="OPEN",
            isSearchable=bool(meta.props.get("isSearchable")), isAuditLogged=meta.props.get("isAuditLogged", True),
        )  # fmt: skip
        return node

    def object_by_id(self, oid: str) -> ObjectMeta:
        obj = self.ctx.schema.by_id.get(oid.lower())
        if obj is None:
            raise ApiError(404, "NotFoundException", f"Unable to find ObjectMetadataEntity with id: {oid}")
        return obj

    def field_by_id(self, fid: str) -> tuple[ObjectMeta, FieldMeta]:
        for obj in self.ctx.schema.objects:
            for meta in obj.fields:
                if meta.id == fid.lower():
                    return obj, meta
        raise ApiError(404, "NotFoundException", f"Unable to find FieldMetadataEntity with id: {fid}")

    def mutate(self, change: Callable[[], Any], permission: str | None = "DATA_MODEL") -> Any:
        """One mutation root field in its own savepoint; the data model is re-read either way. None: the
        change checks its permission itself."""
        if permission is not None:
            _require(self.ctx.actor, permission)
        try:
            return _savepoint(self.ctx.conn, change)
        finally:
            self.refresh()


def _mc(info: Any) -> MetaContext:
    return info.context


@_gql_guard
def _resolve_objects(_: Any, info: Any, paging: dict[str, Any], filter: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    nodes = [mc.object_node(o) for o in mc.ctx.schema.objects]
    return _gql_page([(n["id"], n) for n in nodes if _gql_filter_match(n, filter)], paging)


@_gql_guard
def _resolve_object(_: Any, info: Any, id: str) -> dict[str, Any]:
    return _mc(info).object_node(_mc(info).object_by_id(id))


@_gql_guard
def _resolve_fields(parent: Any, info: Any, paging: dict[str, Any], filter: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    objects = [parent["_obj"]] if isinstance(parent, dict) and "_obj" in parent else mc.ctx.schema.objects
    nodes = [mc.field_node(o, f) for o in objects for f in o.fields]
    return _gql_page([(n["id"], n) for n in nodes if _gql_filter_match(n, filter)], paging)


@_gql_guard
def _resolve_field(_: Any, info: Any, id: str) -> dict[str, Any]:
    return _mc(info).field_node(*_mc(info).field_by_id(id))


def _resolve_fields_list(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    return [_mc(info).field_node(parent["_obj"], f) for f in parent["_obj"].fields]


def _resolve_relation(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    mc = _mc(info)
    meta: FieldMeta = parent["_meta"]
    if meta.relation_type is None:
        return None
    target = mc.ctx.schema.by_id.get(meta.target_object_id or "")
    inverse = next((f for f in target.fields if f.id == meta.target_field_id), None) if target else None
    if target is None or inverse is None:
        return None
    return {
        "type": meta.relation_type,
        "sourceObjectMetadata": mc.object_node(parent["_obj"]),
        "targetObjectMetadata": mc.object_node(target),
        "sourceFieldMetadata": mc.field_node(parent["_obj"], meta),
        "targetFieldMetadata": mc.field_node(target, inverse),
    }


def _resolve_field_object(parent: dict[str, Any], info: Any) -> dict[str, Any]:
    return _mc(info).object_node(parent["_obj"])


def _resolve_record_counts(_: Any, info: Any) -> list[dict[str, Any]]:
    ctx = _mc(info).ctx
    return [
        {"objectNamePlural": o.name_plural, "totalCount": _record_counts(ctx.conn, o)[0]}
        for o in ctx.schema.by_plural.values()
    ]


def _resolve_current_workspace(_: Any, info: Any) -> dict[str, Any]:
    ctx = _mc(info).ctx
    ws = ctx.schema.workspace_id
    flags = _stored_feature_flags(ctx.conn, ws)
    settings = _workspace_settings(ctx.conn, ws)
    base_url = f"{bottle.request.urlparts.scheme}://{bottle.request.urlparts.netloc}"
    return {
        **settings, "id": ws, "deletedAt": None, "activationStatus": "ACTIVE", "databaseSchema": None,
        "featureFlags": [{"key": name, "value": value} for name, value in flags.items()],
        "workspaceUrls": {"customUrl": None, "subdomainUrl": base_url}, "workspaceCustomApplicationId": _application_id(ws),
    }  # fmt: skip


def _resolve_workspace_default_role(parent: dict[str, Any], info: Any) -> dict[str, Any]:
    return _role_out(_find_role(_mc(info).ctx.conn, parent["id"], parent["defaultRoleId"]))


def _resolve_workspace_members_count(parent: dict[str, Any], info: Any) -> int:
    return len(_mc(info).members())


@_gql_guard
def _resolve_update_workspace(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    mc.mutate(lambda: _update_workspace(mc.ctx.conn, mc.ctx.schema.workspace_id, data, mc.ctx.now), "WORKSPACE")
    return _resolve_current_workspace(None, info)


@_gql_guard
def _resolve_update_many_objects(_: Any, info: Any, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mc = _mc(info)
    for item in inputs:
        mc.object_by_id(item["id"])

    def change() -> None:
        for item in inputs:
            _update_object(mc.ctx, item["id"].lower(), item.get("update"))
            mc.refresh()

    mc.mutate(change)
    return [mc.object_node(mc.object_by_id(item["id"])) for item in inputs]


@_gql_guard
def _resolve_create_object(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    oid = mc.mutate(lambda: _create_object(mc.ctx, input.get("object")))
    return mc.object_node(mc.object_by_id(oid))


@_gql_guard
def _resolve_update_object(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    mc.object_by_id(input["id"])
    mc.mutate(lambda: _update_object(mc.ctx, input["id"].lower(), input.get("update")))
    return mc.object_node(mc.object_by_id(input["id"]))


@_gql_guard
def _resolve_delete_object(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    node = mc.object_node(mc.object_by_id(input["id"]))
    mc.mutate(lambda: _delete_object(mc.ctx, input["id"].lower()))
    return node


@_gql_guard
def _resolve_create_field(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    data = dict(input.get("field") or {})
    oid = str(data.get("objectMetadataId") or "")
    mc.object_by_id(oid)
    data["objectMetadataId"] = oid.lower()
    fid = mc.mutate(lambda: _create_field(mc.ctx, data))
    return mc.field_node(*mc.field_by_id(fid))


@_gql_guard
def _resolve_update_field(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    mc.field_by_id(input["id"])
    update = {k: v for k, v in (input.get("update") or {}).items() if k not in ("id", "objectMetadataId")}
    mc.mutate(lambda: _update_field(mc.ctx, input["id"].lower(), update))
    return mc.field_node(*mc.field_by_id(input["id"]))


@_gql_guard
def _resolve_delete_field(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    node = mc.field_node(*mc.field_by_id(input["id"]))
    mc.mutate(lambda: _delete_field(mc.ctx, input["id"].lower()))
    return node


def _key_node(mc: MetaContext, key: dict[str, Any]) -> dict[str, Any]:
    """A key with its role (every key has one since schema version 7; an older roleless one shows Admin)."""
    conn, ws = mc.ctx.conn, mc.ctx.schema.workspace_id
    role = _find_role(conn, ws, key["roleId"]) if key.get("roleId") else _role_by_label(conn, ws, "Admin")
    return dict(key, role=_role_out(role))


def _member_node(doc: dict[str, Any]) -> dict[str, Any]:
    """A workspace member record as the metadata API's WorkspaceMember."""
    return {
        "id": doc["id"], "name": doc.get("name") or {"firstName": "", "lastName": ""},
        "userEmail": doc.get("userEmail") or "", "colorScheme": doc.get("colorScheme") or "System", "uiScale": "100",
        "openRecordIn": "SIDE_PANEL", "avatarUrl": doc.get("avatarUrl"), "locale": doc.get("locale"),
        "calendarStartDay": int(doc["calendarStartDay"]) if _finite(doc.get("calendarStartDay")) else None,
        "timeZone": doc.get("timeZone"), "dateFormat": doc.get("dateFormat"), "timeFormat": doc.get("timeFormat"),
        "numberFormat": doc.get("numberFormat"), "userWorkspaceId": None,
    }  # fmt: skip


def _permission_flag_node(workspace_id: str, key: str, created_at: str) -> dict[str, Any]:
    """One PermissionFlagType as getPermissionFlags lists it (settings flags first, then tools)."""
    flag_id = _stable_id("permission-flag", key)
    tool = SETTINGS_FLAGS.index(key) >= SETTINGS_FLAGS.index("AI")
    return {
        "id": flag_id, "universalIdentifier": flag_id, "key": key, "label": _humanize(key.lower().title().replace("_", "")),
        "description": None, "icon": None, "permissionType": "TOOL" if tool else "SETTINGS",
        "applicationId": _application_id(workspace_id), "createdAt": created_at, "updatedAt": created_at,
    }  # fmt: skip


def _keys_and_roles_resolvers() -> dict[tuple[str, str], Callable[..., Any]]:
    """Resolvers of API-key and role operations on /metadata (auth-and-limits.md §4, §6.4)."""

    def ws(info: Any) -> tuple[MetaContext, sqlite3.Connection, str]:
        mc = _mc(info)
        return mc, mc.ctx.conn, mc.ctx.schema.workspace_id

    def keys_guard(info: Any) -> None:
        _require(_mc(info).ctx.actor, "API_KEYS_AND_WEBHOOKS")

    def api_keys(_: Any, info: Any) -> list[dict[str, Any]]:
        keys_guard(info)
        mc, conn, w = ws(info)
        return [_key_node(mc, k) for k in _list_keys(conn, w)]

    def api_key(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        keys_guard(info)
        mc, conn, w = ws(info)
        return _key_node(mc, _find_key(conn, w, input["id"]))

    def create_api_key(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        mc, conn, w = ws(info)
        key = mc.mutate(lambda: _create_key(conn, w, input, mc.ctx.now, mc.ctx.new_id), "API_KEYS_AND_WEBHOOKS")
        return _key_node(mc, key)

    def update_api_key(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        mc, conn, w = ws(info)
        data = {k: v for k, v in input.items() if k != "id" and v is not None}
        return _key_node(
            mc, mc.mutate(lambda: _update_key(conn, w, input["id"], data, mc.ctx.now), "API_KEYS_AND_WEBHOOKS")
        )

    def revoke_api_key(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        mc, conn, w = ws(info)
        return _key_node(mc, mc.mutate(lambda: _revoke_key(conn, w, input["id"], mc.ctx.now), "API_KEYS_AND_WEBHOOKS"))

    def assign_role(_: Any, info: Any, apiKeyId: str, roleId: str) -> bool:
        mc, conn, w = ws(info)

        def change() -> bool:
            _find_key(conn, w, apiKeyId)
            conn.execute(
                "UPDATE api_key SET role_id = ?, updated_at = ? WHERE id = ?",
                (_assignable(conn, w, roleId), mc.ctx.now, apiKeyId.lower()),
            )
            return True

        return mc.mutate(change, "API_KEYS_AND_WEBHOOKS")

    def generate_token(_: Any, info: Any, apiKeyId: str, expiresAt: str) -> dict[str, str]:
        keys_guard(info)
        mc, _conn, w = ws(info)
        return {"token": _key_token(mc.ctx.state, w, apiKeyId, expiresAt)}

    def get_roles(_: Any, info: Any) -> list[dict[str, Any]]:
        mc, conn, w = ws(info)
        keys = _list_keys(conn, w)
        return [_role_out(r, [k for k in keys if k["roleId"] == r.id]) for r in _list_roles(conn, w)]

    def get_api_key_roles(_: Any, info: Any) -> list[dict[str, Any]]:
        return [r for r in get_roles(_, info) if r["canBeAssignedToApiKeys"]]

    def role_members(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        mc = _mc(info)
        ids = mc.role_holders().get(parent["id"], [])
        return [_member_node(m) for m in mc.members() if m["id"] in ids]

    def get_permission_flags(_: Any, info: Any) -> list[dict[str, Any]]:
        mc, conn, w = ws(info)
        created = conn.execute("SELECT created_at FROM workspace WHERE id = ?", (w,)).fetchone()[0]
        return [_permission_flag_node(w, key, created) for key in SETTINGS_FLAGS]

    def update_member_role(_: Any, info: Any, workspaceMemberId: str, roleId: str) -> dict[str, Any]:
        mc, conn, w = ws(info)
        member = _workspace_members(mc.ctx, workspaceMemberId)[0]
        mc.mutate(lambda: _assign_member_role(conn, w, member["id"], roleId), "ROLES")
        return _member_node(member)

    def roles_change(info: Any, change: Callable[[sqlite3.Connection, str], Any]) -> Any:
        mc, conn, w = ws(info)
        return mc.mutate(lambda: change(conn, w), "ROLES")

    def create_one_role(_: Any, info: Any, createRoleInput: dict[str, Any]) -> dict[str, Any]:
        new_id = _mc(info).ctx.new_id
        return _role_out(roles_change(info, lambda c, w: _create_role(c, w, createRoleInput, new_id)))

    def update_one_role(_: Any, info: Any, updateRoleInput: dict[str, Any]) -> dict[str, Any]:
        return _role_out(
            roles_change(info, lambda c, w: _update_role(c, w, updateRoleInput["id"], updateRoleInput.get("update")))
        )

    def delete_one_role(_: Any, info: Any, roleId: str) -> str:
        return roles_change(info, lambda c, w: _delete_role(c, w, roleId))

    def upsert_objects(_: Any, info: Any, upsertObjectPermissionsInput: dict[str, Any]) -> list[dict[str, Any]]:
        data = upsertObjectPermissionsInput
        schema = _mc(info).ctx.schema
        role = roles_change(
            info, lambda c, w: _upsert_object_permissions(c, schema, data["roleId"], data["objectPermissions"])
        )
        return _role_out(role)["objectPermissions"]

    def upsert_fields(_: Any, info: Any, upsertFieldPermissionsInput: dict[str, Any]) -> list[dict[str, Any]]:
        data = upsertFieldPermissionsInput
        schema = _mc(info).ctx.schema
        role = roles_change(
            info, lambda c, w: _upsert_field_permissions(c, schema, data["roleId"], data["fieldPermissions"])
        )
        return _role_out(role)["fieldPermissions"]

    def upsert_flags(_: Any, info: Any, upsertPermissionFlagsInput: dict[str, Any]) -> list[dict[str, Any]]:
        data = upsertPermissionFlagsInput
        role = roles_change(
            info, lambda c, w: _upsert_permission_flags(c, w, data["roleId"], data["permissionFlagKeys"])
        )
        return _role_out(role)["permissionFlags"]

    def webhooks(_: Any, info: Any) -> list[dict[str, Any]]:
        keys_guard(info)
        mc, conn, w = ws(info)
        return _list_webhooks(conn, w)

    def webhook(_: Any, info: Any, id: str) -> dict[str, Any] | None:
        keys_guard(info)
        mc, conn, w = ws(info)
        try:
            return _find_webhook(conn, w, id)
        except ApiError:
            return None

    def create_webhook(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        mc, conn, w = ws(info)
        data = {k: v for k, v in input.items() if v is not None}
        return mc.mutate(lambda: _save_webhook(conn, w, data, mc.ctx.now, mc.ctx.new_id), "API_KEYS_AND_WEBHOOKS")

    def update_webhook(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        mc, conn, w = ws(info)
        data = {k: v for k, v in (input.get("update") or {}).items() if v is not None}
        return mc.mutate(
            lambda: _save_webhook(conn, w, data, mc.ctx.now, mc.ctx.new_id, input["id"]),
            "API_KEYS_AND_WEBHOOKS",
        )

    def delete_webhook_(_: Any, info: Any, id: str) -> dict[str, Any]:
        mc, conn, w = ws(info)
        return mc.mutate(lambda: _delete_webhook(conn, w, id, mc.ctx.now), "API_KEYS_AND_WEBHOOKS")

    resolvers = {
        ("Query", "webhooks"): webhooks, ("Query", "webhook"): webhook,
        ("Mutation", "createWebhook"): create_webhook, ("Mutation", "updateWebhook"): update_webhook,
        ("Mutation", "deleteWebhook"): delete_webhook_,
        ("Query", "apiKeys"): api_keys, ("Query", "apiKey"): api_key, ("Query", "getRoles"): get_roles,
        ("Mutation", "createApiKey"): create_api_key, ("Mutation", "updateApiKey"): update_api_key,
        ("Mutation", "revokeApiKey"): revoke_api_key, ("Mutation", "assignRoleToApiKey"): assign_role,
        ("Mutation", "generateApiKeyToken"): generate_token, ("Mutation", "createOneRole"): create_one_role,
        ("Mutation", "updateOneRole"): update_one_role, ("Mutation", "deleteOneRole"): delete_one_role,
        ("Mutation", "upsertObjectPermissions"): upsert_objects, ("Mutation", "upsertFieldPermissions"): upsert_fields,
        ("Mutation", "upsertPermissionFlags"): upsert_flags, ("Query", "getApiKeyRoles"): get_api_key_roles,
        ("Role", "workspaceMembers"): role_members, ("Query", "getPermissionFlags"): get_permission_flags,
        ("Mutation", "updateWorkspaceMemberRole"): update_member_role,
    }  # fmt: skip
    return {key: _gql_guard(fn) for key, fn in resolvers.items()}


@_gql_guard
def _resolve_object_indexes(parent: dict[str, Any], info: Any, paging: dict[str, Any], filter: dict[str, Any]) -> Any:
    indexes = [i for i in _object_indexes(parent["_obj"]) if _gql_filter_match(i, filter)]
    return _gql_page([(i["id"], i) for i in indexes], paging)


def _resolve_object_index_list(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    return _object_indexes(parent["_obj"])


def _find_index(mc: MetaContext, index_id: str) -> dict[str, Any]:
    found = next((i for o in mc.ctx.schema.objects for i in _object_indexes(o) if i["id"] == index_id.lower()), None)
    if found is None:
        raise _index_error(404, f"Index {index_id} not found", "INDEX_NOT_FOUND")
    return found


@_gql_guard
def _resolve_create_index(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    index_id = mc.mutate(lambda: _create_index(mc.ctx, input.get("index")))
    return _find_index(mc, index_id)


@_gql_guard
def _resolve_delete_index(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    mc = _mc(info)
    found = _find_index(mc, input["id"])
    mc.mutate(lambda: _delete_index(mc.ctx, found["id"]))
    return found


def _view_resolvers(schema: Any) -> dict[tuple[str, str], Callable[..., Any]]:
    """Resolvers of the view operations on /metadata, one generic reader and writer per kind."""

    def node(info: Any, item: dict[str, Any]) -> dict[str, Any]:
        return _view_out(_mc(info).ctx.schema.workspace_id, item)

    def lister(kind: str, parent_arg: str) -> Callable[..., Any]:
        def resolve(_: Any, info: Any, **args: Any) -> list[dict[str, Any]]:
            parent, types = args.get(parent_arg), args.get("viewTypes")
            if parent is not None and not _is_uuid(parent):
                return []
            return [node(info, i) for i in _list_view_items(_mc(info).views(), kind, parent, types)]

        return resolve

    def getter(kind: str) -> Callable[..., Any]:
        def resolve(_: Any, info: Any, id: str) -> dict[str, Any] | None:
            found = _view_item(_mc(info).views(), kind, id) if _is_uuid(id) else None
            return node(info, found) if found else None

        return resolve

    def writer(kind: str, verb: str, boolean: bool) -> Callable[..., Any]:
        def resolve(_: Any, info: Any, id: str | None = None, input: Any = None, inputs: Any = None) -> Any:
            mc = _mc(info)

            def one(entry: Any, item_id: str | None, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
                if verb == "update" and item_id is None:
                    item_id, entry = entry.get("id"), entry.get("update")
                elif verb == "update":
                    entry = {k: v for k, v in entry.items() if k != "id"}
                elif verb in ("delete", "destroy") and item_id is None:
                    item_id = entry.get("id")
                return _change_view_item(mc.ctx, kind, verb, item_id, entry, items)

            def batch() -> list[dict[str, Any]]:
                if not inputs:
                    return []
                items = _store_views(mc.ctx.conn, mc.ctx.schema)  # read once for the whole batch
                return [one(e, None, items) for e in inputs]

            # _change_view_item checks the VIEWS permission and words its refusal as Twenty does
            changed = mc.mutate(batch if inputs is not None else lambda: one(input or {}, id), None)
            if boolean:
                return True
            return [node(info, i) for i in changed] if inputs is not None else node(info, changed)

        return resolve

    def children(kind: str, key: str) -> Callable[..., Any]:
        def resolve(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
            items = _list_view_items(_mc(info).views(), kind)
            return [node(info, i) for i in items if i.get(key) == parent["id"]]

        return resolve

    mutations = schema.mutation_type.fields
    resolvers: dict[tuple[str, str], Callable[..., Any]] = {}
    for kind, spec in VIEW_KINDS.items():
        name = spec.type_name
        parent_arg = "objectMetadataId" if kind == "view" else "viewId"
        resolvers[("Query", f"get{name}s")] = lister(kind, parent_arg)
        resolvers[("Query", f"get{name}")] = getter(kind)
        for verb in ("create", "update", "delete", "destroy"):
            for many in ("", "Many"):
                field_name = f"{verb}{many}{name}s" if many else f"{verb}{name}"
                if field_name in mutations:
                    resolvers[("Mutation", field_name)] = writer(
                        kind, verb, str(mutations[field_name].type) == "Boolean!"
                    )
        if kind != "view":
            resolvers[("View", spec.resource)] = children(kind, "viewId")
            if kind != "viewFieldGroup":  # Twenty's Workspace lists every kind but that one
                resolvers[("Workspace", spec.resource)] = lister(kind, "viewId")
    resolvers[("Workspace", "views")] = lister("view", "objectMetadataId")
    resolvers[("ViewFieldGroup", "viewFields")] = children("viewField", "viewFieldGroupId")
    return {key: _gql_guard(fn) for key, fn in resolvers.items()}


def _set_uuid_scalar(schema: Any) -> None:
    """UUID inputs are checked, as Twenty's UUID scalar does; outputs pass through."""
    from graphql import GraphQLError, StringValueNode

    def parse_value(value: Any) -> str:
        if not _is_uuid(value):
            raise GraphQLError(f"Invalid UUID: {value}")
        return value.lower()

    def parse_literal(node: Any, _variables: Any = None) -> str:
        if not isinstance(node, StringValueNode):
            raise GraphQLError("UUID must be a string")
        return parse_value(node.value)

    scalar = schema.type_map["UUID"]
    scalar.parse_value, scalar.parse_literal = parse_value, parse_literal


@functools.cache
def _metadata_schema() -> Any:
    """The /metadata GraphQL schema: static, built once per process on first use."""
    from graphql import build_schema

    sdl = METADATA_SDL.replace("__FEATURE_FLAG_KEYS__", " ".join(FEATURE_FLAGS))
    schema = build_schema(sdl.replace("__PERMISSION_FLAGS__", " ".join(SETTINGS_FLAGS)))
    _set_uuid_scalar(schema)
    resolvers = {
        ("Query", "objects"): _resolve_objects, ("Query", "object"): _resolve_object,
        ("Query", "fields"): _resolve_fields, ("Query", "field"): _resolve_field,
        ("Query", "objectRecordCounts"): _resolve_record_counts,
        ("Query", "currentWorkspace"): _resolve_current_workspace,
        ("Mutation", "updateWorkspace"): _resolve_update_workspace,
        ("Mutation", "updateManyObjects"): _resolve_update_many_objects,
        ("Workspace", "defaultRole"): _resolve_workspace_default_role,
        ("Workspace", "workspaceMembersCount"): _resolve_workspace_members_count,
        ("Mutation", "createOneObject"): _resolve_create_object, ("Mutation", "updateOneObject"): _resolve_update_object,
        ("Mutation", "deleteOneObject"): _resolve_delete_object, ("Mutation", "createOneField"): _resolve_create_field,
        ("Mutation", "updateOneField"): _resolve_update_field, ("Mutation", "deleteOneField"): _resolve_delete_field,
        ("Object", "fields"): _resolve_fields, ("Object", "fieldsList"): _resolve_fields_list,
        ("Field", "relation"): _resolve_relation, ("Field", "object"): _resolve_field_object,
    }  # fmt: skip
    resolvers.update(_keys_and_roles_resolvers())
    resolvers.update(_view_resolvers(schema))
    resolvers.update({
        ("Object", "indexMetadatas"): _resolve_object_indexes, ("Object", "indexMetadataList"): _resolve_object_index_list,
        ("Mutation", "createOneIndex"): _resolve_create_index, ("Mutation", "deleteOneIndex"): _resolve_delete_index,
    })  # fmt: skip
    for (type_name, field_name), resolver in resolvers.items():
        schema.get_type(type_name).fields[field_name].resolve = resolver
    return schema


def _graphql_request_body() -> dict[str, Any]:
    """The {query, variables, operationName} of a GraphQL POST."""
    body = _parse_json_body(bottle.request.body.read() or b"{}")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise _bad_request("POST body must be a JSON object with a 'query' string")
    return body


SERIALIZED_AS_IS = {"String": str, "ID": str, "Boolean": bool}  # Int and Float check ranges


class _NotPlain(Exception):
    """A value the bulk completion does not handle: the standard execution takes over."""


def _unused_completion(value: Any) -> Any:
    """The completion of a step that never completes a value (__typename)."""
    raise _NotPlain


@functools.cache
def _bulk_execution() -> type:
    """graphql-core's execution, with the plain parts of a result built in one walk: fields read from a
    dict by the default resolver, completed as scalars, enums, lists and objects of plain fields. That is
    every leaf of a record, and the connections and edges around them; one resolver call and one path
    object per leaf cost more than the query itself. Anything else (resolvers, null where a value is
    required, a value a scalar refuses) runs as graphql-core runs it, errors and paths included."""
    from graphql import (
        GraphQLEnumType,
        GraphQLList,
        GraphQLNonNull,
        GraphQLObjectType,
        GraphQLScalarType,
    )
    from graphql.execution import ExecutionContext

    class BulkExecution(ExecutionContext):
        def execute_fields(self, parent_type: Any, source_value: Any, path: Any, fields: Any) -> Any:
            plans = self.__dict__.setdefault("_plain_plans", {})
            key = (parent_type.name, id(fields))
            if key not in plans:
                plans[key] = (self._object_plan(parent_type, fields), fields)  # fields kept: ids stay unique
            plan = plans[key][0]
            if plan is not None and type(source_value) is dict:
                try:
                    return plan(source_value)
                except _NotPlain:
                    pass
            return super().execute_fields(parent_type, source_value, path, fields)

        def _object_plan(self, parent_type: Any, fields: Any) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
            """How to build this selection of a dict in one go, or None if one of its fields needs more."""
            steps: list[tuple[str, str | None, bool, type | None, Callable[[Any], Any]]] = []
            for response_name, nodes in fields.items():
                name = nodes[0].name.value
                if name == "__typename":
                    steps.append((response_name, None, False, None, _unused_completion))
                    continue
                field_def = parent_type.fields.get(name)
                if field_def is None or field_def.resolve is not None:
                    return None
                plan = self._value_plan(field_def.type, nodes)
                if plan is None:
                    return None
                steps.append((response_name, name, *plan))
            type_name = parent_type.name

            def build(source: dict[str, Any]) -> dict[str, Any]:
                get = source.get
                out: dict[str, Any] = {}
                for response_name, name, required, as_is, complete in steps:
                    if name is None:
                        out[response_name] = type_name
                        continue
                    value = get(name)
                    if value is None:
                        if required:
                            raise _NotPlain
                        out[response_name] = None
                    elif type(value) is as_is:
                        out[response_name] = value
                    else:
                        out[response_name] = complete(value)
                return out

            return build

        def _value_plan(self, return_type: Any, nodes: Any) -> tuple[bool, type | None, Callable[[Any], Any]] | None:
            """How to complete a value of this type: (required, the type that passes as it is, the completion
            of any other value but null), or None if it is not plain."""
            if isinstance(return_type, GraphQLNonNull):
                inner = self._value_plan(return_type.of_type, nodes)
                return None if inner is None else (True, inner[1], inner[2])
            if isinstance(return_type, GraphQLList):
                item = self._value_plan(return_type.of_type, nodes)
                if item is None:
                    return None
                item_required, item_as_is, complete_item = item

                def listed(value: Any) -> Any:
                    if type(value) is not list:
                        raise _NotPlain
                    out = []
                    for v in value:
                        if v is None:
                            if item_required:
                                raise _NotPlain
                            out.append(None)
                        else:
                            out.append(v if type(v) is item_as_is else complete_item(v))
                    return out

                return False, None, listed
            if isinstance(return_type, (GraphQLScalarType, GraphQLEnumType)):
                serialize = return_type.serialize

                def leaf(value: Any) -> Any:
                    try:
                        out = serialize(value)
                    except Exception:
                        raise _NotPlain from None
                    if out is None:
                        raise _NotPlain
                    return out

                # the Python type a built-in scalar returns unchanged
                return False, SERIALIZED_AS_IS.get(return_type.name), leaf
            if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
                build = self._object_plan(return_type, self.collect_subfields(return_type, nodes))
                if build is None:
                    return None

                def nested(value: Any) -> Any:
                    if type(value) is not dict:
                        raise _NotPlain
                    return build(value)

                return False, None, nested
            return None

    return BulkExecution


@functools.lru_cache(maxsize=512)
def _parsed_document(text: str) -> Any:
    """A GraphQL document parsed once per text (clients send the same few queries again and again)."""
    from graphql import parse

    return parse(text, max_tokens=GRAPHQL_MAX_TOKENS)


GRAPHQL_MAX_TOKENS = 100_000  # bounds the parser's work; Twenty's field limit is met far below this


@_record(frozen=True)
class GraphqlLimits:
    """What one GraphQL endpoint accepts before it runs anything (Twenty's query-complexity check)."""

    fields: int = 2000  # GRAPHQL_MAX_FIELDS
    root_resolvers: int = 20  # GRAPHQL_MAX_ROOT_RESOLVERS; /metadata allows 10
    nested: int | None = None  # only /metadata has one in Twenty (10); /graphql uses Settings.max_nesting


@functools.lru_cache(maxsize=512)
def _document_size(text: str) -> tuple[int, int, int]:
    """Fields requested (fragments expanded, introspection fields not counted), root resolvers and deepest
    nesting of a parsed document. Fragments are measured once
    each, so a fragment spread twice by each of twenty others costs twenty steps, not a million."""
    from graphql.language import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, OperationDefinitionNode

    document = _parsed_document(text)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    measured: dict[str, tuple[int, int, list[str]]] = {}

    def fragment(name: str) -> tuple[int, int, list[str]]:
        if name not in measured:
            measured[name] = (0, 0, [])  # a cycle (refused by validation later) counts nothing
            found = fragments.get(name)
            measured[name] = walk(found.selection_set.selections, 0) if found else (0, 0, [])
        return measured[name]

    def walk(selections: Any, depth: int) -> tuple[int, int, list[str]]:
        count, deepest, roots = 0, depth, []
        for node in selections:
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue
                count += 1
                deepest = max(deepest, depth + 1)
                if depth == 0:
                    roots.append(node.name.value)
                if node.selection_set:
                    inner = walk(node.selection_set.selections, depth + 1)
                    count, deepest = count + inner[0], max(deepest, inner[1])
            elif isinstance(node, FragmentSpreadNode):
                inner = fragment(node.name.value)
                count, deepest = count + inner[0], max(deepest, depth + inner[1])
                roots += inner[2] if depth == 0 else []
            elif node.selection_set:  # an inline fragment
                inner = walk(node.selection_set.selections, depth)
                count, deepest, roots = count + inner[0], max(deepest, inner[1]), roots + inner[2]
        return count, deepest, roots

    fields = roots = deepest = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            count, depth, names = walk(definition.selection_set.selections, 0)
            fields, deepest, roots = fields + count, max(deepest, depth), roots + len(names)
    return fields, roots, deepest


def _too_complex(text: str, limits: GraphqlLimits, max_nesting: int) -> tuple[str, str] | None:
    """Twenty's refusal (message, user-friendly message) of a document that asks too much, if it does.
    Twenty's newest check also refuses a root resolver asked twice (under two aliases); twenty_lite keeps
    answering those, as earlier Twenty releases do (graphql.md §12: the caps are optional)."""
    fields, roots, depth = _document_size(text)
    nested = limits.nested if limits.nested is not None else max_nesting
    if depth > nested:
        return (
            f"Query too complex - Too many nested fields requested: {depth} - Maximum allowed nested fields: {nested}",
            "An error occurred.",
        )
    if fields > limits.fields:
        return (
            f"Query too complex - Too many fields requested: {fields} - Maximum allowed fields: {limits.fields}",
            "The request is too complex to process. Please try reducing the amount of requested fields.",
        )
    if roots > limits.root_resolvers:
        return (
            f"Query too complex - Too many root resolvers requested: {roots} - "
            f"Maximum allowed root resolvers: {limits.root_resolvers}",
            "The request is too complex to process. Please try reducing the amount of requested root resolvers.",
        )
    return None


@functools.lru_cache(maxsize=512)
def _validation_errors(gql: Any, text: str) -> tuple[dict[str, Any], ...]:
    """The validation errors of a document against a GraphQL schema, found once per pair."""
    from graphql import validate

    return tuple(
        dict(p.formatted, message=_js_quotes(p.message), extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
        for p in validate(gql, _parsed_document(text))
    )


def _serve_graphql(
    state: AppState, schema_of: Callable[[Schema], Any], context_of: Callable[[Ctx], Any], limits: GraphqlLimits
) -> str:
    """A GraphQL POST: auth, parse, measure, validate, then run in one transaction (a write one for mutations)."""
    from graphql import ExecutionResult, execute
    from graphql.error import GraphQLSyntaxError

    try:
        body = _graphql_request_body()
    except ApiError as err:
        return _graphql_answer(400, {"errors": [{"message": err.message, "extensions": {"code": "BAD_REQUEST"}}]})
    try:
        actor = _authenticate(state, bottle.request.get_header("Authorization"))
    except ApiError as err:
        return _graphql_answer(200, {"errors": [_gql_error(err).formatted]})
    try:
        document = _parsed_document(body["query"])
    except GraphQLSyntaxError as err:
        return _graphql_answer(200, {"errors": [dict(err.formatted, extensions={"code": "GRAPHQL_PARSE_FAILED"})]})
    except RecursionError:  # selections nested past what the parser can follow
        refusal = ("Query too complex - Too many nested fields requested", "An error occurred.")
    else:
        refusal = _too_complex(body["query"], limits, state.settings.max_nesting)
    if refusal is not None:
        extensions = {"code": "BAD_USER_INPUT", "userFriendlyMessage": refusal[1]}
        return _graphql_answer(200, {"errors": [{"message": refusal[0], "extensions": extensions}]})
    mutating = any(getattr(d, "operation", None) and d.operation.value == "mutation" for d in document.definitions)
    if mutating:  # validated before the one write lock is taken (then found in the cache under it)
        with state.store.read() as conn:
            errors = _validation_errors(schema_of(state.schema(conn, actor.workspace_id)), body["query"])
        if errors:
            return _graphql_answer(200, {"errors": list(errors)})
    manager = state.store.write() if mutating else state.store.read()
    with manager as conn:
        schema = state.schema(conn, actor.workspace_id)
        gql = schema_of(schema)
        errors = _validation_errors(gql, body["query"])
        if errors:
            return _graphql_answer(200, {"errors": list(errors)})
        ctx = Ctx(state, conn, schema, actor, _iso(state.clock()))
        result = execute(
            gql,
            document,
            context_value=context_of(ctx),
            variable_values=body.get("variables") or None,
            operation_name=body.get("operationName"),
            execution_context_class=_bulk_execution(),
        )
    assert isinstance(result, ExecutionResult)
    _finish(ctx)
    return _graphql_answer(200, _graphql_payload(result))


def _graphql_answer(status: int, payload: dict[str, Any]) -> str:
    """A GraphQL answer; its first error is the request's refusal reason in the request log."""
    errors = payload.get("errors")
    if errors:
        bottle.request.environ["twenty_lite.reason"] = errors[0].get("message")
    return _json_response(status, payload)


def _handle_graphql_metadata(state: AppState) -> str:
    """POST /metadata: the static data-model schema."""
    return _serve_graphql(state, lambda _schema: _metadata_schema(), MetaContext, METADATA_LIMITS)


METADATA_LIMITS = GraphqlLimits(root_resolvers=10, nested=10)


def _graphql_payload(result: Any) -> dict[str, Any]:
    """An ExecutionResult as JSON; unexpected exceptions are masked as INTERNAL_SERVER_ERROR."""
    from graphql import GraphQLError

    payload: dict[str, Any] = {"data": result.data}
    if result.data is None and result.errors and all(not e.path for e in result.errors):
        del payload["data"]  # refused before execution (bad variables): no data key, as graphql-js
    if result.errors:
        errors = []
        for err in result.errors:
            formatted = err.formatted
            if not formatted.get("extensions"):
                original = err.original_error
                if original is not None and not isinstance(original, (ApiError, GraphQLError)):
                    import traceback

                    traceback.print_exception(original)
                    formatted = dict(formatted, message="Internal server error")
                    formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
                else:  # variable coercion and similar errors of graphql-core itself
                    formatted = dict(formatted, message=_js_quotes(err.message), extensions={"code": "BAD_USER_INPUT"})
            errors.append(formatted)
        payload["errors"] = errors
    return payload


def _js_quotes(message: str) -> str:
    """graphql-core quotes names with ' where graphql-js (and so Twenty) uses \"."""
    return re.sub(r"'([^'\n]*)'", r'"\1"', message)


# ============================================================================================
# 14. GraphQL core
# ============================================================================================

GQL_SHARED_SDL = """
scalar UUID
scalar JSON
scalar DateTime
scalar Date
scalar BigFloat
scalar BigInt
scalar Position
scalar TSVector
scalar Cursor
scalar ConnectionCursor
scalar Time

enum OrderByDirection { AscNullsFirst AscNullsLast DescNullsFirst DescNullsLast }
enum FilterIs { NULL NOT_NULL }
enum ActorSourceEnum { %(sources)s }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: ConnectionCursor
  endCursor: ConnectionCursor
}

input StringFilter {
  eq: String neq: String gt: String gte: String lt: String lte: String in: [String!] startsWith: String
  endsWith: String like: String ilike: String regex: String iregex: String is: FilterIs
}
input UUIDFilter { eq: UUID neq: UUID gt: UUID gte: UUID lt: UUID lte: UUID in: [UUID!] is: FilterIs }
input FloatFilter { eq: Float neq: Float gt: Float gte: Float lt: Float lte: Float in: [Float!] is: FilterIs }
input IntFilter { eq: Int neq: Int gt: Int gte: Int lt: Int lte: Int in: [Int!] is: FilterIs }
input BigIntFilter { eq: BigInt neq: BigInt gt: BigInt gte: BigInt lt: BigInt lte: BigInt in: [BigInt!] is: FilterIs }
input BigFloatFilter {
  eq: BigFloat neq: BigFloat gt: BigFloat gte: BigFloat lt: BigFloat lte: BigFloat in: [BigFloat!] is: FilterIs
}
input BooleanFilter { eq: Boolean is: FilterIs }
input DateTimeFilter {
  eq: DateTime neq: DateTime gt: DateTime gte: DateTime lt: DateTime lte: DateTime in: [DateTime!] is: FilterIs
}
input DateFilter { eq: Date neq: Date gt: Date gte: Date lt: Date lte: Date in: [Date!] is: FilterIs }
input ArrayFilter { containsIlike: String is: FilterIs isEmptyArray: Boolean }
input RawJsonFilter { is: FilterIs like: String }
input TSVectorFilter { search: String }
input RichTextLeafFilter { ilike: String }
input SelectFilter { in: [String] is: FilterIs }
input MultiSelectFilter { containsAny: [String] is: FilterIs isEmptyArray: Boolean }
enum ObjectRecordGroupByDateGranularity {
  DAY DAY_OF_THE_WEEK WEEK MONTH QUARTER YEAR MONTH_OF_THE_YEAR QUARTER_OF_THE_YEAR NONE
}
input GroupByDateGranularityInput { granularity: ObjectRecordGroupByDateGranularity }
input ObjectRecordFilterInput {
  id: UUIDFilter createdAt: DateTimeFilter updatedAt: DateTimeFilter deletedAt: DateTimeFilter
  and: [ObjectRecordFilterInput] or: [ObjectRecordFilterInput] not: ObjectRecordFilterInput
}
type SearchRecord {
  recordId: UUID!
  objectNameSingular: String!
  objectLabelSingular: String!
  label: String!
  imageUrl: String
  tsRankCD: Float!
  tsRank: Float!
}
type SearchResultEdge { node: SearchRecord! cursor: String! }
type SearchResultPageInfo { hasNextPage: Boolean! endCursor: String }
type SearchResultConnection { edges: [SearchResultEdge!]! pageInfo: SearchResultPageInfo! }
input ActorSourceEnumFilter {
  eq: ActorSourceEnum neq: ActorSourceEnum in: [ActorSourceEnum] containsAny: [ActorSourceEnum] is: FilterIs
  isEmptyArray: Boolean
}
"""
NESTED_PAGE = 60
NOT_NESTABLE = "Query complexity is too high. One-to-Many relation cannot be nested"


def _composite_sdl() -> str:
    """The shared composite types and their inputs (graphql.md §2.1, §7.2)."""
    out = []
    for ftype, ctype in COMPOSITE_TYPES.items():
        name, subs = ctype.graphql_name, ctype.subs
        required = {"source", "name"} if ftype == "ACTOR" else set()
        out.append(
            f"type {name} {{ "
            + " ".join(f"{sub}: {FIELD_KINDS[kind].graphql[0]}{'!' if sub in required else ''}" for sub, kind in subs)
            + " }"
        )
        filter_name = "RichTextFilter" if ftype == "RICH_TEXT" else f"{name}FilterInput"
        out.append(
            f"input {filter_name} {{ " + " ".join(f"{sub}: {FIELD_KINDS[kind].graphql[1]}" for sub, kind in subs) + " }"
        )
        writable = [(s, k) for s, k in subs if s not in ctype.server_filled]
        for suffix in ("CreateInput", "UpdateInput"):
            out.append(
                f"input {name}{suffix} {{ " + " ".join(f"{s}: {FIELD_KINDS[k].graphql[0]}" for s, k in writable) + " }"
            )
        out.append(f"input {name}GroupByInput {{ " + " ".join(f"{s}: Boolean" for s, _ in subs) + " }")
        orderable = [s for s, k in subs if FIELD_KINDS[k].orderable]
        if ftype != "RICH_TEXT":
            out.append(f"input {name}OrderByInput {{ " + " ".join(f"{s}: OrderByDirection" for s in orderable) + " }")
    return "\n".join(out)


def _gql_enum_value(value: str) -> str:
    """An option value as a GraphQL enum value (a leading digit gets a '_')."""
    return f"_{value}" if value[:1].isdigit() else value


def _number_gql(meta: FieldMeta) -> tuple[str, str]:
    data_type = (meta.settings or {}).get("dataType")
    if data_type == "int":
        return "Int", "IntFilter"
    if data_type == "bigint":
        return "BigInt", "BigIntFilter"
    return FIELD_KINDS["NUMBER"].graphql


def _aggregate_names(obj: ObjectMeta) -> list[tuple[str, str]]:
    """(name, GraphQL type) of the aggregate fields of an object's connections (graphql.md §5)."""
    out: list[tuple[str, str]] = []
    for meta in obj.active_fields:
        if meta.relation_type is not None or meta.type == "TS_VECTOR":
            continue
        x = _upper_first(meta.name)
        out += [
            (f"countUniqueValues{x}", "Int"),
            (f"countEmpty{x}", "Int"),
            (f"countNotEmpty{x}", "Int"),
            (f"percentageEmpty{x}", "Float"),
            (f"percentageNotEmpty{x}", "Float"),
        ]
        kind = FIELD_KINDS.get(meta.type) or COMPOSITE_TYPES[meta.type]
        out += [(f"{op}{x}{kind.aggregate_sub}", gql_type) for op, gql_type in kind.aggregates]
    return out


def _one_to_many_args(t: str) -> list[tuple[str, str]]:
    """Arguments of a one-to-many connection field and of a find-many root field."""
    return [
        ("first", "Int"),
        ("last", "Int"),
        ("offset", "Int"),
        ("before", "String"),
        ("after", "String"),
        ("filter", f"{t}FilterInput"),
        ("orderBy", f"[{t}OrderByInput]"),
    ]


if TYPE_CHECKING:
    TypeDef = tuple[str, str, list[Any]]  # (kind: object|input|enum, name, [(field, type spec, args)] or enum values


def _object_defs(schema: Schema, obj: ObjectMeta) -> tuple[list[TypeDef], list[Any], list[Any]]:
    """One object's types, query fields and mutation fields (graphql.md §2-§10), as plain specs."""
    p, pp = _upper_first(obj.name_singular), _upper_first(obj.name_plural)
    defs: list[TypeDef] = []
    fields: list[Any] = [("id", "UUID!", None)]
    filters, orders, creates, updates, unique = (
        ["id: UUIDFilter"],
        ["id: OrderByDirection"],
        ["id: UUID"],
        [],
        ["id: UUID"],
    )
    for meta in obj.active_fields:
        if meta.name == "id":
            continue
        bang = "!" if not meta.is_nullable else ""
        target = schema.by_id.get(meta.target_object_id or "")
        if meta.relation_type is not None:
            if target is None or not target.is_active:
                continue
            t = _upper_first(target.name_singular)
            if meta.relation_type == "MANY_TO_ONE":
                join = meta.join_column
                fields += [(join, "ID", None), (meta.name, t, None)]
                filters += [f"{join}: UUIDFilter", f"{meta.name}: {t}FilterInput"]
                orders += [f"{join}: OrderByDirection", f"{meta.name}: {t}OrderByInput"]
                creates += [f"{join}: ID", f"{meta.name}: {t}RelationInput"]
                updates += [f"{join}: ID", f"{meta.name}: {t}RelationInput"]
            else:
                fields.append((meta.name, f"{t}Connection", _one_to_many_args(t)))
            continue
        if meta.type == "TS_VECTOR":
            fields.append((meta.name, "TSVector", None))
            filters.append(f"{meta.name}: TSVectorFilter")
            continue
        if meta.type in COMPOSITES:
            name = COMPOSITE_TYPES[meta.type].graphql_name
            fields.append((meta.name, f"{name}{bang}", None))
            filters.append(f"{meta.name}: {'RichTextFilter' if meta.type == 'RICH_TEXT' else name + 'FilterInput'}")
            if meta.type != "RICH_TEXT":
                orders.append(f"{meta.name}: {name}OrderByInput")
            if meta.name != "updatedBy":
                creates.append(f"{meta.name}: {name}CreateInput")
                updates.append(f"{meta.name}: {name}UpdateInput")
            if meta.is_unique and meta.type in UNIQUE_SUBFIELDS:
                where = f"{p}{_upper_first(meta.name)}WhereInput"
                defs.append(("input", where, [(sub, "String", None) for sub in UNIQUE_SUBFIELDS[meta.type]]))
                unique.append(f"{meta.name}: {where}")
            continue
        if meta.type in ("SELECT", "MULTI_SELECT", "RATING"):
            enum = f"{p}{_upper_first(meta.name)}Enum"
            values = meta.option_values or (RATING_VALUES if meta.type == "RATING" else ())
            defs.append(("enum", enum, list(values)))
            defs.append(
                (
                    "input",
                    f"{enum}Filter",
                    [
                        ("eq", enum, None),
                        ("neq", enum, None),
                        ("in", f"[{enum}]", None),
                        ("containsAny", f"[{enum}]", None),
                        ("is", "FilterIs", None),
                        ("isEmptyArray", "Boolean", None),
                        ("gt", enum, None),
                        ("gte", enum, None),
                        ("lt", enum, None),
                        ("lte", enum, None),
                    ],
                )
            )
            out_type = f"[{enum}!]" if meta.type == "MULTI_SELECT" else enum
            fields.append((meta.name, f"{out_type}{bang}", None))
            filters.append(f"{meta.name}: {enum}Filter")
        else:
            out_type, filter_type = _number_gql(meta) if meta.type == "NUMBER" else FIELD_KINDS[meta.type].graphql
            fields.append((meta.name, f"{out_type}{bang}", None))
            filters.append(f"{meta.name}: {filter_type}")
            if meta.is_unique:
                unique.append(f"{meta.name}: {out_type}")
        if FIELD_KINDS[meta.type].orderable:
            orders.append(f"{meta.name}: OrderByDirection")
        if meta.name in ("updatedAt", "deletedAt"):
            continue
        required = not meta.is_nullable and meta.default is None
        creates.append(f"{meta.name}: {out_type}{'!' if required else ''}")
        updates.append(f"{meta.name}: {out_type}")

    def specs(items: list[str]) -> list[Any]:
        return [(name, spec, None) for name, spec in (item.split(": ") for item in items)]

    _group_by = []
    for meta in obj.active_fields:
        if meta.type in ("TS_VECTOR", "RELATION", "MORPH_RELATION") and meta.relation_type != "MANY_TO_ONE":
            continue
        if meta.relation_type == "MANY_TO_ONE":
            target = schema.by_id.get(meta.target_object_id or "")
            if target is not None and target.is_active:
                _group_by.append((meta.name, f"{_upper_first(target.name_singular)}GroupByInput", None))
                _group_by.append((meta.join_column, "Boolean", None))
        elif meta.type in COMPOSITES:
            _group_by.append((meta.name, f"{COMPOSITE_TYPES[meta.type].graphql_name}GroupByInput", None))
        elif meta.type in ("DATE", "DATE_TIME"):
            _group_by.append((meta.name, "GroupByDateGranularityInput", None))
        else:
            _group_by.append((meta.name, "Boolean", None))

    _connection = [("edges", f"[{p}Edge!]!", None), ("pageInfo", "PageInfo!", None), ("totalCount", "Int", None)]
    defs += [
        ("object", p, fields),
        ("object", f"{p}Edge", [("node", f"{p}!", None), ("cursor", "Cursor!", None)]),
        ("object", f"{p}Connection", _connection + [(n, t, None) for n, t in _aggregate_names(obj)]),
        ("input", f"{p}FilterInput", specs(filters) + [("and", f"[{p}FilterInput]", None),
                                                       ("or", f"[{p}FilterInput]", None), ("not", f"{p}FilterInput", None)]),
        ("input", f"{p}OrderByInput", specs(orders)),
        ("input", f"{p}OrderByWithGroupByInput", specs(orders)),
        ("input", f"{p}GroupByInput", _group_by),
        ("object", f"{p}GroupByConnection", _connection + [("groupByDimensionValues", "JSON!", None)]
         + [(n, t, None) for n, t in _aggregate_names(obj)]),
        ("input", f"{p}CreateInput", specs(creates)),
        ("input", f"{p}UpdateInput", specs(updates or ["id: UUID"])),
        ("input", f"{p}WhereUniqueInput", specs(unique)),
        ("input", f"{p}ConnectInput", [("where", f"{p}WhereUniqueInput!", None)]),
        ("input", f"{p}RelationInput", [("connect", f"{p}ConnectInput", None), ("disconnect", "Boolean", None)]),
    ]  # fmt: skip
    s, pl = obj.name_singular, obj.name_plural
    queries = [
        (pl, f"{p}Connection", _one_to_many_args(p)),
        (s, p, [("filter", f"{p}FilterInput")]),
        (
            f"{pl}GroupBy",
            f"[{p}GroupByConnection!]",
            [
                ("groupBy", f"[{p}GroupByInput!]"),
                ("filter", f"{p}FilterInput"),
                ("orderBy", f"[{p}OrderByWithGroupByInput]"),
                ("orderByForRecords", f"[{p}OrderByInput]"),
                ("viewId", "UUID"),
                ("limit", "Int"),
                ("offsetForRecords", "Int"),
            ],
        ),
    ]
    one, many, by_id = (
        [("data", f"{p}CreateInput"), ("upsert", "Boolean")],
        [("data", f"[{p}CreateInput!]"), ("upsert", "Boolean")],
        [("id", "UUID")],
    )
    by_filter = [("filter", f"{p}FilterInput")]
    mutations = [
        (f"create{p}", p, one), (f"create{pp}", f"[{p}!]", many),
        (f"update{p}", p, [("id", "UUID"), ("data", f"{p}UpdateInput")]),
        (f"update{pp}", f"[{p}!]", [("data", f"{p}UpdateInput"), ("filter", f"{p}FilterInput")]),
    ]  # fmt: skip
    for verb in ("delete", "destroy", "restore"):
        mutations += [(f"{verb}{p}", p, by_id), (f"{verb}{pp}", f"[{p}!]", by_filter)]
    if obj.duplicate_criteria:
        queries.append((f"{s}Duplicates", f"[{p}Connection!]", [("ids", "[UUID]"), ("data", f"[{p}CreateInput]")]))
        mutations.append(
            (f"merge{pp}", p, [("ids", "[UUID!]"), ("conflictPriorityIndex", "Int"), ("dryRun", "Boolean")])
        )
    return defs, queries, mutations


@functools.cache
def _shared_gql_types() -> dict[str, Any]:
    """Scalars, filters and composite types every workspace schema shares: parsed once per process."""
    from graphql import build_schema

    base = build_schema(
        GQL_SHARED_SDL % {"sources": " ".join(ACTOR_SOURCES)} + _composite_sdl() + "type Query { _: Int }"
    )
    _set_uuid_scalar(base)
    return {name: t for name, t in base.type_map.items() if not name.startswith("__") and name != "Query"}


def _wrap_type(spec: str, types: dict[str, Any]) -> Any:
    """A type spec such as "[PersonEdge!]!" as graphql-core wrappers around named types."""
    if spec.endswith("!"):
        return types["!"](_wrap_type(spec[:-1], types))
    if spec.startswith("["):
        return types["[]"](_wrap_type(spec[1:-1], types))
    return types[spec]


@functools.cache
def _trusted_types() -> tuple[type, type]:
    """Object and input types that skip graphql-core's checks of their field maps: the names and
    field types generated here are valid by construction, and the checks dominated schema builds."""
    from graphql import GraphQLInputObjectType, GraphQLObjectType
    from graphql.pyutils import cached_property

    class TrustedObjectType(GraphQLObjectType):
        @cached_property
        def fields(self) -> Any:
            return self._fields() if callable(self._fields) else self._fields

    class TrustedInputObjectType(GraphQLInputObjectType):
        @cached_property
        def fields(self) -> Any:
            return self._fields() if callable(self._fields) else self._fields

    return TrustedObjectType, TrustedInputObjectType


def _build_core_schema(schema: Schema) -> Any:
    """The /graphql schema of a workspace's data model, built programmatically (no SDL parsing)."""
    from graphql import (
        GraphQLArgument,
        GraphQLEnumType,
        GraphQLEnumValue,
        GraphQLField,
        GraphQLInputField,
        GraphQLList,
        GraphQLNonNull,
        GraphQLSchema,
        specified_scalar_types,
    )

    types: dict[str, Any] = dict(specified_scalar_types)
    types.update(_shared_gql_types())
    types["!"], types["[]"] = GraphQLNonNull, GraphQLList
    object_type, input_type = _trusted_types()
    objects = sorted(schema.by_plural.values(), key=lambda o: o.name_singular)
    query_specs: list[Any] = []
    mutation_specs: list[Any] = []

    def out_fields(items: list[Any]) -> Callable[[], dict[str, Any]]:
        return lambda: {
            name: GraphQLField(
                _wrap_type(spec, types), {a: GraphQLArgument(_wrap_type(t, types)) for a, t in args} if args else None
            )
            for name, spec, args in items
        }

    def in_fields(items: list[Any]) -> Callable[[], dict[str, Any]]:
        return lambda: {name: GraphQLInputField(_wrap_type(spec, types)) for name, spec, _ in items}

    for obj in objects:
        defs, queries, mutations = _object_defs(schema, obj)
        query_specs += queries
        mutation_specs += mutations
        for kind, name, items in defs:
            if kind == "object":
                types[name] = object_type(name, out_fields(items))
            elif kind == "input":
                types[name] = input_type(name, in_fields(items))
            else:
                types[name] = GraphQLEnumType(name, {_gql_enum_value(v): GraphQLEnumValue(v) for v in items})
    query_specs.append(
        (
            "search",
            "SearchResultConnection",
            [
                ("searchInput", "String!"),
                ("limit", "Int!"),
                ("after", "String"),
                ("offset", "Int"),
                ("filter", "ObjectRecordFilterInput"),
                ("includedObjectNameSingulars", "[String!]"),
                ("excludedObjectNameSingulars", "[String!]"),
            ],
        )
    )
    gql = GraphQLSchema(
        query=object_type("Query", out_fields(query_specs)),
        mutation=object_type("Mutation", out_fields(mutation_specs)),
        types=[t for name, t in types.items() if name not in specified_scalar_types and name not in ("!", "[]")],
    )
    _attach_core_resolvers(gql, schema, objects)
    return gql


def _attach_core_resolvers(gql: Any, schema: Schema, objects: list[ObjectMeta]) -> None:
    """Generic resolvers per root field; enum values carry the raw option values."""
    query, mutation = gql.query_type.fields, gql.mutation_type.fields
    query["search"].resolve = _search_resolver
    for obj in objects:
        p, pp, s, pl = (
            _upper_first(obj.name_singular),
            _upper_first(obj.name_plural),
            obj.name_singular,
            obj.name_plural,
        )
        query[pl].resolve = _root(obj, _find_many_resolver, "find")
        query[s].resolve = _root(obj, _find_one_resolver, "get")
        query[f"{pl}GroupBy"].resolve = _root(obj, _group_by_resolver, "group_by")
        mutation[f"create{p}"].resolve = _root(obj, _create_one_resolver, "create")
        mutation[f"create{pp}"].resolve = _root(obj, _create_many_resolver, "create")
        mutation[f"update{p}"].resolve = _root(obj, _update_one_resolver, "update")
        mutation[f"update{pp}"].resolve = _root(obj, _update_many_resolver, "update")
        for verb in ("delete", "destroy", "restore"):
            mutation[f"{verb}{p}"].resolve = _root(obj, functools.partial(_change_one_resolver, verb), verb)
            mutation[f"{verb}{pp}"].resolve = _root(obj, functools.partial(_change_many_resolver, verb), verb)
        if obj.duplicate_criteria:
            query[f"{s}Duplicates"].resolve = _root(obj, _duplicates_resolver, "duplicates")
            mutation[f"merge{pp}"].resolve = _root(obj, _merge_resolver, "merge")
        gtype = gql.get_type(p)
        for meta in obj.active_fields:
            if meta.relation_type is not None and meta.name in gtype.fields:
                gtype.fields[meta.name].resolve = _relation_field_resolver


def _relation_field_resolver(parent: dict[str, Any], info: Any, **_: Any) -> Any:
    """Relations were loaded in bulk before the node was returned; read them back by response key."""
    return parent.get("__rel", {}).get(info.path.key)


class CoreContext:
    """What /graphql resolvers share: the request's Ctx."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx


def _core_gql_error(err: ApiError) -> Any:
    """An ApiError in the shape of Twenty's /graphql errors (graphql.md §12); its subCode is the one given
    where it was raised."""
    from graphql import GraphQLError

    if err.status == 429:
        return GraphQLError(
            err.message,
            extensions={
                "code": "BAD_USER_INPUT",
                "subCode": "LIMIT_REACHED",
                "userFriendlyMessage": "Rate limit reached. Please try again later.",
            },
        )
    code = GRAPHQL_CODES.get(err.status, "INTERNAL_SERVER_ERROR")
    sub = err.sub_code or {403: "PERMISSION_DENIED", 401: err.error}.get(err.status, "INVALID_ARGS_DATA")
    friendly = {
        "NOT_FOUND": "This record does not exist or has been deleted.",
        "FORBIDDEN": "User does not have permission.",
        "UNAUTHENTICATED": "You must be authenticated to perform this action.",
    }.get(code, "An error occurred.")
    return GraphQLError(err.message, extensions={"code": code, "subCode": sub, "userFriendlyMessage": friendly})


def _root(obj: ObjectMeta, resolver: Callable[..., Any], operation: str) -> Callable[..., Any]:
    """A root-field resolver for one object: the service's authorization, its own savepoint when it
    writes, errors in Twenty's shape."""
    mutating = operation not in READ_OPERATIONS

    def resolve(_: Any, info: Any, **args: Any) -> Any:
        cc: CoreContext = info.context
        current = cc.ctx.schema.by_plural.get(obj.name_plural, obj)
        queued = len(cc.ctx.events)
        try:
            _authorize(cc.ctx, current, operation)
            if mutating:
                return _savepoint(cc.ctx.conn, lambda: resolver(cc, current, info, **args))
            return resolver(cc, current, info, **args)
        except ApiError as err:
            del cc.ctx.events[queued:]  # the field's changes were rolled back: so are its events
            raise _core_gql_error(err) from None

    return resolve


# ---- GraphQL arguments -> typed queries -------------------------------------------------------


def _gql_filter_node(obj: ObjectMeta, flt: dict[str, Any] | None) -> Node | None:
    """A <Object>FilterInput as a filter tree (graphql.md §7.3), values as GraphQL typed them."""
    if not flt:
        return None
    items: list[Node] = []
    for key, value in flt.items():
        if value is None:
            continue
        if key in ("and", "or"):
            items.append((key, [n for n in (_gql_filter_node(obj, v) for v in value) if n is not None]))
        elif key == "not":
            inner = _gql_filter_node(obj, value)
            if inner is not None:
                items.append(("not", inner))
        else:
            items += _gql_leaves(obj, (key,), value)
    return ("and", items)


def _gql_leaves(obj: ObjectMeta, path: tuple[str, ...], value: dict[str, Any]) -> list[Leaf]:
    """Leaves of one field's filter: an operator map, or sub-fields (composite, relation) holding them."""
    ops = {k: v for k, v in value.items() if v is not None}
    head = obj.by_name.get(path[0]) if len(path) == 1 else None
    nested = head is not None and (head.type in COMPOSITES or head.relation_type == "MANY_TO_ONE")
    if (len(path) > 1 or nested) and ops and all(isinstance(v, dict) for v in ops.values()):
        return [leaf for sub, inner in ops.items() for leaf in _gql_leaves(obj, (*path, sub), inner)]
    if len(ops) != 1:
        raise _bad_filter(f'Filter for field "{path[-1]}" must have exactly one operator')
    op, raw = next(iter(ops.items()))
    return [Leaf(path, op, raw)]


def _gql_order_keys(schema: Schema, obj: ObjectMeta, order_by: Any) -> list[SortKey]:
    """An orderBy list as sort keys (graphql.md §8)."""
    items: list[tuple[Sequence[str], str]] = []
    for item in order_by or []:
        for key, value in (item or {}).items():
            if isinstance(value, dict):
                items += [((key, sub), d) for sub, d in value.items() if d is not None]
            elif value is not None:
                items.append(((key,), value))
    return _sort_keys(schema, obj, items)


def _page_args(ctx: Ctx, args: dict[str, Any], default: int) -> tuple[int, str | None, str | None, int]:
    """(limit, after, before, offset) from first/last/before/after/offset, with Twenty's errors. As in
    Twenty, only `before` pages backwards: `last` without it counts from the start."""
    first, last, before, after = args.get("first"), args.get("last"), args.get("before"), args.get("after")
    if first is not None and last is not None:
        raise _bad_request("Cannot provide both first and last", "ARGS_CONFLICT")
    if before is not None and after is not None:
        raise _bad_request("Cannot provide both before and after", "ARGS_CONFLICT")
    if before is not None and first is not None:
        raise _bad_request("Cannot provide both before and first", "ARGS_CONFLICT")
    if after is not None and last is not None:
        raise _bad_request("Cannot provide both after and last", "ARGS_CONFLICT")
    if first is not None and first < 0:
        raise _bad_request("First argument must be non-negative", "INVALID_ARGS_FIRST")
    if last is not None and last < 0:
        raise _bad_request("Last argument must be non-negative", "INVALID_ARGS_LAST")
    size = first if first is not None else last if last is not None else default
    return min(size, ctx.max_records), after, before, max(0, args.get("offset") or 0)


# ---- selections and bulk relation loading -----------------------------------------------------


def _selected_fields(info: Any, selection_set: Any) -> list[Any]:
    """The field nodes of a selection set, fragments flattened."""
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

    out: list[Any] = []
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out += _selected_fields(info, sel.selection_set)
        elif isinstance(sel, FragmentSpreadNode):
            out += _selected_fields(info, info.fragments[sel.name.value].selection_set)
    return out


def _sub_selection(info: Any, fields: list[Any], *path: str) -> list[Any]:
    """Follow field names (e.g. edges, node) down a selection."""
    for name in path:
        fields = [f for node in fields if node.name.value == name for f in _selected_fields(info, node.selection_set)]
    return fields


def _record_nodes(
    ctx: Ctx,
    obj: ObjectMeta,
    ids: Sequence[bytes],
    info: Any,
    fields: list[Any],
    in_one_to_many: bool = False,
    seqs: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """GraphQL nodes of records, with every selected relation loaded in bulk (a fixed number of queries)."""
    hidden = ctx.hidden(obj)
    if hidden and any(f.name.value in hidden for f in fields):
        raise ApiError(403, "ForbiddenException", PERMISSION_DENIED)
    selected = {f.name.value for f in fields}
    keys = list(
        dict.fromkeys(k for n in selected if n in obj.output_keys for k, f in [obj.output_keys[n]] if f not in hidden)
    )
    nodes = [dict(zip(keys, values)) for values in _record_values(ctx, obj, ids, keys, seqs)]
    for node, rid in zip(nodes, ids):
        node["id"] = _blob_uuid(rid)
        node["searchVector"] = None
        node["__rel"] = {}
    if nodes:
        _load_relations(ctx, obj, ids, nodes, info, fields, in_one_to_many)
    return nodes


def _load_relations(
    ctx: Ctx,
    obj: ObjectMeta,
    ids: Sequence[bytes],
    nodes: list[dict[str, Any]],
    info: Any,
    fields: list[Any],
    in_one_to_many: bool,
) -> None:
    from graphql.execution.values import get_argument_values

    gtype = info.schema.get_type(_upper_first(obj.name_singular))
    for fnode in fields:
        meta = obj.by_name.get(fnode.name.value)
        if meta is None or meta.relation_type is None:
            continue
        key = fnode.alias.value if fnode.alias else fnode.name.value
        target = _readable_target(ctx, meta, explicit=True)
        if target is None:
            continue
        inner = _selected_fields(info, fnode.selection_set)
        if meta.relation_type == "MANY_TO_ONE":
            join = meta.join_column or ""
            wanted = [_uuid_blob(n[join]) if n.get(join) else None for n in nodes]
            live, pointed = _many_to_one_targets(ctx, target, wanted)
            related = dict(zip(live, _record_nodes(ctx, target, live, info, inner, in_one_to_many)))
            for node, w in zip(nodes, pointed):
                node["__rel"][key] = related.get(w) if w else None
            continue
        if in_one_to_many:
            raise _bad_request(NOT_NESTABLE, "TOO_COMPLEX_QUERY")
        args = get_argument_values(gtype.fields[fnode.name.value], fnode, info.variable_values)
        connections = _nested_connections(ctx, target, meta, ids, args, info, inner)
        for node, rid in zip(nodes, ids):
            node["__rel"][key] = connections[rid]


def _nested_connections(
    ctx: Ctx,
    target: ObjectMeta,
    meta: FieldMeta,
    parents: Sequence[bytes],
    args: dict[str, Any],
    info: Any,
    fields: list[Any],
) -> dict[bytes, dict[str, Any]]:
    """One-to-many connections for many parents at once (the service pages them in bulk)."""
    limit, after, before, offset = _page_args(ctx, args, NESTED_PAGE)
    query = FindQuery(
        _gql_filter_node(target, args.get("filter")),
        _gql_order_keys(ctx.schema, target, args.get("orderBy")),
        limit,
        after,
        before,
        offset,
    )
    pages = _find_related(ctx, target, meta, parents, query)
    every = [i for page in pages.values() for i in page.ids]
    nodes = _record_nodes(ctx, target, every, info, _sub_selection(info, fields, "edges", "node"), in_one_to_many=True)
    loaded = dict(zip(every, nodes))
    cursors = _wants_cursors(info, fields)
    return {rid: _connection(page, [loaded[i] for i in page.ids], page.total, cursors) for rid, page in pages.items()}


def _connection(page: Page, nodes: list[dict[str, Any]], total: int | None, cursors: bool = True) -> dict[str, Any]:
    """A <Object>Connection value (cursors: of each edge, when the selection asks for them)."""
    return {
        "edges": [{"node": n, "cursor": page.cursor(i) if cursors else None} for i, n in enumerate(nodes)],
        "pageInfo": page.info(),
        "totalCount": total,
    }


def _wants_cursors(info: Any, fields: list[Any]) -> bool:
    """Whether a connection's selection reads the cursor of its edges."""
    return any(f.name.value == "cursor" for f in _sub_selection(info, fields, "edges"))


CONNECTION_FIELDS = ("edges", "pageInfo", "totalCount", "groupByDimensionValues", "__typename")


def _selected_aggregates(fields: list[Any]) -> list[str]:
    """Names of the aggregate fields selected on a connection."""
    return list(dict.fromkeys(f.name.value for f in fields if f.name.value not in CONNECTION_FIELDS))


# ---- root resolvers: arguments in, record service, nodes out ---------------------------------


def _find_many_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, **args: Any) -> dict[str, Any]:
    ctx = cc.ctx
    limit, after, before, offset = _page_args(ctx, args, 60)
    node = _gql_filter_node(obj, args.get("filter"))
    query = FindQuery(node, _gql_order_keys(ctx.schema, obj, args.get("orderBy")), limit, after, before, offset)
    fields = _selected_fields(info, info.field_nodes[0].selection_set)
    page = _find(ctx, obj, query)
    nodes = _record_nodes(ctx, obj, page.ids, info, _sub_selection(info, fields, "edges", "node"), seqs=page.seqs)
    out = _connection(page, nodes, page.total, _wants_cursors(info, fields))
    out.update(_aggregates(ctx, obj, node, _selected_aggregates(fields)))
    return out


def _root_nodes(cc: CoreContext, obj: ObjectMeta, info: Any, ids: Sequence[bytes]) -> list[dict[str, Any]]:
    return _record_nodes(cc.ctx, obj, ids, info, _selected_fields(info, info.field_nodes[0].selection_set))


def _find_one_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, filter: Any = None) -> dict[str, Any]:
    node = _gql_filter_node(obj, filter)
    if node is None or not node[1]:
        raise _bad_request("Missing filter argument", "INVALID_QUERY_INPUT")
    return _root_nodes(cc, obj, info, [_find_first(cc.ctx, obj, node)])[0]


def _create_one_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, data: Any = None, upsert: Any = None) -> Any:
    if data is None:
        raise _bad_request("Missing data argument")
    return _root_nodes(cc, obj, info, _create(cc.ctx, obj, [data], upsert is True))[0]


def _create_many_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, data: Any = None, upsert: Any = None) -> Any:
    if not data:
        raise _bad_request("Missing data argument")
    return _root_nodes(cc, obj, info, _create(cc.ctx, obj, data, upsert is True))


def _one_id(raw: Any) -> bytes:
    if raw is None:
        raise _bad_request("Missing id argument")
    return _uuid_blob(str(raw).lower())


def _update_one_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, id: Any = None, data: Any = None) -> Any:
    rid = _one_id(id)
    _update_one(cc.ctx, obj, rid, data or {})
    return _root_nodes(cc, obj, info, [rid])[0]


def _required_filter(obj: ObjectMeta, flt: Any) -> Node:
    node = _gql_filter_node(obj, flt)
    if node is None or not node[1]:
        raise _bad_request("A non-empty filter is required", "INVALID_QUERY_INPUT")
    return node


def _update_many_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, data: Any = None, filter: Any = None) -> Any:
    node = _required_filter(obj, filter)
    return _root_nodes(cc, obj, info, _update_many(cc.ctx, obj, node, data or {}))


def _change_one_resolver(verb: str, cc: CoreContext, obj: ObjectMeta, info: Any, id: Any = None) -> Any:
    """delete (soft), destroy (hard) or restore one record by id; a destroyed record is shown as it was."""
    rid = _one_id(id)
    snapshot = functools.partial(_root_nodes, cc, obj, info)
    result = _change_one(cc.ctx, obj, verb, rid, snapshot)
    return result[0] if verb == "destroy" else _root_nodes(cc, obj, info, [rid])[0]


def _change_many_resolver(verb: str, cc: CoreContext, obj: ObjectMeta, info: Any, filter: Any = None) -> Any:
    node = _required_filter(obj, filter)
    snapshot = functools.partial(_root_nodes, cc, obj, info)
    result = _change_many(cc.ctx, obj, verb, node, snapshot)
    return result if verb == "destroy" else _root_nodes(cc, obj, info, result)


def _duplicates_resolver(cc: CoreContext, obj: ObjectMeta, info: Any, ids: Any = None, data: Any = None) -> Any:
    fields = _sub_selection(info, _selected_fields(info, info.field_nodes[0].selection_set), "edges", "node")
    return [
        _connection(_id_page(found), _record_nodes(cc.ctx, obj, found, info, fields), len(found))
        for found in _duplicates(cc.ctx, obj, data, ids)
    ]


def _merge_resolver(
    cc: CoreContext, obj: ObjectMeta, info: Any, ids: Any = None, conflictPriorityIndex: Any = None, dryRun: Any = None
) -> Any:
    survivor, preview = _merge(cc.ctx, obj, ids, conflictPriorityIndex or 0, dryRun is True)
    if preview is not None:
        return dict(preview, searchVector=None, __rel={})
    return _root_nodes(cc, obj, info, [survivor])[0]


def _group_by_resolver(
    cc: CoreContext,
    obj: ObjectMeta,
    info: Any,
    groupBy: Any = None,
    filter: Any = None,
    orderBy: Any = None,
    orderByForRecords: Any = None,
    limit: Any = None,
    offsetForRecords: Any = None,
    **_: Any,
) -> list[dict[str, Any]]:
    """<plural>GroupBy: one connection per group, with its dimension values, count, aggregates and records."""
    ctx = cc.ctx
    if not groupBy:
        raise _bad_request("Missing groupBy argument")
    dims_spec = [{k: v for k, v in item.items() if v is not None} for item in groupBy]
    if any(len(d) != 1 for d in dims_spec):
        raise _bad_filter("Each groupBy entry must name exactly one field")
    node = _gql_filter_node(obj, filter)
    fields = _selected_fields(info, info.field_nodes[0].selection_set)
    names = ["totalCount"] + _selected_aggregates(fields)
    wants_records = any(f.name.value == "edges" for f in fields)
    groups = _group_by(
        ctx,
        obj,
        node,
        dims_spec,
        names,
        limit or 50,
        _gql_order_keys(ctx.schema, obj, orderBy),
        _gql_order_keys(ctx.schema, obj, orderByForRecords) if wants_records else None,
        NESTED_PAGE,
        offsetForRecords or 0,
    )
    every = [i for g in groups for i in g.ids]
    loaded = dict(zip(every, _record_nodes(ctx, obj, every, info, _sub_selection(info, fields, "edges", "node"))))
    out = []
    for g in groups:
        group = _connection(_id_page(g.ids), [loaded[i] for i in g.ids], g.values[0])
        group["groupByDimensionValues"] = g.dimensions
        group.update(zip(names[1:], g.values[1:]))
        out.append(group)
    return out


def _search_resolver(
    _: Any,
    info: Any,
    searchInput: str,
    limit: int,
    after: Any = None,
    offset: Any = None,
    filter: Any = None,
    includedObjectNameSingulars: Any = None,
    excludedObjectNameSingulars: Any = None,
) -> dict[str, Any]:
    """search: records of every searchable object whose text matches every word (graphql.md §11)."""
    ctx = info.context.ctx
    try:
        try:
            start = int(json.loads(_unb64(after))["offset"]) if after else 0
        except (ValueError, KeyError, TypeError):
            raise _bad_request(f"Invalid cursor: {after}", "INVALID_CURSOR") from None
        start += offset or 0
        hits, more = _search_records(
            ctx,
            searchInput,
            start,
            limit,
            includedObjectNameSingulars,
            excludedObjectNameSingulars,
            lambda obj: _gql_filter_node(obj, filter),
        )
    except ApiError as err:
        raise _core_gql_error(err) from None
    edges = [
        {
            "cursor": _b64_cursor({"offset": start + n + 1}),
            "node": {
                "recordId": _blob_uuid(hit.rid),
                "objectNameSingular": hit.obj.name_singular,
                "objectLabelSingular": hit.obj.label_singular,
                "label": hit.label,
                "imageUrl": hit.image_url,
                "tsRankCD": hit.rank,
                "tsRank": hit.rank,
            },
        }
        for n, hit in enumerate(hits)
    ]
    return {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None}}


# ---- POST /graphql ----------------------------------------------------------------------------


def _handle_graphql(state: AppState) -> str:
    """POST /graphql: the workspace's generated schema, cached per data-model version."""
    return _serve_graphql(state, state.models.graphql_schema, CoreContext, GraphqlLimits())


# ============================================================================================
# 15. Admin API
# ============================================================================================

# Outside Twenty's paths: workspaces for test fixtures, guarded by the server's admin key.


def _admin_guard(state: AppState) -> None:
    """The /_lite API answers only the server's admin key (the --api-key unless admin_key is set)."""
    admin = state.settings.admin_key or state.settings.api_key
    if not admin:
        raise ApiError(404, "NotFoundException", "The admin API is off: start the server with --api-key")
    scheme, _, token = (bottle.request.get_header("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), admin):
        raise ApiError(403, "ForbiddenException", "The admin API needs the server's admin key")


SPARE_NAME = "(spare)"
TEMPLATE_NAME = "(template)"
SPARE_TARGET = 8  # spare workspaces made ahead of time once workspaces are asked for
SPARE_CAP = 16  # deleted workspaces become spares up to this many; beyond it they are cleared


def _add_admin_key(
    state: AppState, conn: sqlite3.Connection, workspace_id: str, name: str = "Workspace admin key"
) -> str:
    """A new workspace's API key with the Admin role; returns its id."""
    now, key_id = state.clock(), state.settings.new_id()
    admin = _role_by_label(conn, workspace_id, "Admin")
    conn.execute(
        "INSERT INTO api_key(id, workspace_id, name, expires_at, role_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?)",
        (key_id, workspace_id, name, _iso(now + HUNDRED_YEARS), admin.id, _iso(now), _iso(now)),
    )
    return key_id


def _add_workspace(state: AppState, conn: sqlite3.Connection, workspace_id: str, name: str) -> None:
    """A workspace row with the standard roles and the standard data model (fields shared)."""
    conn.execute(
        "INSERT INTO workspace(id, name, created_at) VALUES (?, ?, ?)", (workspace_id, name, _iso(state.clock()))
    )
    conn.executemany(
        "INSERT INTO role(id, workspace_id, data) VALUES (?, ?, ?)",
        _standard_role_rows(workspace_id, state.settings.new_id),
    )
    _insert_shared_model(conn, workspace_id, state.models.standard_model(conn), state.settings.new_id)


def _make_workspace(state: AppState, display_name: str, flags: dict[str, bool] | None = None) -> tuple[str, str]:
    """A workspace with the standard model, an Admin API key and these feature flags: (workspace id, key id)."""
    workspace_id = state.settings.new_id()
    with state.store.write() as conn:
        _add_workspace(state, conn, workspace_id, display_name)
        key_id = _add_admin_key(state, conn, workspace_id)
        if flags:
            _set_feature_flags(conn, workspace_id, flags)
    return workspace_id, key_id


def _new_workspace(
    state: AppState, display_name: str, seed: str, flags: dict[str, bool] | None = None
) -> dict[str, Any]:
    """A workspace for a caller, with Twenty's default feature flags but the ones asked otherwise: a spare
    one made ahead of time when there is one (fixtures ask for many), else one made now."""
    spare = state.pool.take()
    if spare is None:
        workspace_id, key_id = _make_workspace(state, display_name, flags)
    else:
        workspace_id, key_id = spare
        with state.store.write() as conn:  # a recycled spare may carry another's flags: set them all
            conn.execute(
                "UPDATE workspace SET name = ?, created_at = ?, feature_flags = '{}' WHERE id = ?",
                (display_name, _iso(state.clock()), workspace_id),
            )
            if flags:
                _set_feature_flags(conn, workspace_id, flags)
    if seed == "demo":
        _seed_demo(state, workspace_id)
    now = state.clock()
    token = _api_key_token(state.app_secret, workspace_id, key_id, now, now + HUNDRED_YEARS)
    return {"id": workspace_id, "displayName": display_name, "apiKeyId": key_id, "apiKey": token}


def _move_data_model(conn: sqlite3.Connection, source: str, target: str) -> None:
    """Hand a workspace's objects and fields (and so its records) to another workspace id."""
    conn.execute("UPDATE object_meta SET workspace_id = ? WHERE workspace_id = ?", (target, source))


def _delete_workspace(state: AppState, workspace_id: str) -> None:
    """Make a workspace gone for every caller at once. One whose data model is untouched becomes a
    spare under a new id (records purged off the request's thread); any other is cleared there."""
    recycle = state.pool.reserve()
    try:
        with state.store.write() as conn:
            _known_workspace(conn, workspace_id)
            shared = _shares_fields(conn, workspace_id)
            for table in ("api_key", "webhook", "role"):
                conn.execute(f"DELETE FROM {table} WHERE workspace_id = ?", (workspace_id,))
            if recycle and shared:
                spare_id = state.settings.new_id()
                conn.execute("UPDATE workspace SET id = ?, name = ? WHERE id = ?", (spare_id, SPARE_NAME, workspace_id))
                _move_data_model(conn, workspace_id, spare_id)
                conn.executemany(
                    "INSERT INTO role(id, workspace_id, data) VALUES (?, ?, ?)",
                    _standard_role_rows(spare_id, state.settings.new_id),
                )
                spare = (spare_id, _add_admin_key(state, conn, spare_id))
            else:
                conn.execute("DELETE FROM workspace WHERE id = ?", (workspace_id,))
                spare = None
    except BaseException:
        state.pool.release(recycle)
        raise
    state.forget(workspace_id, heir=spare[0] if spare else None)
    if spare is None:
        state.pool.release(recycle)
        state.housekeeping(_clear_workspace, state, workspace_id)
    else:
        state.housekeeping(state.pool.finish, spare)


def _reset_workspace(state: AppState, workspace_id: str, seed: str) -> None:
    """Back to the standard data model without records. An untouched data model keeps its ids and only
    loses its records; a changed one is replaced by a new standard one and cleared off the request's
    thread."""
    discarded = None
    with state.store.write() as conn:
        _known_workspace(conn, workspace_id)
        shared = _shares_fields(conn, workspace_id)
        if shared:
            _purge_records(conn, workspace_id)
        else:
            discarded = state.settings.new_id()
            _move_data_model(conn, workspace_id, discarded)
            _insert_shared_model(conn, workspace_id, state.models.standard_model(conn), state.settings.new_id)
            _new_meta_version(conn, workspace_id)
    if discarded:
        state.forget(workspace_id, keep_journal=True)
        state.housekeeping(_clear_workspace, state, discarded)
    if seed == "demo":
        _seed_demo(state, workspace_id)


def _clear_workspace(state: AppState, workspace_id: str) -> None:
    """The records, data model and roles of a deleted workspace."""
    with state.store.write() as conn:
        _drop_workspace_data(conn, workspace_id)
        conn.execute("DELETE FROM role WHERE workspace_id = ?", (workspace_id,))


def _known_workspace(conn: sqlite3.Connection, workspace_id: str) -> None:
    if not conn.execute("SELECT 1 FROM workspace WHERE id = ?", (workspace_id,)).fetchone():
        raise ApiError(404, "NotFoundException", "Workspace not found")


EXPORT_FORMAT = "twenty_lite/1"


def _export_workspace(state: AppState, conn: sqlite3.Connection, workspace_id: str) -> dict[str, Any]:
    """A workspace as JSON: its data model, records (by field id and sub-field), roles and webhooks."""
    _known_workspace(conn, workspace_id)
    schema = state.schema(conn, workspace_id)
    name = conn.execute("SELECT name FROM workspace WHERE id = ?", (workspace_id,)).fetchone()[0]
    objects = [
        {"id": r[0], "nameSingular": r[1], "namePlural": r[2], **json.loads(r[3])}
        for r in conn.execute(
            "SELECT id, name_singular, name_plural, data FROM object_meta WHERE workspace_id = ? ORDER BY key",
            (workspace_id,),
        )
    ]
    fields = [f.props for o in schema.objects for f in o.fields]
    columns = {c.key: f"{f.id}:{c.sub or ''}" for o in schema.objects for f in o.fields for c in f.columns}
    records: dict[str, list[dict[str, Any]]] = {}
    for oid, okey in conn.execute("SELECT id, key FROM object_meta WHERE workspace_id = ?", (workspace_id,)).fetchall():
        rows: dict[int, dict[str, Any]] = {}
        for seq, rid, deleted in conn.execute(
            "SELECT seq, id, deleted_at FROM entity WHERE obj = ? ORDER BY seq", (okey,)
        ):
            rows[seq] = {"id": _blob_uuid(rid), "deletedAt": deleted, "values": {}}
        for seq, attr, v in conn.execute(
            "SELECT x.seq, x.attr, x.v FROM value x JOIN entity e ON e.seq = x.seq WHERE e.obj = ?", (okey,)
        ):
            if attr in columns:
                rows[seq]["values"][columns[attr]] = {"$uuid": _blob_uuid(v)} if isinstance(v, bytes) else v
        records[oid] = list(rows.values())
    roles = [
        {"id": r[0], "data": json.loads(r[1])}
        for r in conn.execute("SELECT id, data FROM role WHERE workspace_id = ?", (workspace_id,))
    ]
    webhooks = [
        {"id": r[0], "data": json.loads(r[1]), "deletedAt": r[2]}
        for r in conn.execute("SELECT id, data, deleted_at FROM webhook WHERE workspace_id = ?", (workspace_id,))
    ]
    flags, settings, views_stored = conn.execute(
        "SELECT feature_flags, settings, views_stored FROM workspace WHERE id = ?", (workspace_id,)
    ).fetchone()
    views = [  # only views changed from the standard ones are stored; the others are computed again
        {"id": r[0], "kind": r[1], "parentId": r[2], "data": json.loads(r[3]), "deletedAt": r[4]}
        for r in conn.execute(
            "SELECT id, kind, parent_id, data, deleted_at FROM view_item WHERE workspace_id = ?", (workspace_id,)
        )
    ]
    return {
        "format": EXPORT_FORMAT,
        "displayName": name,
        "objects": objects,
        "fields": fields,
        "records": records,
        "roles": roles,
        "webhooks": webhooks,
        "featureFlags": json.loads(flags),
        "settings": json.loads(settings),
        "views": views if views_stored else None,
    }


def _import_into(conn: sqlite3.Connection, workspace_id: str, doc: dict[str, Any], with_roles: bool) -> None:
    """Write an export's data model, records and webhooks (and roles) into an emptied workspace."""
    for props in doc["objects"]:
        _insert_object(conn, workspace_id, props)
    _insert_fields(conn, workspace_id, doc["fields"])
    attrs = {f"{fid}:{sub}": key for key, fid, sub in _workspace_attributes(conn, workspace_id)}
    okeys = dict(conn.execute("SELECT id, key FROM object_meta WHERE workspace_id = ?", (workspace_id,)).fetchall())
    seq = conn.execute("SELECT coalesce(max(seq), 0) FROM entity").fetchone()[0]
    for oid, rows in doc["records"].items():
        entities, values = [], []
        for row in rows:
            seq += 1
            entities.append((seq, okeys[oid], _uuid_blob(row["id"]), row.get("deletedAt")))
            for column, v in row["values"].items():
                if column in attrs:
                    values.append((seq, attrs[column], _uuid_blob(v["$uuid"]) if isinstance(v, dict) else v))
        conn.executemany("INSERT INTO entity(seq, obj, id, deleted_at) VALUES (?, ?, ?, ?)", entities)
        conn.executemany("INSERT INTO value(seq, attr, v) VALUES (?, ?, ?)", values)
        live = sum(1 for e in entities if e[3] is None)
        conn.execute("UPDATE entity_count SET live = ?, total = ? WHERE obj = ?", (live, len(entities), okeys[oid]))
    if with_roles:
        conn.executemany(
            "INSERT INTO role(id, workspace_id, data) VALUES (?, ?, ?)",
            [(r["id"], workspace_id, _dumps(r["data"])) for r in doc["roles"]],
        )
    conn.execute("DELETE FROM webhook WHERE workspace_id = ?", (workspace_id,))
    conn.executemany(
        "INSERT INTO webhook(id, workspace_id, data, deleted_at) VALUES (?, ?, ?, ?)",
        [(w["id"], workspace_id, _dumps(w["data"]), w.get("deletedAt")) for w in doc["webhooks"]],
    )
    flags = _feature_flag_overrides(doc.get("featureFlags") or {}, "featureFlags")
    settings = doc.get("settings") or {}
    if not isinstance(settings, dict):
        raise _bad_request("Not a valid twenty_lite export: 'settings' must be an object")
    conn.execute(
        "UPDATE workspace SET feature_flags = ?, settings = ?, views_stored = ? WHERE id = ?",
        (_dumps(flags), _dumps(settings), int(doc.get("views") is not None), workspace_id),
    )
    conn.execute("DELETE FROM view_item WHERE workspace_id = ?", (workspace_id,))
    conn.executemany(
        "INSERT INTO view_item(id, workspace_id, kind, parent_id, data, deleted_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(v["id"], workspace_id, v["kind"], v["parentId"], _dumps(v["data"]), v.get("deletedAt"))
         for v in doc.get("views") or [] if v.get("kind") in VIEW_KINDS],
    )  # fmt: skip
    _new_meta_version(conn, workspace_id)


def _import_workspace(state: AppState, doc: Any) -> dict[str, Any]:
    """A new workspace from an export: metadata, role and webhook ids renewed, records kept; a new Admin key."""
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise _bad_request(f"Not a twenty_lite export (format {EXPORT_FORMAT} expected)")
    _check_export_shape(doc)
    try:
        return _import_checked(state, doc)
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        sqlite3.IntegrityError,
        sqlite3.InterfaceError,
        sqlite3.ProgrammingError,
    ):
        # Parts deeper than the shape check looks: the transaction is rolled back, nothing was made.
        raise _bad_request(f"Not a valid twenty_lite export: {EXPORT_SHAPE_HELP}") from None


EXPORT_SHAPE_HELP = "import exactly what GET /_lite/workspaces/{id}/export answered"


def _check_export_shape(doc: dict[str, Any]) -> None:
    """Refuse an export whose parts have the wrong types, naming the part."""
    lists = {"objects": "id", "fields": "id", "roles": "id", "webhooks": "id"}
    for part, key in lists.items():
        items = doc.get(part)
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get(key), str) for i in items):
            raise _bad_request(f"Not a valid twenty_lite export: '{part}' must be a list of objects with an '{key}'")
    records = doc.get("records")
    if not isinstance(records, dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) and isinstance(r.get("values"), dict) for r in rows)
        for rows in records.values()
    ):
        raise _bad_request("Not a valid twenty_lite export: 'records' must map object ids to lists of records")
    if not isinstance(doc.get("displayName") or "", str):
        raise _bad_request("Not a valid twenty_lite export: 'displayName' must be a string")
    views = doc.get("views")
    if views is not None and not (isinstance(views, list) and all(
        isinstance(v, dict) and isinstance(v.get("id"), str) and isinstance(v.get("parentId"), str)
        and isinstance(v.get("data"), dict) for v in views
    )):  # fmt: skip
        raise _bad_request("Not a valid twenty_lite export: 'views' must be null or a list of stored view items")


def _import_checked(state: AppState, doc: dict[str, Any]) -> dict[str, Any]:
    """Import an export document whose top-level shape was checked."""
    new_id = state.settings.new_id
    renew = [o["id"] for o in doc["objects"]] + [f["id"] for f in doc["fields"]] + [r["id"] for r in doc["roles"]]
    renew += [w["id"] for w in doc["webhooks"]] + [f["morphId"] for f in doc["fields"] if f.get("morphId")]
    renew += [v["id"] for v in doc.get("views") or [] if isinstance(v, dict) and isinstance(v.get("id"), str)]
    mapping = {old: new_id() for old in dict.fromkeys(renew)}
    skeleton = {k: v for k, v in doc.items() if k != "records"}
    skeleton = json.loads(UUID_ANY.sub(lambda m: mapping.get(m.group(0), m.group(0)), _dumps(skeleton)))

    def renamed(column: str) -> str:
        field_id, _, sub = column.partition(":")
        return f"{mapping.get(field_id, field_id)}:{sub}"

    skeleton["records"] = {
        mapping.get(oid, oid): [dict(row, values={renamed(c): v for c, v in row["values"].items()}) for row in rows]
        for oid, rows in doc["records"].items()
    }
    now = state.clock()
    workspace_id = new_id()
    with state.store.write() as conn:
        conn.execute(
            "INSERT INTO workspace(id, name, created_at) VALUES (?, ?, ?)",
            (workspace_id, skeleton.get("displayName") or "Imported", _iso(now)),
        )
        _import_into(conn, workspace_id, skeleton, with_roles=True)
        key_id = _add_admin_key(state, conn, workspace_id)
    token = _api_key_token(state.app_secret, workspace_id, key_id, now, now + HUNDRED_YEARS)
    return {"id": workspace_id, "displayName": skeleton.get("displayName"), "apiKeyId": key_id, "apiKey": token}


def _handle_admin(state: AppState, path: str) -> str:
    """/_lite/workspaces: list, create, reset and delete workspaces."""
    _admin_guard(state)
    method = bottle.request.method.upper()
    segs = [s for s in path.split("/") if s]
    body = Body(bottle.request.body.read() if method != "GET" else b"").json() or {}
    if not isinstance(body, dict):
        raise _bad_request("The request body must be a JSON object")
    if segs == ["faults"]:
        if method == "POST":
            rule = {k: body.get(k) for k in ("object", "operation", "fault", "probability") if body.get(k) is not None}
            if not re.fullmatch(r"latency\s*=\s*\d+(\.\d+)?\s*(ms|s)?|[45]\d\d", str(rule.get("fault", "")).lower()):
                raise _bad_request("fault must be a status code (429, 500, …) or latency=<n>ms")
            if any(not isinstance(rule.get(k, ""), str) for k in ("object", "operation")):
                raise _bad_request("object and operation must be strings")
            probability = rule.get("probability", 1.0)
            if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
                raise _bad_request("probability must be a number between 0 and 1")
            state.tools.add_fault_rule(rule)
        elif method == "DELETE":
            state.tools.clear_fault_rules()
        return _json_response(200, {"rules": list(state.tools.fault_rules)})
    if segs == ["clock"] and method in ("GET", "POST"):
        if "set" in body:
            moment = _parse_datetime(body["set"])
            if moment is None:
                raise _bad_request("set must be an ISO-8601 date-time")
            state.clock.set(datetime.fromisoformat(moment.replace("Z", "+00:00")))
        if "advance" in body:
            advance = body["advance"]
            if isinstance(advance, bool) or not isinstance(advance, (int, float)) or not abs(advance) < 10**10:
                raise _bad_request("advance must be a number of seconds (at most 10^10 either way)")
            try:
                state.clock.advance(advance)
            except OverflowError:
                raise _bad_request("advance moves the clock out of the years 1 to 9999") from None
        return _json_response(200, {"now": _iso(state.clock())})
    if segs == ["workspaces"] and method == "GET":
        with state.store.read() as conn:
            rows = conn.execute(
                "SELECT id, name, created_at FROM workspace WHERE name NOT IN (?, ?) ORDER BY created_at, id",
                (SPARE_NAME, TEMPLATE_NAME),
            ).fetchall()
        return _json_response(200, {"workspaces": [{"id": r[0], "displayName": r[1], "createdAt": r[2]} for r in rows]})
    if segs == ["workspaces"] and method == "POST":
        seed = body.get("seed", "none")
        if seed not in ("none", "demo"):
            raise _bad_request("seed must be 'none' or 'demo'")
        if not isinstance(body.get("displayName") or "", str):
            raise _bad_request("displayName must be a string")
        flags = _feature_flag_overrides(body.get("featureFlags", {}), "featureFlags")
        return _json_response(201, _new_workspace(state, str(body.get("displayName") or "Workspace"), seed, flags))
    if len(segs) == 3 and segs[0] == "workspaces" and segs[2] == "reset" and method == "POST":
        workspace_id = segs[1]
        _reset_workspace(state, workspace_id, "demo" if body.get("seed") == "demo" else "none")
        return _json_response(200, {"id": workspace_id})
    if segs == ["workspaces", "import"] and method == "POST":
        return _json_response(201, _import_workspace(state, body))
    if len(segs) == 3 and segs[0] == "workspaces" and segs[2] == "export" and method == "GET":
        with state.store.read() as conn:
            return _json_response(200, _export_workspace(state, conn, segs[1]))
    if len(segs) == 3 and segs[0] == "workspaces" and segs[2] == "snapshots" and method == "POST":
        with state.store.read() as conn:
            doc = _export_workspace(state, conn, segs[1])
        snapshot_id = state.settings.new_id()
        state.tools.add_snapshot(snapshot_id, segs[1], doc)
        return _json_response(201, {"snapshotId": snapshot_id})
    if len(segs) == 3 and segs[0] == "workspaces" and segs[2] == "restore" and method == "POST":
        workspace_id, snapshot = segs[1], state.tools.snapshot(str(body.get("snapshotId")))
        if snapshot is None or snapshot[0] != workspace_id:
            raise ApiError(404, "NotFoundException", "Snapshot not found")
        with state.store.write() as conn:
            _known_workspace(conn, workspace_id)
            _drop_workspace_data(conn, workspace_id)
            _import_into(conn, workspace_id, snapshot[1], with_roles=False)
        state.forget(workspace_id, keep_journal=True)  # same field ids, new attribute keys: parsed fields are stale
        return _json_response(200, {"id": workspace_id})
    if len(segs) == 3 and segs[0] == "workspaces" and segs[2] == "journal" and method == "GET":
        with state.store.read() as conn:
            _known_workspace(conn, segs[1])
        return _json_response(200, {"requests": [_journal_summary(e) for e in state.tools.journal(segs[1])]})
    if len(segs) == 2 and segs[0] == "workspaces" and method == "DELETE":
        workspace_id = segs[1]
        if workspace_id == state.default_workspace:
            raise _bad_request("The default workspace cannot be deleted")
        _delete_workspace(state, workspace_id)
        return _json_response(200, {"id": workspace_id})
    return _cannot(method, "/_lite/" + path)


# ============================================================================================
# 16. Playground
# ============================================================================================

# One static page, no CDN and no build step: REST from the OpenAPI document; a GraphQL editor (a
# highlighted copy under a transparent textarea, completion from introspection, Prettify, history);
# a schema explorer; API keys, roles and webhooks; the Requests view over the workspace's journal.
PLAYGROUND_HTML = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>twenty_lite playground</title>
<style>
:root{--bg:#f7f7f8;--panel:#fff;--line:#e3e3e8;--ink:#1b1b1f;--mute:#6b6b76;--accent:#3c5bd6;--ok:#176b3a;--bad:#c0392b;--code:#f3f4f8;--field:#fff;
--hk:#8b1fa8;--hs:#a3330c;--hn:#0b6e4f;--hv:#8f4700;--ht:#1d4fb8;--ha:#5a3d00;--hm:#cfe0ff;--hover:#eef}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;gap:12px;align-items:center;padding:10px 16px;background:var(--panel);border-bottom:1px solid var(--line);flex-wrap:wrap}
header h1{font-size:16px;margin:0 8px 0 0}header .base{color:var(--mute);font-family:ui-monospace,monospace}
input,select,textarea,button{font:inherit}input,select,textarea{border:1px solid var(--line);border-radius:6px;padding:6px 8px;background:var(--field);color:var(--ink)}
textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;width:100%}
button{border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:6px;padding:6px 12px;cursor:pointer}
button.ghost{background:var(--panel);color:var(--accent)}button:disabled{opacity:.5}button.small{padding:2px 8px;font-size:12px}
nav{gap:0!important}nav button{background:none;color:var(--ink);border:0;border-bottom:3px solid transparent;border-radius:0;padding:6px 12px}
nav button.on{border-bottom-color:var(--accent);color:var(--accent);font-weight:600}
main{padding:12px 16px}section{display:none}section.on{display:grid;gap:12px}
#rest.on{grid-template-columns:260px minmax(0,1fr)}#graphql.on{grid-template-columns:minmax(0,1fr) minmax(0,1fr) 280px}#settings.on{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}#requests.on{grid-template-columns:minmax(0,1fr)}
@media (max-width:800px){#rest.on,#graphql.on,#settings.on{grid-template-columns:minmax(0,1fr)}#query{min-height:14em}header input#key{width:100%}}
@media (prefers-color-scheme:dark){:root{--bg:#15161a;--panel:#1e2026;--line:#34363f;--ink:#e8e8ee;--mute:#a3a3b0;--accent:#7d95ff;--ok:#5fd08f;--bad:#ff7b6b;--code:#111318;--field:#15161a;
--hk:#d9a6ff;--hs:#ffab8a;--hn:#7ee0b0;--hv:#ffc66d;--ht:#9dbcff;--ha:#f0d58c;--hm:#34508a;--hover:#2b2f45}
button{color:#0b0c10}button.ghost{color:var(--accent)}#suggest{background:var(--panel)}body .op:hover,body .op.on{color:#dfe5ff}.token{background:#3a3420;border-color:#8a7a30}}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px;min-width:0}
.panel h2{font-size:14px;margin:0 0 8px}.list{max-height:70vh;overflow:auto}
.obj{margin-bottom:6px}.obj>.head{cursor:pointer;display:block;width:100%;text-align:left;font-weight:700;background:none;border:0;color:var(--ink);padding:3px 4px;border-radius:4px}.obj>.head:hover{background:var(--hover)}
:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
.op{display:block;width:100%;text-align:left;background:none;border:0;color:var(--ink);padding:2px 4px 2px 14px;font-family:ui-monospace,monospace;font-size:12px}
.op:hover,.op.on{background:var(--hover);color:var(--accent)}.m{display:inline-block;width:52px;font-weight:600}
label{display:block;margin:6px 0 2px;color:var(--mute);font-size:12px}label.inline{display:inline;margin:0}.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.grow{flex:1}
.bar{display:flex;justify-content:space-between;align-items:center;gap:8px;margin:8px 0 2px}.bar label{margin:0}
pre{background:var(--code);color:var(--ink);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;max-height:55vh;margin:0;font-size:12.5px;white-space:pre-wrap;overflow-wrap:anywhere}
pre:empty::before{content:attr(data-empty);color:var(--mute);font-style:italic}
.status{font-weight:600}.status.ok{color:var(--ok)}.status.bad{color:var(--bad)}.help{color:var(--mute);font-size:12px}
.edwrap{position:relative}
#hl,#query{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;padding:8px;border:1px solid var(--line);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:normal;tab-size:2;letter-spacing:0;margin:0}
#hl{position:absolute;inset:0;overflow:hidden;pointer-events:none;background:var(--field);max-height:none;border-color:transparent}
#query{position:relative;display:block;background:transparent;color:var(--ink);-webkit-text-fill-color:transparent;caret-color:var(--ink);resize:vertical;overflow:hidden;min-height:22em}
#hl .k{color:var(--hk)}#hl .s{color:var(--hs)}#hl .n{color:var(--hn)}#hl .v{color:var(--hv)}#hl .t{color:var(--ht)}#hl .a{color:var(--ha)}#hl .c{color:var(--mute);font-style:italic}#hl .d{color:var(--hk)}
#hl .bm{background:var(--hm);outline:1px solid var(--accent)}#hl .bx{color:var(--bad);text-decoration:underline wavy}
#suggest{position:absolute;z-index:5;background:var(--panel);border:1px solid var(--line);border-radius:6px;box-shadow:0 4px 14px #0002;max-height:220px;overflow:auto;min-width:220px;display:none}
#suggest div{padding:3px 8px;cursor:pointer;font-family:ui-monospace,monospace;font-size:12.5px}#suggest div.on,#suggest div:hover{background:var(--hover)}
#suggest small{color:var(--mute);margin-left:8px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:5px;text-align:left;font-size:13px}
.token{word-break:break-all;background:#fffbe6;border:1px solid #f0d060;border-radius:6px;padding:8px;font-family:ui-monospace,monospace;font-size:12px}
.type{cursor:pointer;color:var(--accent);text-decoration:underline dotted}
.empty{color:var(--mute);border:1px dashed var(--line);border-radius:6px;padding:12px;text-align:center}
.req{border-bottom:1px solid var(--line)}.req>summary{cursor:pointer;display:flex;gap:10px;padding:5px 4px;font-family:ui-monospace,monospace;font-size:12.5px;align-items:baseline;flex-wrap:wrap}
.req>summary:hover{background:var(--hover)}.req .when{color:var(--mute)}.req .path{flex:1;min-width:12em;overflow-wrap:anywhere}.req .why{color:var(--bad);flex-basis:100%;padding-left:2em}
.req .detail{padding:4px 8px 10px 2em}.req .m{width:auto;min-width:52px}
#toast{position:fixed;right:16px;bottom:16px;background:var(--panel);border:1px solid var(--accent);border-radius:8px;padding:8px 12px;display:none;box-shadow:0 4px 14px #0003}
</style></head>
<body>
<header>
  <h1>twenty_lite playground</h1><span class="base" id="base"></span><span class="help" id="version">v__VERSION__</span>
  <label for="key" style="margin:0">API key</label><input id="key" size="44" placeholder="paste the key the server printed" autocomplete="off">
  <button id="saveKey" class="ghost">Save key</button>
  <nav class="row" id="tabs" role="tablist" aria-label="Views"><button data-tab="rest" class="on" role="tab" aria-selected="true" aria-controls="rest">REST</button><button data-tab="graphql" role="tab" aria-selected="false" aria-controls="graphql">GraphQL</button><button data-tab="settings" role="tab" aria-selected="false" aria-controls="settings">Settings</button><button data-tab="requests" role="tab" aria-selected="false" aria-controls="requests">Requests</button></nav>
</header>
<main>
<section id="rest" class="on" role="tabpanel" aria-label="REST">
  <div class="panel"><h2>Objects</h2><select id="restApi" aria-label="Which API" style="width:100%;margin-bottom:6px"><option value="core">Core API: records</option><option value="metadata">Metadata API: objects, fields, views, keys, webhooks</option></select><input id="objFilter" placeholder="filter objects" aria-label="Filter objects" style="width:100%;margin-bottom:6px">
    <div class="row" style="margin-bottom:6px"><span class="help">OpenAPI:</span><button class="ghost small" id="dlCore">core.json</button><button class="ghost small" id="dlMetadata">metadata.json</button></div>
    <div class="list" id="ops"><p class="empty">Paste your API key above and save it to load this workspace's API.</p></div></div>
  <div class="panel" id="opPanel"><h2 id="opTitle">Pick an operation</h2><div id="opForm"><p class="empty">Choose an object on the left, then one of its operations: its parameters, an example body and the curl line show here.</p></div>
    <div class="row" style="margin-top:8px"><button id="send" disabled>Send</button><span class="status" id="restStatus"></span></div>
    <div class="bar"><label>curl</label><button class="ghost small" data-copy="#curl" aria-label="Copy the curl command">Copy</button></div>
    <pre id="curl" tabindex="0" role="region" aria-label="curl" data-empty="The curl command of the request shows here."></pre>
    <div class="bar"><label>Response</label><button class="ghost small" data-copy="#restOut" aria-label="Copy the response">Copy</button></div>
    <pre id="restOut" tabindex="0" role="region" aria-label="Response" data-empty="Send the request to see the response."></pre></div>
</section>
<section id="graphql" role="tabpanel" aria-label="GraphQL">
  <div class="panel"><div class="row"><label style="margin:0" for="endpoint">Endpoint</label><select id="endpoint"><option value="/graphql">/graphql (records)</option><option value="/metadata">/metadata (data model)</option></select>
    <button id="run">Run (Ctrl+Enter)</button><button class="ghost" id="prettify" title="Shift+Ctrl+P">Prettify</button>
    <select id="history" aria-label="Query history"></select><span class="status" id="gqlStatus"></span></div>
    <div class="bar"><label for="query">Query</label><span class="help">Ctrl+Space completes, Tab accepts</span><button class="ghost small" data-copy="#query" aria-label="Copy the query">Copy</button></div>
    <div class="edwrap"><pre id="hl" aria-hidden="true"></pre><textarea id="query" rows="16" spellcheck="false" autocapitalize="off" autocomplete="off">{
  people(first: 5) {
    totalCount
    edges { node { id name { firstName lastName } company { name } } }
  }
}</textarea><div id="suggest" role="listbox" aria-label="Suggestions"></div></div>
    <label for="vars">Variables (JSON)</label><textarea id="vars" rows="4" spellcheck="false">{}</textarea></div>
  <div class="panel"><div class="bar" style="margin-top:0"><h2 style="margin:0">Response</h2><button class="ghost small" data-copy="#gqlOut" aria-label="Copy the result">Copy</button></div>
    <pre id="gqlOut" tabindex="0" role="region" aria-label="Result" data-empty="Run the query (Ctrl+Enter) to see the result."></pre></div>
  <div class="panel"><h2>Schema explorer</h2><input id="typeFilter" placeholder="search types" aria-label="Search types" style="width:100%"><div class="list" id="explorer" tabindex="0" role="region" aria-label="Schema types"></div></div>
</section>
<section id="settings" role="tabpanel" aria-label="Settings">
  <div class="panel"><h2>API keys</h2>
    <div class="row"><input id="newKeyName" placeholder="name" aria-label="Key name"><input id="newKeyExpiry" type="date" aria-label="Expiry date"><select id="newKeyRole" aria-label="Role"></select><button id="createKey">Create key</button></div>
    <div id="newToken"></div><table id="keys"><thead><tr><th>Name</th><th>Role</th><th>Expires</th><th></th></tr></thead><tbody></tbody></table></div>
  <div class="panel"><h2>Roles</h2><table id="roles"><thead><tr><th>Role</th><th>Records</th><th>Settings</th><th>Editable</th></tr></thead><tbody></tbody></table>
    <h2 style="margin-top:16px">Webhooks</h2>
    <div class="row"><input id="newHookUrl" placeholder="URL of your receiver" aria-label="Webhook target URL" size="30"><input id="newHookOps" placeholder="*.*" value="*.*" aria-label="Events" size="16"><button id="createHook">Add webhook</button></div>
    <div id="newHookSecret"></div><table id="hooks"><thead><tr><th>Target URL</th><th>Events</th><th></th></tr></thead><tbody></tbody></table></div>
</section>
<section id="requests" role="tabpanel" aria-label="Requests">
  <div class="panel"><div class="row"><h2 style="margin:0">Requests and webhook deliveries</h2>
    <input id="reqFilter" class="grow" placeholder="filter: path, status, reason, event" aria-label="Filter requests">
    <select id="reqKind" aria-label="Which entries"><option value="">everything</option><option value="api">API requests</option><option value="hooks">webhook deliveries</option><option value="errors">errors only</option></select>
    <label class="inline"><input type="checkbox" id="reqLive" checked> live</label><button class="ghost" id="reqClear">Clear</button><span class="help" id="reqCount"></span></div>
    <p class="help">This workspace's last 200 calls, newest first. Open one to see its bodies; webhook deliveries show the payload, the signature headers and the receiver's answer.</p>
    <div id="reqList"><p class="empty">No requests yet.</p></div></div>
</section>
</main>
<div id="toast" role="status" aria-live="polite"></div>
<script>
"use strict";
const $ = (s) => document.querySelector(s);
const base = location.origin;
$("#base").textContent = base;
$("#key").value = localStorage.getItem("twentyLiteKey") || "";
const state = { openapi: null, schemas: {}, op: null, modelVersion: null, requests: [], lastSeq: 0, openSeqs: new Set() };

function key() { return $("#key").value.trim(); }
async function call(method, path, body) {
  const started = performance.now();
  const res = await fetch(base + path, { method, headers: Object.assign({ Authorization: "Bearer " + key() },
    body === undefined ? {} : { "Content-Type": "application/json" }), body: body === undefined ? undefined : body });
  const text = await res.text();
  let json = null; try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: res.status, ms: Math.round(performance.now() - started), json, text };
}
async function gql(endpoint, query, variables) {
  return call("POST", endpoint, JSON.stringify({ query, variables: variables || {} }));
}
function pretty(r) { return r.json === null ? r.text : JSON.stringify(r.json, null, 2); }
function showStatus(el, r) { el.textContent = r.status + " · " + r.ms + " ms"; el.className = "status " + (r.status < 300 && !(r.json && r.json.errors) ? "ok" : "bad"); }
function toast(text) { const t = $("#toast"); t.textContent = text; t.style.display = "block"; clearTimeout(toast.timer); toast.timer = setTimeout(() => t.style.display = "none", 2500); }
function empty(box, text) { box.innerHTML = '<p class="empty"></p>'; box.firstChild.textContent = text; }

function showTab(name) {
  document.querySelectorAll("#tabs button").forEach((x) => { x.classList.toggle("on", x.dataset.tab === name); x.setAttribute("aria-selected", String(x.dataset.tab === name)); });
  document.querySelectorAll("main section").forEach((s) => s.classList.toggle("on", s.id === name));
  if (name === "settings") loadSettings();
  if (name === "graphql") { loadSchema(); render(); }
  if (name === "requests") pollRequests();
}
document.querySelectorAll("#tabs button").forEach((b) => b.onclick = () => showTab(b.dataset.tab));
$("#tabs").addEventListener("keydown", (e) => {  // arrow keys move between tabs, as in every tab list
  if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
  const tabs = [...document.querySelectorAll("#tabs button")]; const i = tabs.indexOf(document.activeElement);
  const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]; next.focus(); showTab(next.dataset.tab);
});
$("#saveKey").onclick = () => { localStorage.setItem("twentyLiteKey", key()); state.modelVersion = null; loadAll(); toast("Key saved in this browser"); };
$("#key").addEventListener("keydown", (e) => { if (e.key === "Enter") $("#saveKey").click(); });

async function copyText(text, btn) {
  try { await navigator.clipboard.writeText(text); } catch (e) {
    const ta = document.createElement("textarea"); ta.value = text; document.body.appendChild(ta); ta.select(); document.execCommand("copy"); ta.remove();
  }
  const was = btn.textContent; btn.textContent = "Copied"; setTimeout(() => btn.textContent = was, 1200);
}
document.querySelectorAll("[data-copy]").forEach((b) => b.onclick = () => { const el = $(b.dataset.copy); copyText(el.value !== undefined ? el.value : el.textContent, b); });
async function download(kind) {
  const r = await call("GET", "/rest/open-api/" + kind);
  const url = URL.createObjectURL(new Blob([JSON.stringify(r.json, null, 2)], { type: "application/json" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: "twenty-lite-" + kind + ".json" });
  document.body.appendChild(a); a.click(); a.remove(); setTimeout(() => URL.revokeObjectURL(url), 1000);
}
$("#dlCore").onclick = () => download("core"); $("#dlMetadata").onclick = () => download("metadata");

// ---- REST ----
async function loadOpenApi() {
  const api = $("#restApi").value;
  const r = await call("GET", "/rest/open-api/" + api);
  if (api !== $("#restApi").value) return;  // the other API was chosen while this one loaded
  state.openapi = r.json;
  renderOps();
}
$("#restApi").onchange = () => {
  state.op = null; $("#send").disabled = true; $("#opTitle").textContent = "Pick an operation"; $("#curl").textContent = "";
  empty($("#opForm"), "Choose a resource on the left, then one of its operations.");
  loadOpenApi();
};
// The path the document's operations hang under: /rest for records, /rest/metadata for the data model.
function restPrefix() {
  const server = state.openapi && state.openapi.servers && state.openapi.servers[0];
  return server ? new URL(server.url, base).pathname.replace(/\/$/, "") : "/rest";
}
function renderOps() {
  const doc = state.openapi; const box = $("#ops"); box.innerHTML = "";
  if (!doc || !doc.tags || !doc.tags.length) { empty(box, "No objects: is the API key right?"); return; }
  const filter = $("#objFilter").value.toLowerCase();
  for (const tag of doc.tags) {
    if (filter && !tag.name.toLowerCase().includes(filter)) continue;
    const div = document.createElement("div"); div.className = "obj";
    const b = document.createElement("button"); b.className = "head"; b.textContent = tag.name; div.appendChild(b);
    const list = document.createElement("div"); list.hidden = !filter && tag.name !== "people" && tag.name !== "objects";
    b.setAttribute("aria-expanded", String(!list.hidden));
    b.onclick = () => { list.hidden = !list.hidden; b.setAttribute("aria-expanded", String(!list.hidden)); };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.tags || op.tags[0] !== tag.name) continue;
        const btn = document.createElement("button"); btn.className = "op"; btn.dataset.op = op.operationId;
        btn.innerHTML = '<span class="m"></span>'; btn.firstChild.textContent = method.toUpperCase(); btn.append(path);
        btn.title = op.summary || op.operationId;
        btn.onclick = () => { document.querySelectorAll(".op").forEach((x) => x.classList.remove("on")); btn.classList.add("on"); pickOp(method, path, op); };
        list.appendChild(btn);
      }
    }
    div.appendChild(list); box.appendChild(div);
  }
  if (!box.children.length) empty(box, "No object matches the filter.");
}
$("#objFilter").oninput = renderOps;
const HELP = {
  filter: "field[comparator]:value, e.g. city[eq]:Paris or and(name.firstName[ilike]:%ada%,createdAt[gte]:2024-01-01). Comparators: eq neq in containsAny is gt gte lt lte startsWith endsWith like ilike; is takes NULL or NOT_NULL; in takes [a,b].",
  order_by: "field[Direction], several separated by commas: name.lastName[AscNullsFirst],createdAt[DescNullsLast].",
  limit: "records per page (at most 60)", depth: "0: fields and join columns; 1: also the related records",
  starting_after: "cursor (pageInfo.endCursor) to read the next page", ending_before: "cursor to read the previous page",
};
function resolveRef(schema) {
  if (schema && schema.$ref) return state.openapi.components.schemas[schema.$ref.split("/").pop()] || {};
  return schema || {};
}
// Example values by field name, so an example body reads like a record (and is accepted as one).
const SAMPLES = { firstName: "Ada", lastName: "Lovelace", primaryEmail: "ada@example.com", city: "London", jobTitle: "Engineer",
  primaryLinkUrl: "example.com", primaryPhoneNumber: "7700900123", primaryPhoneCountryCode: "GB", primaryPhoneCallingCode: "+44",
  amountMicros: 1000000, currencyCode: "USD", name: "Example", title: "Example", addressCity: "London", addressCountry: "United Kingdom",
  addressStreet1: "1 Example Street", addressPostcode: "N1 9GU", employees: 10, stage: "NEW", markdown: "Some *text*" };
const SKIPPED = ["id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy", "searchVector"];
function example(schema, depth, name) {
  schema = resolveRef(schema);
  if (depth > 3) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.type === "object" && schema.properties) {
    const out = {}; let n = 0;
    const names = Object.keys(schema.properties); const required = schema.required || [];
    names.sort((a, b) => required.includes(b) - required.includes(a));
    for (const k of names) {
      const v = resolveRef(schema.properties[k]);
      if (SKIPPED.includes(k) || v.format === "uuid" || !Object.keys(v).length || (depth === 0 && n >= 6 && !required.includes(k))) continue;
      out[k] = example(v, depth + 1, k); n++;
    }
    return out;
  }
  if (schema.type === "array") return [example(schema.items, depth + 1, name)];
  if (schema.enum) return schema.enum.includes(SAMPLES[name]) ? SAMPLES[name] : schema.enum[0];
  if (SAMPLES[name] !== undefined && typeof SAMPLES[name] === ({ integer: "number" }[schema.type] || schema.type)) return SAMPLES[name];
  if (schema.format === "date-time") return new Date().toISOString();
  if (schema.format === "date") return new Date().toISOString().slice(0, 10);
  return { string: "", number: 0, integer: 0, boolean: false }[schema.type] ?? null;
}
function pickOp(method, path, op) {
  state.op = { method, path, op };
  $("#opTitle").textContent = method.toUpperCase() + " " + path + "  ·  " + op.operationId;
  const form = $("#opForm"); form.innerHTML = "";
  if (op.description || op.summary) { const d = document.createElement("p"); d.className = "help"; d.textContent = op.description || op.summary; form.appendChild(d); }
  for (const p of op.parameters || []) {
    const param = p.$ref ? state.openapi.components.parameters[p.$ref.split("/").pop()] : p;
    const label = document.createElement("label"); label.textContent = param.name + (param.in === "path" ? " (path)" : "");
    const input = document.createElement("input"); input.dataset.param = param.name; input.dataset.in = param.in; input.style.width = "100%";
    input.setAttribute("aria-label", param.name);
    input.placeholder = param.in === "path" ? ($("#restApi").value === "core" ? "record id" : "id") : (param.schema && param.schema.default !== undefined ? "default " + param.schema.default : "");
    form.append(label, input);
    if (HELP[param.name]) { const h = document.createElement("div"); h.className = "help"; h.textContent = HELP[param.name]; form.appendChild(h); }
  }
  if (op.requestBody) {
    const label = document.createElement("label"); label.textContent = "Body (JSON)"; label.htmlFor = "body";
    const ta = document.createElement("textarea"); ta.id = "body"; ta.rows = 10; ta.spellcheck = false;
    ta.value = JSON.stringify(example(op.requestBody.content["application/json"].schema, 0, ""), null, 2);
    form.append(label, ta);
  }
  $("#send").disabled = false; updateCurl();
  form.oninput = updateCurl;
}
function requestOf() {
  const { method, path } = state.op; let url = path; const query = [];
  document.querySelectorAll("#opForm input").forEach((i) => {
    if (!i.value) return;
    if (i.dataset.in === "path") url = url.replace("{" + i.dataset.param + "}", encodeURIComponent(i.value));
    else query.push(encodeURIComponent(i.dataset.param) + "=" + encodeURIComponent(i.value));
  });
  const full = restPrefix() + url + (query.length ? "?" + query.join("&") : "");
  const body = $("#body") ? $("#body").value : undefined;
  return { method: method.toUpperCase(), full, body };
}
function updateCurl() {
  if (!state.op) return;
  const r = requestOf();
  let c = "curl -g -X " + r.method + " '" + base + r.full + "' \\\n  -H 'Authorization: Bearer " + (key() || "<API key>") + "'";
  if (r.body !== undefined) c += " \\\n  -H 'Content-Type: application/json' \\\n  -d '" + r.body.replace(/'/g, "'\\''") + "'";
  $("#curl").textContent = c;
}
$("#send").onclick = async () => {
  const r = requestOf(); const res = await call(r.method, r.full, r.body);
  showStatus($("#restStatus"), res); $("#restOut").textContent = pretty(res);
};

// ---- GraphQL: schema, explorer ----
const INTROSPECTION = "{ __schema { queryType { name } mutationType { name } types { name kind description fields { name description args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } enumValues { name } } } } fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
async function loadSchema() {
  const endpoint = $("#endpoint").value;
  if (state.schemas[endpoint] || !key()) { renderExplorer(); return; }
  const r = await gql(endpoint, INTROSPECTION);
  if (r.json && r.json.data) state.schemas[endpoint] = r.json.data.__schema;
  renderExplorer();
}
$("#endpoint").onchange = loadSchema;
function typeName(t) { if (!t) return ""; if (t.kind === "NON_NULL") return typeName(t.ofType) + "!"; if (t.kind === "LIST") return "[" + typeName(t.ofType) + "]"; return t.name; }
function namedType(t) { while (t && t.ofType) t = t.ofType; return t && t.name; }
function typeMap() { const s = state.schemas[$("#endpoint").value]; const m = {}; if (s) for (const t of s.types) m[t.name] = t; return m; }
function renderExplorer(focus) {
  const box = $("#explorer"); const types = typeMap(); box.innerHTML = "";
  const filter = $("#typeFilter").value.toLowerCase();
  const s = state.schemas[$("#endpoint").value]; if (!s) { empty(box, "Save your API key to load the schema."); return; }
  const rank = (t) => t.name === s.queryType.name ? -2 : t.name === (s.mutationType || {}).name ? -1 : 0;
  const show = focus ? [types[focus]] : s.types.filter((t) => !t.name.startsWith("__") && (!filter || t.name.toLowerCase().includes(filter)))
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, 80);
  if (focus) { const back = document.createElement("button"); back.className = "ghost small"; back.textContent = "← all types"; back.onclick = () => renderExplorer(); box.appendChild(back); }
  for (const t of show) {
    const d = document.createElement("div"); d.className = "obj";
    const b = document.createElement("button"); b.className = "head"; b.textContent = t.name + "  (" + t.kind.toLowerCase().replace("_", " ") + ")"; d.appendChild(b);
    if (t.description) { const p = document.createElement("div"); p.className = "help"; p.textContent = t.description; d.appendChild(p); }
    const list = document.createElement("div"); list.hidden = !focus; b.setAttribute("aria-expanded", String(!list.hidden));
    b.onclick = () => { list.hidden = !list.hidden; b.setAttribute("aria-expanded", String(!list.hidden)); };
    for (const f of t.fields || t.inputFields || []) {
      const line = document.createElement("div"); line.className = "help"; line.style.paddingLeft = "12px";
      const args = f.args && f.args.length ? "(" + f.args.map((a) => a.name + ": " + typeName(a.type)).join(", ") + ")" : "";
      line.innerHTML = "<code></code>: <span class=type></span>"; line.firstChild.textContent = f.name + args;
      if (f.description) line.title = f.description;
      const ty = line.querySelector(".type"); ty.textContent = typeName(f.type); ty.onclick = () => renderExplorer(namedType(f.type));
      ty.tabIndex = 0; ty.setAttribute("role", "link"); ty.onkeydown = (e) => { if (e.key === "Enter") ty.onclick(); };
      list.appendChild(line);
    }
    for (const v of t.enumValues || []) { const line = document.createElement("div"); line.className = "help"; line.style.paddingLeft = "12px"; line.textContent = v.name; list.appendChild(line); }
    d.appendChild(list); box.appendChild(d);
  }
  if (!show.length) empty(box, "No type matches the search.");
}
$("#typeFilter").oninput = () => renderExplorer();

// ---- GraphQL: the editor (tokens, highlighting, brackets, completion, prettify, history) ----
const TOKEN_RE = /("{3}[\s\S]*?(?:"{3}|$)|"(?:[^"\\\n]|\\.)*"?)|(#[^\n]*)|(\$[A-Za-z_]\w*)|(@[A-Za-z_]\w*)|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\.\.\.)|([{}()[\]])|([:=!|&,])|(\s+)|([\s\S])/g;
const KINDS = ["s", "c", "v", "d", "n", "w", "spread", "b", "p", "ws", "x"];
function lex(text) {
  const out = []; let m; TOKEN_RE.lastIndex = 0;
  while ((m = TOKEN_RE.exec(text))) { const i = m.slice(1).findIndex((g) => g !== undefined); out.push({ kind: KINDS[i], text: m[0], at: m.index }); }
  return out;
}
const KEYWORDS = ["query", "mutation", "subscription", "fragment", "on", "true", "false", "null"];
function significant(tokens) { return tokens.filter((t) => t.kind !== "ws" && t.kind !== "c" && t.text !== ","); }
function bracketPairs(tokens) {  // index of each bracket token -> index of its partner (-1: unmatched)
  const pairs = new Map(); const open = []; const partner = { ")": "(", "]": "[", "}": "{" };
  tokens.forEach((t, i) => {
    if (t.kind !== "b") return;
    if ("([{".includes(t.text)) { open.push(i); return; }
    const j = open.length && tokens[open[open.length - 1]].text === partner[t.text] ? open.pop() : -1;
    pairs.set(i, j); if (j >= 0) pairs.set(j, i);
  });
  open.forEach((i) => pairs.set(i, -1));
  return pairs;
}
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const ed = $("#query"); const hl = $("#hl"); const box = $("#suggest"); let items = []; let active = 0;
function render() {  // paint the highlighted copy under the textarea, mark the bracket pair at the caret
  const text = ed.value; const tokens = lex(text); const caret = ed.selectionStart; const pairs = bracketPairs(tokens);
  const marked = new Set();
  tokens.forEach((t, i) => { if (t.kind === "b" && (t.at === caret || t.at + 1 === caret) && document.activeElement === ed) { marked.add(i); if (pairs.get(i) >= 0) marked.add(pairs.get(i)); } });
  const after = []; let nextSig = null;  // the significant token after each one
  for (let i = tokens.length - 1; i >= 0; i--) { after[i] = nextSig; if (!["ws", "c"].includes(tokens[i].kind) && tokens[i].text !== ",") nextSig = tokens[i]; }
  let html = "";
  tokens.forEach((t, i) => {
    let cls = { s: "s", c: "c", v: "v", d: "d", n: "n" }[t.kind] || "";
    if (t.kind === "w") cls = KEYWORDS.includes(t.text) ? "k" : after[i] && after[i].text === ":" ? "a" : /^[A-Z]/.test(t.text) ? "t" : "";
    if (t.kind === "b") cls = marked.has(i) ? "bm" : pairs.get(i) === -1 ? "bx" : "";
    let body = t.at < caret && caret < t.at + t.text.length ? esc(t.text.slice(0, caret - t.at)) + '<span id="caret"></span>' + esc(t.text.slice(caret - t.at)) : esc(t.text);
    if (t.at === caret) body = '<span id="caret"></span>' + body;
    html += cls ? '<span class="' + cls + '">' + body + "</span>" : body;
  });
  if (caret >= text.length) html += '<span id="caret"></span>';
  hl.innerHTML = html + "\n";
  ed.style.height = "auto"; ed.style.height = Math.max(ed.scrollHeight + 2, 200) + "px";  // grows with the text: no inner scroll to keep in step
}
// Completion: walking the tokens before the cursor tells what is wanted there: fields of a selection,
// arguments of a field, keys of an input object (a filter), or values of an enum (an order, a comparator).
function context(before) {
  const types = typeMap(); const s = state.schemas[$("#endpoint").value]; if (!s) return null;
  if (/\$[A-Za-z_][A-Za-z0-9_]*\s*:\s*\[?$/.test(before)) return { kind: "types" };
  const toks = significant(lex(before)); const stack = []; let last = null; let keyName = null; let opKind = "query";
  const fieldOf = (typeName, name) => (((types[typeName] || {}).fields) || []).find((f) => f.name === name);
  const valueType = (frame, k) => {
    if (!frame) return null;
    if (frame.k === "list") return frame.t;
    const pool = frame.k === "args" ? frame.args : ((types[frame.t] || {}).inputFields || []);
    const found = pool.find((a) => a.name === k); return found ? namedType(found.type) : null;
  };
  toks.forEach((tok, i) => {
    const x = tok.text; const top = stack[stack.length - 1]; const prev = toks[i - 1];
    if (x === "{") {
      if (!top || top.k === "sel") {
        let t = !top ? (opKind === "mutation" ? (s.mutationType || {}).name : s.queryType.name) : (fieldOf(top.t, last) || {}).type;
        if (t && typeof t !== "string") t = namedType(t);
        if (prev && toks[i - 2] && toks[i - 2].text === "on") t = prev.text;  // fragment or inline fragment: "on Type {"
        stack.push({ k: "sel", t });
      } else stack.push({ k: "obj", t: valueType(top, keyName) });
      last = null; keyName = null;
    } else if (x === "}") { stack.pop(); last = null; keyName = null; }
    else if (x === ")") { stack.pop(); keyName = null; }  // "field(args) {": the selection is still the field's
    else if (x === "(") {
      if (!top) stack.push({ k: "vars" });
      else if (top.k === "sel" && prev && prev.kind === "w") stack.push({ k: "args", args: (fieldOf(top.t, last) || {}).args || [] });
      else stack.push({ k: "args", args: [] });  // a directive's arguments
      keyName = null;
    } else if (x === "[") { if (top && top.k !== "sel") stack.push({ k: "list", t: valueType(top, keyName) }); }
    else if (x === "]") { if (top && top.k === "list") stack.pop(); }
    else if (tok.kind === "w") {
      if (!top && ["query", "mutation", "subscription"].includes(x)) opKind = x;
      else if (top && top.k === "sel" && x !== "on") last = x;
      else if (top && (top.k === "args" || top.k === "obj") && toks[i + 1] && toks[i + 1].text === ":") keyName = x;
    }
  });
  const top = stack[stack.length - 1]; const lastTok = toks[toks.length - 1];
  if (!top || top.k === "vars") return null;
  if (top.k === "sel") { const t = types[top.t]; return t && t.fields ? { kind: "fields", items: t.fields } : null; }
  const valuePos = top.k === "list" || (lastTok && lastTok.text === ":");
  if (valuePos) {
    const t = types[top.k === "list" ? top.t : valueType(top, keyName)];
    if (t && t.kind === "ENUM") return { kind: "fields", items: t.enumValues.map((v) => ({ name: v.name, type: { kind: "ENUM", name: t.name } })) };
    if (t && t.name === "Boolean") return { kind: "fields", items: ["true", "false"].map((v) => ({ name: v, type: { kind: "SCALAR", name: "Boolean" } })) };
    return null;
  }
  if (top.k === "args") return { kind: "fields", items: top.args };
  const t = types[top.t]; return t && t.inputFields ? { kind: "fields", items: t.inputFields } : null;
}
function wordAt() { const upto = ed.value.slice(0, ed.selectionStart); const m = upto.match(/[A-Za-z_][A-Za-z0-9_]*$/); return { word: m ? m[0] : "", before: upto.slice(0, upto.length - (m ? m[0].length : 0)) }; }
function suggest(asked) {
  const { word, before } = wordAt(); const c = context(before);
  if (!c || (!word && asked !== true)) { box.style.display = "none"; return; }  // after "{", a space or "}": only on Ctrl-Space
  const pool = c.kind === "types" ? Object.values(typeMap()).filter((t) => !t.name.startsWith("__") && ["INPUT_OBJECT", "SCALAR", "ENUM"].includes(t.kind))
    .map((t) => ({ name: t.name, type: { kind: "SCALAR", name: t.kind.toLowerCase().replace("_", " ") } })) : c.items;
  items = pool.filter((f) => f.name.toLowerCase().startsWith(word.toLowerCase())).slice(0, 500);
  if (!items.length || (items.length === 1 && items[0].name === word)) { box.style.display = "none"; return; }
  active = 0; box.innerHTML = "";
  items.forEach((f, i) => { const d = document.createElement("div"); d.dataset.name = f.name; d.innerHTML = "<span></span><small></small>";
    d.setAttribute("role", "option"); d.setAttribute("aria-selected", String(i === 0)); d.id = "sg" + i;
    d.firstChild.textContent = f.name; d.lastChild.textContent = typeName(f.type); if (i === 0) d.className = "on"; d.onmousedown = (e) => { e.preventDefault(); accept(i); }; box.appendChild(d); });
  const mark = $("#caret");
  const top = mark ? mark.offsetTop + 20 : 24; const left = mark ? mark.offsetLeft : 12;
  box.style.top = top + "px"; box.style.left = Math.max(0, Math.min(left, ed.clientWidth - 230)) + "px";
  box.style.display = "block"; ed.setAttribute("aria-activedescendant", "sg0");
}
function hideSuggest() { box.style.display = "none"; ed.removeAttribute("aria-activedescendant"); }
function accept(i) {
  const f = items[i]; const { word } = wordAt(); const start = ed.selectionStart - word.length;
  ed.value = ed.value.slice(0, start) + f.name + ed.value.slice(ed.selectionStart); ed.selectionStart = ed.selectionEnd = start + f.name.length;
  hideSuggest(); ed.focus(); render();
}
ed.addEventListener("input", () => { render(); suggest(false); });
["click", "keyup", "focus", "blur"].forEach((ev) => ed.addEventListener(ev, (e) => { if (!(e.key && ["ArrowDown", "ArrowUp"].includes(e.key) && box.style.display === "block")) render(); }));
ed.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); hideSuggest(); runQuery(); return; }
  if (e.ctrlKey && e.key === " ") { e.preventDefault(); render(); suggest(true); return; }
  if (e.ctrlKey && e.shiftKey && (e.key === "P" || e.key === "p")) { e.preventDefault(); prettifyAll(); return; }
  if (box.style.display !== "block") return;
  if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
    [...box.children].forEach((c, i) => { c.classList.toggle("on", i === active); c.setAttribute("aria-selected", String(i === active)); });
    ed.setAttribute("aria-activedescendant", "sg" + active); box.children[active].scrollIntoView({ block: "nearest" }); }
  else if (e.key === "Tab") { e.preventDefault(); accept(active); }
  else if (e.key === "Enter" || e.key === "Escape") hideSuggest();  // Enter is always a new line
});
ed.addEventListener("blur", () => setTimeout(hideSuggest, 150));
// Prettify: one selection per line, two spaces per level; arguments, input objects and lists stay on one line.
function prettify(text) {
  const toks = lex(text).filter((t) => t.kind !== "ws" && t.text !== ",");
  let out = ""; let indent = 0; let paren = 0; let fresh = false;
  const nl = () => "\n" + "  ".repeat(indent);
  const valueEnd = (t) => t && (["w", "s", "n", "v"].includes(t.kind) || ["}", "]", ")", "!"].includes(t.text));
  toks.forEach((t, i) => {
    const x = t.text; const prev = toks[i - 1]; let sep = "";
    if (t.kind === "c") { out += (out ? nl() : "") + x; fresh = true; return; }
    if (paren > 0) {
      if (x === ")" ) paren--;
      if (x === "(") paren++;
      if (prev && prev.text === ":") sep = " ";
      else if (x === "=" || (prev && prev.text === "=")) sep = " ";
      else if (valueEnd(prev) && !["}", "]", ")", ":", "!", "="].includes(x) && !(prev.text === ")" && x === "{")) sep = ", ";
      else if (prev && prev.text === "{" && x !== "}") sep = "";
      out += sep + x; return;
    }
    if (x === "{") { out += (out && !fresh ? " " : "") + x; indent++; fresh = true; return; }
    if (x === "}") { indent = Math.max(0, indent - 1); out += nl() + x; fresh = false; if (indent === 0) fresh = true; return; }
    if (x === "(") { paren++; out += x; return; }
    if (!out) sep = "";
    else if (fresh) sep = indent === 0 ? "\n\n" : nl();
    else if (x === ":" || x === "!") sep = "";
    else if (prev && prev.text === "...") sep = x === "on" ? " " : "";
    else if (t.kind === "d" || (prev && ["on", ":"].includes(prev.text)) || indent === 0 || prev.kind === "d" || prev.text === ")") sep = " ";
    else sep = nl();
    if (t.kind === "d" && prev && prev.text !== ")" && !fresh) sep = " ";
    out += sep + x; fresh = false;
  });
  return out;
}
function prettifyAll() {
  ed.value = prettify(ed.value);
  try { $("#vars").value = JSON.stringify(JSON.parse($("#vars").value || "{}"), null, 2); } catch (e) { /* left as typed */ }
  render();
}
$("#prettify").onclick = prettifyAll;
const HISTORY = "twentyLiteHistory";
function history() { try { const h = JSON.parse(localStorage.getItem(HISTORY) || "[]"); return Array.isArray(h) ? h : []; } catch (e) { return []; } }
function renderHistory() {
  const sel = $("#history"); const h = history(); sel.innerHTML = "";
  sel.add(new Option(h.length ? "History (" + h.length + ")" : "History (empty)", ""));
  h.forEach((x, i) => sel.add(new Option(x.at.slice(11, 16) + " " + x.endpoint + "  " + x.query.replace(/\s+/g, " ").slice(0, 60), String(i))));
}
function remember(endpoint, query, variables) {
  const h = history().filter((x) => !(x.endpoint === endpoint && x.query === query && x.variables === variables));
  h.unshift({ endpoint, query, variables, at: new Date().toISOString() });
  localStorage.setItem(HISTORY, JSON.stringify(h.slice(0, 30))); renderHistory();
}
$("#history").onchange = () => {
  const x = history()[Number($("#history").value)]; $("#history").value = ""; if (!x) return;
  $("#endpoint").value = x.endpoint; ed.value = x.query; $("#vars").value = x.variables; render(); loadSchema();
};
async function runQuery() {
  let variables = {}; try { variables = JSON.parse($("#vars").value || "{}"); } catch (e) { $("#gqlOut").textContent = "Variables are not valid JSON: " + e.message; return; }
  remember($("#endpoint").value, ed.value, $("#vars").value);
  const r = await gql($("#endpoint").value, ed.value, variables);
  showStatus($("#gqlStatus"), r); $("#gqlOut").textContent = pretty(r);
}
$("#run").onclick = runQuery;

// ---- Settings ----
const KEY_FIELDS = "id name expiresAt revokedAt role { id label }";
async function loadSettings() {
  if (!key()) return;
  const r = await gql("/metadata", "{ apiKeys { " + KEY_FIELDS + " } getRoles { id label canUpdateAllSettings canUpdateAllObjectRecords canReadAllObjectRecords isEditable } }");
  const data = (r.json && r.json.data) || {};
  const roles = data.getRoles || []; const sel = $("#newKeyRole"); sel.innerHTML = "";  // a key needs a role
  for (const role of roles) { const o = document.createElement("option"); o.value = role.id; o.textContent = role.label; sel.appendChild(o); }
  const rbody = $("#roles tbody"); rbody.innerHTML = "";
  for (const role of roles) { const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td></td><td></td><td></td>"; tr.children[0].textContent = role.label;
    tr.children[1].textContent = role.canUpdateAllObjectRecords ? "read, write" : role.canReadAllObjectRecords ? "read" : "per object";
    tr.children[2].textContent = role.canUpdateAllSettings ? "all" : "none"; tr.children[3].textContent = role.isEditable ? "yes" : "no"; rbody.appendChild(tr); }
  loadHooks();
  const kbody = $("#keys tbody"); kbody.innerHTML = "";
  if (r.json && r.json.errors) { kbody.innerHTML = '<tr><td colspan="4" class="help"></td></tr>'; kbody.querySelector("td").textContent = r.json.errors[0].message; }
  else if (!(data.apiKeys || []).length) kbody.innerHTML = '<tr><td colspan="4" class="help">No API keys yet: create one above.</td></tr>';
  for (const k of data.apiKeys || []) {
    const tr = document.createElement("tr"); tr.innerHTML = "<td></td><td></td><td></td><td class=row></td>";
    tr.children[0].textContent = k.name; tr.children[1].textContent = k.role ? k.role.label : "(no role)"; tr.children[2].textContent = k.expiresAt.slice(0, 10);
    const regen = document.createElement("button"); regen.className = "ghost"; regen.textContent = "Regenerate"; regen.onclick = () => regenerate(k);
    const del = document.createElement("button"); del.className = "ghost"; del.textContent = "Delete"; del.onclick = () => revoke(k);
    regen.setAttribute("aria-label", "Regenerate " + k.name); del.setAttribute("aria-label", "Delete " + k.name);
    tr.children[3].append(regen, del); kbody.appendChild(tr);
  }
}
async function loadHooks() {
  const r = await gql("/metadata", "{ webhooks { id targetUrl operations } }");
  const body = $("#hooks tbody"); body.innerHTML = "";
  const hooks = (r.json && r.json.data && r.json.data.webhooks) || [];
  if (!hooks.length) body.innerHTML = '<tr><td colspan="3" class="help">No webhooks: add your receiver\'s URL above.</td></tr>';
  for (const h of hooks) {
    const tr = document.createElement("tr"); tr.innerHTML = "<td></td><td></td><td></td>";
    tr.children[0].textContent = h.targetUrl; tr.children[1].textContent = h.operations.join(", ");
    const del = document.createElement("button"); del.className = "ghost"; del.textContent = "Delete"; del.setAttribute("aria-label", "Delete the webhook to " + h.targetUrl);
    del.onclick = async () => { await gql("/metadata", "mutation($id: UUID!) { deleteWebhook(id: $id) { id } }", { id: h.id }); loadHooks(); };
    tr.children[2].appendChild(del); body.appendChild(tr);
  }
}
$("#createHook").onclick = async () => {
  const ops = $("#newHookOps").value.split(",").map((x) => x.trim()).filter(Boolean);
  const r = await gql("/metadata", "mutation($url: String!, $ops: [String!]!) { createWebhook(input: {targetUrl: $url, operations: $ops}) { id secret } }",
    { url: $("#newHookUrl").value.trim(), ops: ops.length ? ops : ["*.*"] });
  const box = $("#newHookSecret");
  if (r.json.errors) { box.textContent = r.json.errors[0].message; return; }
  box.innerHTML = '<p class="help">Signing secret (check X-Twenty-Webhook-Signature with it):</p><div class="token" id="hookSecret"></div><button class="ghost small" id="copySecret">Copy</button>';
  $("#hookSecret").textContent = r.json.data.createWebhook.secret; $("#copySecret").onclick = () => copyText($("#hookSecret").textContent, $("#copySecret")); loadHooks();
};
async function newKey(name, expiresAt, roleId) {
  const created = await gql("/metadata", "mutation($n: String!, $e: String!, $r: UUID!) { createApiKey(input: {name: $n, expiresAt: $e, roleId: $r}) { id } }", { n: name, e: expiresAt, r: roleId });
  if (!created.json.data || !created.json.data.createApiKey) throw new Error(created.json.errors ? created.json.errors[0].message : "could not create the key");
  const id = created.json.data.createApiKey.id;
  const tok = await gql("/metadata", "mutation($id: UUID!, $e: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $e) { token } }", { id, e: expiresAt });
  return tok.json.data.generateApiKeyToken.token;
}
function showToken(name, token) {
  const box = $("#newToken"); box.innerHTML = '<p class="help">Key <b></b> created. Copy its token now: it is shown only once.</p><div class="token" id="tokenValue"></div><div class="row" style="margin:6px 0"><button class="ghost" id="copyToken">Copy</button><button class="ghost" id="useToken">Use this key</button></div>';
  box.querySelector("b").textContent = name; $("#tokenValue").textContent = token;
  $("#copyToken").onclick = () => copyText(token, $("#copyToken"));
  $("#useToken").onclick = () => { $("#key").value = token; $("#saveKey").click(); };
}
$("#createKey").onclick = async () => {
  const name = $("#newKeyName").value.trim() || "playground key";
  const day = $("#newKeyExpiry").value || new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10);
  try { showToken(name, await newKey(name, day + "T00:00:00.000Z", $("#newKeyRole").value)); } catch (e) { $("#newToken").textContent = e.message; }
  loadSettings();
};
async function regenerate(k) {
  if (!confirm("Regenerate " + k.name + "? Its current token stops working.")) return;
  const token = await newKey(k.name, k.expiresAt, k.role ? k.role.id : null);
  await gql("/metadata", "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id } }", { id: k.id });
  showToken(k.name, token); loadSettings();
}
async function revoke(k) {
  if (!confirm("Delete " + k.name + "? Every token of it stops working.")) return;
  await gql("/metadata", "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id } }", { id: k.id }); loadSettings();
}

// ---- Requests: the workspace's journal, polled while the view is open ----
function bodyText(text) {
  if (!text) return "";
  let shown = text; try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* cut short or not JSON */ }
  return text.length >= 8192 ? shown + "\n… (the first 8 KiB)" : shown;
}
function entryMatches(e) {
  const kind = $("#reqKind").value; const hook = Boolean(e.webhook);
  if ((kind === "api" && hook) || (kind === "hooks" && !hook) || (kind === "errors" && (hook ? e.success : e.status < 400))) return false;
  const f = $("#reqFilter").value.trim().toLowerCase();
  return !f || [e.method, e.path, e.status, e.reason, e.eventName, e.url, e.error].filter((x) => x !== undefined).join(" ").toLowerCase().includes(f);
}
function renderRequests() {
  const list = $("#reqList"); const shown = state.requests.filter(entryMatches); list.innerHTML = "";
  $("#reqCount").textContent = shown.length + " of " + state.requests.length;
  if (!shown.length) { empty(list, state.requests.length ? "No entry matches the filter." : "No requests yet: call the API and they show here as they happen."); return; }
  for (const e of shown.slice(0, 200)) {
    const d = document.createElement("details"); d.className = "req"; d.open = state.openSeqs.has(e.seq);
    d.ontoggle = () => { if (d.open) state.openSeqs.add(e.seq); else state.openSeqs.delete(e.seq); };
    const s = document.createElement("summary"); s.innerHTML = '<span class="when"></span><span class="m"></span><span class="path"></span><span class="status"></span><span class="dur help"></span>';
    const hook = Boolean(e.webhook); const bad = hook ? !e.success : e.status >= 400;
    s.children[0].textContent = e.at.slice(11, 19); s.children[1].textContent = hook ? "HOOK" : e.method;
    s.children[2].textContent = hook ? e.eventName + " → " + e.url : e.path;
    s.children[3].textContent = hook && e.status === 0 ? "failed" : String(e.status); s.children[3].className = "status " + (bad ? "bad" : "ok");
    s.children[4].textContent = e.durationMs + " ms";
    if (e.reason || e.error) { const w = document.createElement("span"); w.className = "why"; w.textContent = e.reason || e.error; s.appendChild(w); }
    d.appendChild(s);
    const detail = document.createElement("div"); detail.className = "detail";
    const part = (title, text) => { if (!text) return; const l = document.createElement("label"); l.textContent = title; const p = document.createElement("pre"); p.tabIndex = 0; p.setAttribute("role", "region"); p.setAttribute("aria-label", title); p.textContent = text; detail.append(l, p); };
    if (hook) { part("Signature headers", Object.entries(e.requestHeaders || {}).map(([k, v]) => k + ": " + v).join("\n")); part("Payload", bodyText(e.requestBody)); part("Receiver's answer (" + (e.status || e.error) + ")", bodyText(e.responseBody) || "(empty)"); }
    else { part("Request body", bodyText(e.requestBody)); part("Response body", bodyText(e.responseBody)); }
    if (!detail.children.length) { const p = document.createElement("p"); p.className = "help"; p.textContent = "No body either way."; detail.appendChild(p); }
    d.appendChild(detail); list.appendChild(d);
  }
}
async function pollRequests() {
  if (!key() || pollRequests.busy) return;
  pollRequests.busy = true;
  try {
    const r = await call("GET", "/playground/requests?after=" + state.lastSeq);
    if (r.status !== 200) { state.requests = []; empty($("#reqList"), (r.json && r.json.messages ? r.json.messages[0] : "Could not read the requests") + (r.status === 403 ? ": this key's role needs the API keys and webhooks permission to see the requests." : "")); return; }
    const fresh = r.json.requests;
    if (fresh.length || !$("#reqList").querySelector("details")) {
      if (fresh.length) state.lastSeq = fresh[0].seq;
      state.requests = fresh.concat(state.requests).slice(0, 200); renderRequests();
    }
  } finally { pollRequests.busy = false; }
}
$("#reqFilter").oninput = renderRequests; $("#reqKind").onchange = renderRequests;
$("#reqClear").onclick = () => { state.requests = []; renderRequests(); };
setInterval(() => { if ($("#requests").classList.contains("on") && $("#reqLive").checked && document.visibilityState === "visible") pollRequests(); }, 1500);

// ---- The data model moves: the objects, the schema and the explorer follow ----
async function checkModel() {
  if (!key() || document.visibilityState !== "visible") return;
  const r = await call("GET", "/playground/model");
  if (r.status !== 200) return;
  const moved = state.modelVersion !== null && r.json.version !== state.modelVersion;
  state.modelVersion = r.json.version;
  if (moved) { state.schemas = {}; loadOpenApi(); if ($("#graphql").classList.contains("on")) loadSchema(); toast("The data model changed: objects and schema reloaded"); }
}
setInterval(checkModel, 3000);

function loadAll() { state.schemas = {}; state.requests = []; state.lastSeq = 0; loadOpenApi(); checkModel(); if ($("#graphql").classList.contains("on")) loadSchema(); if ($("#settings").classList.contains("on")) loadSettings(); if ($("#requests").classList.contains("on")) pollRequests(); }
renderHistory(); render();
if (key()) loadAll();
</script>
</body></html>
"""


def _handle_playground() -> str:
    """GET / and /playground: the page; it reads everything else from the API with the key it is given."""
    bottle.response.content_type = "text/html; charset=utf-8"
    bottle.response.set_header("Cache-Control", "no-store")
    return PLAYGROUND_HTML.replace("__VERSION__", __version__)


def _handle_playground_api(state: AppState, what: str) -> str:
    """GET /playground/model (the data-model version, polled so the page refreshes when it moves) and
    /playground/requests?after=N (the Requests view: the journal above N, newest first). Neither is
    journalled nor rate limited: the page polls them."""
    bottle.request.environ["twenty_lite.unjournalled"] = True
    actor = _authenticate(state, bottle.request.get_header("Authorization"))
    if what == "model":
        with state.store.read() as conn:
            return _json_response(200, {"version": state.schema(conn, actor.workspace_id).version})
    _require(actor, "API_KEYS_AND_WEBHOOKS")  # bodies show every object's records and new keys' names
    after = bottle.request.query.get("after", "0")
    if not re.fullmatch(r"[0-9]{1,18}", after):
        raise _bad_request("'after' must be the seq number of a journal entry (a non-negative integer)")
    entries = state.tools.journal(actor.workspace_id, int(after))
    return _json_response(200, {"requests": [_journal_detail(e) for e in reversed(entries)]})


# ============================================================================================
# 17. Seed
# ============================================================================================


def _seed_demo(state: AppState, workspace_id: str) -> None:
    """A small, linked demo data set (data-model.md §10), written as the MANUAL workspace member."""
    with state.store.write() as conn:
        schema = state.schema(conn, workspace_id)
        member_id = state.settings.new_id()
        ctx = Ctx(state, conn, schema, Actor(workspace_id, "Tim Apple", None, "MANUAL"), _iso(state.clock()))

        # By object, written in the order each first comes, so that links resolve.
        queued: dict[str, list[dict[str, Any]]] = {}

        def add(plural: str, body: dict[str, Any]) -> str:
            """Queue a record, written with the others of its object in one batch; its id."""
            body["id"] = body.get("id") or state.settings.new_id()
            queued.setdefault(plural, []).append(body)
            return body["id"]

        add(
            "workspaceMembers",
            {
                "id": member_id,
                "name": {"firstName": "Tim", "lastName": "Apple"},
                "userEmail": "tim@apple.dev",
                "userId": state.settings.new_id(),
            },
        )
        companies = {}
        for name, domain, employees, city in (
            ("Acme Corp", "https://acme.example", 1200, "San Francisco"),
            ("Globex", "https://globex.example", 450, "Paris"),
            ("Initech", "https://initech.example", 80, "Austin"),
            ("Umbrella Labs", "https://umbrella.example", 3000, "London"),
            ("Hooli", "https://hooli.example", 25000, "Palo Alto"),
        ):
            companies[name] = add(
                "companies",
                {
                    "name": name,
                    "domainName": {"primaryLinkUrl": domain, "primaryLinkLabel": ""},
                    "employees": employees,
                    "address": {"addressCity": city},
                    "accountOwnerId": member_id,
                    "idealCustomerProfile": employees > 1000,
                },
            )
        people = {}
        for first, last, company, title, city in (
            ("Ada", "Lovelace", "Acme Corp", "CTO", "London"),
            ("Grace", "Hopper", "Acme Corp", "Engineer", "New York"),
            ("Alan", "Turing", "Globex", "Researcher", "Manchester"),
            ("Katherine", "Johnson", "Initech", "Analyst", "Hampton"),
            ("Margaret", "Hamilton", "Umbrella Labs", "Director", "Boston"),
            ("Linus", "Torvalds", "Hooli", "Fellow", "Portland"),
            ("Barbara", "Liskov", "Hooli", "Architect", "Cambridge"),
            ("Dennis", "Ritchie", "Globex", "Engineer", "Murray Hill"),
        ):
            email = f"{first.lower()}.{last.lower()}@{companies and company.split()[0].lower()}.example"
            people[first] = add(
                "people",
                {
                    "name": {"firstName": first, "lastName": last},
                    "emails": {"primaryEmail": email},
                    "jobTitle": title,
                    "city": city,
                    "companyId": companies[company],
                    "phones": {
                        "primaryPhoneNumber": "5550100",
                        "primaryPhoneCountryCode": "US",
                        "primaryPhoneCallingCode": "+1",
                    },
                },
            )
        for name, company, contact, stage, amount in (
            ("Acme expansion", "Acme Corp", "Ada", "MEETING", 250000),
            ("Globex pilot", "Globex", "Alan", "NEW", 40000),
            ("Initech renewal", "Initech", "Katherine", "PROPOSAL", 18000),
            ("Umbrella rollout", "Umbrella Labs", "Margaret", "SCREENING", 120000),
            ("Hooli enterprise", "Hooli", "Linus", "CUSTOMER", 900000),
        ):
            add(
                "opportunities",
                {
                    "name": name,
                    "companyId": companies[company],
                    "pointOfContactId": people[contact],
                    "stage": stage,
                    "amount": {"amountMicros": amount * 1_000_000, "currencyCode": "USD"},
                    "ownerId": member_id,
                    "closeDate": "2026-12-15T00:00:00.000Z",
                },
            )
        note = add("notes", {"title": "Call recap", "bodyV2": {"markdown": "Went well; send the proposal."}})
        add("noteTargets", {"noteId": note, "targetPersonId": people["Ada"]})
        add("noteTargets", {"noteId": note, "targetCompanyId": companies["Acme Corp"]})
        task = add(
            "tasks",
            {
                "title": "Send proposal",
                "status": "TODO",
                "assigneeId": member_id,
                "dueAt": "2026-12-01T17:00:00.000Z",
                "bodyV2": {"markdown": "Pricing for 1200 seats"},
            },
        )
        add("taskTargets", {"taskId": task, "targetCompanyId": companies["Acme Corp"]})
        task = add("tasks", {"title": "Prepare the Hooli demo", "status": "IN_PROGRESS", "assigneeId": member_id})
        add("taskTargets", {"taskId": task, "targetPersonId": people["Linus"]})
        # An e-mail thread and a meeting, as a connected account's sync would have brought them in.
        thread = add("messageThreads", {"subject": "Acme expansion: pricing"})
        for n, (sender, text, at) in enumerate((
            ("Ada", "Could you send the pricing for 1200 seats?", "2026-11-20T09:12:00.000Z"),
            ("Tim", "Here it is; happy to walk you through it.", "2026-11-20T15:40:00.000Z"),
        )):  # fmt: skip
            message = add("messages", {"subject": "Acme expansion: pricing", "text": text, "receivedAt": at,
                                       "headerMessageId": f"<demo-{n}@acme.example>", "messageThreadId": thread})  # fmt: skip
            add("messageChannelMessageAssociations", {"messageId": message, "messageThreadId": thread,
                                                      "messageExternalId": f"demo-{n}",
                                                      "direction": "INCOMING" if sender == "Ada" else "OUTGOING"})  # fmt: skip
            for role, who in (("FROM", sender), ("TO", "Tim" if sender == "Ada" else "Ada")):
                person = {"personId": people["Ada"]} if who == "Ada" else {"workspaceMemberId": member_id}
                handle = "ada.lovelace@acme.example" if who == "Ada" else "tim@apple.dev"
                add("messageParticipants", {"messageId": message, "role": role, "handle": handle,
                                            "displayName": "Ada Lovelace" if who == "Ada" else "Tim Apple", **person})  # fmt: skip
        event = add("calendarEvents", {"title": "Hooli demo", "startsAt": "2026-12-08T16:00:00.000Z",
                                       "endsAt": "2026-12-08T17:00:00.000Z", "location": "Palo Alto",
                                       "conferenceLink": {"primaryLinkUrl": "https://meet.example/hooli"}})  # fmt: skip
        add("calendarEventParticipants", {"calendarEventId": event, "handle": "tim@apple.dev", "isOrganizer": True,
                                          "responseStatus": "ACCEPTED", "workspaceMemberId": member_id})  # fmt: skip
        add("calendarEventParticipants", {"calendarEventId": event, "handle": "linus.torvalds@hooli.example",
                                          "responseStatus": "TENTATIVE", "personId": people["Linus"]})  # fmt: skip
        add("dashboards", {"title": "Sales pipeline", "pageLayoutId": state.settings.new_id()})
        # A workflow with its published version and a finished run, as Twenty's engine leaves them.
        version_id = state.settings.new_id()
        trigger = {"type": "DATABASE_EVENT", "name": "Company created", "settings": {"eventName": "company.created"}}
        step = {"id": "follow-up", "name": "Create a follow-up task", "type": "CREATE_RECORD", "valid": True,
                "settings": {"input": {"objectName": "task", "objectRecord": {"title": "Follow up"}}}}  # fmt: skip
        workflow = add("workflows", {"name": "Follow up new companies", "statuses": ["ACTIVE"],
                                     "lastPublishedVersionId": version_id})  # fmt: skip
        add("workflowVersions", {"id": version_id, "name": "v1", "workflowId": workflow, "status": "ACTIVE",
                                 "trigger": trigger, "steps": [step]})  # fmt: skip
        add("workflowRuns", {"name": "#1", "workflowId": workflow, "workflowVersionId": version_id,
                             "status": "COMPLETED", "enqueuedAt": "2026-11-21T10:00:00.000Z",
                             "startedAt": "2026-11-21T10:00:01.000Z", "endedAt": "2026-11-21T10:00:02.000Z",
                             "state": {"flow": {"trigger": trigger, "steps": [step]},
                                       "stepInfos": {"follow-up": {"status": "SUCCESS"}}}})  # fmt: skip
        add("workflowAutomatedTriggers", {"workflowId": workflow, "type": "DATABASE_EVENT",
                                          "settings": {"eventName": "company.created"}})  # fmt: skip
        add("blocklists", {"handle": "@spam.example", "workspaceMemberId": member_id})
        for plural, bodies in queued.items():
            obj = schema.by_plural[plural]
            items = [_read_body_values(ctx, obj, body, creating=True) for body in bodies]
            _insert_records(ctx, obj, [(values, position or "last") for values, position in items])


# ============================================================================================
# 18. App factory
# ============================================================================================


class ModelCache:
    """The parsed data models, GraphQL schemas and admin roles of workspaces. It owns these maps and
    changes them only under its lock; readers get immutable values (a Schema, a built GraphQL schema)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.RLock()
        self._schemas: dict[str, Schema] = {}
        self._field_caches: dict[str, dict[str, FieldMeta]] = {}  # parsed fields by stored JSON, per workspace
        self._graphql: dict[str, Any] = {}  # GraphQL schema by data-model shape
        self._admin_roles: dict[str, Role] = {}
        self._standard: StandardModel | None = None

    def schema(self, conn: sqlite3.Connection, workspace_id: str) -> Schema:
        """The workspace's data model, rebuilt only when its metadata version moved."""
        row = conn.execute("SELECT meta_version FROM workspace WHERE id = ?", (workspace_id,)).fetchone()
        if row is None:
            raise ApiError(401, "WORKSPACE_NOT_FOUND", "Workspace not found")
        cached = self._schemas.get(workspace_id)
        if cached is not None and cached.version == row[0]:
            return cached
        with self._lock:
            cached = self._schemas.get(workspace_id)
            if cached is not None and cached.version == row[0]:  # loaded by another thread meanwhile
                return cached
            fields = self._field_caches.setdefault(workspace_id, {})
            schema = _load_schema(conn, workspace_id, fields, self.standard_model(conn))
            self._schemas[workspace_id] = schema
        return schema

    def standard_model(self, conn: sqlite3.Connection) -> StandardModel:
        """The template workspace's data model (the internal workspace new ones share their fields with),
        read once per process."""
        if self._standard is None:
            with self._lock:
                if self._standard is None:
                    template = conn.execute("SELECT value FROM meta_info WHERE key = 'template_workspace'").fetchone()
                    self._standard = _standard_model_of(conn, template[0])
        return self._standard

    def add_fields(self, workspace_id: str, parsed: dict[str, FieldMeta]) -> None:
        """Remember parsed fields of a workspace (its shared fields, once written out)."""
        with self._lock:
            self._field_caches.setdefault(workspace_id, {}).update(parsed)

    def graphql_schema(self, schema: Schema) -> Any:
        """The /graphql schema of a data model, built once per shape and shared by the workspaces that
        have it (resolvers find each request's own objects by name)."""
        cached = self._graphql.get(schema.shape)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._graphql.get(schema.shape)
            if cached is None:
                cached = self._graphql[schema.shape] = _build_core_schema(schema)
                while len(self._graphql) > 64:  # keep the most recent shapes only
                    self._graphql.pop(next(iter(self._graphql)))
        return cached

    def admin_role(self, workspace_id: str) -> Role:
        """The workspace's Admin role (for the CLI key), read once."""
        cached = self._admin_roles.get(workspace_id)
        if cached is None:
            with self._store.read() as conn:
                row = conn.execute(
                    "SELECT id, data FROM role WHERE workspace_id = ? AND json_extract(data, '$.props.label') = 'Admin'",
                    (workspace_id,),
                ).fetchone()
            cached = _role_from_json(row[0], row[1])
            with self._lock:
                self._admin_roles[workspace_id] = cached
        return cached

    def forget(self, workspace_id: str, heir: str | None = None) -> None:
        """Drop the caches of a workspace that is gone or whose data model was replaced; its parsed fields
        go to heir, the workspace that now holds its data model."""
        with self._lock:
            fields = self._field_caches.pop(workspace_id, None)
            schema = self._schemas.pop(workspace_id, None)
            self._admin_roles.pop(workspace_id, None)
            if heir is not None:
                self._schemas.pop(heir, None)
                if schema is not None:
                    self._schemas[heir] = _moved_schema(schema, heir)
                if fields is not None:
                    self._field_caches[heir] = fields


class RequestLog:
    """One line per request on stdout: time, method, path (secrets redacted), status, duration and why a
    request was refused; as text (coloured on a terminal) or as JSON lines. One lock: lines never mix."""

    COLOURS = {2: "\033[32m", 3: "\033[36m", 4: "\033[33m", 5: "\033[31m"}

    def __init__(self, mode: str, clock: Callable[[], datetime]) -> None:
        self.mode = mode
        self.clock = clock
        self._lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._pending = threading.Event()
        self.colour = bool(getattr(sys.stdout, "isatty", lambda: False)())  # asked once: isatty is a system call

    def write(self, environ: dict[str, Any], status: int) -> None:
        """Log the request an environ describes, answered with this status."""
        path = _shown_path(environ)
        started = environ.get("twenty_lite.started")
        took = round((time.perf_counter() - started) * 1000, 2) if started else None
        reason = environ.get("twenty_lite.reason")
        method = environ.get("REQUEST_METHOD", "")
        if self.mode == "json":
            entry = {"time": _iso(self.clock()), "method": method, "path": path, "status": status, "durationMs": took}
            line = _dumps({**entry, "reason": reason} if reason else entry)
        else:
            shown = f"{status}"
            if self.colour:
                shown = f"{self.COLOURS.get(status // 100, '')}{status}\033[0m"
            line = f"{self.clock().strftime('%H:%M:%S')} {method:7} {path} {shown} {took} ms"
            if reason:
                line += f" - {reason}"
        stream = sys.stdout
        with self._lock:
            stream.write(line + "\n")
        # A write to a file or pipe waits in the buffer: a flush (a system call) per request would let
        # other threads take the GIL mid-request. One thread flushes what came, a few times a second.
        if self._flusher is None:
            with self._lock:
                if self._flusher is None:
                    self._flusher = threading.Thread(target=self._flush_loop, name="request-log", daemon=True)
                    self._flusher.start()
        self._pending.set()

    def _flush_loop(self) -> None:
        while True:
            self._pending.wait()
            time.sleep(0.2)
            self._pending.clear()
            with self._lock, contextlib.suppress(Exception):
                sys.stdout.flush()


class DevTools:
    """What the developer tools keep (request journals, snapshots, fault rules and their dice): one owner,
    one lock; readers get copies."""

    def __init__(self, deterministic: bool) -> None:
        import random

        self._lock = threading.Lock()
        self._journals: dict[str, Any] = {}  # workspace id -> deque of its last requests
        self._journal_seq = 0  # numbers every entry, so a reader can ask for those after the last it saw
        self._snapshots: dict[str, tuple[str, dict[str, Any]]] = {}  # snapshot id -> (workspace, export)
        self._fault_rules: tuple[dict[str, Any], ...] = ()
        self._dice = random.Random(7 if deterministic else None)

    def journal_add(self, workspace_id: str, entry: dict[str, Any]) -> None:
        """Add a request to its workspace's journal (the oldest drops out past JOURNAL_SIZE)."""
        import collections

        with self._lock:
            journal = self._journals.get(workspace_id)
            if journal is None:
                journal = self._journals[workspace_id] = collections.deque(maxlen=JOURNAL_SIZE)
            self._journal_seq += 1
            entry["seq"] = self._journal_seq
            journal.append(entry)

    def journal(self, workspace_id: str, after: int = 0) -> list[dict[str, Any]]:
        """The last requests of a workspace numbered above after, oldest first."""
        with self._lock:
            return [e for e in self._journals.get(workspace_id, ()) if e["seq"] > after]

    def add_snapshot(self, snapshot_id: str, workspace_id: str, doc: dict[str, Any]) -> None:
        with self._lock:
            self._snapshots[snapshot_id] = (workspace_id, doc)

    def snapshot(self, snapshot_id: str) -> tuple[str, dict[str, Any]] | None:
        with self._lock:
            return self._snapshots.get(snapshot_id)

    @property
    def fault_rules(self) -> tuple[dict[str, Any], ...]:
        """The rules in force (an immutable tuple, replaced whole on every change)."""
        return self._fault_rules

    def add_fault_rule(self, rule: dict[str, Any]) -> None:
        with self._lock:
            self._fault_rules = (*self._fault_rules, rule)

    def clear_fault_rules(self) -> None:
        with self._lock:
            self._fault_rules = ()

    def roll(self) -> float:
        """The next throw of the fault dice (seeded in deterministic mode, so runs repeat)."""
        with self._lock:
            return self._dice.random()

    def forget(self, workspace_id: str) -> None:
        """Drop what a deleted workspace left here."""
        with self._lock:
            self._journals.pop(workspace_id, None)
            for snapshot_id in [k for k, v in self._snapshots.items() if v[0] == workspace_id]:
                del self._snapshots[snapshot_id]


class WorkspacePool:
    """Spare workspaces made ahead of time, and deleted ones recycled: the list of spares and the count
    of those on their way, under one lock (a condition that requests wait on)."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._spares: list[tuple[str, str]] = []  # (workspace id, admin key id) ready to hand out
        self._coming = 0  # spares being made or recycled
        self._recovered = False

    def take(self) -> tuple[str, str] | None:
        """A workspace made ahead of time (waiting for one that is being made rather than making another
        beside it); taking one orders the next. None in deterministic mode, where ids must not depend on
        what a background thread did first. Never call it inside a transaction: a spare needs the store."""
        if self._state.settings.deterministic:
            return None
        self.recover()
        with self._ready:
            ready = len(self._spares) + self._coming - 1  # once this one is taken
            # Refill in batches, when half are gone: a spare being made holds the store for a few
            # milliseconds, which the requests of the tests that run meanwhile would wait for.
            order = SPARE_TARGET - ready if ready < SPARE_TARGET // 2 else 0
            self._coming += order
            if order:
                self._state.housekeeping(self._make, order)
            self._ready.wait_for(lambda: self._spares or not self._coming, timeout=10)
            return self._spares.pop() if self._spares else None

    def reserve(self) -> bool:
        """Room for one more spare (deleted workspaces become spares while there is room)."""
        self.recover()
        with self._lock:
            room = not self._state.settings.deterministic and len(self._spares) + self._coming < SPARE_CAP
            self._coming += room
        return room

    def release(self, reserved: bool) -> None:
        """Give back a reservation that produced no spare (or that did: it is counted as ready now)."""
        with self._ready:
            self._coming -= reserved
            self._ready.notify_all()

    def _offer(self, spare: tuple[str, str]) -> None:
        with self._lock:
            self._spares.append(spare)

    def _make(self, count: int) -> None:
        """Make spares, offering each at once (a burst of requests may be waiting for them). Their schemas
        are left to their first request (a millisecond or two): built here, they would hold the GIL
        while the requests of a test suite run."""
        for _ in range(count):
            try:
                self._offer(_make_workspace(self._state, SPARE_NAME))
            finally:
                self.release(True)  # and wake whoever waits for a spare

    def recover(self) -> None:
        """Offer again the spares that an earlier run of this database left behind (once, when spares
        are first asked for: the CLI's key commands never start background work)."""
        state = self._state
        with self._lock:  # two first requests at once must not offer the same spare twice
            if self._recovered or state.store.created:
                return
            self._recovered = True
        with state.store.read() as conn:
            rows = conn.execute(
                "SELECT w.id, k.id FROM workspace w JOIN api_key k ON k.workspace_id = w.id WHERE w.name = ?",
                (SPARE_NAME,),
            ).fetchall()
        for row in rows[:SPARE_CAP]:
            if self.reserve():
                state.housekeeping(self.finish, tuple(row))

    def finish(self, spare: tuple[str, str]) -> None:
        """Purge a spare's records, warm its data model and GraphQL schema, then offer it."""
        state = self._state
        try:
            with state.store.write() as conn:
                _purge_records(conn, spare[0])
            with state.store.read() as conn:
                state.models.graphql_schema(state.schema(conn, spare[0]))
            self._offer(spare)
        finally:
            self.release(True)  # and wake whoever waits for a spare


class AppState:
    """Everything a running app holds, each part owning its own state and lock: settings, the clock,
    storage, the data-model cache, the workspace pool, the rate limiter, webhooks, the developer tools."""

    def __init__(self, settings: Settings) -> None:
        if settings.deterministic:
            settings = dataclasses.replace(settings, new_id=CountingIds())
        self.settings = settings
        self.clock = AdjustableClock(settings.clock, settings.deterministic)
        self.store = Store(settings.db)
        self.models = ModelCache(self.store)
        self.limiter = RateLimiter(settings.rate_limit, self.clock)
        self.tools = DevTools(settings.deterministic)
        self.pool = WorkspacePool(self)
        self.webhook_sender = WebhookSender(self)
        self.housekeeping = Housekeeper()
        self.request_log = RequestLog(settings.request_log, self.clock) if settings.request_log else None
        if self.store.created:
            self._initialise()
        self.app_secret = self.store.info("app_secret") or ""
        self.default_workspace = self.store.info("default_workspace") or ""
        self.default_api_key = self.store.info("default_api_key") or ""
        if settings.feature_flags:
            with self.store.write() as conn:
                flags = _feature_flag_overrides(settings.feature_flags, "Settings.feature_flags")
                _set_feature_flags(conn, self.default_workspace, flags)

    def _initialise(self) -> None:
        """A new database: the template workspace, the default workspace, its admin API key, the seed."""
        template, workspace_id = self.settings.new_id(), self.settings.new_id()
        with self.store.write() as conn:
            _create_workspace(conn, template, TEMPLATE_NAME, _iso(self.clock()), self.settings.new_id)
            conn.execute("INSERT INTO meta_info(key, value) VALUES ('template_workspace', ?)", (template,))
            _add_workspace(self, conn, workspace_id, "Default workspace")
            key_id = _add_admin_key(self, conn, workspace_id, "Default admin key")
            conn.executemany(
                "INSERT INTO meta_info(key, value) VALUES (?, ?)",
                [("default_workspace", workspace_id), ("default_api_key", key_id)],
            )
        if (self.settings.seed or "demo") == "demo":
            _seed_demo(self, workspace_id)

    def schema(self, conn: sqlite3.Connection, workspace_id: str) -> Schema:
        """The workspace's data model (the model cache's)."""
        return self.models.schema(conn, workspace_id)

    def forget(self, workspace_id: str, heir: str | None = None, keep_journal: bool = False) -> None:
        """Drop what every part keeps of a workspace that is gone or whose data model was replaced."""
        self.models.forget(workspace_id, heir)
        if not keep_journal:
            self.tools.forget(workspace_id)
            self.limiter.forget(workspace_id)

    def token(self) -> str:
        """A bearer token to print: the --api-key, else a fresh JWT of the default admin key (made anew
        if it was revoked or deleted in Settings, so that the printed key always works)."""
        if self.settings.api_key:
            return self.settings.api_key
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT revoked_at, expires_at FROM api_key WHERE id = ? AND workspace_id = ?",
                (self.default_api_key, self.default_workspace),
            ).fetchone()
            if row is None or row[0] is not None or row[1] <= _iso(self.clock()):
                key_id = _add_admin_key(self, conn, self.default_workspace, "Default admin key")
                conn.execute("UPDATE meta_info SET value = ? WHERE key = 'default_api_key'", (key_id,))
                self.default_api_key = key_id
        now = self.clock()
        app_secret = self.app_secret or self.store.info("app_secret") or ""
        return _api_key_token(app_secret, self.default_workspace, self.default_api_key, now, now + HUNDRED_YEARS)


FAULT_HEADER = "X-Twenty-Lite-Fault"
FAULT_ERRORS = {
    400: "BadRequestException",
    401: "UNAUTHENTICATED",
    403: "ForbiddenException",
    404: "NotFoundException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}


def _injected_fault(header: str | None) -> ApiError | None:
    """X-Twenty-Lite-Fault: `429`, `500`, … answers with that failure; `latency=300ms` waits first."""
    if not header:
        return None
    value = header.strip().lower()
    delay = re.fullmatch(r"latency\s*=\s*(\d+(?:\.\d+)?)\s*(ms|s)?", value)
    if delay:
        time.sleep(float(delay.group(1)) / (1 if delay.group(2) == "s" else 1000))
        return None
    if not value.isdigit() or not 400 <= int(value) <= 599:
        raise _bad_request(f"{FAULT_HEADER} must be a status code (429, 500, …) or latency=<n>ms, got {header!r}")
    status = int(value)
    if status == 429:
        return ApiError(
            429, "TooManyRequestsException", "Limit reached (100 tokens per 60000 ms)", {"Retry-After": "1"}
        )
    message = "Internal server error" if status >= 500 else f"Injected fault {status}"
    return ApiError(status, FAULT_ERRORS.get(status, "HttpException"), message)


FAULT_OPERATIONS = {"find": ("GET",), "create": ("POST",), "update": ("PATCH", "PUT"), "delete": ("DELETE",)}


def _ruled_fault() -> str | None:
    """A fault from the admin rules (POST /_lite/faults) that matches this request, if its dice say so."""
    state = bottle.request.environ.get("twenty_lite.state")
    if state is None or not state.tools.fault_rules:
        return None
    segs = [s for s in bottle.request.path.split("/") if s]
    target = segs[1] if len(segs) > 1 and segs[0] == "rest" else segs[0] if segs else ""
    method = bottle.request.method.upper()
    for rule in state.tools.fault_rules:
        if rule.get("object") and rule["object"] not in (target, bottle.request.path.strip("/")):
            continue
        if rule.get("operation") and method not in FAULT_OPERATIONS.get(
            rule["operation"], (rule["operation"].upper(),)
        ):
            continue
        if state.tools.roll() < rule.get("probability", 1.0):
            return str(rule["fault"])
    return None


def _database_unavailable(exc: sqlite3.OperationalError) -> ApiError | None:
    """A 503 that says what is wrong with the database file (full disk, read-only, locked, I/O), if
    that is what failed; nothing was written."""
    fault = _db_fault(exc)
    problem = {
        "full": "the disk is full",
        "readonly": "the database file is read-only",
        "locked": "the database is locked by another process",
        "io": "the disk failed to read or write",
        "open": "the database file cannot be opened",
        "wal": str(exc).partition("write-ahead log lost: ")[2],
    }.get(fault or "")
    if problem is None:
        return None
    return ApiError(503, "ServiceUnavailableException", f"The database cannot be used: {problem}. Nothing was written.")


def _render_fault(err: ApiError) -> str:
    """A server-side failure (injected, unexpected, the database) in the shape of the API it hits:
    GraphQL errors or Twenty's REST body."""
    path = bottle.request.path
    if path in ("/graphql", "/metadata"):
        extensions = {"code": "INTERNAL_SERVER_ERROR"} if err.status >= 500 else _core_gql_error(err).extensions
        return _json_response(200, {"errors": [{"message": err.message, "extensions": extensions}]})
    return _render_error(err)


JOURNAL_SIZE = 200
JOURNAL_BODY_CHARS = 8192  # of each body, per journal entry: enough to read, bounded memory
# Query parameters whose values are never journalled: tokens, keys, secrets, passwords, however named.
_SECRET_PARAM_RE = _Pattern(r"(?i)((?:^|&)[^=&]*(?:token|key|secret|passw|auth)[^=&]*=)[^&]*")


def _shown_path(environ: dict[str, Any]) -> str:
    """The path and query of a request as the journal and the request log show it: secrets redacted."""
    query = environ.get("QUERY_STRING", "")
    if "=" in query:
        query = _SECRET_PARAM_RE.sub(r"\1[redacted]", query)
    return environ.get("PATH_INFO", "") + (f"?{query}" if query else "")


def _record_request(started: float, reason: str | None, answer: Any) -> None:
    """Add the request to its workspace's journal (method, path, status, duration, refusal reason, and the
    beginning of both bodies, which only the playground's Requests view shows, redacted)."""
    environ = bottle.request.environ
    state = environ.get("twenty_lite.state")
    workspace_id = environ.get("twenty_lite.workspace")
    if state is None or workspace_id is None or environ.get("twenty_lite.unjournalled"):
        return
    entry = {
        "at": _iso(state.clock()), "method": environ.get("REQUEST_METHOD"), "path": _shown_path(environ),
        "status": bottle.response.status_code, "durationMs": round((time.perf_counter() - started) * 1000, 2),
    }  # fmt: skip
    if reason is not None and bottle.response.status_code >= 400:
        entry["reason"] = reason
    body = environ.get("bottle.request.body")  # only a body the handler read: never wait for one here
    if body is not None:
        with contextlib.suppress(OSError, ValueError):
            body.seek(0)
            entry["requestBody"] = body.read(JOURNAL_BODY_CHARS).decode("utf-8", "replace")
    if isinstance(answer, str):
        entry["responseBody"] = answer[:JOURNAL_BODY_CHARS]
    state.tools.journal_add(workspace_id, entry)


# What the admin journal leaves out: bodies (they may hold secrets) and the playground's bookkeeping.
_JOURNAL_DETAIL = frozenset({"requestBody", "responseBody", "requestHeaders", "seq"})
# A JSON member whose name says it holds a secret (its value may be cut short by the 8 KiB limit), the
# same as a GraphQL argument inside a JSON-encoded query, and anything shaped like a JWT.
_SECRET_MEMBER_RE = _Pattern(r'(?i)("[^"\\]*(?:token|secret|passw)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)')
_SECRET_ARGUMENT_RE = _Pattern(r'(?i)(\b\w*(?:token|secret|passw)\w*\s*:\s*)\\"(?:[^\\]|\\[^"])*(?:\\"|\\?$)')
_JWT_RE = _Pattern(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}")


def _journal_summary(entry: dict[str, Any]) -> dict[str, Any]:
    """A journal entry as the admin API shows it: what happened, without the bodies."""
    return {k: v for k, v in entry.items() if k not in _JOURNAL_DETAIL}


def _journal_detail(entry: dict[str, Any]) -> dict[str, Any]:
    """A journal entry as the Requests view shows it: bodies included, secrets and tokens redacted."""
    out = dict(entry)
    for name in ("requestBody", "responseBody"):
        text = out.get(name)
        if text:
            text = _SECRET_ARGUMENT_RE.sub(r'\1\\"[redacted]\\"', _SECRET_MEMBER_RE.sub(r'\1"[redacted]"', text))
            out[name] = _JWT_RE.sub("[redacted]", text)
    return out


def _check_body_size(environ: dict[str, Any]) -> None:
    """Refuse a body that says a wrong length or is over the limit, before anything reads it."""
    state = environ.get("twenty_lite.state")
    limit = state.settings.max_body_bytes if state is not None else 0
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.strip() and not declared.strip().isdigit():
        raise _bad_request(f"Invalid Content-Length header {declared!r}: a length in bytes is expected")
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        body = bottle.request.body  # bottle reads chunks into a spooled file: measure what came
        size = body.seek(0, 2)
        body.seek(0)
    else:
        size = int(declared or 0)
    if limit and size > limit:
        raise ApiError(413, "PayloadTooLargeException", f"request entity too large (limit: {limit} bytes)")


def _answer(handler: Callable[..., str], args: Any, kwargs: Any, tool: bool) -> tuple[str, str | None]:
    """Run a route handler: its answer, or the error it raised rendered; with the reason of a refusal.
    Injected faults hit the API under test, never a developer tool (else a rule could not be lifted)."""
    try:
        _check_body_size(bottle.request.environ)
        fault = None if tool else _injected_fault(bottle.request.get_header(FAULT_HEADER) or _ruled_fault())
        if fault is not None:
            state = bottle.request.environ.get("twenty_lite.state")
            with contextlib.suppress(ApiError):  # only to journal it under the caller's workspace
                _authenticate(state, bottle.request.get_header("Authorization"))
            return _render_fault(fault), f"injected fault {fault.status}"
        return handler(*args, **kwargs), None
    except ApiError as err:
        return _render_error(err), err.message
    except TimeoutError:  # the client stopped sending its body
        err = ApiError(408, "RequestTimeoutException", "The request body did not arrive in time")
        return _render_error(err), "request timeout"
    except RecursionError:  # nesting that no explicit limit caught: the request's fault, not a bug
        return _render_error(_bad_request("The request is nested too deeply")), "nested too deeply"
    except Exception as exc:  # a bug: answer in Twenty's shape, keep the traceback in the log only
        unavailable = _database_unavailable(exc) if isinstance(exc, sqlite3.OperationalError) else None
        if unavailable is not None:  # the machine, not the request: the transaction rolled back
            return _render_fault(unavailable), unavailable.message
        import traceback

        traceback.print_exc()
        internal = ApiError(500, "InternalServerErrorException", "Internal server error")
        return _render_fault(internal), f"internal error ({type(exc).__name__})"


def _guarded(handler: Callable[..., str], tool: bool = False) -> Callable[..., str]:
    """Route wrapper: ApiError → its body; anything unexpected → a 500 in Twenty's shape; then the
    request goes to its workspace's journal. A developer tool's route (tool) takes no injected fault."""

    def wrapper(*args: Any, **kwargs: Any) -> str:
        started = time.perf_counter()
        answer, reason = "", "interrupted"
        try:
            answer, reason = _answer(handler, args, kwargs, tool)
            return answer
        finally:
            _record_request(started, reason, answer)
            if reason is not None:
                bottle.request.environ["twenty_lite.reason"] = reason
            spooled = bottle.request.environ.get("bottle.request.body")
            if spooled is not None and not isinstance(spooled, io.BytesIO):
                spooled.close()  # a large body went to a temporary file: close it now, not at some later GC

    wrapper.__name__ = handler.__name__
    return wrapper


def _path_below(path: str, prefix: str) -> str | None:
    """What follows prefix/ in a path ('' for the prefix itself); None if the path is not the prefix or
    below it (prefix/ alone is neither)."""
    if path == prefix:
        return ""
    if path.startswith(prefix + "/") and len(path) > len(prefix) + 1:
        return path[len(prefix) + 1 :]
    return None


def create_app(settings: Settings | None = None) -> bottle.Bottle:
    """Build the WSGI app: storage, default workspace, routes. Importing the module does none of this."""
    state = AppState(settings or Settings())
    app = bottle.Bottle()
    app.config["twenty_lite.state"] = state
    app.state = state  # type: ignore[attr-defined]

    @app.hook("before_request")
    def mark_state() -> None:
        bottle.request.environ["twenty_lite.state"] = state
        bottle.request.environ["twenty_lite.started"] = time.perf_counter()

    allowed = _cors_origins(state.settings.cors_origin)

    @app.hook("after_request")
    def cross_origin() -> None:
        """Every answer tells browsers which origins may read it (Twenty: any)."""
        for name, value in _cors_headers(allowed, bottle.request.get_header("Origin")):
            (bottle.response.add_header if name == "Vary" else bottle.response.set_header)(name, value)
        if state.request_log is not None:
            state.request_log.write(bottle.request.environ, bottle.response.status_code)

    def preflight() -> str:
        """A browser's preflight: 204 with the methods and the headers it asked for, as Twenty's cors."""
        bottle.response.status = 204
        bottle.response.set_header("Access-Control-Allow-Methods", CORS_METHODS)
        asked = bottle.request.get_header("Access-Control-Request-Headers")
        if asked:
            bottle.response.set_header("Access-Control-Allow-Headers", asked)
        bottle.response.add_header("Vary", "Access-Control-Request-Headers")
        return ""

    # The fixed paths are static routes and the rest one pattern, dispatched below by prefix: Bottle
    # compiles every pattern when it is added (and all of one method again with each), which cost start-up
    # a millisecond and a half, and tries them in turn for every request.
    @app.get("/healthz")
    def healthz() -> str:
        return _json_response(200, {"status": "ok"})

    @app.get("/rest/open-api/core")
    @app.get("/rest/open-api/metadata")
    @app.get("/open-api/core")
    @app.get("/open-api/metadata")
    @_guarded
    def openapi() -> str:
        return _handle_openapi(state, bottle.request.path.rsplit("/", 1)[1])

    @app.post("/graphql")
    @_guarded
    def graphql_core() -> str:
        return _handle_graphql(state)

    @app.post("/metadata")
    @_guarded
    def graphql_metadata() -> str:
        return _handle_graphql_metadata(state)

    @_guarded
    def rest_metadata(path: str) -> str:
        return _handle_rest_metadata(state, path)

    @_guarded
    def legacy_settings(name: str, path: str) -> str:
        return _handle_legacy_settings(state, name, path)

    @_guarded
    def rest(path: str) -> str:
        return _handle_rest(state, path)

    @functools.partial(_guarded, tool=True)
    def admin(path: str) -> str:
        return _handle_admin(state, path)

    @app.get("/")
    @app.get("/playground")
    def playground() -> str:
        return _handle_playground()

    @app.get("/favicon.ico")
    def favicon() -> str:
        """Browsers ask for it on every visit: nothing, rather than a 404 in the console."""
        bottle.response.status = 204
        return ""

    @app.get("/playground/model")
    @app.get("/playground/requests")
    @functools.partial(_guarded, tool=True)
    def playground_api() -> str:
        return _handle_playground_api(state, bottle.request.path.rsplit("/", 1)[1])

    @app.route(r"/<path:re:[\s\S]*>", method="ANY")
    def dispatch(path: str) -> str:
        """Every other path: /rest/metadata…, /rest/apiKeys… and /rest/webhooks…, /rest…, /_lite/…, any
        preflight; else Twenty's 404."""
        if bottle.request.method == "OPTIONS":
            return preflight()
        if path != "rest" and not path.startswith("rest/"):
            below = _path_below(path, "_lite")
            return admin(below) if below else _cannot(bottle.request.method.upper(), "/" + path)
        rest_path = path[5:]
        below = _path_below(rest_path, "metadata")
        if below is not None:
            return rest_metadata(below)
        name = rest_path.split("/", 1)[0]
        below = _path_below(rest_path, name) if name in ("apiKeys", "webhooks") else None
        return legacy_settings(name, below) if below is not None else rest(rest_path)

    def framework_error(err: bottle.HTTPError) -> str:
        """What Bottle answers itself (a path no route pattern takes, such as one with a line break) in
        the same JSON shapes, never its HTML page."""
        if err.status_code == 404:
            return _cannot(bottle.request.method.upper(), bottle.request.path)
        name = "".join(w.capitalize() for w in str(err.status_line).split()[1:]) + "Exception"
        return _render_error(ApiError(err.status_code, name, str(err.body or err.status_line)))

    app.default_error_handler = framework_error
    return app


@_record(eq=True)
class Served:
    """A running server: where it listens, a key for its default workspace, and the app."""

    base_url: str
    api_key: str
    app: bottle.Bottle

    def new_workspace(self, display_name: str = "Workspace", seed: str = "none") -> Workspace:
        """A fresh workspace with its admin key: POST /_lite/workspaces without the HTTP round trip."""
        made = _new_workspace(self.app.state, display_name, seed)
        return Workspace(made["id"], self.base_url, made["apiKey"])

    def delete_workspace(self, workspace_id: str) -> None:
        """DELETE /_lite/workspaces/{id} without the HTTP round trip."""
        _delete_workspace(self.app.state, workspace_id)


@contextlib.contextmanager
def serve(settings: Settings | None = None) -> Iterator[Served]:
    """Run twenty_lite on a free port (settings.port=0) in a background thread; stop it on exit.

    with serve(Settings(db=":memory:", api_key="k", port=0)) as server:
        requests.get(server.base_url + "/rest/people", headers={"Authorization": "Bearer k"})
    """
    settings = settings or Settings(db=":memory:", api_key="twenty-lite", port=0, rate_limit="0")
    app = create_app(settings)
    server = make_server(settings.host, settings.port, app, server_class=ThreadingServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Served(f"http://{settings.host}:{server.server_port}", app.state.token(), app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@_record(eq=True)
class Workspace:
    """One test's own workspace: where to call, with which key, and a small client for it."""

    id: str
    base_url: str
    api_key: str

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One HTTP call with the workspace's key: (status, parsed JSON body)."""
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.api_key}"}
        data = None
        if body is not None:
            data = _dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        return resp.status, json.loads(raw) if raw else None

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> tuple[int, Any]:
        return self.request("DELETE", path)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return self.post("/graphql", {"query": query, "variables": variables or {}})[1]


class _LazyPlugin(types.ModuleType):
    """The pytest plugin (entry point pytest11 `twenty_lite:pytest_plugin`): its fixtures are built on first
    use, inside pytest, so that importing twenty_lite (a star import included) never needs pytest."""

    FIXTURES = ("twenty_lite_server", "twenty_workspace")

    def __dir__(self) -> list[str]:
        return list(self.FIXTURES)

    def __getattr__(self, name: str) -> Any:
        if name in self.FIXTURES:
            return getattr(_pytest_plugin(), name)
        raise AttributeError(name)


pytest_plugin = _LazyPlugin("twenty_lite.pytest_plugin")


@functools.cache
def _pytest_plugin() -> Any:
    """The plugin as a module of plain fixture functions (pytest warns about fixtures wrapped in staticmethod)."""

    import pytest

    @pytest.fixture(scope="session")
    def twenty_lite_server() -> Iterator[Served]:
        """One server per session (or xdist worker), in memory, on a free port."""
        settings = Settings(db=":memory:", api_key=os.urandom(12).hex(), port=0, seed="none", rate_limit="0")
        with serve(settings) as server:
            yield server

    @pytest.fixture
    def twenty_workspace(twenty_lite_server: Served) -> Iterator[Workspace]:
        """A fresh workspace per test, deleted afterwards."""
        workspace = twenty_lite_server.new_workspace("test")
        yield workspace
        with contextlib.suppress(ApiError):  # the test may have deleted it itself
            twenty_lite_server.delete_workspace(workspace.id)

    plugin = types.ModuleType("twenty_lite_pytest_plugin", "Fixtures: twenty_lite_server, twenty_workspace.")
    plugin.twenty_lite_server = twenty_lite_server  # type: ignore[attr-defined]
    plugin.twenty_workspace = twenty_workspace  # type: ignore[attr-defined]
    return plugin


# ============================================================================================
# 19. CLI
# ============================================================================================


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler without a log line per request; what it refuses itself (request line or headers
    too long, a malformed request) answers in Twenty's JSON shape; an idle connection is closed."""

    timeout = 60  # seconds a connection may stay silent (a client that opens and never sends)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An HTTP-level refusal as JSON instead of http.server's HTML page."""
        import http

        reason = http.HTTPStatus(code).phrase if code in http.HTTPStatus._value2member_map_ else "Error"
        reason = reason.replace("Request-URI", "URI")  # Python before 3.13 still says Request-URI
        body = _dumps(ApiError(code, reason.replace(" ", "") + "Exception", message or reason).body()).encode()
        try:
            self.send_response(code, reason)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:  # the client is gone
            pass
        self.close_connection = True


class ThreadingServer(WSGIServer):
    """A thread per connection, so slow clients never block others; a thread whose connection is done
    waits for the next one a while (starting a thread costs more than answering a small request)."""

    allow_reuse_address = True
    worker_idle_seconds = 30.0
    request_queue_size = 1024  # the listen backlog (socketserver's 5 drops bursts of new connections)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: queue.SimpleQueue[tuple[Any, Any]] = queue.SimpleQueue()
        self._idle_workers = 0  # waiting for a connection and not yet promised one
        self._workers_lock = threading.Lock()

    def server_bind(self) -> None:
        """Bind as HTTPServer does, without its reverse lookup of the address (socket.getfqdn), which
        costs every start a millisecond and, where DNS is slow, seconds; the name only fills SERVER_NAME."""
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
        self.setup_environ()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hand the connection to a waiting thread, or to a new one."""
        with self._workers_lock:
            waiting = self._idle_workers > 0
            if waiting:
                self._idle_workers -= 1
        self._connections.put((request, client_address))
        if not waiting:
            threading.Thread(target=self._work, name="connection", daemon=True).start()

    def _work(self) -> None:
        """Serve connections one after the other; end after a while without one."""
        while True:
            try:
                request, client_address = self._connections.get(timeout=self.worker_idle_seconds)
            except queue.Empty:
                with self._workers_lock:
                    if self._idle_workers > 0:  # nobody was promised this thread: end it
                        self._idle_workers -= 1
                        return
                continue  # a connection is on its way to this thread
            try:
                self.finish_request(request, client_address)
            except OSError:  # a client that went silent (timeout) or away: nothing to report
                pass
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
            with self._workers_lock:
                self._idle_workers += 1

    def get_request(self) -> tuple[Any, Any]:
        """Accept with Nagle off: headers and body go out as written, not after a delayed ACK."""
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address


CLI_EXAMPLES = """examples:
  python twenty_lite.py                         demo data on http://127.0.0.1:3000
  python twenty_lite.py --seed none --port 0    an empty workspace on a free port
  python twenty_lite.py --db :memory: --api-key dev --rate-limit 0
  python twenty_lite.py keys create --name ci --role Member
  python twenty_lite.py keys list --db other.db

keys (API keys of the default workspace, without a running server):
  python twenty_lite.py keys create --name NAME [--role LABEL] [--expires DATE] [--db FILE]
  python twenty_lite.py keys list [--db FILE]
  python twenty_lite.py keys revoke ID [--db FILE]

data (without a running server; validated as the API validates it):
  python twenty_lite.py export [--workspace ID] [-o FILE] [--db FILE]
  python twenty_lite.py import FILE [--db FILE]
  python twenty_lite.py seed OBJECT FILE.csv|FILE.json [--upsert] [--db FILE]

The same commands run as `twenty-lite …` once the package is installed (pip install -e .)."""


def _port(text: str) -> int:
    """A TCP port, 0 for any free one."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: 0 (any free port) to 65535")
    return int(text)


def _feature_flag(text: str) -> tuple[str, bool]:
    """NAME=true|false: one of Twenty's feature flags, set for the default workspace."""
    name, _, value = text.partition("=")
    if name not in FEATURE_FLAGS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a feature flag; the flags are {', '.join(FEATURE_FLAGS)}")
    if value.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"{text!r}: give the flag as {name}=true or {name}=false")
    return name, value.lower() == "true"


def _parse_args(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line (reference README §5)."""
    parser = argparse.ArgumentParser(
        prog="twenty_lite",
        description="A local server that speaks Twenty's API: REST, GraphQL, metadata, a playground.",
        epilog=CLI_EXAMPLES,
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, max_help_position=32),
    )
    parser.add_argument("--version", action="version", version=f"twenty_lite {__version__}")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=3000, help="port, 0 for any free one (default: 3000)")
    parser.add_argument("--db", default="twenty_lite.db", help="SQLite file, or :memory: (default: twenty_lite.db)")
    parser.add_argument("--api-key", default=None, help="also accept this string as an admin bearer token")
    parser.add_argument("--seed", choices=("demo", "none"), default=None, help="data of a new database (default: demo)")
    parser.add_argument("--max-records", type=int, default=60, help="batch limit and largest page (default: 60)")
    parser.add_argument(
        "--rate-limit", default="100/60", help="N/W: N calls per W seconds per workspace, 0 lifts it (default: 100/60)"
    )
    parser.add_argument("--deterministic", action="store_true", help="reproducible ids; time frozen until moved")
    parser.add_argument(
        "--cors-origin", default="*", help="origins browsers may call from, comma-separated (default: any, as Twenty)"
    )
    parser.add_argument("--quiet", action="store_true", help="no line per request on stdout")
    parser.add_argument("--log-json", action="store_true", help="the line per request as JSON")
    parser.add_argument(
        "--feature-flag", type=_feature_flag, action="append", default=[], metavar="NAME=true|false",
        help="set one of Twenty's feature flags for the default workspace (repeatable; default: Twenty's)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        _parse_rate_limit(args.rate_limit)
    except ValueError as exc:
        parser.error(str(exc))
    return Settings(
        host=args.host,
        port=args.port,
        db=args.db,
        api_key=args.api_key,
        seed=args.seed,
        max_records=args.max_records,
        rate_limit=args.rate_limit,
        deterministic=args.deterministic,
        cors_origin=args.cors_origin,
        request_log=None if args.quiet else "json" if args.log_json else "text",
        feature_flags=dict(args.feature_flag),
    )


def _keys_cli(argv: Sequence[str]) -> int:
    """python twenty_lite.py keys create|list|revoke: API keys of the default workspace, offline."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLite file (default: twenty_lite.db)")
    common.add_argument("--create-db", action="store_true", default=argparse.SUPPRESS, help="make the file if missing")
    parser = argparse.ArgumentParser(
        prog="twenty_lite keys", description="Manage API keys of the default workspace.", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _create = commands.add_parser("create", help="create a key and print its token (shown once)", parents=[common])
    _create.add_argument("--name", required=True)
    _create.add_argument("--role", default="Admin", help="role label: Admin, Member, Guest or a custom role")
    _create.add_argument("--expires", default=None, help="expiry date or date-time (default: in 100 years)")
    commands.add_parser("list", help="list keys that are not revoked", parents=[common])
    revoke = commands.add_parser("revoke", help="revoke a key: all its tokens stop working", parents=[common])
    revoke.add_argument("id")
    args = parser.parse_args(argv)
    db = getattr(args, "db", "twenty_lite.db")
    if db != ":memory:" and not os.path.exists(db) and not getattr(args, "create_db", False):
        print(f"twenty_lite: {db} does not exist (a mistyped --db?); add --create-db to make it.", file=sys.stderr)
        return 2
    try:
        state = AppState(Settings(db=db))
    except StoreError as exc:
        print(f"twenty_lite: {exc}", file=sys.stderr)
        return 2
    ws, now = state.default_workspace, _iso(state.clock())
    try:
        if args.command == "create":
            expires = _check_expiry(args.expires) if args.expires else _iso(state.clock() + HUNDRED_YEARS)
            if expires <= now:  # checked before anything is written: a key that could never be used
                raise _bad_request(f"--expires {args.expires} is in the past: give a later date")
        with state.store.write() as conn:
            if args.command == "create":
                role = _role_by_label(conn, ws, args.role)
                key = _create_key(
                    conn, ws, {"name": args.name, "expiresAt": expires, "roleId": role.id}, now, state.settings.new_id
                )
            elif args.command == "revoke":
                key = _revoke_key(conn, ws, args.id, now)
            else:
                roles = {r.id: r.props["label"] for r in _list_roles(conn, ws)}
                for k in _list_keys(conn, ws):
                    print(
                        f"{k['id']}  {k['name']:<24} {roles.get(k['roleId'] or '', '(no role)'):<10} expires {k['expiresAt']}"
                    )
                return 0
        if args.command == "create":
            token = _key_token(state, ws, key["id"], key["expiresAt"])
            print(f"Created API key {key['id']} ({args.name}, role {args.role}, expires {key['expiresAt']}).")
            print("Token (shown once; it is not stored):")
            print(token)
        else:
            print(f"Revoked API key {key['id']} ({key['name']}).")
    except ApiError as err:
        print(f"twenty_lite: {err.message}", file=sys.stderr)
        return 1
    finally:
        state.store.close()
    return 0


def _data_cli(command: str, argv: Sequence[str]) -> int:
    """python twenty_lite.py export|import|seed: workspaces and records as files, without a server."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default="twenty_lite.db", help="SQLite file (default: twenty_lite.db)")
    parser = argparse.ArgumentParser(prog=f"twenty_lite {command}", parents=[common], description={
        "export": "Write a workspace (data model, records, roles, webhooks) as JSON.",
        "import": "Make a new workspace from an export; prints its id and admin key.",
        "seed": "Create records of an object from a JSON array or a CSV file (header: field names, "
                "composite sub-fields as name.firstName), through the same validation as the API.",
    }[command])  # fmt: skip
    if command == "export":
        parser.add_argument("--workspace", default=None, help="workspace id (default: the default workspace)")
        parser.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    elif command == "import":
        parser.add_argument("file", help="an export (JSON)")
    else:
        parser.add_argument("object", help="object name, singular or plural: person, people, companies, …")
        parser.add_argument("file", help="records: .json (an array of objects) or .csv")
        parser.add_argument("--upsert", action="store_true", help="update records that match by id or unique field")
    args = parser.parse_args(argv)
    if args.db != ":memory:" and not os.path.exists(args.db):
        print(f"twenty_lite: {args.db} does not exist (a mistyped --db?).", file=sys.stderr)
        return 2
    try:
        state = AppState(Settings(db=args.db, rate_limit="0"))
    except StoreError as exc:
        print(f"twenty_lite: {exc}", file=sys.stderr)
        return 2
    try:
        if command == "export":
            with state.store.read() as conn:
                doc = _export_workspace(state, conn, args.workspace or state.default_workspace)
            text = json.dumps(doc, indent=1, ensure_ascii=False)
            if args.output == "-":
                print(text)
            else:
                Path(args.output).write_text(text + "\n", encoding="utf-8")
                print(f"Exported {sum(len(r) for r in doc['records'].values())} records to {args.output}.")
        elif command == "import":
            made = _import_workspace(state, _read_json_file(args.file))
            print(f"Imported workspace {made['id']} ({made['displayName']}).")
            print("Admin key (shown once):")
            print(made["apiKey"])
        else:
            return _seed_file(state, args.object, args.file, args.upsert)
    except (ApiError, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror}"
        else:
            message = exc.message if isinstance(exc, ApiError) else str(exc)
        print(f"twenty_lite: {message}", file=sys.stderr)
        return 1
    finally:
        state.store.close()
    return 0


def _read_json_file(path: str) -> Any:
    """A JSON file, or a 400-style error naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON ({exc})") from None


def _csv_records(obj: ObjectMeta, path: str) -> list[dict[str, Any]]:
    """Records from a CSV file: a column per field (name.firstName for a sub-field), empty cells left
    out, numbers, booleans and JSON lists read by the field's kind."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if column is None or cell is None or cell == "":
                continue
            name, _, sub = column.strip().partition(".")
            meta = obj.by_name.get(name) or obj.by_join_column.get(name)
            kind = "TEXT"
            if meta is not None and meta.columns:
                col = next((c for c in meta.columns if (c.sub or "") == sub), meta.columns[0])
                kind = col.kind
            value = _csv_value(kind, cell)
            if sub:
                record.setdefault(name, {})[sub] = value
            else:
                record[name] = value
        records.append(record)
    return records


def _csv_value(kind: str, cell: str) -> Any:
    """A CSV cell as the JSON value a field of this kind takes (the record service validates it)."""
    if kind in ("NUMBER", "NUMERIC", "POSITION"):
        with contextlib.suppress(ValueError):
            number = float(cell)
            return int(number) if number.is_integer() and "." not in cell else number
    elif kind == "BOOLEAN" and cell.lower() in ("true", "false"):
        return cell.lower() == "true"
    elif kind in ("MULTI_SELECT", "ARRAY", "RAW_JSON", "FILES") and cell[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(cell)
    return cell


def _seed_file(state: AppState, name: str, path: str, upsert: bool) -> int:
    """Create the records of a file in batches through the record service, with a progress bar."""
    ws = state.default_workspace
    actor = Actor(ws, LOCAL_KEY_NAME, None, role=state.models.admin_role(ws))
    with state.store.read() as conn:
        schema = state.schema(conn, ws)
    obj = schema.by_plural.get(name) or next((o for o in schema.objects if o.name_singular == name), None)
    if obj is None:
        raise ValueError(f"no object named {name!r}: one of {', '.join(sorted(schema.by_plural))}")
    records = _csv_records(obj, path) if path.lower().endswith(".csv") else _read_json_file(path)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{path} must hold a JSON array of records (objects)")
    size, done = state.settings.max_records, 0
    show = sys.stderr.isatty() and len(records) > size
    for start in range(0, len(records), size):
        batch = records[start : start + size]
        try:
            with state.store.write() as conn:
                ctx = Ctx(state, conn, state.schema(conn, ws), actor, _iso(state.clock()))
                _authorize(ctx, obj, "create")
                _create(ctx, obj, batch, upsert=upsert)
        except ApiError as err:
            print(
                f"\ntwenty_lite: records {start + 1}-{start + len(batch)} were refused: {err.message.rstrip('.')}. "
                f"{done} records before them were created.",
                file=sys.stderr,
            )
            return 1
        done += len(batch)
        if show:
            bar = "#" * (30 * done // len(records))
            print(f"\r[{bar:<30}] {done}/{len(records)}", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    print(f"Created {done} {obj.name_plural if done != 1 else obj.name_singular} from {path}.")
    return 0


def _stop_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd, kill) stops the server as Ctrl-C does."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread (main() called from a test's thread)
        signal.signal(signal.SIGTERM, stop)


def _listen(settings: Settings, app: bottle.Bottle) -> Any:
    """The listening server, or a one-line error for a port in use or an address that cannot be used."""
    import errno

    try:
        return make_server(settings.host, settings.port, app, server_class=ThreadingServer, handler_class=QuietHandler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StoreError(
                f"port {settings.port} is in use (another twenty_lite?): stop it, or use --port 0 for any free port."
            ) from None
        if exc.errno == errno.EACCES:
            raise StoreError(f"port {settings.port} needs privileges: use a port above 1023, or --port 0.") from None
        raise StoreError(f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}).") from None


def _collect_again() -> None:
    """Switch the cyclic collector back on (off since the top of the file when run as a script), leaving
    what start-up made out of its scans for good."""
    if __name__ == "__main__" and not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server and serve until Ctrl-C or SIGTERM (or run `keys …`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["keys"]:
        _collect_again()
        return _keys_cli(argv[1:])
    if argv[:1] in (["export"], ["import"], ["seed"]):
        _collect_again()
        return _data_cli(argv[0], argv[1:])
    settings = _parse_args(argv)
    try:
        app = create_app(settings)
        server = _listen(settings, app)
        _collect_again()
    except StoreError as exc:
        print(f"twenty_lite: {exc}", file=sys.stderr)
        return 2
    state: AppState = app.state  # type: ignore[attr-defined]
    base = f"http://{settings.host}:{server.server_port}"
    limit, window = _parse_rate_limit(settings.rate_limit)
    rate = f"{limit} calls per {window:g} s per workspace (--rate-limit 0 lifts it)" if limit else "none"
    database = settings.db if settings.db == ":memory:" else os.path.abspath(settings.db)
    _stop_on_sigterm()  # before the start message: whoever read it may stop the server at once
    try:  # from the first line printed: a Ctrl-C that comes at once still stops cleanly
        print(f"twenty_lite {__version__} serving {base}", flush=True)
        print(f"  Playground: {base}/playground", flush=True)
        print(f"  REST API:   {base}/rest/people   (metadata: {base}/rest/metadata/objects)", flush=True)
        print(f"  GraphQL:    {base}/graphql   (metadata: {base}/metadata)", flush=True)
        print(f"  Database:   {database}", flush=True)
        print(f"  Rate limit: {rate}", flush=True)
        print(f"  API key:    {state.token()}", flush=True)
        print(f'  Try:        curl -H "Authorization: Bearer $KEY" {base}/rest/people   (KEY: the API key)', flush=True)
        print("Ctrl-C to stop.", flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\ntwenty_lite stopped.", flush=True)
    finally:
        server.server_close()
        state.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

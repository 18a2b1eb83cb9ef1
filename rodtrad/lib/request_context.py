"""Per-request context (request id, client IP, acting role) for the journal and the logs.

A contextvar, so that services can journal who did what without the request being passed down.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_ip: str | None = None
    path_name: str = ""
    channel: str = "system"  # "web", "api", "cli" or "system"


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "rodtrad_request_context", default=None
)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


def activate(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(ctx)


def deactivate(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)

"""Per-request context (request id, client IP, route, channel) for the journal and the logs.

A contextvar, so that services can journal who did what without the request being passed down.
"""

from __future__ import annotations

import contextvars
import dataclasses
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_ip: str | None = None
    # The URL name the request resolved to ("cases:case-detail"), set once the URL is
    # resolved (RequestContextMiddleware.process_view): access events name the route tried.
    route: str = ""
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


def set_route(route: str) -> None:
    """Name the route of the current request (the token of `activate` still restores the
    context from before the request)."""
    _current.set(dataclasses.replace(current(), route=route))

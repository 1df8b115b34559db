"""What keeps the public pages safe: the browser token, CSRF, the visitor's address, limits
and the strict headers every response carries."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.config import WebConfig

COOKIE = "buurtbot_browser"
TOKEN_BYTES = 32
# No inline script or style anywhere: everything comes from /static, served by the bot itself.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def new_token() -> str:
    """A fresh random browser token (the cookie's value; never stored)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def writer_of(token: str) -> str:
    """What storage keeps of a browser token: its hash, as for role invites."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_of(token: str) -> str:
    """The form token for a browser: bound to its cookie, which another site cannot read."""
    return hashlib.sha256(b"csrf:" + token.encode()).hexdigest()[:40]


def csrf_ok(token: str | None, sent: object) -> bool:
    """True when the form's token belongs to this browser's cookie."""
    if not token or not isinstance(sent, str):
        return False
    return hmac.compare_digest(csrf_of(token), sent)


def browser_token(request: web.Request) -> str | None:
    """This browser's token from its cookie, when it looks like one of ours."""
    token = request.cookies.get(COOKIE)
    if token is None or not 20 <= len(token) <= 64:
        return None
    return token


def set_cookie(response: web.StreamResponse, token: str, config: WebConfig) -> None:
    """Give the browser its token: HttpOnly, SameSite=Lax, Secure over https, for a year."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=config.secure,
        path="/",
    )


def visitor_address(request: web.Request, config: WebConfig) -> str:
    """The visitor's address: X-Forwarded-For only when the request comes from a named proxy."""
    remote = request.remote or ""
    if remote not in config.trusted_proxies:
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    # The rightmost hop that is not one of our proxies is the one our proxy saw.
    for hop in reversed(hops):
        if hop not in config.trusted_proxies:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


class SlidingLimit:
    """At most `count` events per key within `seconds` (per replica, in memory)."""

    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._count = count
        self._seconds = seconds
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, *keys: str) -> bool:
        """Count one event for every key, unless one of them is already at its limit."""
        now = self._clock()
        queues = [self._events.setdefault(key, deque()) for key in keys]
        for queue in queues:
            while queue and queue[0] <= now - self._seconds:
                queue.popleft()
        if any(len(queue) >= self._count for queue in queues):
            return False
        for queue in queues:
            queue.append(now)
        if len(self._events) > 100_000:
            # Forget the quiet keys so the table cannot grow without end.
            self._events = {k: q for k, q in self._events.items() if q}
        return True


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Put the strict headers on every response, error pages and static files included."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

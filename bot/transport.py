"""How the bot talks HTTP to the Bot API: one aiohttp session, and retries for passing failures.

PTB's default transport (httpx) costs several times more CPU per call than aiohttp; on a
small server the transport, not the handlers, decides how many residents are answered per
second (see bench/throughput.py and the README's "Performance"). ``AiohttpRequest`` is a
drop-in ``BaseRequest`` on one ``aiohttp.ClientSession``.

``RetryingRequest`` wraps either transport: a call that meets a 5xx answer, a refused or
broken connection or a timeout is tried again a few times with a short, growing pause, so
that a resident still gets the answer when Telegram has a bad moment. A call that timed out
may have arrived after all, so a reply can (rarely) arrive twice; nothing is stored twice,
because storage never depends on a reply having been sent.

``BUURTBOT_TRANSPORT=httpx`` (or ``make_requests("httpx")``) keeps PTB's own transport.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from typing import IO, Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_log = logging.getLogger(__name__)

TRANSPORTS = ("aiohttp", "httpx")
DEFAULT_TRANSPORT = "aiohttp"
TRANSPORT_VARIABLE = "BUURTBOT_TRANSPORT"
# Telegram's front answers these when the bot API behind it has a bad moment.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
_JSON = {"Content-Type": "application/json"}


def _pick(value: object, default: float | None) -> float | None:
    """A timeout as PTB passes it: DEFAULT_NONE means "use mine", None means "no limit"."""
    if isinstance(value, DefaultValue):
        return default
    return None if value is None else float(value)  # type: ignore[arg-type]


class AiohttpRequest(BaseRequest):
    """PTB's BaseRequest on one aiohttp session with a bounded connection pool."""

    def __init__(
        self,
        *,
        connection_limit: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._limit = connection_limit
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not name one."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API sets no cookies and compresses nothing.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _timeout(
        self, read: object, write: object, connect: object, pool: object, files: bool
    ) -> aiohttp.ClientTimeout:
        read_s = _pick(read, self._read_timeout)
        write_s = _pick(write, self._media_write_timeout if files else self._write_timeout)
        connect_s = _pick(connect, self._connect_timeout)
        pool_s = _pick(pool, self._pool_timeout)
        # aiohttp's "connect" covers waiting for a free connection plus connecting.
        acquire = None if pool_s is None or connect_s is None else pool_s + connect_s
        parts = (read_s, write_s, acquire)
        total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect_s, sock_read=read_s
        )

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        if request_data is None:
            return None
        if not request_data.contains_files:
            # A JSON body, as the Bot API accepts for everything but uploads: one json.dumps
            # instead of PTB's JSON per value and then URL-encoding every byte of it.
            return json.dumps(request_data.parameters).encode()
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; map aiohttp's failures to PTB's TimedOut and NetworkError."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        body = self._body(request_data)
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=_JSON if isinstance(body, bytes) else None,
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            # aiohttp's ServerTimeoutError is both a TimeoutError and a ClientError.
            raise TimedOut(f"Timed out ({type(exc).__name__})") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _replayable(request_data: RequestData | None) -> bool:
    """Whether the request can be sent again: uploads from a stream must be rewound first."""
    if request_data is None or not request_data.contains_files:
        return True
    for _name, (_filename, content, _mime) in request_data.multipart_data.items():
        if isinstance(content, bytes):
            continue
        stream: IO[bytes] = content
        if not stream.seekable():
            return False
    return True


def _rewind(request_data: RequestData | None) -> None:
    if request_data is None or not request_data.contains_files:
        return
    for _name, (_filename, content, _mime) in request_data.multipart_data.items():
        if not isinstance(content, bytes):
            content.seek(0)


class WrappingRequest(BaseRequest):
    """A transport around another one: its timeouts, start and stop are the inner one's."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped transport's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialize the wrapped transport."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped transport down."""
        await self.inner.shutdown()


class RetryingRequest(WrappingRequest):
    """Try a call again after a 5xx answer, a network error or a timeout.

    Pauses grow from ``first_delay`` to at most ``max_delay``; after ``attempts`` tries the
    last failure goes up to the caller (the handler's error handler, or the delivery worker,
    which keeps the message in the outbox). 4xx and 429 answers are never retried here: a
    refusal is final and the ChatPacer (bot/services/pacing.py) waits out a 429.
    """

    def __init__(
        self,
        inner: BaseRequest,
        *,
        attempts: int = 10,
        first_delay: float = 0.1,
        max_delay: float = 2.0,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        super().__init__(inner)
        self._attempts = attempts
        self._first_delay = first_delay
        self._max_delay = max_delay
        self.retries = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request, trying again on passing failures."""
        attempts = self._attempts if _replayable(request_data) else 1
        delay = self._first_delay
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                _rewind(request_data)
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except (TimedOut, NetworkError) as exc:
                if attempt == attempts:
                    raise
                reason = str(exc)
            else:
                if code not in RETRY_STATUSES or attempt == attempts:
                    return code, payload
                reason = f"HTTP {code}"
            self.retries += 1
            # The method name only: the URL holds the token.
            _log.info(
                "%s failed (%s); try %d of %d in %.1f s",
                url.rsplit("/", 1)[-1],
                reason,
                attempt + 1,
                attempts,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


def make_requests(
    transport: str | None = None,
    *,
    read_timeout: float | None = 5.0,
    connect_timeout: float | None = 5.0,
    attempts: int = 10,
) -> tuple[BaseRequest, BaseRequest]:
    """The request for ordinary calls (retrying) and the one for getUpdates (the poller retries).

    ``transport`` is "aiohttp" (the default) or "httpx" (PTB's own); None reads
    BUURTBOT_TRANSPORT from the environment.
    """
    name = (transport or os.environ.get(TRANSPORT_VARIABLE) or DEFAULT_TRANSPORT).strip().lower()
    if name not in TRANSPORTS:
        raise ValueError(f"unknown transport {name!r}; choose one of {', '.join(TRANSPORTS)}")
    calls: BaseRequest
    updates: BaseRequest
    if name == "httpx":
        # What PTB's ApplicationBuilder builds when given nothing.
        calls = HTTPXRequest(
            connection_pool_size=256, read_timeout=read_timeout, connect_timeout=connect_timeout
        )
        updates = HTTPXRequest(connection_pool_size=1, connect_timeout=connect_timeout)
    else:
        calls = AiohttpRequest(read_timeout=read_timeout, connect_timeout=connect_timeout)
        updates = AiohttpRequest(connection_limit=2, connect_timeout=connect_timeout)
    return RetryingRequest(calls, attempts=attempts), updates


class CountingRequest(WrappingRequest):
    """Tell an observer the method and HTTP status of every Bot API answer."""

    def __init__(self, inner: BaseRequest, observe: Callable[[str, int], None]) -> None:
        super().__init__(inner)
        self._observe = observe

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request through the wrapped transport; count its answer."""
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        # The method name only: the URL holds the token. A 429's scope is not known here:
        # the ChatPacer above judges it (bot/services/pacing.py, on_refused).
        self._observe(url.rsplit("/", 1)[-1], code)
        return code, payload

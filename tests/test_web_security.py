"""The web pages' limit and the visitor's address, on plain values."""

from __future__ import annotations

from typing import cast

from aiohttp import web

from bot.core.config import WebConfig
from bot.web.security import SlidingLimit, csrf_of, csrf_ok, visitor_address, writer_of


def test_the_sixth_note_of_one_browser_waits_while_another_browser_still_writes() -> None:
    now = [0.0]
    limit = SlidingLimit(5, 600, clock=lambda: now[0])
    assert all(limit.allow("b:one", "a:10.0.0.1") for _ in range(5))
    assert not limit.allow("b:one", "a:10.0.0.1")
    assert limit.allow("b:two", "a:10.0.0.2")
    now[0] = 601.0
    assert limit.allow("b:one", "a:10.0.0.1")


class _Request:
    """Just what visitor_address reads of a request."""

    def __init__(self, remote: str, forwarded: str) -> None:
        self.remote = remote
        self.headers = {"X-Forwarded-For": forwarded}


def _address(remote: str, forwarded: str, proxies: tuple[str, ...]) -> str:
    request = cast(web.Request, _Request(remote, forwarded))
    return visitor_address(request, WebConfig(trusted_proxies=proxies))


def test_x_forwarded_for_counts_only_from_a_named_proxy() -> None:
    proxy = ("10.0.0.9",)
    assert _address("10.0.0.9", "203.0.113.7", proxy) == "203.0.113.7"
    # A visitor naming someone else, through our proxy: the hop our proxy saw counts.
    assert _address("10.0.0.9", "198.51.100.1, 203.0.113.7", proxy) == "203.0.113.7"
    # Straight to us, not through a named proxy: the header is not believed.
    assert _address("203.0.113.7", "198.51.100.1", proxy) == "203.0.113.7"
    assert _address("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"
    assert _address("10.0.0.9", "not-an-address", proxy) == "10.0.0.9"


def test_the_csrf_token_belongs_to_one_browser() -> None:
    assert csrf_ok("token-one-aaaaaaaaaaaa", csrf_of("token-one-aaaaaaaaaaaa"))
    assert not csrf_ok("token-two-aaaaaaaaaaaa", csrf_of("token-one-aaaaaaaaaaaa"))
    assert not csrf_ok(None, csrf_of("token-one-aaaaaaaaaaaa"))
    assert writer_of("x") != "x" and len(writer_of("x")) == 64

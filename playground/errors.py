"""Errors of the Bot API as Telegram words them, and of the control API."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API refusal; ``description`` is exactly what Telegram would say."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    """403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {description}")


def too_many_requests(seconds: int) -> ApiError:
    """429 with the retry_after parameter PTB turns into RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


def conflict(description: str) -> ApiError:
    """409 with Telegram's "Conflict: " prefix."""
    return ApiError(409, f"Conflict: {description}")


class ControlError(Exception):
    """A refusal of the control API: the test or demo asked for something a person cannot do."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

"""Reporting a note lives in conversations.moderation; this name stays for its importers."""

from __future__ import annotations

from conversations.moderation import report_handlers as handlers
from conversations.moderation.reports import PAGE_SIZE, report_button

__all__ = ["PAGE_SIZE", "handlers", "report_button"]

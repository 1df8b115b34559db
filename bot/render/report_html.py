"""The council's report as one accessible HTML page, to put on the municipality's website.

Jinja2 with autoescaping: every word from the board or a table's title is escaped by the
template engine, never by hand. Plain semantic HTML (headings, tables with captions and row
and column headers, the page's language set), no scripts, no outside files.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.render.report_view import ReportView


@cache
def environment() -> Environment:
    """The one Jinja2 environment of the files made here, autoescaping HTML."""
    return Environment(
        loader=PackageLoader("bot.render", "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report_html(view: ReportView) -> bytes:
    """Return the report as a UTF-8 HTML page."""
    return environment().get_template("report.html").render(view=view).encode("utf-8")

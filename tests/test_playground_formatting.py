"""Parsers of the playground: HTML, MarkdownV2, Markdown, reply markup and flood buckets."""

from __future__ import annotations

import pytest

from playground.entities import Entity, EntityParseError, checked_link, utf16_len
from playground.flood import FloodControl, FloodLimits
from playground.formatting import (
    FormattingError,
    find_entities,
    fix_formatted_text,
    parse_formatted,
)
from playground.html_entities import parse_html
from playground.keyboards import MarkupError, parse_reply_markup
from playground.markdown import parse_markdown, parse_markdown_v2


def spans(entities: list[Entity] | tuple[Entity, ...]) -> list[tuple[str, int, int]]:
    return [(e.type, e.offset, e.length) for e in entities]


def test_utf16_length() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("é") == 1


def test_html_offsets_are_utf16() -> None:
    text, entities = parse_html("😀 <b>vet</b> <i>schuin</i>")
    assert text == "😀 vet schuin"
    assert spans(entities) == [("bold", 3, 3), ("italic", 7, 6)]


def test_html_character_references() -> None:
    text, _ = parse_html("&lt;3 &amp; &quot;x&quot; &#65;&#x1F600; &lt")
    assert text == '<3 & "x" A😀 <'


def test_html_nested_and_uppercase_tags() -> None:
    text, entities = parse_html("<B>a<I>b</I></B><u>c</u><s>d</s><tg-spoiler>e</tg-spoiler>")
    assert text == "abcde"
    assert spans(entities) == [
        ("bold", 0, 2),
        ("italic", 1, 1),
        ("underline", 2, 1),
        ("strikethrough", 3, 1),
        ("spoiler", 4, 1),
    ]
    _, spoiler = parse_html('<span class="tg-spoiler">x</span>')
    assert spans(spoiler) == [("spoiler", 0, 1)]


def test_html_links() -> None:
    _, entities = parse_html(
        '<a href="https://example.org">x</a> <a href="gemeente.nl/afval">y</a>'
    )
    assert [e.url for e in entities] == ["https://example.org/", "http://gemeente.nl/afval"]
    _, dropped = parse_html('<a href="javascript:alert(1)">x</a>')
    assert dropped == []
    _, mention = parse_html('<a href="tg://user?id=1000001">Anna</a>')
    assert mention[0].type == "text_mention"
    assert mention[0].user is not None and mention[0].user["id"] == 1000001


def test_html_code_blocks() -> None:
    _, entities = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert [(e.type, e.language) for e in entities] == [("pre", "python")]
    _, plain_pre = parse_html("<pre><code>x</code></pre>")
    assert [(e.type, e.language) for e in plain_pre] == [("pre", None)]
    _, code = parse_html('<code class="language-x">y</code>')
    assert [(e.type, e.language) for e in code] == [("code", None)]


def test_html_blockquotes() -> None:
    _, quote = parse_html("<blockquote>a</blockquote>")
    _, expandable = parse_html("<blockquote expandable>a</blockquote>")
    assert spans(quote) == [("blockquote", 0, 1)]
    assert spans(expandable) == [("expandable_blockquote", 0, 1)]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("é<foo>", 'Unsupported start tag "foo" at byte offset 2'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        # "<b class>x</b>" is no error: a valueless attribute is ignored (telegram-rules.md);
        # see test_valueless_attributes_are_ignored_and_expandable_still_counts.
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<i>x", 'Can\'t find end tag corresponding to start tag "i"'),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="²">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("Fish & chips", 'Character "&" at byte offset 5 must be escaped as "&amp;"'),
    ],
)
def test_html_errors(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert caught.value.message == error


def test_html_lenient_mode_keeps_lone_ampersands() -> None:
    assert parse_html("Fish & chips > soup", strict=False)[0] == "Fish & chips > soup"


def test_markdown_v2() -> None:
    text, entities = parse_markdown_v2(
        "*vet* _schuin_ __onder__ ~door~ ||geheim|| `code` [link](https://example.org) \\."
    )
    assert text == "vet schuin onder door geheim code link ."
    assert [e.type for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1].url == "https://example.org/"
    text, entities = parse_markdown_v2("```python\nprint(1)\n```")
    assert text == "print(1)\n"
    assert [(e.type, e.language) for e in entities] == [("pre", "python")]


def test_markdown_v2_block_quotes() -> None:
    text, entities = parse_markdown_v2(">een\n>twee\ndrie")
    assert text == "een\ntwee\ndrie"
    assert spans(entities) == [("blockquote", 0, 8)]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Klaar.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("1+1", "Character '+' is reserved and must be escaped with the preceding '\\'"),
        ("*vet", "Can't find end of Bold entity at byte offset 0"),
        ("x [a](https://x.nl", "Can't find end of a URL at byte offset 6"),
    ],
)
def test_markdown_v2_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert caught.value.message == error


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*vet* _schuin_ `code` [site](https://example.org)")
    assert text == "vet schuin code site"
    assert [e.type for e in entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match=r"Can't find end of the entity starting at byte"):
        parse_markdown("_open")


def test_fix_formatted_text_trims_and_cleans() -> None:
    formatted = fix_formatted_text(
        "  \n hallo\r\n\twereld  \n", [Entity("bold", 4, 6)], allow_empty=False
    )
    assert formatted.text == "hallo\n wereld"
    assert spans(formatted.entities) == [("bold", 0, 5)]
    with pytest.raises(FormattingError, match=r"message must be non-empty"):
        fix_formatted_text(" \n ", [], allow_empty=False)
    assert fix_formatted_text(" ", [], allow_empty=True).text == ""


def test_parse_formatted_with_explicit_entities() -> None:
    formatted = parse_formatted(
        "hallo", None, '[{"type": "bold", "offset": 0, "length": 5}]', allow_empty=False
    )
    assert spans(formatted.entities) == [("bold", 0, 5)]
    with pytest.raises(FormattingError, match=r"ends after the end of the text"):
        parse_formatted(
            "hallo", None, '[{"type": "bold", "offset": 2, "length": 5}]', allow_empty=False
        )
    with pytest.raises(FormattingError, match=r"unsupported parse_mode"):
        parse_formatted("x", "bbcode", None, allow_empty=False)


def test_entities_found_by_telegram() -> None:
    text = (
        "Mail info@gemeente.nl, zie https://gemeente.nl/afval. of /help @buurtbot_demo_bot #afval"
    )
    found = {text[e.offset : e.offset + e.length]: e.type for e in find_entities(text)}
    assert found == {
        "info@gemeente.nl": "email",
        "https://gemeente.nl/afval": "url",
        "/help": "bot_command",
        "@buurtbot_demo_bot": "mention",
        "#afval": "hashtag",
    }


def test_checked_links() -> None:
    assert checked_link("https://example.org") == "https://example.org/"
    assert checked_link("HTTPS://example.org/a?b=c") == "https://example.org/a?b=c"
    assert checked_link("tg://resolve?domain=x") == "tg://resolve?domain=x"
    assert checked_link("not a url") is None
    assert checked_link("ftp://example.org") is None


def test_reply_markup_parsing() -> None:
    with pytest.raises(MarkupError, match=r"can't parse reply keyboard markup JSON object"):
        parse_reply_markup("{nope")
    with pytest.raises(MarkupError, match=r"Array of Arrays"):
        parse_reply_markup('{"inline_keyboard": [1]}')
    with pytest.raises(MarkupError, match=r"BUTTON_URL_INVALID|is invalid"):
        parse_reply_markup('{"inline_keyboard": [[{"text": "x", "url": "niks"}]]}')
    assert parse_reply_markup('{"inline_keyboard": []}') is None
    removal = parse_reply_markup('{"remove_keyboard": true}')
    assert removal is not None and removal.kind == "remove"
    reply = parse_reply_markup(
        '{"keyboard": [["Ja", {"text": "Locatie", "request_location": true}]]}'
    )
    assert reply is not None and reply.kind == "reply"
    assert reply.rows[0][1] == {"text": "Locatie", "request_location": True}


def test_token_buckets() -> None:
    flood = FloodControl(FloodLimits(global_rate=10, global_burst=3, chat_rate=1, chat_burst=2))
    assert flood.try_send(1, 0.0) is None
    assert flood.try_send(1, 0.0) is None
    assert flood.try_send(1, 0.0) == 1
    # An empty chat bucket bans that chat alone (telegram-rules: about 1 message a second
    # per chat); the bot's other chats go on.
    assert flood.chat_ban_remaining(1, 0.5) == 1
    assert flood.ban_remaining(0.5) is None
    assert flood.chat_ban_remaining(1, 1.0) is None
    assert flood.try_send(2, 1.0) is None
    # One second refilled one token of chat 1.
    assert flood.try_send(1, 1.0) is None
    assert flood.try_send(3, 1.0) is None
    assert flood.try_send(4, 1.0) == 1


def test_tg_time_needs_a_unix_time_and_a_valid_format() -> None:
    """<tg-time> is valid since Bot API 9.5; a missing unix or bad format is refused (safer)."""
    text, entities = parse_html('<tg-time unix="1767362400">vrijdag</tg-time>')
    assert text == "vrijdag"
    assert entities[0].to_json() == {
        "offset": 0,
        "length": 7,
        "type": "date_time",
        "unix_time": 1767362400,
        "date_time_format": "",
    }
    for bad in ('<tg-time format="t">x</tg-time>', '<tg-time unix="1" format="q">x</tg-time>'):
        with pytest.raises(EntityParseError):
            parse_html(bad)


def test_valueless_attributes_are_ignored_and_expandable_still_counts() -> None:
    text, entities = parse_html('<a href="https://gemeente.nl" target>site</a> <b hidden>x</b>')
    assert text == "site x"
    assert spans(entities) == [("text_link", 0, 4), ("bold", 5, 1)]
    assert parse_html("<b class>x</b>") == ("x", [Entity("bold", 0, 1)])
    _, quoted = parse_html("<blockquote expandable>lang</blockquote>")
    assert spans(quoted) == [("expandable_blockquote", 0, 4)]
    with pytest.raises(EntityParseError, match="Unclosed start tag"):
        parse_html('<a href="https://gemeente.nl" target')


def test_date_time_entities_given_as_json_keep_their_fields() -> None:
    formatted = parse_formatted(
        "vrijdag",
        None,
        '[{"type": "date_time", "offset": 0, "length": 7, "unix_time": 5, '
        '"date_time_format": "r"}]',
        allow_empty=False,
    )
    assert formatted.entities[0].to_json()["date_time_format"] == "r"
    with pytest.raises(FormattingError):
        parse_formatted(
            "x", None, '[{"type": "date_time", "offset": 0, "length": 1}]', allow_empty=False
        )

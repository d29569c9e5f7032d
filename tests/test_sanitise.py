"""The sanitiser against every XSS payload and naughty string we have."""

import json
import random
import re
from html.parser import HTMLParser

import pytest

from service.moderation.sanitise import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    plain_paragraphs,
    render_comment,
    render_markdown,
    sanitise_html,
)
from tests.support import shared_data

URL_ATTRS = {"href"}
# How a browser finds a URL's scheme (WHATWG URL): after dropping C0 controls and spaces.
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}


def payloads() -> list[str]:
    folder = shared_data("xss")
    lines: list[str] = []
    for name in ("payloadbox.txt", "naughty-strings.txt", "seclists-rsnake.txt"):
        # Split on \n only: some naughty strings contain U+2028 and friends on purpose.
        lines += (folder / name).read_text(encoding="utf-8").split("\n")
    cases = json.loads((folder / "html5lib-sanitizer.dat").read_text(encoding="utf-8"))
    lines += [case["input"] for case in cases]
    return [line for line in lines if line]


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def assert_only_allowed_markup(html: str) -> None:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    assert not collector.comments, html
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"element {tag!r} in {html!r}"
        for attribute, value in attrs:
            assert attribute in ALLOWED_ATTRIBUTES.get(tag, []), (attribute, html)
            if attribute in URL_ATTRS:
                compact = re.sub(r"[\x00-\x20]", "", value or "")
                scheme = URL_SCHEME.match(compact)
                assert scheme is None or scheme[1].lower() in SAFE_SCHEMES, f"unsafe {value!r}"
            if attribute == "rel":
                assert value == LINK_REL


def test_every_payload_is_reduced_to_the_allow_list_and_is_stable():
    cases = payloads()
    assert len(cases) > 7000
    for payload in cases:
        html = render_comment(payload)
        assert_only_allowed_markup(html)
        assert not re.search(r'href="\s*(data|vbscript|javascript):', html.lower()), payload
        assert "<!--" not in html
        assert sanitise_html(html) == html, f"not idempotent for {payload!r}"


def test_every_link_is_nofollow_ugc_and_bare_urls_become_links():
    html = render_comment("see https://example.org/a?b=1 and [docs](https://docs.example.org)")
    assert html.count(f'rel="{LINK_REL}"') == 2
    assert 'href="https://example.org/a?b=1"' in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("`x < y`", "<p><code>x &lt; y</code></p>"),
        ("<h1>big</h1>", "big"),
        ('<a href="javascript:alert(1)">x</a>', f'<p><a rel="{LINK_REL}">x</a></p>'),
        ("<img src=x onerror=alert(1)>", ""),
        ("<!-- hidden -->visible", "visible"),
        (
            '<a href="https://x.org" onclick="evil()" target="_blank">x</a>',
            f'<p><a href="https://x.org" rel="{LINK_REL}">x</a></p>',
        ),
    ],
)
def test_markdown_and_html_render_to_the_allow_list(source, expected):
    assert render_comment(source) == expected


def test_code_blocks_are_not_linkified():
    html = render_comment("```\nhttps://example.org\n```")
    assert "<a" not in html


# --- plain sentences: spelled out without Markdown, exactly as Markdown would render them ---


def test_every_payload_renders_as_markdown_and_the_sanitiser_would():
    for payload in payloads():
        assert render_comment(payload) == render_markdown(payload), payload


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Great post, thanks!", "<p>Great post, thanks!</p>"),
        (
            'She said "yes" (twice); it\'s done.',
            "<p>She said &quot;yes&quot; (twice); it's done.</p>",
        ),
        ("one\ntwo\n\n\nthree", "<p>one<br>\ntwo</p>\n<p>three</p>"),
        ("Grüße aus Köln, 東京 too", "<p>Grüße aus Köln, 東京 too</p>"),
    ],
)
def test_plain_sentences_take_the_short_way_to_the_same_html(source, expected):
    assert plain_paragraphs(source) == expected == render_markdown(source)


@pytest.mark.parametrize(
    "source",
    [
        "see example.org",  # a domain: linkified
        "**bold**",
        "1. first",
        "2) second",
        "- item",
        "# heading",
        "> quote",
        "    code",
        "a  \nhard break",
        "line\n---",
        "x < y & z",
        "a_b",
        "mail me@example.org",
        "tab\there",
        "no\u00a0break",
    ],
)
def test_anything_markdown_or_the_linkifier_might_read_takes_the_long_way(source):
    assert plain_paragraphs(source) is None


def test_generated_plain_text_renders_exactly_as_markdown_would():
    rng = random.Random(16)
    pieces = [*"abzAZ09é東 ,.!?'\"():;-", "\n", "\n\n", " \n", "\n ", "1.", "2)", "...", "x.y"]
    pieces += ["--", "(a)", "'q'", "ok.", "42", "_", "*", "#", ">", "/", "@", "&", "\t", "="]
    taken = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        fast = plain_paragraphs(text)
        if fast is not None:
            taken += 1
            assert fast == render_markdown(text), repr(text)
    assert taken > 1_000  # the short way was really tried

"""Markdown rendering and HTML sanitising: the only module that imports bleach.

Pure functions, no Flask and no database, so the worker, the preview endpoint and the
tests all run exactly the same code. bleach and markdown-it (about 3.5 MiB with html5lib)
are imported on the first rendering: a web worker that only serves readers never renders.
"""

from __future__ import annotations

import html as html_escaping
import re
from functools import lru_cache, partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import bleach
    from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
# `rel` is allowed only because the linkify callback below overwrites it on every link;
# without it a second sanitising pass would strip it and the output would not be stable.
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"


def _force_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _drop_unsafe_target(attrs: dict, new: bool = False) -> dict | None:
    href = attrs.get((None, "href"), "")
    if new and not href.startswith(("http://", "https://", "mailto:")):
        return None
    return attrs


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    import bleach
    from bleach.linkifier import LinkifyFilter

    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_drop_unsafe_target, _force_rel],
                skip_tags={"pre", "code"},
                parse_email=False,
            )
        ],
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Raw HTML passes through Markdown on purpose: bleach, not the Markdown parser, is the
    # single gatekeeper, so there is one allow-list to audit.
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "breaks": True})


def sanitise_html(html: str) -> str:
    """Reduce arbitrary HTML to the allow-list; applying it twice changes nothing."""
    return _cleaner().clean(html).strip()


def render_comment(text: str) -> str:
    """Markdown source as typed by a reader -> safe HTML ready to publish."""
    plain = plain_paragraphs(text)
    return plain if plain is not None else render_markdown(text)


def render_markdown(text: str) -> str:
    """`render_comment` the long way, whatever the text: Markdown, then the sanitiser."""
    return sanitise_html(_markdown().render(text))


# Most comments are sentences: words, spaces and punctuation that neither Markdown nor the
# linkifier reads as anything (no `*_[]<>&#\`~/@=+|`, no "." before a letter or digit, which
# could be a domain). For those, Markdown and the sanitiser only make paragraphs, line
# breaks and `&quot;`: the same HTML, spelled out here, for a tenth of the time.
# tests/test_sanitise.py checks it against `render_markdown` on generated and hostile text.
PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ ,!?'\"():;\n-]|\.(?![^\W_]))*")
# A line starting like a block (list, quote, heading, code, rule) or ending in a hard break.
NOT_A_PARAGRAPH_LINE = re.compile(r"^(?:[^\w\"'(]|_|\d+[.)])|\s$")


def plain_paragraphs(text: str) -> str | None:
    """The HTML `render_markdown` makes of plain sentences; None for anything else."""
    if not PLAIN_TEXT.fullmatch(text):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
        elif NOT_A_PARAGRAPH_LINE.search(line):
            return None
        else:
            paragraphs[-1].append(line.replace('"', "&quot;"))
    return "\n".join("<p>" + "<br>\n".join(lines) + "</p>" for lines in paragraphs if lines)


def count_links(html: str) -> int:
    return html.count("<a ")


def plain_text_html(text: str) -> str:
    """The words as escaped paragraphs, no Markdown: for a comment the renderer failed on."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + html_escaping.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs
    )

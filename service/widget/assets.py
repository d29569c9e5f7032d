"""The widget's static files (embed.js, its CSS, the lazy share menu), compacted and hashed.

The "build" is deliberately tiny and safe: the sources are hand-written so that dropping
indentation, blank lines and whole-line comments cannot change what they mean. The
hashed URLs are immutable, so browsers cache them for a year; /embed.js only points at
the current hash.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from service.config import ROOT

STATIC = ROOT / "static" / "widget"
# embed.js names its stylesheet and its lazily loaded share menu through these
# placeholders, filled in with their hashed paths.
CSS_PLACEHOLDER = "__TALKBACK_CSS__"
SHARE_PLACEHOLDER = "__TALKBACK_SHARE__"
SIZE_BUDGET_GZIP_BYTES = 10 * 1024


def compact_js(source: str) -> str:
    """Strip indentation, blank lines and lines that are only a `//` comment.

    Newlines are kept, so automatic semicolon insertion sees the same code.
    """
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def compact_css(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"\s+", " ", source)
    return re.sub(r"\s*([{};,>])\s*", r"\1", source).replace(";}", "}").strip() + "\n"


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:12]


def gzip_size(body: str) -> int:
    return len(gzip.compress(body.encode(), compresslevel=9, mtime=0))


@dataclass(frozen=True)
class Bundle:
    js: str
    css: str
    js_hash: str
    css_hash: str
    # embed-share.js: fetched only when a reader reaches for the share menu.
    share_js: str = ""
    share_hash: str = ""

    @property
    def js_name(self) -> str:
        return f"embed.{self.js_hash}.js"

    @property
    def css_name(self) -> str:
        return f"embed.{self.css_hash}.css"

    @property
    def share_name(self) -> str:
        return f"embed-share.{self.share_hash}.js"

    def gzip_total(self) -> int:
        """What a page downloads before its reader does anything: embed.js and its CSS."""
        return gzip_size(self.js) + gzip_size(self.css)


def build(js_source: str, css_source: str, share_source: str = "") -> Bundle:
    css = compact_css(css_source)
    css_hash = content_hash(css)
    share_js = compact_js(share_source) if share_source else ""
    share_hash = content_hash(share_js)
    js = (
        compact_js(js_source)
        .replace(CSS_PLACEHOLDER, f"/embed.{css_hash}.css")
        .replace(SHARE_PLACEHOLDER, f"/embed-share.{share_hash}.js")
    )
    return Bundle(
        js=js,
        css=css,
        js_hash=content_hash(js),
        css_hash=css_hash,
        share_js=share_js,
        share_hash=share_hash,
    )


@lru_cache(maxsize=1)
def bundle() -> Bundle:
    return build(
        (STATIC / "embed.js").read_text(encoding="utf-8"),
        (STATIC / "embed.css").read_text(encoding="utf-8"),
        (STATIC / "embed-share.js").read_text(encoding="utf-8"),
    )

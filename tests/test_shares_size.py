"""share.js stays small (≤ 3 KB gzipped) and talks to nobody but this service."""

from __future__ import annotations

import gzip
import re

from tests.support import ROOT

SHARE_JS = ROOT / "static" / "share.js"
BUDGET = 3 * 1024


def test_share_js_is_at_most_3_kb_gzipped():
    source = SHARE_JS.read_bytes()
    size = len(gzip.compress(source, compresslevel=9))
    print(f"static/share.js: {len(source)} bytes, {size} bytes gzip -9 (budget {BUDGET})")
    assert size <= BUDGET


def test_share_js_loads_nothing_from_third_parties():
    source = SHARE_JS.read_text(encoding="utf-8")
    # No URL literal at all: every request goes to links the server rendered.
    assert not re.search(r"[\"'`]https?://", source)
    assert "XMLHttpRequest" not in source and "fetch(" not in source
    assert "document.cookie" not in source
    assert "import(" not in source and 'createElement("script")' not in source

"""embed.js and its CSS: content-hashed, cached for a year, and built by a safe tiny step."""

import re

from service.widget import assets

IMMUTABLE = "public, max-age=31536000, immutable"


def test_embed_js_points_at_the_hashed_file_with_a_short_cache(client):
    response = client.get("/embed.js")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{assets.bundle().js_name}")
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_hashed_files_are_immutable_and_typed(client):
    built = assets.bundle()
    js = client.get(f"/{built.js_name}")
    assert js.status_code == 200
    assert js.mimetype == "text/javascript"
    assert js.headers["Cache-Control"] == IMMUTABLE
    css = client.get(f"/{built.css_name}")
    assert css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in js.headers and "Set-Cookie" not in css.headers


def test_the_hash_is_the_content_hash_and_the_js_names_its_css(client):
    built = assets.bundle()
    assert built.js_hash == assets.content_hash(built.js)
    assert built.css_hash == assets.content_hash(built.css)
    assert f"/{built.css_name}" in built.js
    assert assets.CSS_PLACEHOLDER not in built.js


def test_a_stale_hash_is_sent_on_to_the_current_file(client):
    response = client.get("/embed.0123456789ab.js")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(assets.bundle().js_name)
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_compacting_drops_only_indentation_blank_lines_and_comment_lines():
    source = "// a comment\n(() => {\n    const a = 'http://x'; // keeps trailing\n\n})();\n"
    assert assets.compact_js(source) == "(() => {\nconst a = 'http://x'; // keeps trailing\n})();\n"
    css = "/* note */\n.a > .b ,\n.c {\n  color : red;\n}\n"
    assert assets.compact_css(css) == ".a>.b,.c{color : red}\n"


def test_the_widget_source_keeps_its_promises():
    js = (assets.STATIC / "embed.js").read_text()
    # No eval-like constructs, no cookies, no inline style attributes, no other hosts.
    for forbidden in (
        "eval(",
        "new Function",
        "document.cookie",
        ".style.",
        "setAttribute('style'",
    ):
        assert forbidden not in js
    # No absolute URL names a host: only the Markdown help's `https://…` placeholder and the
    # bare schemes a refused website is told to start with.
    urls = re.findall(r"https?://[^\s)'\"]*", js)
    assert "https://…" in urls
    assert {re.sub(r"^https?://", "", url).strip(".…") for url in urls} == {""}
    # innerHTML only ever receives HTML the service sanitised.
    sinks = re.findall(r"innerHTML = ([^;]+);", js)
    assert sinks and all(re.search(r"\.html\b", sink) for sink in sinks)


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(ch * 2 for ch in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_palette(css: str, selector: str) -> dict[str, str]:
    block = css[css.index(selector) :]
    return dict(re.findall(r"--(\w+):(#[0-9a-f]{3,6})\b", block[: block.index("}")]))


def test_every_text_colour_meets_wcag_aa_in_both_themes():
    css = assets.bundle().css
    light, dark = (css_palette(css, selector) for selector in (".tb{", ".tb[data-theme=dark]{"))
    # (text, background) pairs the stylesheet actually uses.
    pairs = [("fg", "bg"), ("mu", "bg"), ("ac", "bg"), ("acf", "ac"), ("er", "bg"), ("fg", "nb")]
    for name, palette in (("light", light), ("dark", dark)):
        for text, background in pairs:
            ratio = contrast(palette[text], palette[background])
            assert ratio >= 4.5, f"{name}: {text} on {background} is {ratio:.2f}:1"

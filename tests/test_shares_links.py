"""Share links for every network: the right host and parameters, encoded so that no text
can break out of its parameter, and text fitted to each network's own limit."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from service.shares.links import Post, build_link, clean_hashtags, share_values
from service.shares.targets import (
    ACTIONS,
    BY_ID,
    DEAD,
    TARGETS,
    VERIFIED,
    enabled_targets,
    valid_instance_host,
)
from service.shares.text import (
    add_utm,
    canonicalise_url,
    encode,
    fit_text,
    graphemes,
    measure,
    x_weighted_length,
)

URL = "https://blog.example/posts/42?lang=en&page=2"
TRICKY = "Cats & dogs #1? ¿Sí? 🐈‍⬛ مرحبا بالعالم\nsecond line / 50% + more"
FAMILY = "👩‍👩‍👧‍👦"  # one grapheme, seven code points
ZALGO = "q\u0323\u0307"  # a letter with two combining marks (NFC order) and no precomposed form

# (scheme, host, path) and the parameter names each network must receive.
EXPECTED = {
    "x": ("https", "x.com", "/intent/tweet", {"text", "url", "via", "hashtags"}),
    "facebook": ("https", "www.facebook.com", "/sharer/sharer.php", {"u"}),
    "linkedin": ("https", "www.linkedin.com", "/sharing/share-offsite/", {"url"}),
    "reddit": ("https", "www.reddit.com", "/submit", {"url", "title"}),
    "hackernews": ("https", "news.ycombinator.com", "/submitlink", {"u", "t"}),
    "whatsapp": ("https", "wa.me", "/", {"text"}),
    "telegram": ("https", "t.me", "/share/url", {"url", "text"}),
    "bluesky": ("https", "bsky.app", "/intent/compose", {"text"}),
    "threads": ("https", "www.threads.com", "/intent/post", {"text", "url"}),
    "mastodon": ("https", "mastodon.social", "/share", {"text"}),
    "pinterest": ("https", "www.pinterest.com", "/pin/create/button/", {"url", "media", "description"}),
    "tumblr": ("https", "www.tumblr.com", "/widgets/share/tool", {"posttype", "canonicalUrl", "title", "tags"}),
    "email": ("mailto", "", "", {"subject", "body"}),
    "sms": ("sms", "", "", {"body"}),
}  # fmt: skip
URL_PARAM = {"x": "url", "facebook": "u", "linkedin": "url", "reddit": "url", "hackernews": "u"}
URL_PARAM |= {"telegram": "url", "threads": "url", "pinterest": "url", "tumblr": "canonicalUrl"}
TITLE_PARAM = {"reddit": "title", "hackernews": "t", "tumblr": "title", "email": "subject"}
TEXT_PARAM = {"x": "text", "telegram": "text", "threads": "text", "pinterest": "description"}
TEXT_WITH_URL = {"whatsapp": "text", "bluesky": "text", "mastodon": "text", "email": "body"}
TEXT_WITH_URL |= {"sms": "body"}


def tricky_post(**fields) -> Post:
    defaults = {
        "url": URL,
        "title": TRICKY,
        "via": "talkback",
        "hashtags": ("cats", "dogs"),
        "media": "https://blog.example/cat.png",
    }
    return Post(**{**defaults, **fields})


def query_of(link: str) -> dict[str, str]:
    """Decode the query strictly: every value must appear exactly once."""
    parsed = parse_qs(urlsplit(link).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {name: values[0] for name, values in parsed.items()}


def test_registry_covers_every_required_network_and_action():
    assert set(EXPECTED) == {target.id for target in TARGETS}
    assert {action.id for action in ACTIONS} == {"copy", "native"}
    for target in TARGETS:
        assert target.last_verified == VERIFIED == VERIFIED.fromisoformat("2026-11-25")
        assert target.source and target.name and target.accessible_label
        assert set(target.fields) <= {"url", "text", "title", "via", "hashtags", "media"}


def test_dead_services_are_never_offered():
    offered = {target.id for target in TARGETS} | {action.id for action in ACTIONS}
    assert {"pocket", "skype", "googleplus", "stumbleupon", "digg"} <= DEAD
    assert not offered & DEAD
    hosts = " ".join(target.base for target in TARGETS)
    for dead_host in ("getpocket.com", "skype.com", "plus.google.com", "stumbleupon", "digg.com"):
        assert dead_host not in hosts


def test_templates_document_each_networks_fields():
    assert BY_ID["x"].template == (
        "https://x.com/intent/tweet?text={text}&url={url}&via={via}&hashtags={hashtags}"
    )
    assert BY_ID["mastodon"].template == "https://{instance}/share?text={text}"
    assert BY_ID["email"].template == "mailto:?subject={title}&body={text}"
    assert BY_ID["tumblr"].template.startswith(
        "https://www.tumblr.com/widgets/share/tool?posttype=link&canonicalUrl={url}"
    )


@pytest.mark.parametrize("target_id", sorted(EXPECTED))
def test_every_network_link_has_its_parameters_percent_encoded(target_id):
    target = BY_ID[target_id]
    link = build_link(target, tricky_post(), instance="mastodon.social")
    scheme, host, path, params = EXPECTED[target_id]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (scheme, host, path)
    values = query_of(link)
    assert set(values) == params
    # Nothing in the text can end its parameter, start a fragment or break the line.
    assert not parts.fragment
    for raw in parts.query.split("&"):
        name, _, value = raw.partition("=")
        assert name in params
        assert not set(value) & set(" #?&=+\n\r/:"), value
    if target_id in URL_PARAM:
        assert values[URL_PARAM[target_id]] == URL
    if target_id in TITLE_PARAM:
        assert values[TITLE_PARAM[target_id]] == " ".join(TRICKY.split())
    if target_id in TEXT_PARAM:
        assert values[TEXT_PARAM[target_id]].startswith("Cats & dogs #1? ¿Sí? 🐈‍⬛ مرحبا")
    if target_id in TEXT_WITH_URL:
        text = values[TEXT_WITH_URL[target_id]]
        assert text.startswith("Cats & dogs #1?") and text.endswith(URL)


def test_encoding_matches_encode_uri_component_for_special_characters():
    link = build_link(BY_ID["telegram"], Post(url=URL, title="a&b #c ?d é 🐈 ل\ne"))
    assert "text=a%26b%20%23c%20%3Fd%20%C3%A9%20%F0%9F%90%88%20%D9%84%0Ae" in link
    assert "url=https%3A%2F%2Fblog.example%2Fposts%2F42%3Flang%3Den%26page%3D2" in link
    assert encode("a b") == "a%20b" and "+" not in encode("a b+c").replace("%2B", "")


def test_email_uses_crlf_line_breaks_and_a_one_line_subject():
    link = build_link(BY_ID["email"], Post(url=URL, title="Line one\nline two"))
    assert link.startswith("mailto:?subject=Line%20one%20line%20two&body=")
    body = link.split("body=")[1]
    assert "%0D%0A" in body and "%0A" not in body.replace("%0D%0A", "")
    assert unquote(body) == "Line one\r\nline two\r\n\r\n" + URL


def test_x_link_leaves_out_empty_via_and_hashtags():
    link = build_link(BY_ID["x"], Post(url=URL, title="Hello"))
    assert set(query_of(link)) == {"text", "url"}


def test_rtl_text_survives_the_round_trip_unchanged():
    rtl = "שלום עולם — مرحبا بالعالم"
    values = query_of(build_link(BY_ID["telegram"], Post(url=URL, title=rtl)))
    assert values["text"] == rtl


def test_mastodon_needs_a_validated_instance_or_uses_the_fixed_picker():
    post = tricky_post()
    assert build_link(BY_ID["mastodon"], post) == ""
    picker = build_link(BY_ID["mastodon"], post, fallback=True)
    assert picker.startswith("https://share.joinmastodon.org/?text=")
    assert build_link(BY_ID["mastodon"], post, instance="fosstodon.org").startswith(
        "https://fosstodon.org/share?text="
    )


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social. ", "mastodon.social"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("evil.com/path", None),
        ("user@evil.com", None),
        ("https://evil.com", None),
        ("evil.com:8443", None),
        ("evil.com\\@good.com", None),
        ("evil.com\r\nLocation: x", None),
        ("evil .com", None),
        ("127.0.0.1", None),
        ("[::1]", None),
        ("localhost", None),
        ("-bad-.example", None),
        ("", None),
        (None, None),
        ("a" * 64 + ".example", None),
    ],
)
def test_instance_hosts_are_bare_hostnames_only(raw, expected):
    assert valid_instance_host(raw) == expected


def test_site_can_choose_and_order_its_targets():
    chosen = enabled_targets({"share_targets": ["bluesky", "x", "pocket", 7]})
    assert [target.id for target in chosen] == ["bluesky", "x"]
    assert enabled_targets({}) == TARGETS
    assert enabled_targets(None) == TARGETS


def test_hashtags_accept_lists_and_comma_strings():
    assert clean_hashtags("#cats, dogs ,,") == ("cats", "dogs")
    assert clean_hashtags(["#a b", ""]) == ("ab",)
    assert clean_hashtags(None) == ()


# --- measuring ------------------------------------------------------------------------------


def test_x_weighs_latin_1_cjk_and_emoji_2_and_every_url_23():
    assert x_weighted_length("hello") == 5
    assert x_weighted_length("日本語") == 6
    assert x_weighted_length(FAMILY) == 2
    assert x_weighted_length("🇺🇦") == 2
    assert x_weighted_length("see https://a.example/very/long/path?x=1 ok") == 4 + 23 + 3
    assert x_weighted_length("e\u0301") == 1  # NFC first: é
    assert x_weighted_length("“quotes” – ok") == 13


def test_bluesky_counts_grapheme_clusters():
    limit = BY_ID["bluesky"].limit
    assert measure(FAMILY * 3, limit) == 3
    assert measure(ZALGO * 2, limit) == 2
    assert measure("abc", limit) == 3


def test_mastodon_counts_each_url_as_23():
    limit = BY_ID["mastodon"].limit
    assert measure("read https://blog.example/" + "x" * 100, limit) == 5 + 23


# --- fitting ----------------------------------------------------------------------------------


def test_fit_cuts_at_a_word_boundary_with_an_ellipsis():
    fitted = fit_text("The quick brown fox jumps over", lambda s: len(s) <= 15)
    assert fitted == "The quick…"


def test_fit_keeps_text_that_already_fits():
    assert fit_text("  short  ", lambda s: len(s) <= 10) == "short"


def test_fit_without_spaces_cuts_between_whole_clusters():
    fitted = fit_text(FAMILY * 5, lambda s: len(graphemes(s)) <= 3)
    assert fitted == FAMILY * 2 + "…"
    fitted = fit_text(ZALGO * 10, lambda s: len(graphemes(s)) <= 4)
    assert fitted == ZALGO * 3 + "…"


def test_fit_returns_nothing_when_not_even_the_ellipsis_fits():
    assert fit_text("anything", lambda s: False) == ""


def _clusters_are_whole(fitted: str, source: str) -> None:
    allowed = set(graphemes(unicodedata.normalize("NFC", source))) | {"…"}
    assert set(graphemes(fitted)) <= allowed


def test_x_text_fits_280_with_url_hashtags_and_via_counted():
    words = "Peace talks " + " ".join(["negotiations"] * 60)
    post = Post(url=URL, title=words, via="talkback", hashtags=("Ukraine", "Peace"))
    values = share_values(BY_ID["x"], post)
    composed = f"{values['text']} {URL} #Ukraine #Peace via @talkback"
    assert x_weighted_length(composed) <= 280
    assert x_weighted_length(composed) > 260  # it uses the room it has
    assert values["text"].endswith("negotiations…")
    assert words.startswith(values["text"][:-1])


def test_x_fitting_of_cjk_and_emoji_never_splits_a_cluster():
    source = ("和平交涉" + FAMILY + "🇺🇦") * 60
    values = share_values(BY_ID["x"], Post(url=URL, title=source))
    assert x_weighted_length(f"{values['text']} {URL}") <= 280
    _clusters_are_whole(values["text"], source)


def test_bluesky_text_with_url_and_tags_fits_300_graphemes():
    source = " ".join([FAMILY + ZALGO + "word"] * 80)
    post = Post(url=URL, title=source, hashtags=("tag",))
    text = share_values(BY_ID["bluesky"], post)["text"]
    assert len(graphemes(text)) <= 300
    assert text.endswith(" #tag " + URL)
    _clusters_are_whole(text.removesuffix(" #tag " + URL), source)


def test_threads_fits_500_and_mastodon_500_with_short_urls():
    long_text = "word " * 300
    threads = share_values(BY_ID["threads"], Post(url=URL, title=long_text))
    assert len(threads["text"]) + 1 + len(URL) <= 500
    long_url = "https://blog.example/" + "p" * 200
    mastodon = share_values(BY_ID["mastodon"], Post(url=long_url, title=long_text))
    assert measure(mastodon["text"], BY_ID["mastodon"].limit) <= 500
    assert len(mastodon["text"]) > 500  # the long URL only counts 23
    assert mastodon["text"].endswith(long_url)


def test_networks_without_a_limit_keep_the_whole_text():
    long_text = "word " * 300
    values = share_values(BY_ID["telegram"], Post(url=URL, title=long_text))
    assert values["text"] == long_text.strip()


# --- URLs -----------------------------------------------------------------------------------


def test_canonical_url_drops_tracking_and_fragment_but_keeps_other_parameters():
    raw = "HTTPS://Blog.Example:443/a?utm_source=x&id=7&fbclid=1&gclid=2&mc_cid=3&q=a%20b#top"
    assert canonicalise_url(raw) == "https://blog.example/a?id=7&q=a%20b"
    assert canonicalise_url("http://blog.example:8080") == "http://blog.example:8080/"


def test_utm_tags_name_the_network():
    tagged = add_utm("https://blog.example/a?id=7", "bluesky")
    assert tagged == (
        "https://blog.example/a?id=7&utm_source=bluesky&utm_medium=social&utm_campaign=share"
    )
    link = build_link(BY_ID["telegram"], Post(url=URL, title="t", utm=True))
    assert query_of(link)["url"].endswith(
        "utm_source=telegram&utm_medium=social&utm_campaign=share"
    )


def test_a_title_whose_only_excess_is_trailing_punctuation_is_fitted_not_a_crash():
    from service.shares.text import fit_text

    fitted = fit_text("x" * 254 + ":::", lambda text: len(text) <= 256)
    assert fitted == "x" * 254 + "…"


def test_x_counts_23_only_for_what_it_links():
    from service.shares.text import x_weighted_length

    code = "AbstractAutowireCapableBeanFactory.createBean()"
    assert x_weighted_length(code) == len(code)  # not a domain: every character counts
    assert x_weighted_length("see example.com/x now") == 4 + 23 + 4
    assert x_weighted_length("read https://a.example/p?q=1, then") == 5 + 23 + 6
    assert x_weighted_length("https://" + "😀" * 10) == 8 + 20  # emoji end a URL


def test_a_query_keeps_its_bare_keys_and_order_with_or_without_utm():
    from service.shares.text import add_utm, canonicalise_url

    url = canonicalise_url("https://Blog.example/p?id=3&flag&utm_source=old&fbclid=x#top")
    assert url == "https://blog.example/p?id=3&flag"
    assert add_utm(url, "x") == (
        "https://blog.example/p?id=3&flag&utm_source=x&utm_medium=social&utm_campaign=share"
    )


def test_an_international_host_matches_its_punycode_form():
    from service.shares.text import canonicalise_url

    assert canonicalise_url("https://Bücher.example/x") == "https://xn--bcher-kva.example/x"
    assert canonicalise_url("https://xn--bcher-kva.example/x") == "https://xn--bcher-kva.example/x"
    # Not IDNA 2003's "strasse.de", another domain: browsers send xn--strae-oqa.de.
    assert canonicalise_url("https://straße.de/x") == "https://xn--strae-oqa.de/x"


def test_a_site_with_an_international_origin_accepts_either_form(client, make_site):
    make_site("books", origins=["https://bücher.example"])
    for url in ("https://bücher.example/post", "https://xn--bcher-kva.example/post"):
        response = client.get("/api/v1/sites/books/shares", query_string={"url": url})
        assert response.status_code == 200, (url, response.get_json())

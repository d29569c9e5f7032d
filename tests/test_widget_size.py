"""The widget stays small: everything the one tag loads before a reader does anything
(embed.js + its CSS, as served) is at most 10 KB gzip. The share menu's code
(embed-share.js) is fetched only when a reader reaches for it and is measured apart.
"""

import re

from service.widget.assets import SIZE_BUDGET_GZIP_BYTES, bundle, gzip_size

# Opening the menu costs this much more, at most: a click should not cost a page load.
SHARE_CHUNK_BUDGET_GZIP_BYTES = 3 * 1024


def test_embed_js_and_css_fit_in_10_kb_gzip(client):
    built = bundle()
    js = client.get(f"/{built.js_name}").get_data(as_text=True)
    css = client.get(f"/{built.css_name}").get_data(as_text=True)
    assert (js, css) == (built.js, built.css)  # measure exactly what browsers download
    js_gz, css_gz = gzip_size(js), gzip_size(css)
    total = js_gz + css_gz
    print(
        f"\nembed.js {len(js.encode())} B raw / {js_gz} B gzip; "
        f"embed.css {len(css.encode())} B raw / {css_gz} B gzip; "
        f"total {total} B gzip (budget {SIZE_BUDGET_GZIP_BYTES} B)"
    )
    assert total <= SIZE_BUDGET_GZIP_BYTES


def test_the_share_menu_is_loaded_only_on_demand_and_small(client):
    built = bundle()
    share = client.get(f"/{built.share_name}")
    assert share.status_code == 200 and share.mimetype == "text/javascript"
    assert "immutable" in share.headers["Cache-Control"]
    size = gzip_size(share.get_data(as_text=True))
    print(f"\nembed-share.js {len(built.share_js.encode())} B raw / {size} B gzip (on click)")
    assert size <= SHARE_CHUNK_BUDGET_GZIP_BYTES
    # embed.js names it by its hash but does not load it up front: only loadMenu() does.
    assert f"/{built.share_name}" in built.js
    assert built.share_js not in built.js
    # No URL literal: every request goes to the service's own share API and redirects.
    assert not re.search(r"[\"'`]https?://", built.share_js)
    assert "document.cookie" not in built.share_js

"""The widget stays small: embed.js + its CSS, as served, at most 10 KB gzip together.

Only those two files count: the share menu (issue 7) ships its own share.js and is not
part of this budget.
"""

from service.widget.assets import SIZE_BUDGET_GZIP_BYTES, bundle, gzip_size


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

from __future__ import annotations

from companion.markup import plain_text, render_markdown


def test_markdown_renders_emphasis_lists_and_links() -> None:
    html = render_markdown("Hello *there*\n\n- one\n- [two](https://example.org)")
    assert str(html) == (
        '<p>Hello <em>there</em></p>\n<ul>\n<li>one</li>\n<li><a href="https://example.org" '
        'rel="noopener noreferrer nofollow">two</a></li>\n</ul>\n'
    )


def test_headings_are_demoted_below_the_page_title() -> None:
    assert str(render_markdown("# Big")) == "<h3>Big</h3>\n"


def test_scripts_handlers_and_bad_schemes_are_removed() -> None:
    html = str(
        render_markdown(
            '<script>x()</script><b onmouseover="x()">b</b><a href="javascript:x()">j</a>'
            '<a href="data:text/html,x">d</a><style>*{}</style><svg onload=x()></svg>'
        )
    )
    for bad in ("script", "onmouseover", "javascript", "data:", "style", "svg", "onload"):
        assert bad not in html


def test_plain_text_strips_markup_and_entities() -> None:
    assert plain_text("**Bold** &amp; <i>it</i>\n\n* item") == "Bold & it item"

"""Template comments stay comments: Django's `{# … #}` is single-line only, so one spread over several lines is
printed to the customer as text (it happened on the certificates page). Use `{% comment %}` for longer notes."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "abri" / "templates"


def multi_line_short_comments(root: Path = TEMPLATES) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            start = line.find("{#")
            if start != -1 and "#}" not in line[start:]:
                found.append(f"{path.relative_to(root)}:{number}")
    return found


def test_no_template_comment_runs_over_several_lines():
    assert multi_line_short_comments() == [], "use {% comment %} … {% endcomment %} for a note on several lines"


def test_the_check_sees_a_comment_left_open(tmp_path):
    (tmp_path / "page.html").write_text("<p>ok</p>\n{# a note\n   on two lines #}\n", encoding="utf-8")
    (tmp_path / "fine.html").write_text("{# one line #}<p>{% comment %}\nlong\n{% endcomment %}</p>\n", encoding="utf-8")
    assert multi_line_short_comments(tmp_path) == ["page.html:2"]
    assert re.fullmatch(r"page\.html:\d+", multi_line_short_comments(tmp_path)[0])

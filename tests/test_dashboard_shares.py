"""Moderators see share clicks per post and network in the dashboard."""

from service.accounts.models import Role
from service.comments.models import Thread
from service.extensions import db
from service.shares.services import record_click
from tests.moderator_forms import signed_in


def thread(site, uri, title):
    row = Thread(site_id=site.id, uri=uri, title=title)
    db.session.add(row)
    db.session.commit()
    return row


def test_share_counts_per_post_and_network(app, make_site):
    site = make_site("blog")
    popular, quiet = thread(site, "/popular", "Popular post"), thread(site, "/quiet", "Quiet post")
    for network in ["x", "x", "x", "reddit"]:
        record_click(site.id, popular.id, network)
    record_click(site.id, quiet.id, "email")
    client = signed_in(app, site, "mod@example.org", Role.MODERATOR)

    page = client.get("/moderate/shares").get_data(as_text=True)

    assert "5 share clicks" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.index("Popular post") < rows.index("Quiet post")
    popular_row = rows.split("Popular post")[1].split("</tr>")[0]
    # Columns: total, then networks by overall count: x (3), then email and reddit (1 each).
    assert [cell.split("</td>")[0] for cell in popular_row.split("<td>")[1:]] == [
        "4",
        "3",
        "0",
        "1",
    ]


def test_another_sites_share_counts_are_not_found(app, make_site):
    mine, theirs = make_site("mine"), make_site("theirs")
    record_click(theirs.id, thread(theirs, "/secret", "Their secret post").id, "x")
    client = signed_in(app, mine, "mod@example.org")
    response = client.get("/moderate/shares?site=theirs")
    assert response.status_code == 404
    assert "Their secret post" not in client.get("/moderate/shares").get_data(as_text=True)


def test_odd_day_counts_fall_back_instead_of_failing(app, make_site):
    site = make_site("blog")
    client = signed_in(app, site, "mod@example.org")
    for days in ["0", "-3", "abc", "99999999999"]:
        assert client.get(f"/moderate/shares?days={days}").status_code == 200

"""API tokens people can manage: list, revoke (401 at once), expire; a panel page for admins and owners."""
import re

from app.extensions import db
from app.models import ApiToken
from tests.helpers.factories import make_user, token_for
from tests.helpers.web import client_for, csrf_from


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def test_a_revoked_token_gets_401_at_once(app, client, operator_user):
    raw = token_for(operator_user)
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 200
    _cli(app, "users", "revoke", raw[:12])
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


def test_revoke_accepts_the_whole_token(app, client, operator_user):
    raw = token_for(operator_user)
    _cli(app, "users", "revoke", raw)
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


def test_revoke_of_an_unknown_prefix_fails(app):
    result = app.test_cli_runner().invoke(args=["users", "revoke", "pvt_nada"])
    assert result.exit_code != 0 and "no API token" in result.output


def test_tokens_lists_prefix_dates_and_state(app, operator_user):
    raw = token_for(operator_user)
    listing = _cli(app, "users", "tokens", operator_user.email)
    assert raw[:12] in listing and raw not in listing and "active" in listing


def test_token_with_days_expires(app, client, operator_user, clock):
    raw = _cli(app, "users", "token", operator_user.email, "--days", "2").strip()
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 200
    clock.move(days=2, minutes=1)
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


def test_an_expired_token_is_listed_as_expired(app, operator_user, clock):
    _cli(app, "users", "token", operator_user.email, "--days", "1")
    clock.move(days=1, minutes=1)
    assert "expired" in _cli(app, "users", "tokens", operator_user.email)


def test_a_token_of_a_deactivated_user_gets_401(app, client, operator_user):
    raw = token_for(operator_user)
    operator_user.active = False
    db.session.commit()
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


# --- the panel page ---------------------------------------------------------------------------------------
def _page(client):
    return client.get("/admin/tokens-da-api/").get_data(as_text=True)


def test_an_admin_sees_every_token(app, admin_user, operator_user):
    mine, theirs = token_for(admin_user), token_for(operator_user)
    html = _page(client_for(app, admin_user))
    assert mine[:12] in html and theirs[:12] in html and operator_user.email in html


def test_an_operator_sees_only_their_own(app, admin_user, operator_user):
    mine, theirs = token_for(operator_user), token_for(admin_user)
    html = _page(client_for(app, operator_user))
    assert mine[:12] in html and theirs[:12] not in html


def test_no_page_shows_a_whole_token(app, admin_user):
    raw = token_for(admin_user)
    assert raw not in _page(client_for(app, admin_user))


def _revoke(browser, token_id):
    token = csrf_from(browser.get("/admin/tokens-da-api/").get_data(as_text=True))
    return browser.post(f"/admin/tokens-da-api/{token_id}/revogar", data={"csrf_token": token})


def _token_id(raw):
    return db.session.execute(db.select(ApiToken.id).where(ApiToken.prefix == raw[:12])).scalar_one()


def test_an_operator_revokes_their_own_token(app, client, operator_user):
    raw = token_for(operator_user)
    _revoke(client_for(app, operator_user), _token_id(raw))
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


def test_an_operator_cannot_revoke_anothers_token(app, client, operator_user):
    other = make_user("outro@preventivo.test", "operator")
    raw = token_for(other)
    assert _revoke(client_for(app, operator_user), _token_id(raw)).status_code == 403
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 200


def test_an_admin_revokes_anyones_token(app, client, admin_user, operator_user):
    raw = token_for(operator_user)
    _revoke(client_for(app, admin_user), _token_id(raw))
    assert client.get("/api/v1/campaigns", headers=_bearer(raw)).status_code == 401


def test_the_user_menu_links_the_page(app, operator_user):
    html = client_for(app, operator_user).get("/admin/").get_data(as_text=True)
    assert re.search(r'href="/admin/tokens-da-api/"', html)

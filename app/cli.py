"""The `flask` CLI commands: seed, users, keys, purge, sandbox (worker and scheduler: workers/cli.py)."""
from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click
from flask.cli import AppGroup

import config
from app import audit
from app.api.tokens import find_token, revoke, token_state
from app.auth.credentials import unlock
from app.auth.passwords import password_problem
from app.campaigns.retention import purge_before
from app.extensions import db
from app.models import ApiToken, EmailService, Operation, User
from app.providers.cli import sandbox_command
from app.security.crypto import rotate
from app.seed import seed_demo, seed_reference_data
from app.timeutil import fmt_datetime, localize, now_utc


def register_cli(app) -> None:
    app.cli.add_command(settings_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(purge_command)

    app.cli.add_command(sandbox_command)


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create the demo services SERVICO_1..6 and bindings.")
@click.option("--mail-port", default=1025, show_default=True, help="Port of the local mail catcher (demo).")
@click.option("--sandbox-url", default=None, help="Provider sandbox URL for the demo operations.")
def seed_command(demo: bool, mail_port: int, sandbox_url: str | None):
    """Create the operations and campaign types (idempotent)."""

    created = seed_reference_data()
    click.echo(f"seed: {created['operations']} operations, {created['campaign_types']} campaign types created")
    if demo:
        created = seed_demo(mail_port=mail_port, sandbox_url=sandbox_url)
        click.echo(f"seed --demo: {created['services']} services, {created['bindings']} bindings created")


users_cli = AppGroup("users", help="Manage users and their API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "operator"]), required=True)
@click.option("--password", default=None, help="Prompted for when omitted.")
@click.option("--name", default="")
@click.option("--if-missing", is_flag=True, help="Do nothing (exit 0) when the user exists.")
def users_create(email: str, role: str, password: str | None, name: str, if_missing: bool):
    """Create a user."""

    email = email.strip().lower()
    if db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none():
        if if_missing:
            click.echo(f"user {email} already exists")
            return
        raise click.ClickException(f"user {email} already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, name=name, email=email)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, role=role, name=name, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"user {email} created with role {role}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Prompted for (twice) when omitted.")
def users_set_password(email: str, password: str | None):
    """Set EMAIL's password (the policy applies), end its sessions and lift its login locks."""

    user = _user(email)
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, name=user.name, email=user.email)
    if problem:
        raise click.ClickException(problem)
    user.set_password(password)
    unlock([user.email])
    audit.record("user.password_set_cli", target=user)
    db.session.commit()
    click.echo(f"password of {user.email} changed; its sessions were ended")


def _user(email: str) -> User:
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


@users_cli.command("token")
@click.argument("email")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expires after this many days (default: "
              "until revoked).")
def users_token(email: str, days: int | None):
    """Print a new API token for EMAIL (and nothing else). It is shown only once."""

    user = _user(email)
    token, raw = ApiToken.issue(user, expires_at=now_utc() + timedelta(days=days) if days else None)
    db.session.add(token)
    audit.record("api_token.create", target=token, details={"prefix": token.prefix, "days": days})
    db.session.commit()
    sys.stdout.write(raw + "\n")


@users_cli.command("tokens")
@click.argument("email")
def users_tokens(email: str):
    """List EMAIL's API tokens: prefix, created, last used, expiry, state."""

    user = _user(email)
    tokens = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at, ApiToken.id)).scalars().all()
    if not tokens:
        click.echo(f"{user.email} has no API token")
        return
    click.echo(f"{'prefix':<14}{'created':<18}{'last used':<18}{'expires':<18}state")
    now = now_utc()
    for token in tokens:
        click.echo(f"{token.prefix:<14}{_when(token.created_at):<18}{_when(token.last_used_at):<18}"
                   f"{_when(token.expires_at):<18}{token_state(token, now)}")


def _when(moment) -> str:
    return fmt_datetime(moment).replace(" às ", " ") if moment else "-"


@users_cli.command("revoke")
@click.argument("prefix")
def users_revoke(prefix: str):
    """Revoke the API token that starts with PREFIX (as `flask users tokens` shows it); it answers 401 at once."""

    try:
        token = find_token(prefix)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if token.revoked_at is not None:
        click.echo(f"token {token.prefix} of {token.user.email} was already revoked")
        return
    revoke(token)
    db.session.commit()
    click.echo(f"token {token.prefix} of {token.user.email} revoked")


keys_cli = AppGroup("keys", help="Encryption keys of the stored secrets.")


@keys_cli.command("rotate")
def keys_rotate():
    """Re-encrypt every secret with the first key of ENCRYPTION_KEYS."""

    count = 0
    for service in db.session.execute(db.select(EmailService)).scalars():
        if service.password_encrypted:
            service.password_encrypted = rotate(service.password_encrypted)
            count += 1
    for op in db.session.execute(db.select(Operation)).scalars():
        if op.provider_token_encrypted:
            op.provider_token_encrypted = rotate(op.provider_token_encrypted)
            count += 1
    db.session.commit()
    click.echo(f"keys rotate: {count} secrets re-encrypted with the first key")


@click.command("purge")
@click.option("--before", "before", required=True, help="Local date YYYY-MM-DD: campaigns scheduled before it.")
def purge_command(before: str):
    """Delete personal data (CPFs, emails, boletos) of finished campaigns scheduled before a date."""

    try:
        day = datetime.strptime(before, "%Y-%m-%d")
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--before") from exc
    purged = purge_before(localize(day))
    click.echo(f"purge: personal data of {len(purged)} campaigns deleted")


README_BEGIN = "<!-- settings:{scope}:begin (generated by `make settings` from config.py) -->"
README_END = "<!-- settings:{scope}:end -->"
README_SCOPES = {"app": config.APP, "make-run": config.MAKE_RUN}


def readme_with_settings(readme: str) -> str:
    """The README with its settings tables regenerated from config.SETTINGS."""
    for tag, scope in README_SCOPES.items():
        begin, end = README_BEGIN.format(scope=tag), README_END.format(scope=tag)
        head, found, rest = readme.partition(begin)
        if not found:
            raise click.ClickException(f"README.md has no {begin} marker")
        _, _, tail = rest.partition(end)
        readme = f"{head}{begin}\n{config.settings_markdown(scope)}{end}{tail}"
    return readme


@click.command("settings")
@click.option("--write-readme", is_flag=True, help="Rewrite the settings tables of README.md.")
def settings_command(write_readme: bool):
    """Print every setting (name, default, meaning) as the README's Markdown tables."""
    if write_readme:
        path = config.BASE_DIR / "README.md"
        path.write_text(readme_with_settings(path.read_text()))
        click.echo(f"settings: {path} rewritten")
        return
    for tag, scope in README_SCOPES.items():
        click.echo(f"## {tag}\n\n{config.settings_markdown(scope)}")


"""The `flask` CLI commands: seed, users, keys, purge, sandbox (worker and scheduler: workers/cli.py)."""
from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import AppGroup

from app.campaigns.retention import purge_before
from app.extensions import db
from app.models import ApiToken, EmailService, Operation, User
from app.providers.cli import sandbox_command
from app.security.crypto import rotate
from app.seed import seed_demo, seed_reference_data
from app.timeutil import localize


def register_cli(app) -> None:
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
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = User(email=email, role=role, name=name, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"user {email} created with role {role}")


@users_cli.command("token")
@click.argument("email")
def users_token(email: str):
    """Print a new API token for EMAIL (and nothing else). It is shown only once."""

    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user {email}")
    token, raw = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    sys.stdout.write(raw + "\n")


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

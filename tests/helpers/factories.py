"""One helper per kind of row (CTFd's gen_* style)."""
from __future__ import annotations

from app.extensions import db
from app.models import ApiToken, EmailService, User

DEFAULT_PASSWORD = "senha-segura-123"


def make_user(email: str, role: str = "operator", password: str = DEFAULT_PASSWORD, **fields) -> User:
    user = User(email=email, role=role, name=fields.pop("name", email.split("@")[0]), active=True, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def token_for(user: User) -> str:
    token, raw = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return raw


def make_service(name: str, **fields) -> EmailService:
    password = fields.pop("password", "segredo-" + name.lower())
    defaults = dict(host="127.0.0.1", port=1025, security="none", username=name.lower(), monthly_quota=1000,
                    rotation_order=int(name.rsplit("_", 1)[-1]) if name.rsplit("_", 1)[-1].isdigit() else 100,
                    in_rotation=True, active=True, allowed_senders="")
    defaults.update(fields)
    service = EmailService(name=name, **defaults)
    service.set_password(password)
    db.session.add(service)
    db.session.commit()
    return service


def make_campaign(operation_code: str = "NET", status: str = "scheduled", scheduled_at=None, **fields):
    """A campaign of the seeded operation's first campaign type (call with the `seeded` fixture)."""
    from datetime import timedelta

    from app.models import Campaign, CampaignType, Operation
    from app.timeutil import local_date, now_utc

    operation = db.session.execute(db.select(Operation).filter_by(code=operation_code)).scalar_one()
    ctype = db.session.execute(db.select(CampaignType).filter_by(operation_id=operation.id)).scalars().first()
    scheduled_at = scheduled_at or now_utc() + timedelta(hours=1)
    campaign = Campaign(operation_id=operation.id, campaign_type_id=ctype.id, scheduled_at=scheduled_at,
                        campaign_day=local_date(scheduled_at), status=status, **fields)
    db.session.add(campaign)
    db.session.commit()
    return campaign

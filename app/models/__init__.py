"""All models, importable from one place. Each module holds one capability's tables."""
from app.models.accounts import ApiToken, LoginLock, User  # noqa: F401
from app.models.agreements import Agreement, Boleto  # noqa: F401
from app.models.audit import AuditEvent  # noqa: F401
from app.models.bounces import BounceEvent, BounceMailbox, Suppression  # noqa: F401
from app.models.campaigns import (  # noqa: F401
    Campaign,
    CampaignClient,
    CollectionChunk,
    Delivery,
    ImportIssue,
)
from app.models.mailer import (  # noqa: F401
    Alert,
    CapturedEmail,
    EmailService,
    OperationBinding,
    Rotation,
    ServiceUsage,
)
from app.models.operations import CampaignType, Operation  # noqa: F401
from app.models.types import UTCDateTime, utcnow  # noqa: F401

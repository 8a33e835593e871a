"""The Flask-Admin panel: menu, views, roles."""
from __future__ import annotations

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from app.extensions import db
from app.models import BounceMailbox, CampaignType, CapturedEmail, EmailService, Operation, User
from app.web import csp_nonce

from .bindings import BindingView
from .bounce_mailboxes import BounceMailboxView
from .campaign_new import CampaignNewView
from .campaign_types import CampaignTypeView
from .campaigns_list import CampaignListView
from .captured import CapturedEmailView
from .dashboard import DashboardView
from .operations import OperationView
from .sending_history import SendingHistoryView
from .services import EmailServiceView
from .suppressions import SuppressionView
from .tokens import ApiTokenView
from .users import UserView

CAMPAIGNS = "Campanha Preventiva"
SETTINGS = "Configuração"


def init_admin(app) -> Admin:
    admin = Admin(
        app,
        name="Preventivo",
        url="/admin",
        index_view=DashboardView(name="Dashboard", url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/preventivo_master.html", fluid=True),
        csp_nonce_generator=csp_nonce,  # Flask-Admin's own <script> tags carry the CSP nonce
    )
    admin.add_view(CampaignNewView(name="Cadastrar Campanha", category=CAMPAIGNS, endpoint="campaign_new", url="/admin/campanhas/nova"))
    admin.add_view(CampaignListView(name="Listar Campanhas", category=CAMPAIGNS, endpoint="campaigns", url="/admin/campanhas"))
    admin.add_view(BindingView(name="Alterar Serviço de Envio", category=CAMPAIGNS, endpoint="bindings", url="/admin/servico-de-envio"))
    admin.add_view(EmailServiceView(EmailService, db, name="Cadastro Serviços", category=CAMPAIGNS, endpoint="services", url="/admin/servicos"))
    admin.add_view(SendingHistoryView(name="Histórico de Envio", category=CAMPAIGNS, endpoint="sending_history", url="/admin/historico-de-envio"))
    admin.add_view(SuppressionView(name="Endereços bloqueados", category=CAMPAIGNS, endpoint="suppressions", url="/admin/enderecos-bloqueados"))
    admin.add_view(OperationView(Operation, db, name="Operações", category=SETTINGS, endpoint="operations", url="/admin/operacoes"))
    admin.add_view(CampaignTypeView(CampaignType, db, name="Tipos de Campanha", category=SETTINGS, endpoint="campaign_types", url="/admin/tipos-de-campanha"))
    admin.add_view(BounceMailboxView(BounceMailbox, db, name="Caixa de devoluções", category=SETTINGS, endpoint="bounce_mailboxes", url="/admin/caixa-de-devolucoes"))
    admin.add_view(UserView(User, db, name="Usuários", category=SETTINGS, endpoint="users", url="/admin/usuarios"))
    admin.add_view(CapturedEmailView(CapturedEmail, db, name="Emails capturados", category=SETTINGS, endpoint="captured", url="/admin/emails-capturados"))
    admin.add_view(ApiTokenView(name="Tokens da API", endpoint="api_tokens", url="/admin/tokens-da-api"))
    return admin

"""The flask CLI: seed (twice), users, tokens, key rotation."""
from cryptography.fernet import Fernet

from app.extensions import db
from app.models import CampaignType, EmailService, Operation, OperationBinding, User


def count(model):
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_seed_twice_creates_the_reference_data_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert sorted(o.code for o in db.session.execute(db.select(Operation)).scalars()) == ["CLARO", "NET", "SEMPARAR"]
    assert sorted(t.name for t in db.session.execute(db.select(CampaignType)).scalars()) == [
        "CLARO CPC", "CLARO FASE 1", "CLARO TV FASE 1", "NET FASE 1", "SEM PARAR FASE 1"]


def test_seed_demo_twice_creates_six_services_and_three_bindings(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed", "--demo"])
        assert result.exit_code == 0, result.output
    assert count(EmailService) == 6
    assert count(OperationBinding) == 3
    servico_1 = db.session.execute(db.select(EmailService).filter_by(name="SERVICO_1")).scalar_one()
    assert servico_1.in_rotation is False


def test_users_create_and_token(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Ana@Preventivo.test", "--role", "admin", "--password", "uma-senha-boa"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).filter_by(email="ana@preventivo.test")).scalar_one()
    assert user.role == "admin" and user.check_password("uma-senha-boa")

    result = runner.invoke(args=["users", "token", "ana@preventivo.test"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert result.output == token + "\n"
    assert client.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_users_create_prompts_for_the_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "op@preventivo.test", "--role", "operator"],
                           input="senha-digitada\nsenha-digitada\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).filter_by(email="op@preventivo.test")).scalar_one()
    assert user.check_password("senha-digitada")


def test_users_create_refuses_a_duplicate(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "a@p.test", "--role", "admin", "--password", "12345678"])
    result = runner.invoke(args=["users", "create", "a@p.test", "--role", "admin", "--password", "12345678"])
    assert result.exit_code != 0


def test_keys_rotate_reencrypts_with_the_first_key(app):
    from tests.helpers.factories import make_service

    service = make_service("SERVICO_2", password="segredo-antigo")
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, *app.config["ENCRYPTION_KEYS"]]
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key retired
    db.session.expire_all()
    assert db.session.get(EmailService, service.id).password == "segredo-antigo"

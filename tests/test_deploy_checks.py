"""`flask check-deploy`: every unsafe setting is reported with its code, the command exits non-zero
on any, and a production start is refused on the errors."""
import pytest

from app import create_app
from app.deploy_checks import check_settings
from config import DEV_SECRET_KEY, DevelopmentConfig, ProductionConfig

POSTGRESQL = "postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_test"
SAFE = {"SECRET_KEY": "s" * 48, "SQLALCHEMY_DATABASE_URI": POSTGRESQL, "REDIS_URL": "redis://127.0.0.1:6379/0"}


def _config(base=ProductionConfig, **overrides) -> type:
    return type("Checked", (base,), {**SAFE, **overrides} if base is ProductionConfig else overrides)


def _run(config_class) -> tuple[int, str]:
    result = create_app(config_class).test_cli_runner().invoke(args=["check-deploy"])
    return result.exit_code, result.output


def test_a_safe_production_configuration_passes():
    code, output = _run(_config())
    assert (code, output.strip()) == (0, "No problems found: the configuration is safe to deploy.")


def test_the_development_defaults_fail_with_every_problem_named(tmp_path):
    code, output = _run(_config(DevelopmentConfig, SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "secret_key")))
    assert code == 1
    for expected in ("H001 ERROR: SECRET_KEY", "H003 ERROR", "H006 ERROR: DATABASE_URL", "H008 ERROR", "H009 ERROR",
                     "H010 ERROR", "H101 WARNING: REDIS_URL", "H102 WARNING", "H106 WARNING"):
        assert expected in output, expected


@pytest.mark.parametrize(("setting", "value", "code"), [
    ("SECRET_KEY", DEV_SECRET_KEY, "H001"),
    ("SECRET_KEY", "short", "H001"),
    ("DEBUG", True, "H002"),
    ("SESSION_COOKIE_SECURE", False, "H003"),
    ("SESSION_COOKIE_HTTPONLY", False, "H004"),
    ("SESSION_COOKIE_SAMESITE", None, "H005"),
    ("SQLALCHEMY_DATABASE_URI", "sqlite:///helsesak.db", "H006"),
    ("WTF_CSRF_ENABLED", False, "H007"),
    ("DEMO_DATA_ALLOWED", True, "H008"),
    ("TESTING", True, "H008"),
    ("TOTP_REQUIRED", False, "H009"),
    ("SESSION_COOKIE_NAME", "session", "H010"),
    ("SESSION_COOKIE_DOMAIN", "helse.no", "H010"),
    ("REDIS_URL", None, "H101"),
    ("REMEMBER_COOKIE_SECURE", False, "H102"),
    ("PASSWORD_HASH_MEMORY_COST", 8, "H103"),
    ("PASSWORD_HASH_TIME_COST", 1, "H103"),
    ("PASSWORD_MIN_LENGTH", 8, "H104"),
    ("SESSION_IDLE_MINUTES", 120, "H105"),
    ("SESSION_ABSOLUTE_HOURS", 24, "H105"),
    ("PREFERRED_URL_SCHEME", "http", "H106"),
    ("MAX_CONTENT_LENGTH", None, "H107"),
])
def test_each_rule_reports_its_setting(setting, value, code):
    settings = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    findings = check_settings({**settings, **SAFE, setting: value})
    assert [finding.code for finding in findings] == [code]
    if findings[0].error:
        with pytest.raises(RuntimeError, match="Unsafe production settings"):
            create_app(_config(**{setting: value}))
    else:
        assert _run(_config(**{setting: value}))[0] == 1

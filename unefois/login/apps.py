from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class LoginConfig(AppConfig):
    name = "unefois.login"
    label = "login"
    verbose_name = "Connexion"

    def ready(self) -> None:
        checks.register(check_provider_settings, checks.Tags.security)


def check_provider_settings(app_configs=None, **kwargs):
    conf = getattr(settings, "OIDC_PROVIDER", None) or {}
    missing = [k for k in ("issuer", "client_id", "client_secret") if not conf.get(k)]
    if missing:
        return [
            checks.Warning(
                f"OIDC_PROVIDER lacks {', '.join(missing)}: nobody can sign in.",
                hint="Set FRANCECONNECT_ISSUER, FRANCECONNECT_CLIENT_ID and "
                "FRANCECONNECT_CLIENT_SECRET (see docs/login.md).",
                id="login.W001",
            )
        ]
    return []

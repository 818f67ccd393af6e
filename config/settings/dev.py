"""Local development: the embedded SQLite database and demo data."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# The home page lists demo accounts (make run loads a simulated population).
DEMO_ACCOUNTS = True

# The development OpenID provider (unefois.devidp), mounted under /fc-dev/ on this same server;
# "self" makes the client use it at <scheme>://<host>/fc-dev, whatever the port.
INSTALLED_APPS = [*INSTALLED_APPS, "unefois.devidp"]  # noqa: F405
OIDC_PROVIDER = {
    "issuer": "self",
    "client_id": "unefois-dev",
    "client_secret": "dev-only-not-secret",
}
DEVIDP_CLIENTS = [
    {
        "client_id": OIDC_PROVIDER["client_id"],
        "client_secret": OIDC_PROVIDER["client_secret"],
        "name": "unefois",
        # Paths are taken on the provider's own origin (the client runs on the same server).
        "redirect_uris": ["/connexion/retour/"],
        "post_logout_redirect_uris": ["/"],
    }
]
DEVIDP_KEY_FILE = BASE_DIR / "var" / "devidp" / "signing-key.json"  # noqa: F405

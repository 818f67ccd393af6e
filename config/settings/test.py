"""Tests: same database choice as base (SQLite unless DATABASE_URL is set)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The development OpenID provider (unefois.devidp), mounted under /fc-dev/ on this same server;
# "self" makes the client use it at <scheme>://<host>/fc-dev, whatever the port.
INSTALLED_APPS = [*INSTALLED_APPS, "unefois.devidp"]  # noqa: F405
OIDC_PROVIDER = {
    "issuer": "self",
    "client_id": "unefois-dev",
    "client_secret": "test-only-not-secret",
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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: like the real embedded database, concurrent requests
    # of the browser tests wait for the write lock (WAL) instead of failing with « table is
    # locked » (shared-cache memory databases have no busy timeout). One file per xdist worker.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}  # noqa: F405

"""Local development: the embedded SQLite database and demo data."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# The home page lists demo accounts (make run loads a simulated population).
DEMO_ACCOUNTS = True

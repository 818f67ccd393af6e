"""Settings of the partner-API read benchmark (bench/exchange_reads.py): those of the web
benchmark (production-like: no debug, PostgreSQL, persistent connections), plus the peer endpoint
(``bench/exchange_urls.py``) and keys of its own."""

from config.settings.bench import *  # noqa: F403

ROOT_URLCONF = "bench.exchange_urls"
EXCHANGE_TOKEN_KEY_FILE = BASE_DIR / "var" / "bench-exchange" / "token-key.json"  # noqa: F405
EXCHANGE_SEAL_KEY_FILE = BASE_DIR / "var" / "bench-exchange" / "seal-key.pem"  # noqa: F405

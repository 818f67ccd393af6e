"""The provider's RS256 signing key: generated once, kept in a file under ``var/`` (git-ignored).

The first process that needs the key creates the file atomically (written aside, then linked
into place, which fails if another process got there first), so parallel test workers and a
restarted ``runserver`` all sign with the same key. Each process keeps the key in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from joserfc.jwk import KeySet, RSAKey

ALGORITHM = "RS256"

_lock = threading.Lock()
_loaded: dict[Path, RSAKey] = {}


def key_file() -> Path:
    return Path(settings.DEVIDP_KEY_FILE)


def signing_key() -> RSAKey:
    path = key_file()
    with _lock:
        key = _loaded.get(path)
        if key is None:
            key = _loaded[path] = _load_or_create(path)
        return key


def public_jwks() -> dict:
    return KeySet([signing_key()]).as_dict(private=False)


def _load_or_create(path: Path) -> RSAKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": ALGORITHM}, auto_kid=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(key.as_dict(private=True), f)
            # Linking fails if another process created the file first: then use theirs.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return RSAKey.import_key(json.loads(path.read_text()))

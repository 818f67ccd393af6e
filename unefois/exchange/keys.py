"""The platform's own keys: one signs the access tokens it issues to partners (RS256, RFC 9068
requires resource servers to accept it), the other seals the exchange log's checkpoints
(Ed25519). Both live in files outside the database (``var/exchange/`` by default, see
docs/exchange.md); in development and tests they are created on first use."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from joserfc.jwk import KeySet, RSAKey


def _default(name: str) -> Path:
    return Path(settings.BASE_DIR) / "var" / "exchange" / name


def token_key_file() -> Path:
    return Path(getattr(settings, "EXCHANGE_TOKEN_KEY_FILE", _default("token-key.json")))


def seal_key_file() -> Path:
    return Path(getattr(settings, "EXCHANGE_SEAL_KEY_FILE", _default("seal-key.pem")))


def _load_or_create(path: Path, create) -> bytes:
    """The file's bytes; created once (atomically, mode 0600) if it does not exist yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(create())
        with contextlib.suppress(FileExistsError):  # another process was first: keep theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


# ---- Access tokens (RS256) -------------------------------------------------------------------


def _new_rsa_jwk() -> bytes:
    key = RSAKey.generate_key(2048, private=True)
    data = key.as_dict(private=True)
    data["kid"] = key.thumbprint()
    data["use"] = "sig"
    data["alg"] = "RS256"
    return json.dumps(data).encode()


@lru_cache(maxsize=4)
def _token_key(path: str) -> RSAKey:
    data = json.loads(_load_or_create(Path(path), _new_rsa_jwk))
    return RSAKey.import_key(data)


def token_signing_key() -> RSAKey:
    return _token_key(str(token_key_file()))


def token_verification_keys() -> KeySet:
    """The public keys that access tokens may be signed with: the current one and the retired
    ones still listed in ``EXCHANGE_TOKEN_RETIRED_PUBLIC_KEYS`` (JWK dicts)."""
    retired = json.dumps(getattr(settings, "EXCHANGE_TOKEN_RETIRED_PUBLIC_KEYS", []))
    return _verification_keys(str(token_key_file()), retired)


@lru_cache(maxsize=4)
def _verification_keys(path: str, retired: str) -> KeySet:
    current = _token_key(path).as_dict(private=False)
    return KeySet.import_key_set({"keys": [current, *json.loads(retired)]})


def public_jwks() -> dict:
    return token_verification_keys().as_dict(private=False)


# ---- Seals of the exchange log (Ed25519) ------------------------------------------------------


def _new_ed25519_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@lru_cache(maxsize=4)
def _seal_key(path: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(_load_or_create(Path(path), _new_ed25519_pem), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} : la clé de scellement doit être une clé Ed25519.")
    return key


def seal_signing_key() -> Ed25519PrivateKey:
    return _seal_key(str(seal_key_file()))


def seal_public_keys() -> dict[str, Ed25519PublicKey]:
    """Keys that checkpoints may be signed with, by key id: the current one and the retired
    public keys listed in ``EXCHANGE_SEAL_RETIRED_PUBLIC_KEY_FILES`` (PEM files)."""
    keys = {}
    current = seal_signing_key().public_key()
    keys[key_id(current)] = current
    for path in getattr(settings, "EXCHANGE_SEAL_RETIRED_PUBLIC_KEY_FILES", []):
        public = serialization.load_pem_public_key(Path(path).read_bytes())
        if isinstance(public, Ed25519PublicKey):
            keys[key_id(public)] = public
    return keys

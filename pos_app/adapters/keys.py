"""The till's Ed25519 key pair and the PIN pepper: device-held secrets, files readable only by
their owner.  The private key never leaves the device; only the public key is shown or sent."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.errors import StateError


def write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def create_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        raise StateError(
            f"{path} already exists: this till already has a key", f"{path} 已存在：本机已有密钥"
        )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_secret(path, pem)
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as err:
        raise StateError(
            f"The till's key {path} is missing: restore it from backup or run "
            "`guitai init` on a fresh folder",
            f"缺少收银台密钥 {path}",
        ) from err
    if not isinstance(key, Ed25519PrivateKey):
        raise StateError(f"{path} is not an Ed25519 key", f"{path} 不是 Ed25519 密钥")
    return key


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class TillSigner:
    """pos_app.domain.ports.Signer over the key file."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self.private_key = key
        self.public_key_raw = public_raw(key)
        self.key_id = hashlib.sha256(self.public_key_raw).digest()[:4]

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key_raw).decode()

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def create_pepper(path: Path) -> bytes:
    pepper = os.urandom(32)
    write_secret(path, pepper)
    return pepper


def load_pepper(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise StateError(
            f"The PIN pepper {path} is missing: PINs cannot be checked. Restore "
            "the keys folder from backup",
            f"缺少 PIN 密钥文件 {path}",
        ) from err

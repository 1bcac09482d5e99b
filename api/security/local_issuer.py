"""The embedded shape's own token issuer: a local signing key, its JWKS, development tokens.

On first start a P-256 key is created in ``<data_dir>/keys`` (private key mode 0600) with
the matching JWKS beside it; the API checks tokens against that JWKS unless another
issuer is configured. Nothing secret is shipped: every installation makes its own key.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
KEY_FILE = "signing-key.pem"
JWKS_FILE = "jwks.json"
ORG_ID_PREFIX = "0192:"  # ISO 6523 ICD of the Norwegian organisation number, as in Maskinporten


@dataclass(frozen=True, slots=True)
class LocalIssuer:
    """The local key pair: sign development tokens and publish the JWKS."""

    key_dir: Path

    @property
    def key_path(self) -> Path:
        return self.key_dir / KEY_FILE

    @property
    def jwks_path(self) -> Path:
        return self.key_dir / JWKS_FILE

    def ensure(self) -> LocalIssuer:
        """Create the key and JWKS unless they exist (mode 0600 for the key, from the first byte)."""
        if self.key_path.exists() and self.jwks_path.exists():
            return self
        self.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.key_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            # O_EXCL: two processes starting at once never overwrite each other's key.
            try:
                fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(pem)
        jwks = {"keys": [self._public_jwk()]}
        temporary = self.jwks_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(jwks, indent=2), encoding="utf-8")
        temporary.replace(self.jwks_path)
        return self

    def _private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def _public_jwk(self) -> dict[str, Any]:
        public = self._private_key().public_key()
        jwk: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        jwk.update({"kid": hashlib.sha256(der).hexdigest()[:16], "use": "sig", "alg": ALGORITHM})
        return jwk

    @property
    def kid(self) -> str:
        return self._public_jwk()["kid"]

    def issue(
        self,
        org_number: str,
        scopes: str,
        issuer: str,
        audience: str,
        lifetime_seconds: int = 3600,
        now: float | None = None,
        **claims: Any,
    ) -> str:
        """A signed access token with Maskinporten-style claims for ``org_number``."""
        issued = int(time.time() if now is None else now)
        body = {
            "iss": issuer,
            "aud": audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime_seconds,
            "jti": str(uuid.uuid4()),
            "scope": scopes,
            "client_id": f"dev-{org_number}",
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"{ORG_ID_PREFIX}{org_number}"},
            **claims,
        }
        return jwt.encode(body, self._private_key(), algorithm=ALGORITHM, headers={"kid": self.kid})


def local_issuer(data_dir: Path) -> LocalIssuer:
    """The embedded shape's issuer, created on first use."""
    return LocalIssuer(Path(data_dir) / "keys").ensure()

"""Credentials sealed with KMS before storage, opened (and cached) only inside the Lambda that needs them.

Every ciphertext is bound to its owner with the KMS encryption context ``{tenantId, integrationId}``: a ciphertext
copied onto another tenant's or integration's item fails to decrypt. Tenant-level credentials (the WMS API client)
use ``integrationId = "tenant"``. Plaintexts are cached per warm Lambda (keyed by the ciphertext and its context),
so a steady stream of work costs no KMS calls. Why KMS ciphertext in DynamoDB rather than one Secrets Manager
secret per integration: docs/credentials.md.
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Final

from botocore.exceptions import ClientError
from pydantic import SecretStr

from . import aws
from .errors import ConfigurationError

TENANT_SCOPE: Final = "tenant"
_CACHE_SIZE: Final = 512


class SealedSecretUnreadable(ConfigurationError):
    """A stored credential could not be decrypted (wrong owner, key disabled, or corrupted)."""

    resolution = "Enter the credentials again in the integration settings."


class Credentials(Mapping[str, SecretStr]):
    """Decrypted credential fields. Values are ``SecretStr``: printing, logging or ``repr`` shows ``**********``."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {name: SecretStr(value) for name, value in values.items()}

    def __getitem__(self, name: str) -> SecretStr:
        return self._values[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def reveal(self, name: str) -> str:
        """The plain value, for the one place that must send it (an Authorization header)."""
        return self._values[name].get_secret_value()

    def __repr__(self) -> str:
        return f"Credentials({', '.join(f'{k}=**********' for k in self._values)})"


def encryption_context(tenant_id: str, integration_id: str | None) -> dict[str, str]:
    return {"tenantId": tenant_id, "integrationId": integration_id or TENANT_SCOPE}


class CredentialVault:
    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        self._cache: OrderedDict[tuple[str, str, str], Credentials] = OrderedDict()

    def seal(self, values: Mapping[str, str], *, tenant_id: str, integration_id: str | None = None) -> str:
        """Encrypt credential fields; returns base64 ciphertext safe to store."""
        plaintext = json.dumps(dict(values), separators=(",", ":"), sort_keys=True).encode()
        response = aws.kms().encrypt(
            KeyId=self.key_id,
            Plaintext=plaintext,
            EncryptionContext=encryption_context(tenant_id, integration_id),
        )
        return base64.b64encode(response["CiphertextBlob"]).decode("ascii")

    def open(self, ciphertext: str, *, tenant_id: str, integration_id: str | None = None) -> Credentials:
        """Decrypt (or take from this Lambda's cache) the credentials sealed for this owner."""
        cache_key = (ciphertext, tenant_id, integration_id or TENANT_SCOPE)
        cached = self._cache.get(cache_key)
        if cached is not None:
            self._cache.move_to_end(cache_key)
            return cached
        try:
            response = aws.kms().decrypt(
                CiphertextBlob=base64.b64decode(ciphertext),
                EncryptionContext=encryption_context(tenant_id, integration_id),
            )
        except (ClientError, ValueError) as exc:
            code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else "MalformedCiphertext"
            raise SealedSecretUnreadable(f"Stored credentials could not be decrypted ({code})") from None
        credentials = Credentials(json.loads(response["Plaintext"]))
        self._cache[cache_key] = credentials
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return credentials

"""STS ``DecodeAuthorizationMessage``, which moto leaves out, added to the in-process moto server.

AWS answers some denied calls (EC2's ``UnauthorizedOperation``) with "Encoded authorization failure
message: ..."; only STS can decode it, for a caller allowed ``sts:DecodeAuthorizationMessage``
(STS API Reference, DecodeAuthorizationMessage). Here a world registers the failure it stages:
``encode_failure(account, decoded)`` stores the decoded document (the shape of the IAM User
Guide's example, "Use DecodeAuthorizationMessage with a CLI") under an opaque token, and the
action answers ``DecodedMessage`` for it. As in botocore's ``sts`` model (2011-06-15):
``EncodedMessage`` is 1 to 10,240 characters, and the one error the operation lists is
``InvalidAuthorizationMessageException`` (HTTP 400), which is what a token this server never
issued gets ("the message has expired" or is otherwise invalid). ``refuse_decoding(account)``
stands for a caller whose policies lack the permission: ``AccessDenied``, worded as AWS words a
missing permission ("User: ... is not authorized to perform: ...").

Tokens live on moto's STS backend, so ``/moto-api/reset`` forgets them. ``install()`` adds the
action to moto's STS response class once; ``MotoSandbox.start`` calls it.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

MAX_MESSAGE = 10240
_lock = threading.Lock()
_installed = False


def _backend(account: str) -> Any:
    from moto.sts.models import sts_backends

    return sts_backends[account]["aws"]


def _state(backend: Any) -> dict[str, Any]:
    with _lock:
        return backend.__dict__.setdefault("_authorization_messages", {"messages": {}, "refused": False})


def encode_failure(account: str, decoded: dict[str, Any]) -> str:
    """An opaque encoded message that decodes to ``decoded`` for callers in ``account``."""
    token = secrets.token_urlsafe(384)  # real messages are long base64url-like runs, as here
    _state(_backend(account))["messages"][token] = json.dumps(decoded, separators=(",", ":"))
    return token


def refuse_decoding(account: str, *, refused: bool = True) -> None:
    """From now on the account's callers may (not) call ``sts:DecodeAuthorizationMessage``."""
    _state(_backend(account))["refused"] = refused


def decode(response: Any) -> Any:
    from moto.core.exceptions import AccessDeniedError, ServiceException
    from moto.core.responses import ActionResult

    message = str(response._get_param("EncodedMessage") or "")
    if not 1 <= len(message) <= MAX_MESSAGE:
        raise ServiceException(
            "ValidationError",
            f"1 validation error detected: Value at 'encodedMessage' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_MESSAGE}",
        )
    state = _state(response.backend)
    if state["refused"]:
        caller = response.backend.get_caller_identity(response.get_access_key(), response.region)[1]
        # moto's own access-denied error: HTTP 403 and IAM's wording of a missing permission.
        raise AccessDeniedError(caller, "sts:DecodeAuthorizationMessage")
    decoded = state["messages"].get(message)
    if decoded is None:
        raise ServiceException("InvalidAuthorizationMessageException", "The message is invalid or has expired.")
    return ActionResult({"DecodedMessage": decoded})


def install() -> None:
    """Add ``DecodeAuthorizationMessage`` to moto's STS responses (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.sts.responses import TokenResponse

    TokenResponse.decode_authorization_message = decode
    _installed = True

"""boto3 behind a translating proxy.

``Aws.client("iam")`` returns an object that behaves like the boto3 client but raises
``bot.errors`` instead of botocore exceptions and counts each call as ``iam:GetRole``.
Endpoints come from boto3's own configuration (``AWS_ENDPOINT_URL`` and friends), so the
sandbox and tests need no special code path.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from bot import errors
from bot.cloud.counter import CallCounter

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
           "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken"}
_THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
              "SlowDown"}
_CONFLICT = {"ConcurrentModification", "ConcurrentModificationException", "InvalidDBClusterStateFault",
             "InvalidDBInstanceState"}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def translate_client_error(call: str, exc: ClientError) -> errors.CloudError:
    """Map a botocore ClientError to the bot's error class for it."""
    err = exc.response.get("Error", {})
    code = str(err.get("Code", "Unknown"))
    message = str(err.get("Message", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in _DENIED or status == 403:
        return errors.AccessDenied(call, code, message, permission=call)
    if code in _THROTTLED or status == 429:
        return errors.Throttled(call, code, message)
    if code in _CONFLICT:
        return errors.Conflict(call, code, message)
    if "NotFound" in code or code.startswith("NoSuch") or status == 404:
        return errors.NotFound(call, code, message)
    if status and status >= 500:
        return errors.Unreachable(call, code, message)
    return errors.InvalidRequest(call, code, message)


class _Paginator:
    def __init__(self, inner: Any, call: str, counter: CallCounter):
        self._inner, self._call, self._counter = inner, call, counter

    def paginate(self, **kwargs: Any):
        try:
            for page in self._inner.paginate(**kwargs):
                self._counter.add(self._call)
                yield page
        except ClientError as exc:
            raise translate_client_error(self._call, exc) from exc
        except (EndpointConnectionError, BotoCoreError, ResponseParserError) as exc:
            raise errors.Unreachable(self._call, type(exc).__name__, str(exc)[:300]) from exc


class TranslatingClient:
    """Wraps one boto3 client: same methods, our errors, counted calls."""

    def __init__(self, inner: Any, counter: CallCounter):
        self._inner = inner
        self._counter = counter
        self._prefix = inner.meta.service_model.signing_name or inner.meta.service_model.service_name

    @property
    def meta(self) -> Any:
        return self._inner.meta

    @property
    def exceptions(self) -> Any:
        return self._inner.exceptions

    def get_paginator(self, name: str) -> _Paginator:
        return _Paginator(self._inner.get_paginator(name), f"{self._prefix}:{_pascal(name)}", self._counter)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not callable(method):
            return method
        call = f"{self._prefix}:{_pascal(name)}"

        def invoke(*args: Any, **kwargs: Any) -> Any:
            self._counter.add(call)
            try:
                return method(*args, **kwargs)
            except ClientError as exc:
                raise translate_client_error(call, exc) from exc
            except (EndpointConnectionError, BotoCoreError, ResponseParserError) as exc:
                # ResponseParserError: an endpoint that answered with something that is not AWS's
                # wire format (moto's HTML 500 for an action it does not implement, a proxy page).
                raise errors.Unreachable(call, type(exc).__name__, str(exc)[:300]) from exc

        return invoke


class Aws:
    """A factory of translating boto3 clients for one account/region (optionally an assumed role)."""

    def __init__(self, session: boto3.Session | None = None, region: str | None = None,
                 max_attempts: int = 4, counter: CallCounter | None = None):
        self.session = session or boto3.Session()
        self.region = region or self.session.region_name or "ap-northeast-2"
        self.counter = counter or CallCounter()
        # total_max_attempts counts the first try too (botocore's max_attempts would count only retries)
        self._config = Config(retries={"total_max_attempts": max_attempts, "mode": "standard"},
                              connect_timeout=5, read_timeout=20)
        self._clients: dict[tuple[str, str], TranslatingClient] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                inner = self.session.client(service, region_name=key[1], config=self._config)
                self._clients[key] = TranslatingClient(inner, self.counter)
            return self._clients[key]

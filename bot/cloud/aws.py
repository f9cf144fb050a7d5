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
from bot.cloud.metrics import AWS_CALLS

_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
}
_THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown"}
_CONFLICT = {
    "ConcurrentModification",
    "ConcurrentModificationException",
    "InvalidDBClusterStateFault",
    "InvalidDBInstanceState",
}


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _error_class(code: str, status: int) -> type[errors.CloudError]:
    """The bot's error class for an AWS error ``code`` answered with HTTP ``status``."""
    if code in _DENIED or status == 403:
        return errors.AccessDenied
    if code in _THROTTLED or status == 429:
        return errors.Throttled
    if code in _CONFLICT:
        return errors.Conflict
    if "NotFound" in code or code.startswith("NoSuch") or status == 404:
        return errors.NotFound
    if status and status >= 500:
        return errors.Unreachable
    return errors.InvalidRequest


def translate_client_error(call: str, exc: ClientError) -> errors.CloudError:
    """Map a botocore ClientError to the bot's error class for it."""
    err = exc.response.get("Error", {})
    code = str(err.get("Code", "Unknown"))
    message = str(err.get("Message", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    cls = _error_class(code, status)
    if cls is errors.AccessDenied:
        return errors.AccessDenied(call, code, message, permission=call)
    return cls(call, code, message)


# Outcome labels of ``chatops_aws_calls_total``; an answer AWS gave with 5xx is ``server_error``
# (the bot reports it as unreachable), ``unreachable`` is no answer at all.
_OUTCOMES = {
    errors.AccessDenied: "access_denied",
    errors.Throttled: "throttled",
    errors.Conflict: "conflict",
    errors.NotFound: "not_found",
    errors.Unreachable: "server_error",
    errors.InvalidRequest: "invalid_request",
}


def aws_outcome(status: int, parsed: Any) -> str:
    """``ok``, or the family of the error AWS answered (the same classes the bot raises)."""
    if status < 300:
        return "ok"
    err = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
    return _OUTCOMES[_error_class(str(err.get("Code", "Unknown")), status)]


def _after_call(
    event_name: str = "", http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any
) -> None:
    service = event_name.split(".")[1] if event_name.count(".") >= 2 else ""
    status = int(getattr(http_response, "status_code", 0) or 0)
    AWS_CALLS.labels(service, getattr(model, "name", ""), aws_outcome(status, parsed)).inc()


def _after_call_error(event_name: str = "", **_: Any) -> None:
    _, service, operation = (event_name.split(".", 2) + ["", ""])[:3]
    AWS_CALLS.labels(service, operation, "unreachable").inc()


def count_calls(client: Any) -> Any:
    """Count every call ``client`` makes in ``chatops_aws_calls_total``, through botocore's events.

    botocore emits ``after-call.<service-id>.<Operation>`` (``http_response``, ``parsed``, ``model``)
    once a call has an answer, error answers included and retries done, and
    ``after-call-error.<service-id>.<Operation>`` (``exception``) when it got none (connection
    failures): ``BaseClient._make_api_call`` and ``_make_request`` in boto/botocore
    ``botocore/client.py`` (checked against botocore 1.44). Handlers registered for ``after-call``
    get every ``after-call.*.*`` (botocore's hierarchical emitter, ``botocore/hooks.py``), and
    registering on ``client.meta.events`` is boto3's documented extension point (boto/boto3
    ``docs/source/guide/events.rst``). The ``unique_id`` keeps one registration per emitter however
    many clients share it. Paginated calls count once per page, as each page is a call.
    """
    client.meta.events.register("after-call", _after_call, unique_id="chatops-aws-calls")
    client.meta.events.register("after-call-error", _after_call_error, unique_id="chatops-aws-call-errors")
    return client


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


NO_REGION = (
    "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or a region in the AWS profile "
    "(`aws configure set region REGION`)"
)


def resolve_region(region: str | None = None, session: boto3.Session | None = None) -> str:
    """``region`` if given (the ``AWS_REGION`` setting, a cluster's own), else boto3's chain: the
    ``AWS_DEFAULT_REGION`` variable, then the profile's ``region``. ``Misconfigured`` when none says."""
    found = region or (session or boto3.Session()).region_name
    if not found:
        raise errors.Misconfigured(NO_REGION)
    return found


class Aws:
    """A factory of translating boto3 clients for one account/region (optionally an assumed role)."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        region: str | None = None,
        max_attempts: int = 4,
        counter: CallCounter | None = None,
    ):
        self.session = session or boto3.Session()
        self.region = resolve_region(region, self.session)
        self.counter = counter or CallCounter()
        # total_max_attempts counts the first try too (botocore's max_attempts would count only retries)
        self._config = Config(
            retries={"total_max_attempts": max_attempts, "mode": "standard"}, connect_timeout=5, read_timeout=20
        )
        self._clients: dict[tuple[str, str], TranslatingClient] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                inner = count_calls(self.session.client(service, region_name=key[1], config=self._config))
                self._clients[key] = TranslatingClient(inner, self.counter)
            return self._clients[key]

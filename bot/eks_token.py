"""EKS bearer tokens, made the way ``aws eks get-token`` makes them, with no kubeconfig or CLI.

A token is ``k8s-aws-v1.`` followed by the unpadded base64url of a presigned STS
``GetCallerIdentity`` URL whose signature covers the ``x-k8s-aws-id`` header (the cluster name).
The EKS API server replays the URL to STS to learn who is calling. The URL is presigned for 60
seconds and EKS honours a token for 15 minutes, so ``TokenSource`` renews after 14 (the CLI's own
figures, awscli/customizations/eks/get_token.py in github.com/aws/aws-cli).

Called by ``bot.services.clusters`` (one ``TokenSource`` per cluster and acting user), which hooks
it into the Kubernetes client's configuration so every request carries a fresh token. Pure apart
from reading credentials from the session it is given.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from botocore.credentials import Credentials
from botocore.hooks import HierarchicalEmitter
from botocore.model import ServiceId
from botocore.signers import RequestSigner

from bot.cloud.context import utcnow
from bot.cloud.partition import sts_endpoint

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_ID_HEADER = "x-k8s-aws-id"
URL_EXPIRES_SECONDS = 60
TOKEN_LIFETIME = timedelta(minutes=14)


def sts_url(region: str) -> str:
    """The regional STS endpoint EKS expects, in the region's partition (``sts.cn-north-1.amazonaws.com.cn``
    in China), as botocore's endpoint ruleset resolves it; never a test endpoint: the API server calls it."""
    return f"{sts_endpoint(region)}/?Action=GetCallerIdentity&Version=2011-06-15"


def presigned_identity_url(credentials: Credentials, cluster_name: str, region: str) -> str:
    """A GET URL for STS GetCallerIdentity, SigV4-presigned with the cluster id header signed."""
    events = HierarchicalEmitter()  # the signer keeps only a weak reference: hold it here
    signer = RequestSigner(ServiceId("sts"), region, "sts", "v4", credentials, events)
    request = {
        "method": "GET",
        "url": sts_url(region),
        "body": {},
        "headers": {CLUSTER_ID_HEADER: cluster_name},
        "context": {},
    }
    return signer.generate_presigned_url(
        request, "GetCallerIdentity", expires_in=URL_EXPIRES_SECONDS, region_name=region
    )


def make_token(credentials: Credentials, cluster_name: str, region: str) -> str:
    url = presigned_identity_url(credentials, cluster_name, region)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def decode_token(token: str) -> str:
    """The presigned URL inside a token (for tests and for explaining a 401)."""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not an EKS token")
    body = token.removeprefix(TOKEN_PREFIX)
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


class TokenSource:
    """A token for one cluster, renewed when it is older than ``TOKEN_LIFETIME``.

    ``credentials`` returns the signing credentials (frozen at call time), so credentials that
    rotate underneath are picked up on renewal.
    """

    def __init__(
        self,
        credentials: Callable[[], Credentials],
        cluster_name: str,
        region: str,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._credentials = credentials
        self.cluster_name = cluster_name
        self.region = region
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._issued: datetime | None = None

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._issued is None or now - self._issued >= TOKEN_LIFETIME:
                self._token = make_token(self._credentials(), self.cluster_name, self.region)
                self._issued = now
            return self._token

    def refresh_hook(self, configuration: object) -> None:
        """For ``kubernetes.client.Configuration.refresh_api_key_hook``: runs before each request."""
        configuration.api_key["authorization"] = self.token()  # type: ignore[attr-defined]

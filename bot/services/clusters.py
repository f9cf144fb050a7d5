"""Many clusters in many AWS accounts: a ``ContextProvider`` built from a YAML file.

The file (``CLUSTERS_FILE``) lists clusters and maps Slack channels to a default one::

    default: prod
    channels: {C0PRODOPS: prod, C0STAGING: staging, C0PLATFORM: [staging, prod]}
    clusters:
      - name: prod                      # the EKS cluster name; `--cluster prod` picks it
        account_id: "111122223333"
        region: ap-northeast-2
        role_arn: arn:aws:iam::111122223333:role/chatops-target
        external_id: chatops-prod-7f3a
        kube: {}                        # endpoint + CA from eks:DescribeCluster, STS token
        lb_controller: kube-system/aws-load-balancer-controller   # where the controller runs
      - name: staging
        account_id: "444455556666"
        region: ap-northeast-1
        kube: {kubeconfig_context: staging-admin}

A channel maps to one cluster, or to a list of them (the first is its default): there anyone may
pick one of the list with ``--cluster NAME`` / ``cluster=NAME``; other clusters are for approvers
(``bot.services.authz``). An unknown name is refused without listing the clusters (only the
authorization check, answering an approver privately, lists them).

For each (cluster, acting Slack user) the provider assumes the cluster's role with its external
id and a session name naming the user (so CloudTrail shows who asked), and reaches Kubernetes
either through the EKS endpoint with a token from ``bot.eks_token`` or through a kubeconfig
context. Contexts are cached until shortly before their credentials expire.

Called by the services (``RequestService``, ``ApplyService``) through the ``ContextProvider``
protocol; built by the composition root through ``contexts_from_settings``.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3
import yaml
from kubernetes import client as k8s

from bot import errors
from bot.cloud.aws import Aws
from bot.cloud.context import ClusterContext, utcnow
from bot.cloud.counter import CallCounter
from bot.cloud.kube import CountedApiClient, Kube
from bot.cloud.partition import partition_for_region
from bot.eks_token import TokenSource
from bot.services.contexts import SingleClusterContexts
from bot.services.ports import ContextProvider
from bot.settings import Settings

_SESSION_CHARS = re.compile(r"[^\w+=,.@-]", re.ASCII)
_ACCOUNT = re.compile(r"\d{12}")
SESSION_SECONDS = 3600
RENEW_BEFORE = timedelta(minutes=15)


def session_name(user: str) -> str:
    """An STS RoleSessionName naming the Slack user: ``[\\w+=,.@-]{2,64}``."""
    cleaned = _SESSION_CHARS.sub("-", user or "bot")
    return f"chatops-{cleaned}"[:64]


@dataclass(frozen=True)
class KubeAccess:
    """How to reach a cluster's API: the EKS endpoint (default), an explicit endpoint, or kubeconfig."""

    endpoint: str = ""
    ca_file: str = ""
    kubeconfig_context: str = ""
    kubeconfig: str = ""


@dataclass(frozen=True)
class ClusterConfig:
    name: str
    account_id: str
    region: str
    role_arn: str = ""
    external_id: str = ""
    kube: KubeAccess = field(default_factory=KubeAccess)
    lb_controller: str = ""  # NAMESPACE/DEPLOYMENT; empty: the LB_CONTROLLER setting


@dataclass(frozen=True)
class ClustersConfig:
    clusters: Mapping[str, ClusterConfig]
    channels: Mapping[str, str] = field(default_factory=dict)
    default: str = ""
    channel_choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def cluster(self, name: str) -> ClusterConfig:
        if name in self.clusters:
            return self.clusters[name]
        raise errors.UsageError(f"Unknown cluster `{name[:60]}`.", f"알 수 없는 클러스터 `{name[:60]}` 입니다.")

    def for_channel(self, channel: str) -> str:
        return self.channels.get(channel, self.default)

    def allowed_for(self, channel: str) -> tuple[str, ...]:
        """The clusters a channel may pick, its default first."""
        if channel in self.channel_choices:
            return self.channel_choices[channel]
        default = self.for_channel(channel)
        return (default,) if default else ()


def _lb_controller(cluster: str, value: Any) -> str:
    text = str(value or "")
    if text and (text.count("/") != 1 or not all(text.split("/"))):
        raise ValueError(f"clusters file: {cluster}: lb_controller must be NAMESPACE/DEPLOYMENT")
    return text


def _cluster(raw: Any, seen: Mapping[str, ClusterConfig]) -> ClusterConfig:
    """One entry of the `clusters` list, validated; ``seen`` holds the entries before it."""
    name = str((raw or {}).get("name", ""))
    if not name or name in seen:
        raise ValueError(f"clusters file: missing or duplicate cluster name {name!r}")
    account = str(raw.get("account_id", ""))
    if not _ACCOUNT.fullmatch(account):
        raise ValueError(f"clusters file: {name}: account_id must be 12 digits (quote it in YAML)")
    role = str(raw.get("role_arn", ""))
    partition = partition_for_region(str(raw.get("region", "")))
    if role and not role.startswith(f"arn:{partition}:iam::{account}:role/"):
        raise ValueError(f"clusters file: {name}: role_arn must be a role in account {account}")
    kube_keys = dict(raw.get("kube") or {})
    unknown = set(kube_keys) - set(KubeAccess.__dataclass_fields__)
    if unknown:
        raise ValueError(f"clusters file: {name}: unknown kube keys {sorted(unknown)}")
    kube = KubeAccess(**{k: str(v) for k, v in kube_keys.items()})
    cluster = ClusterConfig(
        name=name,
        account_id=account,
        region=str(raw.get("region", "")),
        role_arn=role,
        external_id=str(raw.get("external_id", "")),
        kube=kube,
        lb_controller=_lb_controller(name, raw.get("lb_controller", "")),
    )
    if not cluster.region:
        raise ValueError(f"clusters file: {name}: region is required")
    return cluster


def _channels(doc: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The `channels` mapping: each channel's default cluster, and all the clusters it may choose from."""
    channels: dict[str, str] = {}
    choices: dict[str, tuple[str, ...]] = {}
    for key, value in (doc.get("channels") or {}).items():
        names = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
        if not names:
            raise ValueError(f"clusters file: channel {key!r} maps to no cluster")
        channels[str(key)], choices[str(key)] = names[0], names
    return channels, choices


def parse_clusters(doc: Any) -> ClustersConfig:
    """Validate the YAML document; every mistake is reported with the cluster it is in."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("clusters"), list) or not doc["clusters"]:
        raise ValueError("clusters file: expected a mapping with a non-empty `clusters` list")
    clusters: dict[str, ClusterConfig] = {}
    for raw in doc["clusters"]:
        cluster = _cluster(raw, clusters)
        clusters[cluster.name] = cluster
    channels, choices = _channels(doc)
    default = str(doc.get("default", ""))
    for target in [*(n for names in choices.values() for n in names), *([default] if default else [])]:
        if target not in clusters:
            raise ValueError(f"clusters file: channel or default refers to unknown cluster {target!r}")
    return ClustersConfig(clusters, channels, default, choices)


def load_clusters(path: str) -> ClustersConfig:
    with open(path, encoding="utf-8") as fh:
        return parse_clusters(yaml.safe_load(fh))


@dataclass
class _Entry:
    ctx: ClusterContext
    renew_at: datetime


class ClusterContexts:
    """A ``ContextProvider`` over several clusters and accounts (see the module docstring)."""

    def __init__(
        self,
        config: ClustersConfig,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        base_session: Callable[[], boto3.Session] = boto3.Session,
        max_attempts: int = 4,
        max_entries: int = 256,
    ):
        self.config = config
        self.settings = settings
        self.clock = clock
        self.counter = CallCounter()
        self._base_session = base_session
        self._max_attempts = max_attempts
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def default_cluster(self, channel: str = "") -> str:
        return self.config.for_channel(channel)

    def cluster_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.config.clusters))

    def clusters_for(self, channel: str) -> tuple[str, ...]:
        return self.config.allowed_for(channel)

    def account_of(self, cluster: str) -> str:
        """The account a cluster lives in, from the file (no AWS call); '' if unknown."""
        found = self.config.clusters.get(cluster)
        return found.account_id if found else ""

    def get(self, cluster: str = "", user: str = "") -> ClusterContext:
        name = cluster or self.config.default
        if not name:
            raise errors.UsageError(
                "No cluster is set for this channel; add `--cluster NAME`.",
                "이 채널에 지정된 클러스터가 없습니다. `--cluster 이름` 을 붙여 주세요.",
            )
        cfg = self.config.cluster(name)
        key = (name, session_name(user))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self.clock() < entry.renew_at:
                self._entries.move_to_end(key)
                return entry.ctx
        ctx, renew_at = self._build(cfg, user)
        with self._lock:
            self._entries[key] = _Entry(ctx, renew_at)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return ctx

    # building -------------------------------------------------------------------------------
    def _build(self, cfg: ClusterConfig, user: str) -> tuple[ClusterContext, datetime]:
        session, renew_at = self._session(cfg, user)
        aws = Aws(session=session, region=cfg.region, max_attempts=self._max_attempts, counter=self.counter)
        kube = self._kube(cfg, aws, session)
        s = self.settings
        ctx = ClusterContext(
            aws=aws,
            kube=kube,
            cluster_name=cfg.name,
            account_id=cfg.account_id,
            clock=self.clock,
            role_allow_patterns=s.role_patterns,
            wait_seconds=s.verify_wait_seconds,
            lb_controller=cfg.lb_controller or s.lb_controller,
        )
        return ctx, renew_at

    def _session(self, cfg: ClusterConfig, user: str) -> tuple[boto3.Session, datetime]:
        base = self._base_session()
        if not cfg.role_arn:
            return base, self.clock() + timedelta(hours=12)
        sts = Aws(session=base, region=cfg.region, max_attempts=self._max_attempts, counter=self.counter)
        kwargs: dict[str, Any] = {
            "RoleArn": cfg.role_arn,
            "RoleSessionName": session_name(user),
            "DurationSeconds": SESSION_SECONDS,
        }
        if cfg.external_id:
            kwargs["ExternalId"] = cfg.external_id
        creds = sts.client("sts").assume_role(**kwargs)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=cfg.region,
        )
        expires = creds.get("Expiration") or self.clock() + timedelta(seconds=SESSION_SECONDS)
        return session, expires - RENEW_BEFORE

    def _kube(self, cfg: ClusterConfig, aws: Aws, session: boto3.Session) -> Kube:
        access = cfg.kube
        if access.kubeconfig_context or access.kubeconfig:
            return Kube.from_kubeconfig(
                context=access.kubeconfig_context or None, path=access.kubeconfig or None, counter=aws.counter
            )
        host, ca_file, ca_data = access.endpoint, access.ca_file, b""
        if not host or (host.startswith("https://") and not ca_file):
            described = aws.client("eks").describe_cluster(name=cfg.name)["cluster"]
            host = host or described["endpoint"]
            ca_data = ca_cert_data(described.get("certificateAuthority", {}).get("data", ""))
        conf = k8s.Configuration()
        conf.host = host
        if ca_file:
            conf.ssl_ca_cert = ca_file
        elif ca_data:  # held in memory: nothing is written to disk for it, nothing is left behind
            conf.ca_cert_data = ca_data
        source = TokenSource(session.get_credentials, cfg.name, cfg.region, self.clock)
        conf.api_key = {"authorization": source.token()}
        conf.api_key_prefix = {"authorization": "Bearer"}
        conf.refresh_api_key_hook = source.refresh_hook
        conf.retries = 2
        return Kube(CountedApiClient(conf), aws.counter)


def ca_cert_data(data: str) -> str | bytes:
    """The cluster CA for urllib3 from eks:DescribeCluster's base64 ``certificateAuthority.data``.

    EKS encodes a PEM bundle, which urllib3 wants as text; anything else is passed on as bytes,
    which urllib3 reads as DER.
    """
    raw = base64.b64decode(data) if data else b""
    return raw.decode("ascii") if raw.lstrip().startswith(b"-----BEGIN") else raw


def contexts_from_settings(settings: Settings, clock: Callable[[], datetime] = utcnow) -> ContextProvider:
    """The composition root's choice: many clusters from ``CLUSTERS_FILE``, else the single one."""
    if not settings.clusters_file:
        return SingleClusterContexts(settings, clock)
    return ClusterContexts(load_clusters(settings.clusters_file), settings, clock)

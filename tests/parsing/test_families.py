"""One test per error family the parser reads by structure, each with the upstream format string
it comes from (filled with plausible values) and the source file that prints it."""

from __future__ import annotations

import pytest

from bot.parsing.aws_errors import DECODE_HINT, parse_aws_error
from bot.parsing.confidence import CONFIDENT
from bot.parsing.image_pull import classify_pull_error
from bot.services.reading import parse

ECR = "602401143452.dkr.ecr.ap-northeast-2.amazonaws.com"
KUBELET = "kubernetes/kubernetes pkg/kubelet/images/image_manager.go"
CONTAINERD = "containerd/containerd core/remotes/docker, core/unpack, core/images, internal/cri"


@pytest.mark.parametrize(
    "message, cause",
    [
        # KUBELET: "Failed to apply default image tag %q: %v" (InvalidImageName)
        (
            'Failed to apply default image tag "registry.example.com/Team/App:1": couldn\'t parse image reference '
            '"registry.example.com/Team/App:1": invalid reference format: repository name must be lowercase',
            "invalid_reference",
        ),
        # KUBELET: "couldn't parse image reference %q: %v", a template placeholder as the image
        (
            'InspectFailed  couldn\'t parse image reference "<s1-helper-image>:<s1-helper-tag>": invalid reference '
            "format",
            "invalid_reference",
        ),
        # newer kubelets print "image name" and the repository in the lowercase complaint
        (
            'Failed to apply default image tag "ghcr.io/${{ github.repository }}:latest": couldn\'t parse image name '
            '"ghcr.io/${{ github.repository }}:latest": invalid reference format',
            "invalid_reference",
        ),
        # a URL pasted as the image name: the kubelet event names no inner cause, the name itself is wrong
        ('Back-off pulling image "https://registry.example.com/app:1"', "invalid_reference"),
        # CONTAINERD core/unpack/unpacker.go: "failed to extract layer (%s %s) to %s as %q: %w"
        (
            'failed to pull and unpack image "docker.io/library/python:3.12": failed to extract layer '
            '(application/vnd.oci.image.layer.v1.tar+gzip sha256:4f4f) to overlayfs as "extract-1": write '
            "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs/usr/lib/libx.so: no space "
            "left on device",
            "disk",
        ),
        # CONTAINERD core/images/handlers.go: "no match for platform in manifest: %w" wrapping errdefs.ErrNotFound
        (
            'Failed to pull image "ghcr.io/acme/tool:1.0": rpc error: code = NotFound desc = failed to pull and '
            'unpack image "ghcr.io/acme/tool:1.0": no match for platform in manifest: not found',
            "platform",
        ),
        # kubelet credential provider plugin running ecr-credential-provider (kubernetes/cloud-provider-aws
        # cmd/ecr-credential-provider/main.go): GetAuthorizationToken cannot reach api.ecr
        (
            "Failed getting credential from external registry credential provider: error execing credential provider "
            "plugin ecr-credential-provider for image " + ECR + "/eks/pause:3.9: exit status 1, out: , err: E1207 "
            "main.go:80] Error running credential provider plugin: RequestError: send request failed\ncaused by: "
            'Post "https://api.ecr.ap-northeast-2.amazonaws.com/": dial tcp 10.0.12.7:443: i/o timeout',
            "network_unreachable",
        ),
        # Docker daemon / dockershim: ECR without a token
        (
            'Failed to pull image "' + ECR + '/app:1": rpc error: code = Unknown desc = Error response from daemon: '
            "Get https://" + ECR + "/v2/app/manifests/1: no basic auth credentials",
            "auth",
        ),
        # CONTAINERD internal/cri/server/podsandbox/sandbox_run.go "failed to get sandbox image %q: %w"
        (
            "Warning  FailedCreatePodSandBox  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = "
            'failed to get sandbox image "'
            + ECR
            + '/eks/pause:3.5": failed to pull image "'
            + ECR
            + '/eks/pause:3.5": failed to pull and unpack image: failed to resolve reference: unexpected status '
            "from HEAD request to https://" + ECR + "/v2/eks/pause/manifests/3.5: 401 Unauthorized",
            "auth",
        ),
        (
            '"RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to get sandbox '
            'image \\"registry.k8s.io/pause:3.9\\": %w"',
            "sandbox",
        ),
    ],
)
def test_pull_families(message, cause):
    got = classify_pull_error(message)
    assert got.cause == cause, got.detail
    assert got.confidence >= CONFIDENT


def test_sandbox_pulls_are_flagged():
    got = classify_pull_error('failed to get sandbox image "' + ECR + '/eks/pause:3.5": dial tcp: i/o timeout')
    assert (got.cause, got.sandbox) == ("network_unreachable", True)


@pytest.mark.parametrize(
    "text, kind, extra",
    [
        # IAM User Guide, access denied messages: the older wording, without "because ..."
        (
            "AccessDenied: User: arn:aws:sts::123456789012:assumed-role/dns-role/i-0abc is not authorized to perform: "
            "route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/Z1",
            "permission_missing",
            {},
        ),
        # EC2 UnauthorizedOperation with the encoded message (decode with sts decode-authorization-message)
        (
            "could not create volume in EC2: UnauthorizedOperation: You are not authorized to perform this operation. "
            "Encoded authorization failure message: AbCdEf-123_xyz\n\tstatus code: 403",
            "permission_missing",
            {"code": "UnauthorizedOperation", "encoded": "AbCdEf-123_xyz", "hint": DECODE_HINT},
        ),
        # JSON-protocol services (EKS, ECR, Secrets Manager): AccessDeniedException
        (
            "An error occurred (AccessDeniedException) when calling the DescribeCluster operation: User: "
            "arn:aws:sts::123456789012:assumed-role/ci/s is not authorized to perform: eks:DescribeCluster on "
            "resource: arn:aws:eks:ap-northeast-2:123456789012:cluster/prod",
            "permission_missing",
            {"code": "AccessDeniedException", "action": "eks:DescribeCluster"},
        ),
        # STS AssumeRoleWithWebIdentity: InvalidIdentityToken behind the SDK's WebIdentityErr wrapper
        (
            "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect "
            "provider found in your account for https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC",
            "oidc_provider_missing",
            {"code": "InvalidIdentityToken"},
        ),
        ("InvalidIdentityToken: Missing a required claim: aud\n\tstatus code: 400", "token_audience", {}),
        (
            "WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform "
            "sts:AssumeRoleWithWebIdentity",
            "trust_policy",
            {},
        ),
        # explicit denies: the policy type is read from the text
        (
            "User: arn:aws:sts::123456789012:assumed-role/app/s is not authorized to perform: s3:PutObject on "
            "resource: arn:aws:s3:::b/k with an explicit deny in a service control policy",
            "explicit_deny",
            {"deny_source": "scp"},
        ),
        (
            "... is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/x with an "
            "explicit deny in a permissions boundary",
            "explicit_deny",
            {"deny_source": "boundary"},
        ),
        (
            "... is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a "
            "session policy",
            "explicit_deny",
            {"deny_source": "session"},
        ),
        (
            "... is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:ap-northeast-2:123456789012:key/1 "
            "with an explicit deny in a resource-based policy",
            "explicit_deny",
            {"deny_source": "resource"},
        ),
        (
            "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token "
            "included in the request is expired",
            "other",
            {"code": "ExpiredToken"},
        ),
        ("AccessDenied: Access Denied\n\tstatus code: 403, request id: X", "unclear", {}),
    ],
)
def test_aws_families(text, kind, extra):
    got = parse_aws_error(text)
    assert got is not None and got["kind"] == kind
    for key, value in extra.items():
        assert got.get(key) == value, key


@pytest.mark.parametrize(
    "text, intent",
    [
        ("our pods are failing to pull the pause image from ECR since this morning", "image_pull"),
        ("ECR returns 401 when the pod starts", "image_pull"),
        ("파드가 계속 Pending 상태에 머물러 있는 경우", "pods"),  # documentation register
        ("파드가 안 떠요 ㅠㅠ 왜 이러죠", "pods"),  # chat register
        ("the pod keeps assuming the node role instead of the service account", "irsa_access_denied"),
        ("Pod에서 SDK가 실패하는 이유", "irsa_access_denied"),
        ("is there a list of available commands?", "help"),
    ],
)
def test_symptom_only_requests(text, intent):
    got = parse(text)
    assert got.intent == intent and got.confident


def test_how_to_talk_about_permissions_is_not_a_denial():
    assert parse("태그를 기반으로 포드에 AWS 리소스에 대한 액세스 권한 부여").intent == "other"

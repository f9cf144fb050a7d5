"""Requests read by signal families (objects, actions, states) and Korean stems, and asked when unsure.

Hand-written sentences, plus corpus dev items (``tests/fixtures/corpus/items.jsonl``, ids in the
comments). The frozen test part is never read here.
"""

from __future__ import annotations

import pytest

from bot.parsing import evidence, morph
from bot.parsing.confidence import CONFIDENT
from bot.services.reading import VOCABULARY, parse


@pytest.mark.parametrize(
    "text, stem",
    [
        ("재시작해줘", "재시작"),
        ("재시작 부탁드립니다", "재시작"),
        ("재시작이 안돼요", "재시작"),
        ("파드를 재시작하려면", "재시작"),
        ("파드를 재시작하려면", "파드"),
        ("이미지를 받아와", "이미지"),
        ("rds를 스케줄화", "rds"),
        ("Pod가 계속".lower(), "pod"),
        ("인그레스가 삭제되지 않습니다", "인그레스"),
    ],
)
def test_korean_particles_and_endings_come_off(text, stem):
    assert stem in morph.words(text)


@pytest.mark.parametrize("word", ["로그", "노드", "이미지", "파드", "목록"])
def test_short_stems_are_never_cut(word):
    assert morph.stem(word) == word
    assert morph.stem(word + "가") == word or morph.stem(word + "를") == word


@pytest.mark.parametrize(
    "text",
    [
        "api 파드 재시작해줘",
        "api 파드 재시작 부탁드립니다",
        "api 파드 재시작이 안돼요",
        "파드를 다시 시작하는 방법",
        "restart the api deployment",
        "can you show me logs for checkout pod",
        "kubectl logs api-123 -n web",
    ],
)
def test_a_pod_with_an_action_or_a_state_is_pods(text):
    got = parse(text)
    assert (got.intent, got.confident) == ("pods", True)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("unable to assign pod the iam role", "irsa_access_denied"),  # rq-0178
        ("aws-ebs-csi-driver not using service account", "irsa_access_denied"),  # rq-0266
        ("service account role not working, getting AccessDenied from s3", "irsa_access_denied"),
        ("Amazon ECR에서 이미지를 가져올 수 없는 이유는 다음과 같습니다.", "image_pull"),  # rq-0194
        ("my pod can't pull the image from our registry", "image_pull"),  # image_pull beats pods
        ("인그레스가 삭제되지 않습니다", "ingress_delete_denied"),
        ("cloudon-ingress in cloudon won't delete.", "ingress_delete_denied"),  # the object inside a name
        ("ingress deletion is stuck on finalizer", "ingress_delete_denied"),
        ("커널 옵션 대 방출! Kubernetes 환경을 최적화하라", "sysctl"),  # rq-0209
        (
            "그래서 이번 글에서는 Lambda를 이용해서 AWS RDS를 스케줄화 해서 관리하는 방법에 대해서 살펴보려고 합니다.",
            "rds_schedule",
        ),  # rq-0199
        ("파드에서 S3 접근 권한이 없다고 나와요", "irsa_access_denied"),  # a pod denied AWS access
        ("my pod gets AccessDenied calling s3", "irsa_access_denied"),
        ("get events for pod api-1", "pods"),
        ("the container exits immediately with code 1", "pods"),
        ("what can this bot do?", "help"),
        ("봇 명령어 알려주세요", "help"),
        ("명령어 뭐 있어요?", "help"),
        ("what commands does the bot support", "help"),
    ],
)
def test_an_object_paired_with_an_action_or_a_state_decides_the_intent(text, intent):
    got = parse(text)
    assert (got.intent, got.confident) == (intent, True)


@pytest.mark.parametrize(
    "text",
    [
        "how do I set up IRSA for my app",
        "IRSA 설정 방법 알려주세요",
        "그런데 IRSA를 설정하면서 복잡한 IAM 신뢰 정책 때문에 골치 아팠던 경험, 한 번쯤은 있으시죠?",
    ],  # rq-0214
)
def test_setting_up_a_workload_identity_with_no_failure_is_a_how_to(text):
    got = parse(text)
    assert (got.intent, got.confident) == ("other", True)


@pytest.mark.parametrize(
    "text",
    [
        "종료 중 상태에서 멈춘 네임스페이스 문제 해결하기",  # rq-0228: a namespace, no Ingress
        "node NotReady since the upgrade",
        "Granting S3 access to karpenter nodes",
    ],  # rq-0269
)
def test_objects_the_bot_does_not_look_after_are_a_confident_other(text):
    got = parse(text)
    assert (got.intent, got.confident) == ("other", True)


@pytest.mark.parametrize(
    "text",
    [
        "delete the old ingress",  # an Ingress to remove, with nothing stuck or failing
        "Remove Ingress but leave NLB",  # rq-0183
        "파드에 의해 현재 사용되고 있는 모든 시크릿 목록 조회",  # rq-0162: the secrets, or the pod?
        "Docker Hub에 :latest 이미지를 푸시했는데 Pod 재시작 후에도 이전 버전 실행",  # rq-0131: the image, or the pod?
        "Allow setting image pull policy",  # a setting, not a pull
        "파드 간 통신이 안 돼요",  # a pod with only a generic failure
    ],
)
def test_conflicting_or_incomplete_signals_are_asked(text):
    assert not parse(text).confident


def test_a_pod_word_next_to_a_cluster_is_not_a_confident_other():
    got = parse("pods cloudon --cluster staging")
    assert not (got.intent == "other" and got.confident)


def test_instead_of_is_a_wrong_role_only_next_to_a_role():
    assert parse("the pod keeps assuming the node role instead of the service account").intent == "irsa_access_denied"
    got = parse("Use pod identity instead of IRSA")
    assert not (got.intent == "irsa_access_denied" and got.confident)


@pytest.mark.parametrize(
    "text",
    [
        # rq-0144: the node is only where the pending pod cannot be scheduled
        "파드가 `Pending` 상태로 멈춰 있는 경우는, 노드에 스케줄 될 수 없음을 의미한다.",
        "pod stuck in Terminating after node shutdown",
        "파드가 running 상태이지만 해야 할 일을 하고 있지 않은 경우",  # rq-0149
    ],
)
def test_a_pod_state_makes_the_pod_the_topic_next_to_another_object(text):
    got = parse(text)
    assert (got.intent, got.confident) == ("pods", True)


def test_an_iam_user_denied_is_not_a_workload_identity_problem():
    text = (
        "An error occurred (AccessDeniedException) when calling the DescribeCluster operation: User: "
        "arn:aws:iam::123456789012:user/jane is not authorized to perform: eks:DescribeCluster on resource: "
        "arn:aws:eks:ap-northeast-2:123456789012:cluster/prod"
    )
    got = parse(text)
    assert (got.intent, got.confident) == ("other", True)
    assert got.aws_error is not None and got.aws_error["kind"] == "permission_missing"


def test_a_workload_denied_is_still_read_by_structure():
    text = (
        "external-dns gets AccessDenied: User: arn:aws:sts::123456789012:assumed-role/external-dns/s is not "
        "authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/Z1"
    )
    got = parse(text)
    assert (got.intent, got.confidence >= CONFIDENT) == ("irsa_access_denied", True)


def test_precedence_is_one_way():
    assert evidence.beats("image_pull", "pods", VOCABULARY) and not evidence.beats("pods", "image_pull", VOCABULARY)
    assert evidence.beats("irsa_access_denied", "pods", VOCABULARY)
    assert not evidence.beats("irsa_access_denied", "rds_schedule", VOCABULARY)
    assert not evidence.beats("rds_schedule", "irsa_access_denied", VOCABULARY)


def test_two_readings_neither_known_to_win_are_asked():
    reading = evidence.read("the rds stop schedule fails with an irsa role error", VOCABULARY)
    assert reading is not None
    assert set(reading.pairs) >= {"irsa_access_denied", "rds_schedule"}
    assert reading.confidence < CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        "역할을 수임할 수 없음",  # rq-0344: a role nobody says a pod uses
        "cross-account role assumption is denied for our CI user",
        "Your current user or role does not have access to Kubernetes objects on this EKS cluster",  # rq-0352
    ],
)
def test_a_role_denied_with_no_pod_or_service_account_is_not_an_irsa_denial(text):
    got = parse(text)
    assert got.intent != "irsa_access_denied", got


@pytest.mark.parametrize(
    "text",
    [
        "the pod's role is denied when it calls S3",
        "파드 역할 권한이 거부됩니다",
    ],
)
def test_a_role_denied_next_to_a_pod_is_an_irsa_denial(text):
    assert parse(text).intent == "irsa_access_denied"


@pytest.mark.parametrize(
    "text",
    [
        "Is IRSA supported for self-managed node groups?",
        "OIDC provider for the cluster: which thumbprint does it use?",
    ],
)
def test_a_workload_identity_named_with_no_failure_is_not_a_denial(text):
    got = parse(text)
    assert not (got.intent == "irsa_access_denied" and got.confident), got


@pytest.mark.parametrize(
    "text",
    [
        "Node role taking precedence despite IRSA config",  # rq-0053
        "IRSA web identity ignored, the SDK falls back to the node instance role",
        "using IAM roles for service accounts does not work in our staging pods",
    ],
)
def test_a_workload_identity_that_is_ignored_or_failing_is_an_irsa_denial(text):
    assert parse(text).intent == "irsa_access_denied"


@pytest.mark.parametrize(
    "text",
    [
        "the ALB ingress was left behind after terraform destroy",
        "Ingress resources orphaned after helm uninstall",
    ],
)
def test_an_ingress_a_deletion_left_behind_is_a_denied_delete(text):
    assert parse(text).intent == "ingress_delete_denied"


def test_a_container_that_crashed_is_about_pods():
    # rq-0338: the Korean docs' "if the container crashed before, read its crash log"
    assert parse("컨테이너가 이전에 크래시 되었다면 크래시 로그를 살펴볼 수 있다").intent == "pods"

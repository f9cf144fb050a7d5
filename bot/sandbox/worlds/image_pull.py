"""Image-pull worlds for the sandbox (scenario ``image-pull``) and the image-pull tests.

``seed_private_subnet_world`` is the seed case: a node in a private subnet whose route table
has neither a NAT route nor VPC endpoints, and ``amazon-cloudwatch/cloudwatch-agent`` pods
failing with containerd's i/o timeout to ECR; the VPC does have a public subnet with an
internet gateway and a NAT gateway. ``seed_missing_tag_world``: a Deployment whose ECR tag does
not exist. ``seed_dockerhub_rate_limit_world``: Docker Hub answers 429.

The kubelet imitation (``kube.pod_admission``) decides from LIVE moto state whether a new pod
can pull: the network path with ``handlers.image_pull.network`` on freshly described EC2 state,
the tag with ``ecr:DescribeImages``, the pull-through rule with ``ecr`` (which moto lacks, so
a rewritten Docker Hub image only runs where a test has added that API). A reconciler imitates
the Deployment rollout after an image change. Used by the demo scenarios and the tests.
"""

from __future__ import annotations

import json
from typing import Any

from bot import errors
from bot.cloud.aws import Aws
from bot.sandbox.kube_api import KubeStandIn
from bot.sandbox.kube_controllers import random_suffix, running_pod
from bot.sandbox.kube_store import timestamp
from handlers.image_pull.collect_aws import describe_nodes, describe_vpcs
from handlers.image_pull.images import split_image
from handlers.image_pull.network import analyse_path

REGION = "ap-northeast-1"
NODE_IP = "10.0.1.23"
# An EKS-optimized AL2023 AMI id as it would look; moto does not check it, and listing moto's
# AMI catalogue (``describe_images``) costs seconds per world.
NODE_AMI = "ami-0c1e9a4f3b2d5e6a7"
AGENT_IMAGE = (
    "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/cloudwatch-agent/cloudwatch-agent:1.300049.1b929"
)
# containerd 1.7 wording; cf. dagger/dagger#8705 ("failed to do request: Head ... dial tcp ...:443: i/o
# timeout") and rancher/rke2#6211 ("rpc error: code = ... desc = failed to pull and unpack image").
TIMEOUT_MSG = (
    'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"{image}": failed to resolve reference "{image}": failed to do request: Head '
    '"https://{host}/v2/{repo}/manifests/{tag}": dial tcp 52.95.241.14:443: i/o timeout'
)
# cf. aquasecurity/starboard#1161 (containerd NotFound wording).
NOT_FOUND_MSG = (
    'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
    '"{image}": failed to resolve reference "{image}": {image}: not found'
)
# cf. docker/docs#21908 (429 wording from registry-1.docker.io).
RATE_MSG = (
    'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"docker.io/library/{name}": failed to copy: httpReadSeeker: failed open: unexpected status code '
    "https://registry-1.docker.io/v2/library/{short}/manifests/sha256:3f1e2a8b: 429 Too Many Requests - "
    "Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit "
    "by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
)
Obj = dict[str, Any]


def pull_message(template: str, image: str) -> str:
    ref = split_image(image)
    return template.format(
        image=image,
        host=ref.host,
        repo=ref.repository,
        tag=ref.tag,
        name=ref.repository.split("/")[-1] + ":" + ref.tag,
        short=ref.repository.split("/")[-1],
    )


# ---- AWS -----------------------------------------------------------------------------------------


def _network(aws: Aws, nat_route: bool) -> dict[str, str]:
    """VPC with a public subnet (IGW, NAT) and a private one holding the node instance."""
    ec2, iam = aws.client("ec2"), aws.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    if nat_route:
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    sg = ec2.create_security_group(GroupName="eks-cluster-sg-prod", Description="EKS node", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}]
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName="eks-node-role", AssumeRolePolicyDocument=json.dumps(trust))
    for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"):
        iam.attach_role_policy(RoleName="eks-node-role", PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    iam.create_instance_profile(InstanceProfileName="eks-node-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="eks-node-profile", RoleName="eks-node-role")
    inst = ec2.run_instances(
        ImageId=NODE_AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="m5.large",
        SubnetId=private,
        PrivateIpAddress=NODE_IP,
        SecurityGroupIds=[sg],
        IamInstanceProfile={"Name": "eks-node-profile"},
    )["Instances"][0]
    return {
        "vpc_id": vpc,
        "private_subnet": private,
        "public_subnet": public,
        "igw": igw,
        "nat": nat,
        "private_route_table": private_rt,
        "public_route_table": public_rt,
        "node_sg": sg,
        "instance_id": inst["InstanceId"],
        "node": inst["PrivateDnsName"],
        "node_role": "eks-node-role",
    }


# ---- Kubernetes -----------------------------------------------------------------------------------


def _node(kube: KubeStandIn, net: dict[str, str]) -> None:
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": net["node"], "labels": {"topology.kubernetes.io/zone": f"{REGION}a"}},
            "spec": {"providerID": f"aws:///{REGION}a/{net['instance_id']}"},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": NODE_IP}],
            },
        }
    )


def failing_pod(pod: Obj, message: str, now: str, backoff: bool = True) -> Obj:
    """``pod`` as the kubelet leaves it after failed pulls: Pending, waiting in the pull reason."""
    out = json.loads(json.dumps(pod))
    image = out["spec"]["containers"][0]["image"]
    waiting = (
        {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
        if backoff
        else {"reason": "ErrImagePull", "message": message.split(": ", 1)[-1]}
    )
    out["status"] = {
        "phase": "Pending",
        "hostIP": NODE_IP,
        "startTime": now,
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
        ],
        "containerStatuses": [
            {
                "name": c["name"],
                "image": c["image"],
                "ready": False,
                "started": False,
                "restartCount": 0,
                "imageID": "",
                "state": {"waiting": waiting},
            }
            for c in out["spec"]["containers"]
        ],
    }
    return out


def _pull_events(kube: KubeStandIn, pod: Obj, message: str, count: int = 1) -> None:
    ns, image = pod["metadata"]["namespace"], pod["spec"]["containers"][0]["image"]
    kube.add_event(ns, pod, "Pulling", f'Pulling image "{image}"', type_="Normal", count=count)
    kube.add_event(ns, pod, "Failed", message, count=count)
    kube.add_event(ns, pod, "Failed", "Error: ErrImagePull", count=count)
    kube.add_event(ns, pod, "BackOff", f'Back-off pulling image "{image}"', type_="Normal", count=count)
    kube.add_event(ns, pod, "Failed", "Error: ImagePullBackOff", count=count)


def _pod(
    namespace: str,
    name: str,
    owner: Obj,
    labels: dict[str, str],
    node: str,
    image: str,
    container: str = "app",
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": owner["kind"],
                    "name": owner["metadata"]["name"],
                    "uid": owner["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {"nodeName": node, "containers": [{"name": container, "image": image}]},
    }


def _admission(kube: KubeStandIn, decide) -> Any:
    """A kubelet imitation: ``decide(pod) -> error message | ""`` from live AWS state."""

    def admit(pod: Obj) -> Obj:
        now = timestamp(kube.clock())
        message = decide(pod)
        if not message:
            return running_pod(pod, now)
        failed = failing_pod(pod, message, now, backoff=False)
        kube.add_event(pod["metadata"].get("namespace", "default"), pod, "Failed", message)
        return failed

    return admit


def _path_decider(aws: Aws):
    def decide(pod: Obj) -> str:
        image = pod["spec"]["containers"][0]["image"]
        ref = split_image(image)
        nodes = describe_nodes(aws, [pod["spec"].get("nodeName", "")])
        node = next(iter(nodes.values()), None)
        if node is None:
            return pull_message(TIMEOUT_MSG, image)
        vpc = describe_vpcs(aws, [node.vpc_id])[node.vpc_id]
        region = ref.host.split(".")[3] if ref.kind == "ecr_private" else ""
        return "" if analyse_path(node, vpc, ref.kind, region).reachable else pull_message(TIMEOUT_MSG, image)

    return decide


def seed_private_subnet_world(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    net = _network(aws, nat_route=False)
    _node(kube, net)
    ns = "amazon-cloudwatch"
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    labels = {"app.kubernetes.io/name": "cloudwatch-agent"}
    ds = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "cloudwatch-agent", "namespace": ns},
            "spec": {
                "selector": {"matchLabels": labels},
                "updateStrategy": {"type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "cloudwatch-agent", "image": AGENT_IMAGE}]},
                },
            },
        }
    )
    message = pull_message(TIMEOUT_MSG, AGENT_IMAGE)
    now = timestamp(kube.clock())
    pods = []
    for name in ("cloudwatch-agent-fz4hj", "cloudwatch-agent-pdklg"):
        pod = kube.put(
            failing_pod(
                _pod(ns, name, ds, labels, net["node"], AGENT_IMAGE, "cloudwatch-agent"), message, now
            )
        )
        _pull_events(kube, pod, message, count=6)
        pods.append(name)
    kube.pod_admission = _admission(
        kube, _path_decider(Aws(session=aws.session, region=aws.region, max_attempts=1))
    )
    return {
        **net,
        "namespace": ns,
        "daemonset": "cloudwatch-agent",
        "pods": pods,
        "image": AGENT_IMAGE,
        "message": message,
    }


def _deployment_world(
    aws: Aws, kube: KubeStandIn, ns: str, name: str, image: str, message: str, decide
) -> dict[str, Any]:
    net = _network(aws, nat_route=True)
    _node(kube, net)
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    labels = {"app": name}
    dep = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "strategy": {"type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "app", "image": image}]},
                },
            },
        }
    )
    rs = kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{name}-6c9f7d5b8",
                "namespace": ns,
                "labels": labels,
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": name,
                        "uid": dep["metadata"]["uid"],
                        "controller": True,
                    }
                ],
            },
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}},
        }
    )
    now = timestamp(kube.clock())
    pods = []
    for suffix in ("x7k2p", "q9w4z"):
        pod = kube.put(
            failing_pod(
                _pod(ns, f"{rs['metadata']['name']}-{suffix}", rs, labels, net["node"], image), message, now
            )
        )
        _pull_events(kube, pod, message, count=4)
        pods.append(pod["metadata"]["name"])
    admit = _admission(kube, decide)
    kube.pod_admission = admit
    kube.add_reconciler(lambda k: _roll_out(k, ns, admit))
    return {
        **net,
        "namespace": ns,
        "deployment": name,
        "replicaset": rs["metadata"]["name"],
        "pods": pods,
        "image": image,
        "message": message,
    }


def _roll_out(kube: KubeStandIn, ns: str, admit) -> None:
    """The Deployment controller, coarsely: pods whose image differs from the template are replaced."""
    for dep in kube.list("Deployment", ns):
        template = dep["spec"]["template"]["spec"]["containers"][0]["image"]
        labels = dep["spec"]["selector"]["matchLabels"]
        for pod in kube.list("Pod", ns):
            if any(pod["metadata"].get("labels", {}).get(k) != v for k, v in labels.items()):
                continue
            if pod["spec"]["containers"][0]["image"] == template:
                continue
            kube.remove("Pod", ns, pod["metadata"]["name"])
            fresh = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"{dep['metadata']['name']}-7f8d9c6b4-{random_suffix()}",
                    "namespace": ns,
                    "labels": dict(labels),
                    "ownerReferences": pod["metadata"].get("ownerReferences"),
                },
                "spec": {**pod["spec"], "containers": [{**pod["spec"]["containers"][0], "image": template}]},
            }
            kube.put(admit(fresh))


def _tag_decider(aws: Aws):
    def decide(pod: Obj) -> str:
        image = pod["spec"]["containers"][0]["image"]
        ref = split_image(image)
        try:
            aws.client("ecr").describe_images(repositoryName=ref.repository, imageIds=[{"imageTag": ref.tag}])
        except errors.CloudError:
            return pull_message(NOT_FOUND_MSG, image)
        return ""

    return decide


def seed_missing_tag_world(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    ecr = aws.client("ecr")
    repo = "payments/api"
    uri = ecr.create_repository(repositoryName=repo)["repository"]["repositoryUri"]
    for i, tag in enumerate(("1.4.2", "1.4.3", "1.5.0", "latest")):
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{i:064x}", "size": 1, "mediaType": "application/json"},
            "layers": [],
        }
        ecr.put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
    image = f"{uri}:1.4.4"
    decide = _tag_decider(Aws(session=aws.session, region=aws.region, max_attempts=1))
    facts = _deployment_world(aws, kube, "payments", "api", image, pull_message(NOT_FOUND_MSG, image), decide)
    return {
        **facts,
        "repository": repo,
        "tags": ["1.4.2", "1.4.3", "1.5.0", "latest"],
        "expected_tag": "1.4.3",
    }


def _ptc_decider(aws: Aws, image: str):
    def decide(pod: Obj) -> str:
        wanted = pod["spec"]["containers"][0]["image"]
        if wanted == image:
            return pull_message(RATE_MSG, image)
        prefix = split_image(wanted).repository.split("/", 1)[0]
        try:
            rules = aws.client("ecr").describe_pull_through_cache_rules(ecrRepositoryPrefixes=[prefix])
        except errors.CloudError:
            rules = {}
        if rules.get("pullThroughCacheRules"):
            return ""
        return pull_message(NOT_FOUND_MSG, wanted)

    return decide


def seed_dockerhub_rate_limit_world(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    image = "nginx:1.27.2"
    secret = aws.client("secretsmanager").create_secret(
        Name="ecr-pullthroughcache/docker-hub",
        SecretString=json.dumps({"username": "ops", "accessToken": "x"}),
    )
    decide = _ptc_decider(Aws(session=aws.session, region=aws.region, max_attempts=1), image)
    facts = _deployment_world(aws, kube, "web", "frontend", image, pull_message(RATE_MSG, image), decide)
    return {**facts, "secret_arn": secret["ARN"]}

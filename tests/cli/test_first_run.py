"""A first run of every command explains itself: exit 2, one line naming the fix, no traceback, no files.

Each case is the installed ``chatops`` in an empty directory with a scrubbed environment (see
``tests.cli.helpers``); the settings a case gives are the ones under which its check is the one that
speaks. Nothing here starts a server: every command is refused before it would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bootstrap import migrate
from tests.cli.helpers import FAKE_AWS, REGION, ROLES, SLACK, assert_refused, chatops, listing

KUBE_FIX = "KUBECONFIG"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> str:
    """A migrated SQLite database outside the directories the commands run in."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'chatops.db'}"
    migrate(url)
    return url


def refused(cwd: Path, *args: str, needles: tuple[str, ...], **env: str) -> str:
    before = listing(cwd)
    line = assert_refused(chatops(cwd, *args, **env), *needles)
    assert listing(cwd) == before, "the refused command left files behind"
    return line


# serve and socket ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["socket"]])
def test_serve_and_socket_before_migrate_say_run_chatops_migrate(tmp_path, command):
    line = refused(
        tmp_path,
        *command,
        needles=("chatops migrate", "no database found"),
        **ROLES,
        **SLACK,
        SLACK_APP_TOKEN="xapp-1-A1-first-run",
    )
    assert not (tmp_path / "chatops.db").exists() and "chatops.db" in line


def test_serve_on_a_database_without_tables_says_run_chatops_migrate(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")  # a file that exists but was never migrated
    refused(
        tmp_path,
        "serve",
        needles=("has no chatops tables", "chatops migrate"),
        **ROLES,
        **SLACK,
        DATABASE_URL=f"sqlite:///{empty}",
    )


@pytest.mark.parametrize("command", [["serve"], ["socket"]])
def test_serve_and_socket_without_role_allow_patterns(tmp_path, command):
    refused(tmp_path, *command, needles=("ROLE_ALLOW_PATTERNS is not set", "eks-*"), **SLACK)


@pytest.mark.parametrize(
    "env,needle",
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-..."}, "SLACK_BOT_TOKEN is not set"),  # pasted from the README
        ({"SLACK_BOT_TOKEN": "xoxp-1-user-token"}, "SLACK_BOT_TOKEN must be a bot token (xoxb-...)"),
        ({"SLACK_BOT_TOKEN": SLACK["SLACK_BOT_TOKEN"]}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": SLACK["SLACK_BOT_TOKEN"], "SLACK_SIGNING_SECRET": "unset"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_serve_with_placeholder_slack_credentials(tmp_path, env, needle):
    refused(tmp_path, "serve", needles=(needle, "api.slack.com/apps"), **ROLES, **env)


def test_socket_without_an_app_token(tmp_path):
    refused(
        tmp_path,
        "socket",
        needles=("SLACK_APP_TOKEN must be an app-level token (xapp-...)",),
        **ROLES,
        SLACK_BOT_TOKEN=SLACK["SLACK_BOT_TOKEN"],
    )


def test_serve_without_aws_credentials(tmp_path, migrated):
    refused(
        tmp_path,
        "serve",
        needles=("no AWS credentials found", "AWS_PROFILE"),
        **ROLES,
        **SLACK,
        **REGION,
        DATABASE_URL=migrated,
        KUBE_HOST="https://127.0.0.1:6443",
    )


def test_serve_without_an_aws_region(tmp_path, migrated):
    refused(
        tmp_path,
        "serve",
        needles=("no AWS region", "AWS_REGION"),
        **ROLES,
        **SLACK,
        **{**FAKE_AWS, "AWS_REGION": ""},
        DATABASE_URL=migrated,
        KUBE_HOST="https://127.0.0.1:6443",
    )


def test_serve_without_a_kubeconfig_outside_a_cluster(tmp_path, migrated):
    line = refused(
        tmp_path,
        "serve",
        needles=("no Kubernetes access", KUBE_FIX, "KUBE_HOST", "CLUSTERS_FILE"),
        **ROLES,
        **SLACK,
        **FAKE_AWS,
        DATABASE_URL=migrated,
    )
    assert "no-such-kubeconfig" in line  # names the file it looked for


def test_serve_with_a_clusters_file_that_does_not_parse(tmp_path, migrated):
    (tmp_path / "clusters.yaml").write_text("clusters:\n  - name: prod\n    account_id: 1234\n")
    refused(
        tmp_path,
        "serve",
        needles=("CLUSTERS_FILE", "account_id must be 12 digits"),
        **ROLES,
        **SLACK,
        **FAKE_AWS,
        DATABASE_URL=migrated,
        CLUSTERS_FILE=str(tmp_path / "clusters.yaml"),
    )


# diagnose: Kubernetes only when the diagnoser needs it ------------------------------------------------------

# One invocation of every command of every diagnoser that reads the cluster (all whose needs_kubernetes is True).
KUBERNETES_COMMANDS = [
    ["pods", "-A"],
    ["pods", "cloudon"],
    ["events", "cloudon/api-1"],
    ["restart", "cloudon/api-1"],
    ["ingress", "cloudon/web"],
    ["irsa", "cloudon/app"],
    ["iam", "eks-app-role"],
    ["pull", "cloudon"],
    ["pull", "-A"],
    ["sysctl", "cloudon/api-1"],
    ["sysctl", "net.ipv4.tcp_keepalive_time=600", "cloudon"],
    ["my pod api-1 in cloudon keeps crashing"],
]


def test_the_list_covers_every_kubernetes_command():
    from handlers import registry

    needed = {spec.name for diagnoser, spec in registry.commands() if diagnoser.needs_kubernetes}
    assert needed == {text[0] for text in KUBERNETES_COMMANDS if " " not in text[0]}


@pytest.mark.parametrize("text", KUBERNETES_COMMANDS)
def test_kubernetes_commands_without_a_kubeconfig(tmp_path, text):
    # AWS credentials are there: what stops these is Kubernetes, said before any AWS call is made
    refused(tmp_path, "diagnose", *text, needles=("no Kubernetes access", KUBE_FIX), **FAKE_AWS)


@pytest.mark.parametrize(
    "text",
    [
        ["rds", "list"],
        ["rds", "stop", "portal"],
        ["rds", "start", "portal"],
        ["rds", "keep-running", "portal", "for", "2h"],
        ["rds", "schedule", "portal", "stop", "0 20 * * 1-5", "start", "0 8 * * 1-5"],
    ],
)
def test_aws_only_commands_never_ask_for_kubernetes(tmp_path, text):
    # No kubeconfig and no credentials: what stops an AWS-only command is the credentials, never Kubernetes.
    line = refused(tmp_path, "diagnose", *text, needles=("no AWS credentials found", "AWS_PROFILE"), **REGION)
    assert "Could not reach the API" not in line
    assert "kube" not in line.lower()


def test_diagnose_without_an_aws_region(tmp_path):
    refused(tmp_path, "diagnose", "rds", "list", needles=("no AWS region", "AWS_REGION"), AWS_REGION="")


def test_diagnose_cluster_without_a_clusters_file(tmp_path):
    refused(
        tmp_path,
        "diagnose",
        "--cluster",
        "staging",
        "rds",
        "list",
        needles=("--cluster staging", "no CLUSTERS_FILE is set", "CLUSTERS_FILE"),
        **REGION,
    )


CLUSTERS = """\
default: prod
clusters:
  - name: prod
    account_id: "111122223333"
    region: ap-northeast-2
    role_arn: arn:aws:iam::111122223333:role/chatops-target
  - name: staging
    account_id: "444455556666"
    region: ap-northeast-1
    kube: {kubeconfig_context: staging-admin}
"""


def test_diagnose_an_unknown_cluster_names_the_ones_in_the_file(tmp_path):
    (tmp_path / "clusters.yaml").write_text(CLUSTERS)
    refused(
        tmp_path,
        "diagnose",
        "--cluster",
        "qa",
        "rds",
        "list",
        needles=("unknown cluster 'qa'", "prod, staging"),
        CLUSTERS_FILE=str(tmp_path / "clusters.yaml"),
    )


def test_diagnose_a_cluster_of_the_file_without_credentials(tmp_path):
    (tmp_path / "clusters.yaml").write_text(CLUSTERS)
    # staging is reached through a kubeconfig context that does not exist; rds never needs it
    refused(
        tmp_path,
        "diagnose",
        "--cluster=staging",
        "rds",
        "list",
        needles=("no AWS credentials found",),
        CLUSTERS_FILE=str(tmp_path / "clusters.yaml"),
    )
    # prod assumes a role first: that call is what finds no credentials
    refused(
        tmp_path,
        "diagnose",
        "rds",
        "list",
        needles=("no AWS credentials found", "sts:AssumeRole"),
        CLUSTERS_FILE=str(tmp_path / "clusters.yaml"),
    )


def test_diagnose_a_kubeconfig_cluster_of_the_file_without_its_context(tmp_path):
    (tmp_path / "clusters.yaml").write_text(CLUSTERS)
    refused(
        tmp_path,
        "diagnose",
        "--cluster",
        "staging",
        "pods",
        "-A",
        needles=("kubeconfig",),
        CLUSTERS_FILE=str(tmp_path / "clusters.yaml"),
        **FAKE_AWS,
    )


def test_diagnose_bad_input(tmp_path):
    refused(tmp_path, "diagnose", needles=("nothing to diagnose", "chatops diagnose --help"))
    refused(tmp_path, "diagnose", "--cluster", needles=("--cluster needs a cluster name",))
    refused(tmp_path, "diagnose", 'pods "cloudon', needles=("usage error", "check the quotes"))


# audit and migrate ----------------------------------------------------------------------------------------


def test_audit_without_a_database_creates_nothing_and_says_where_to_look(tmp_path):
    refused(tmp_path, "audit", needles=("no database found", "DATABASE_URL", "--url", "chatops demo"))
    assert not (tmp_path / "chatops.db").exists()
    refused(
        tmp_path,
        "audit",
        "--csv",
        "--url",
        f"sqlite:///{tmp_path / 'other.db'}",
        needles=("no database found", "other.db"),
    )


def test_audit_on_a_database_without_tables(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    refused(tmp_path, "audit", needles=("no audit log there", "--url"), DATABASE_URL=f"sqlite:///{tmp_path}/empty.db")


def test_audit_and_migrate_with_a_database_that_does_not_answer(tmp_path):
    url = "postgresql+psycopg://chatops@127.0.0.1:1/chatops"  # port 1: nothing listens
    refused(tmp_path, "audit", "--url", url, needles=("cannot connect to the database", "DATABASE_URL"))
    refused(tmp_path, "migrate", "--url", url, needles=("cannot migrate the database", "--url"))
    refused(tmp_path, "migrate", "--url", "chatops.db", needles=("not a database URL", "sqlite:///PATH"))
    refused(tmp_path, "audit", "--url", "chatops.db", needles=("not a database URL", "sqlite:///PATH"))


def test_audit_reads_a_migrated_database(tmp_path, migrated):
    done = chatops(tmp_path, "audit", "--url", migrated)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


# settings and arguments -------------------------------------------------------------------------------------


def test_a_setting_of_the_wrong_type(tmp_path):
    refused(tmp_path, "serve", needles=("WORKER_THREADS is not valid",), WORKER_THREADS="two")


def test_an_unknown_option_is_one_line_pointing_at_help(tmp_path):
    refused(tmp_path, "serve", "--prot", "3000", needles=("unrecognized arguments: --prot", "chatops serve --help"))

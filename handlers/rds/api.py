"""Which RDS API stops or starts a database, or why AWS would refuse it. Pure.

The rules, from the AWS documentation:
- An Aurora member instance is stopped and started through its cluster (StopDBInstance on it
  fails with ``InvalidParameterCombination: aurora-mysql DB instances are not eligible for
  stopping and starting``, as teams find out). Moto accepts it; we never call it.
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html
- StopDBInstance/StartDBInstance: "This command doesn't apply to RDS Custom, Aurora MySQL, and
  Aurora PostgreSQL." https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html
- "You can't stop a DB instance that has a read replica, or that is a read replica" and "You
  can't stop an Amazon RDS for SQL Server DB instance in a Multi-AZ configuration".
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html
- StopDBCluster and StartDBCluster: "This operation only applies to Aurora DB clusters." A
  Multi-AZ DB cluster (RDS for MySQL/PostgreSQL, ``Engine`` not ``aurora*``) cannot be stopped:
  "Stopping and starting Multi-AZ DB clusters" is listed among its unsupported features.
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBCluster.html
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html
- Aurora Serverless v1, multi-master, parallel query and global database clusters cannot be
  stopped; a cluster stops only from ``available`` and starts only from ``stopped``.
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html
  https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/start-stop-aurora-cluster.html
- A database already stopped/stopping (or running/starting, for start) is a no-op.

Called by ``operations`` (before any call), ``sweep`` and the diagnoser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.domain import Msg
from bot.korean import attach, fill
from handlers.rds.model import Database, Inventory

Outcome = Literal["call", "noop", "refuse"]
USER_GUIDE_STOP = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html"
AURORA_GUIDE_STOP = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html"
STOP_DB_INSTANCE_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html"
MULTI_AZ_CLUSTER_LIMITS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html"
)
_MODES = {
    "serverless": ("Aurora Serverless v1", "Aurora Serverless v1"),
    "multimaster": ("Aurora multi-master", "Aurora 멀티 마스터"),
    "parallelquery": ("Aurora parallel query", "Aurora 병렬 쿼리"),
}
MEMBER_OK = frozenset({"available", "stopped", "stopping", "starting"})

# code -> (English, Korean, what AWS answers, source). Filled with str.format(**facts).
_WHY: dict[str, tuple[str, str, str, str]] = {
    "rds.api.cluster_unknown": (
        "{id} belongs to cluster {cluster}, which discovery did not return.",
        "{id:는} 클러스터 {cluster}에 속하지만 그 클러스터를 찾지 못했습니다.",
        "InvalidParameterCombination: {engine} DB instances are not eligible for stopping and starting",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.multi_az_cluster": (
        "{id} is a Multi-AZ DB cluster ({engine}), not an Aurora cluster; AWS cannot stop or start it "
        "(StopDBCluster and StartDBCluster apply only to Aurora DB clusters, and stopping and starting "
        "Multi-AZ DB clusters is not supported).",
        "{id:는} Aurora 가 아닌 Multi-AZ DB 클러스터({engine})라 AWS에서 중지·시작할 수 없습니다 "
        "(StopDBCluster/StartDBCluster는 Aurora DB 클러스터에만 적용되며, Multi-AZ DB 클러스터의 "
        "중지·시작은 지원되지 않습니다).",
        "InvalidDBClusterStateFault: StopDBCluster/StartDBCluster: This operation only applies to Aurora DB clusters.",
        MULTI_AZ_CLUSTER_LIMITS,
    ),
    "rds.refuse.mode": (
        "{id} is an {mode_en} cluster; AWS cannot stop or start it.",
        "{id:는} {mode_ko} 클러스터라 AWS에서 중지·시작할 수 없습니다.",
        "InvalidDBClusterStateFault: {mode_en} clusters cannot be stopped and started",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.global": (
        "{id} is the {role} cluster of an Aurora global database; AWS does not stop or start clusters "
        "that are part of a global database.",
        "{id:는} Aurora 글로벌 데이터베이스의 {role} 클러스터입니다. 글로벌 데이터베이스에 속한 "
        "클러스터는 AWS에서 중지·시작할 수 없습니다.",
        "InvalidDBClusterStateFault: a cluster in an Aurora global database cannot be stopped",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.cluster_replication": (
        "{id} is {what}; AWS does not stop clusters in cross-Region replication.",
        "{id:는} 복제 관계({what})에 있어 AWS에서 중지할 수 없습니다.",
        "InvalidDBClusterStateFault: clusters with read replicas cannot be stopped",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.cluster_state": (
        "cluster {id} is {status}; AWS {verb}s a cluster only when it is {need}.",
        "클러스터 {id} 상태가 {status} 입니다. AWS는 {need} 상태인 클러스터만 {verb_ko}합니다.",
        "InvalidDBClusterStateFault: DbCluster {id} is in {status} state but expected it to be one of {need}",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.member_state": (
        "cluster {id} has members in states that forbid stopping: {names}.",
        "클러스터 {id}의 멤버가 중지할 수 없는 상태입니다: {names}.",
        "InvalidDBInstanceState: members not available: {names}",
        AURORA_GUIDE_STOP,
    ),
    "rds.refuse.read_replica": (
        "{id} is a read replica of {source}; AWS cannot stop or start read replicas.",
        "{id:는} {source}의 읽기 전용 복제본이라 AWS에서 중지·시작할 수 없습니다.",
        "InvalidDBInstanceState: Cannot stop or start a Read-Replica instance",
        USER_GUIDE_STOP,
    ),
    "rds.refuse.replica_source": (
        "{id} has read replicas ({replicas}); AWS cannot stop a DB instance that has a read replica.",
        "{id}에 읽기 전용 복제본({replicas})이 있어 AWS에서 중지할 수 없습니다.",
        "InvalidDBInstanceState: You can't stop a DB instance that has a read replica",
        USER_GUIDE_STOP,
    ),
    "rds.refuse.rds_custom": (
        "{id} is an RDS Custom DB instance ({engine}); StopDBInstance and StartDBInstance do not apply to RDS Custom.",
        "{id:는} RDS Custom DB 인스턴스({engine})라 StopDBInstance/StartDBInstance를 사용할 수 없습니다.",
        "InvalidParameterCombination: StopDBInstance: This command doesn't apply to RDS Custom",
        STOP_DB_INSTANCE_API,
    ),
    "rds.refuse.sqlserver_multi_az": (
        "{id} is SQL Server in a Multi-AZ configuration; AWS cannot stop it.",
        "{id:는} Multi-AZ 구성의 SQL Server 라 AWS에서 중지할 수 없습니다.",
        "InvalidParameterCombination: You can't stop an Amazon RDS for SQL Server DB instance in a "
        "Multi-AZ configuration",
        USER_GUIDE_STOP,
    ),
    "rds.refuse.instance_state": (
        "instance {id} is {status}; AWS {verb}s an instance only when it is {need}.",
        "인스턴스 {id} 상태가 {status} 입니다. AWS는 {need} 상태인 인스턴스만 {verb_ko}합니다.",
        "InvalidDBInstanceState: Instance {id} is not in {need} state.",
        USER_GUIDE_STOP,
    ),
}


@dataclass(frozen=True)
class ApiDecision:
    """What to do for ``action`` on a requested database.

    ``kind``/``id`` name the resource the API acts on (the cluster for an Aurora member);
    ``redirected`` is true when that differs from what was asked. ``aws_error`` quotes what
    AWS answers (or would answer) and ``source`` the page that documents the rule.
    """

    outcome: Outcome
    action: str
    kind: str
    id: str
    api: str
    code: str
    reason: Msg
    redirected: bool = False
    aws_error: str = ""
    source: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    def __str__(self) -> str:
        return f"{self.outcome} {self.api or '-'} {self.kind}:{self.id} ({self.code})"


def _refuse(action: str, db: Database, rule: str, code: str = "", **facts: str) -> ApiDecision:
    en, ko, aws, source = _WHY[rule]
    facts = {
        "id": db.id,
        "status": db.status,
        "engine": db.engine,
        "verb": action,
        "verb_ko": "중지" if action == "stop" else "시작",
        "need": "available" if action == "stop" else "stopped",
        **facts,
    }
    return ApiDecision(
        "refuse",
        action,
        db.kind,
        db.id,
        "",
        code or rule,
        Msg(en.format(**facts), fill(ko, **facts)),
        redirected=False,
        aws_error=aws.format(**facts),
        source=source,
    )


def _noop(action: str, db: Database) -> ApiDecision:
    done, done_ko = ("stopped", "중지") if action == "stop" else ("running", "실행")
    return ApiDecision(
        "noop",
        action,
        db.kind,
        db.id,
        "",
        f"rds.api.already_{done}",
        Msg(
            f"{db.kind} {db.id} is already {db.status}; nothing to do.",
            f"{attach(db.id, '는')} 이미 {db.status} 상태({done_ko})라 할 일이 없습니다.",
        ),
    )


def _call(action: str, db: Database, source: str) -> ApiDecision:
    api = f"{action}_db_{db.kind}"
    if action == "stop" and db.kind == "cluster":
        reason = Msg(
            f"stop cluster {db.id} (StopDBCluster stops all its instances)",
            f"클러스터 {db.id} 중지 (StopDBCluster 가 모든 인스턴스를 중지)",
        )
    else:
        word = {"cluster": ("cluster", "클러스터"), "instance": ("instance", "인스턴스")}[db.kind]
        verb_ko = "중지" if action == "stop" else "시작"
        reason = Msg(f"{action} {word[0]} {db.id}", f"{word[1]} {db.id} {verb_ko}")
    code = f"rds.api.{action}_{db.kind}"
    return ApiDecision("call", action, db.kind, db.id, api, code, reason, source=source)


def member_explanation(member: Database, cluster_id: str) -> Msg:
    engine = member.engine or "aurora"
    return Msg(
        f"{member.id} is a member of {engine} cluster {cluster_id}: AWS stops and starts Aurora as a "
        f"cluster (StopDBInstance on a member fails with InvalidParameterCombination: {engine} DB "
        "instances are not eligible for stopping and starting), so the bot acts on cluster "
        f"{cluster_id}.",
        f"{attach(member.id, '는')} {engine} 클러스터 {cluster_id}의 멤버입니다. AWS는 Aurora를 "
        "클러스터 단위로만 중지·시작합니다(멤버에 StopDBInstance를 호출하면 "
        f"InvalidParameterCombination: {engine} DB instances are not eligible for stopping and "
        f"starting 오류가 납니다). 그래서 클러스터 {attach(cluster_id, '를')} 대상으로 합니다.",
    )


def api_target(inv: Inventory, db: Database) -> tuple[Database, bool]:
    """The resource the stop/start API acts on for ``db`` and whether it was redirected."""
    if db.kind == "instance" and db.cluster_id:
        cluster = inv.cluster_of(db)
        if cluster is not None:
            return cluster, True
    return db, False


def decide(inv: Inventory, db: Database, action: str) -> ApiDecision:
    """The API to call (or the reason not to) for ``action`` ("stop"|"start") on ``db``."""
    if action not in ("stop", "start"):
        raise ValueError(f"unknown action {action!r}")
    target, redirected = api_target(inv, db)
    if db.kind == "instance" and db.cluster_id and not redirected:
        return _refuse(action, db, "rds.api.cluster_unknown", cluster=db.cluster_id)
    if target.kind == "cluster":
        decision = _decide_cluster(inv, target, action)
    else:
        decision = _decide_instance(target, action)
    return replace(decision, redirected=True) if redirected else decision


def _decide_cluster(inv: Inventory, c: Database, action: str) -> ApiDecision:
    if not c.is_aurora:
        return _refuse(action, c, "rds.refuse.multi_az_cluster")
    if c.engine_mode in _MODES:
        en, ko = _MODES[c.engine_mode]
        return _refuse(action, c, "rds.refuse.mode", f"rds.refuse.{c.engine_mode}", mode_en=en, mode_ko=ko)
    if c.global_role:
        code = f"rds.refuse.global_{c.global_role}"
        return _refuse(action, c, "rds.refuse.global", code, role=c.global_role)
    if c.replica_source or c.replicas:
        what = f"a read replica of {c.replica_source}" if c.replica_source else f"the source of {', '.join(c.replicas)}"
        return _refuse(action, c, "rds.refuse.cluster_replication", what=what)
    done = ("stopped", "stopping") if action == "stop" else ("running", "starting", "busy")
    if c.state in done:
        return _noop(action, c)
    if c.state != ("running" if action == "stop" else "stopped"):
        return _refuse(action, c, "rds.refuse.cluster_state")
    busy = [m for m in inv.members_of(c) if m.status not in MEMBER_OK]
    if action == "stop" and busy:
        names = ", ".join(f"{m.id} ({m.status})" for m in busy)
        return _refuse(action, c, "rds.refuse.member_state", names=names)
    return _call(action, c, AURORA_GUIDE_STOP)


def _decide_instance(i: Database, action: str) -> ApiDecision:
    if i.engine.startswith("custom-"):  # RDS Custom engines: custom-oracle-ee, custom-sqlserver-ee, ...
        return _refuse(action, i, "rds.refuse.rds_custom")
    if i.replica_source:
        return _refuse(action, i, "rds.refuse.read_replica", source=i.replica_source)
    if i.replicas and action == "stop":
        return _refuse(action, i, "rds.refuse.replica_source", replicas=", ".join(i.replicas))
    if i.engine.startswith("sqlserver") and i.multi_az and action == "stop":
        return _refuse(action, i, "rds.refuse.sqlserver_multi_az")
    done = ("stopped", "stopping") if action == "stop" else ("running", "starting", "busy")
    if i.state in done:
        return _noop(action, i)
    if i.state != ("running" if action == "stop" else "stopped"):
        return _refuse(action, i, "rds.refuse.instance_state")
    return _call(action, i, USER_GUIDE_STOP)

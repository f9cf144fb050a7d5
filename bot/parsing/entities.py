"""Pull the objects a request names out of its text: namespace, names, image, cluster, db, ...

Called by ``bot.parsing.parse`` only. Pure. For each entity, structured evidence (JSON log
fields, ``kubectl describe`` lines, kubelet events, flags such as ``-n``) is tried before
natural-language phrasing ("in cloudon", "cloudon 네임스페이스"), and every candidate must be a
valid Kubernetes-style name that is not an ordinary word. Kubernetes names come back lowercase;
cluster names and images keep their case. All namespaces is ``namespace = "*"``.
"""

from __future__ import annotations

import re

from bot.parsing.image_pull import find_image
from bot.parsing.schedule_times import read_times

KEYS = (
    "namespace",
    "name",
    "pod",
    "image",
    "cluster",
    "db",
    "service_account",
    "sysctl",
    "stop_cron",
    "start_cron",
    "schedule_note",
    "schedule_note_ko",
)

_LABEL = r"([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)"
_NAME = r"([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)"
_END = r"(?![_a-z0-9]|[.-][a-z0-9])"
_START = r"(?<![-a-z0-9._/:])"
NATURAL_SPAN = 400  # natural phrasing is read from the start of a message, before any pasted log

STOP = frozenset(
    """
a an the my our your their this that these those it its is are was were be been being in on at to for of from
with by and or not no can cant cannot won wont will
would does doesn doesnt did didn do has have had still keeps
keep stuck fails failed failing fail rejected pending running
status error errors name named called list all any
every each some which what where why how when there here namespace namespaces ns pod pods po ingress ingresses
ing cluster clusters db dbs database databases rds aurora instance instances service account image images node
nodes deployment controller resource object delete deleting deletion deleted remove stop start schedule night
nightly me us you i we please pls so but if then also
just yet again now today too very one new old up down out
off over kubectl k8s eks aws yaml logs log events event get show describe using use used because after before
since due via into onto as than like about without
while until anymore either both only even issue problem help
thanks ok okay hi hello hey set setting settings config allowed forbidden unsafe safe sysctl sysctls value
manifest registry region order progress place case general same whole entire mysql postgres postgresql every
sa role roles policy token annotation is-not seems same keeps trying try tries daily weekly weekend
""".split()
)

_ALL_NS = re.compile(
    r"(?:^|\s)(?:-a|--all-namespaces)(?![\w-])|\ball namespaces\b|\bevery namespace\b"
    r"|\bacross (?:all )?namespaces\b|전체\s*네임스페이스|모든\s*네임스페이스",
    re.M,
)
_ALL_NS_GATES = ("-a", "--all-namespaces", "all namespaces", "every namespace", "across", "전체", "모든")

# Each rule: (gate phrases, pattern). The pattern runs only if one gate phrase is in the lowercased
# text (an empty gate means always): most messages then cost a few substring checks, not regexes.
Rule = tuple[tuple[str, ...], re.Pattern[str]]


def _rules(*pairs: tuple[tuple[str, ...], str], flags: int = re.M) -> tuple[Rule, ...]:
    return tuple((gates, re.compile(rx, flags)) for gates, rx in pairs)


_NS_STRUCTURED = _rules(
    (('"namespace"',), r'"namespace"\s*:\s*"' + _LABEL + '"'),
    (("namespace=", "namespace ="), r"\bnamespace\s*=\s*\"?" + _LABEL + _END),
    (('namespace:"',), r'\bnamespace:"' + _LABEL + '"'),
    (("namespace:",), r"^\s*namespace:\s+" + _LABEL + r"\s*$"),
    (("-n", "--namespace"), r"(?:^|\s)(?:-n|--namespace)[=\s]+" + _LABEL + _END),
    (('pod="',), r'\bpod="' + _LABEL + "/"),
    (("successfully assigned",), r"\bsuccessfully assigned " + _LABEL + "/"),
    (("syncing pod",), r'"[a-z0-9][-a-z0-9.]*_' + _LABEL + r"\("),
    (("system:serviceaccount:",), r"system:serviceaccount:" + _LABEL + ":"),
)
_NS_NATURAL = _rules(
    (("네임", "namespace", " ns"), _START + _LABEL + r"(?:\s*네임\s?스페이스|\s+(?:namespace|ns))(?![a-z])"),
    (("네임", "namespace"), r"(?:namespace|네임\s?스페이스)\s*[:=]?\s*" + _LABEL + _END),
    (
        ("ing", "po", "deployment", "파드", "인그레스"),
        r"(?:ingress(?:es)?|ing|pods?|po|deployment|파드|인그레스)[/\s]+" + _LABEL + "/[a-z0-9]",
    ),
    (
        ("in ",),
        r"\bin\s+(?:the\s+)?(?:namespace\s+)?"
        + _LABEL
        + _END
        + r"(?!\s+(?:eks\s+)?(?:cluster|클러스터|region|account|db|rds)(?![\w-]|\s*[=:]))",
    ),
)
_NS_FOR_LISTING = _rules(
    (
        ("파드", "포드", "pod"),
        _START + _LABEL + r"(?:\s*(?:파드|포드)|\s+pods?)\s*(?:목록|리스트|list|보여|조회|현황|상태)",
    ),
    (("pods",), r"\b(?:get|list|show|display)\s+(?:me\s+)?(?:the\s+)?" + _LABEL + r"\s+pods\b"),
)
_POD_STRUCTURED = _rules(
    (('pod="',), r'\bpod="[a-z0-9][-a-z0-9]*/' + _NAME + '"'),
    (("successfully assigned",), r"\bsuccessfully assigned [a-z0-9][-a-z0-9]*/" + _NAME + r"\s+to\b"),
    (("syncing pod",), r'"' + _NAME + r"_[a-z0-9][-a-z0-9]*\("),
    (('kind:"pod"',), r'kind:"pod",\s*namespace:"[^"]*",\s*name:"' + _NAME + '"'),
    (("kubectl",), r"\bkubectl\s+(?:-n\s+\S+\s+)?(?:describe|delete|logs|get)\s+(?:pods?|po)(?:/|\s+)" + _NAME + _END),
    (("pod/", "pods/"), r"\bpods?/" + _NAME + _END),
    (
        ("restarts", "backoff", "errimagepull", "pending", "creating", "forbidden", "invalidimagename", "init:"),
        r"^" + _NAME + r"\s+\d+/\d+\s+(?:imagepullbackoff|errimagepull|invalidimagename|sysctlforbidden"
        r"|crashloopbackoff|pending|containercreating|createcontainerconfigerror|error|init:\S+)\b",
    ),
)
_POD_DESCRIBE: tuple[Rule, ...] = ((("name:",), re.compile(r"^name:\s+" + _NAME + r"\s*$", re.M)),)
_POD_NATURAL = _rules(
    (("pod ",), r"\bpod\s+(?:named\s+|called\s+)?" + _NAME + _END),
    (("파드", "포드"), r"(?:파드|포드)\s+" + _NAME + _END),
    (("파드", "포드", " pod"), _START + _NAME + r"(?:\s*(?:파드|포드)|\s+pod)(?![a-z])"),
)
_NAME_STRUCTURED = _rules(
    (('"name"',), r'"name"\s*:\s*"' + _NAME + '"'),
    (('kind:"ingress"',), r'kind:"ingress",\s*namespace:"[^"]*",\s*name:"' + _NAME + '"'),
    (("ingress/", "ingresses/", "ingress.networking"), r"\bingress(?:es)?(?:\.networking\.k8s\.io)?/" + _NAME + _END),
    (("ing/",), r"\bing/" + _NAME + _END),
)
_NAME_NATURAL = _rules(
    (
        ("ing", "인그레스"),
        r"(?:\bingress(?:es)?|\bing|인그레스)\s+(?:named\s+|called\s+)?(?:[a-z0-9][-a-z0-9]*/)?" + _NAME + _END,
    ),
    ((" ingress", " 인그레스"), _START + _NAME + r"\s+(?:ingress|인그레스)(?![a-z])"),
    (("-ingress", "-ing", "-alb"), _START + r"([a-z0-9][-a-z0-9.]*-(?:ingress|ing|alb))" + _END),
)
_CLUSTER = _rules(
    ((":eks:",), r"arn:aws[\w-]*:eks:[\w-]+:\d{12}:cluster/([\w-]+)"),
    (("--cluster",), r"--cluster(?:-name)?[=\s]+([A-Za-z0-9][\w-]*)"),
    (
        ("cluster=", "cluster:", "clustername", "cluster-name", "cluster_name", "cluster ="),
        r"(?<![-\w])cluster(?:[-_]?name)?\s*[=:]\s*\"?([A-Za-z0-9][\w-]*)",
    ),
    (("cluster ",), r"\bin\s+(?:the\s+)?(?:eks\s+)?cluster\s+([A-Za-z0-9][\w-]*)"),
    ((" cluster", "클러스터"), _START + r"([A-Za-z0-9][\w-]*)\s+(?:eks\s+)?(?:cluster|클러스터)(?![a-z-])"),
    (("cluster ", "클러스터"), r"(?:클러스터|\bcluster)\s+([A-Za-z0-9][\w-]*)(?![\w-])"),
    flags=re.M | re.I,
)
_DB = _rules(
    ((":rds:",), r"arn:aws[\w-]*:rds:[\w-]+:\d{12}:(?:db|cluster):([a-z][-a-z0-9]*)"),
    (("identifier",), r"db(?:instance|cluster)identifier[\"':=\s]+([a-z][-a-z0-9]*)"),
    (("cannot stop",), r"\bcannot stop (?:instance|cluster|rds) ([a-z][-a-z0-9]*)"),
    (("stopping",), r"\bstopping (?:cluster|instance):?\s+([a-z][-a-z0-9]*)"),
    (
        (" db", " database", " rds", " aurora", "디비", "데이터베이스"),
        _START + r"([a-z][-a-z0-9]*)\s+(?:db|database|rds|aurora|디비|데이터베이스)(?![a-z])",
    ),
    (
        ("db ", "database ", "rds ", "aurora "),
        r"(?:\bdb|\bdatabase|\brds|\baurora)(?:\s+(?:cluster|instance))?\s+([a-z][-a-z0-9]*)" + _END,
    ),
    (
        ("schedule", "stop", "start"),
        r"\b(?:schedule|stop|start)\s+(?:the\s+)?([a-z][-a-z0-9]*)\s+(?:to|at|every|on|each|nightly|daily|from|until)\b",
    ),
)
# Last resort in a schedule request: the first identifier-looking word ("portal-rds-1", "db2").
_DB_TOKEN: tuple[Rule, ...] = (
    ((), re.compile(_START + r"([a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+[0-9][a-z0-9]*)" + _END)),
)
_SA = _rules(
    (("system:serviceaccount:",), r"system:serviceaccount:[a-z0-9][-a-z0-9]*:" + _NAME),
    (("serviceaccountname",), r"serviceaccountname:\s*\"?" + _NAME),
    (("--service-account",), r"--service-account[=\s]+" + _NAME),
    (("serviceaccount/", "serviceaccounts/"), r"\bserviceaccounts?/" + _NAME + _END),
    (
        ("service", "sa ", "서비스"),
        r"(?:service\s?account|서비스\s*(?:어카운트|계정)|\bsa)\s+(?:named\s+|called\s+)?" + _NAME + _END,
    ),
    (("service", " sa", "서비스"), _START + _NAME + r"\s+(?:service\s?account|서비스\s*(?:어카운트|계정)|sa)(?![a-z])"),
)
_SYSCTL = re.compile(r"(?<![\w.])((?:net|kernel|vm|fs|user|abi)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)")
_SYSCTL_BARE = re.compile(
    r"(?<![\w.])(tcp_keepalive_(?:time|intvl|probes)|tcp_fin_timeout"
    r"|ip_local_port_range|tcp_syncookies|ip_unprivileged_port_start|ping_group_range|somaxconn)(?![\w.])"
)
_BARE_PREFIX = {"somaxconn": "net.core."}


def _first(rules: tuple[Rule, ...], text: str, low: str) -> str:
    """The first candidate of the first rule that yields one that is not an ordinary word."""
    for gates, pattern in rules:
        if gates:
            for gate in gates:
                if gate in low:
                    break
            else:
                continue
        for m in pattern.finditer(text):
            value = m.group(1)
            if value.lower() not in STOP:
                return value
    return ""


def _namespace(low: str, head: str, intent: str) -> str:
    found = _first(_NS_STRUCTURED, low, low)
    if found:
        return found
    if any(g in head for g in _ALL_NS_GATES) and _ALL_NS.search(head):
        return "*"
    if intent == "pods":
        found = _first(_NS_FOR_LISTING, head, head)
    return found or _first(_NS_NATURAL, head, head)


def _pod(low: str, head: str, intent: str) -> str:
    found = _first(_POD_STRUCTURED, low, low)
    if not found and "namespace:" in low:  # kubectl describe output: "Name:" is the pod's
        found = _first(_POD_DESCRIBE, low, low)
    if not found and intent != "pods":
        found = _first(_POD_NATURAL, head, head)
    return found


def _db(low: str, head: str, intent: str) -> str:
    found = _first(_DB, low if intent == "rds_schedule" else head, low)
    if not found and intent == "rds_schedule":
        found = _first(_DB_TOKEN, head, head)
    return found


def _sysctl(low: str) -> str:
    m = _SYSCTL.search(low) if "." in low else None
    if m:
        return m.group(1)
    m = _SYSCTL_BARE.search(low)
    if m:
        name = m.group(1)
        return _BARE_PREFIX.get(name, "net.ipv4.") + name
    return ""


def extract(text: str, intent: str, image: str = "", low: str | None = None) -> dict[str, str]:
    """Entities named in ``text`` (already cleaned) for a request of ``intent``; empty ones omitted.

    ``image`` is the image the pull classifier found, if any (it knows kubelet wording best);
    ``low`` is ``text.lower()`` when the caller already has it.
    """
    low = text.lower() if low is None else low
    head = low[:NATURAL_SPAN]
    out = {"namespace": _namespace(low, head, intent)}
    if "name" in low or "ing" in low or "인그레스" in low:
        out["name"] = _first(_NAME_STRUCTURED, low, low) or _first(_NAME_NATURAL, head, head)
    if any(k in low for k in ("pod", "파드", "포드", "assigned", "namespace:", "/")):
        out["pod"] = _pod(low, head, intent)
    out["image"] = image or (find_image(text) if "image" in low or "pull" in low else "")
    if "cluster" in low or "클러스터" in low:
        where = text if "arn:" in low or "--cluster" in low else text[:NATURAL_SPAN]
        out["cluster"] = _first(_CLUSTER, where, low)
    if intent == "rds_schedule" or "db" in low or "rds" in low or "database" in low or "디비" in low:
        out["db"] = _db(low, head, intent)
    if "serviceaccount" in low or "service" in low or "sa " in low or "서비스" in low:
        out["service_account"] = _first(_SA, low, low)
    if "." in low or "tcp_" in low or "somaxconn" in low:
        out["sysctl"] = _sysctl(low)
    if intent == "rds_schedule":  # times in the text become the schedule's crons; what is unread is said
        times = read_times(low)
        out.update(
            stop_cron=times.stop_cron,
            start_cron=times.start_cron,
            schedule_note=times.note_en,
            schedule_note_ko=times.note_ko,
        )
    if out.get("cluster") and out.get("cluster", "").lower() == out.get("db"):
        del out["cluster"]  # "aurora cluster portal" names a database, not an EKS cluster
    if out.get("name") and out.get("name") == out.get("namespace") and intent != "ingress_delete_denied":
        del out["name"]
    return {k: out[k] for k in KEYS if out.get(k)}

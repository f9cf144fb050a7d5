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
from bot.parsing.vocabulary import EntityText, Vocabulary

# The entities every request may name; each feature adds its own (``Signals.entities``).
CORE_KEYS = ("namespace", "name", "pod", "image", "cluster")

_LABEL = r"([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)"
NAME = r"([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)"
END = r"(?![_a-z0-9]|[.-][a-z0-9])"
START = r"(?<![-a-z0-9._/:])"
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


def rules(*pairs: tuple[tuple[str, ...], str], flags: int = re.M) -> tuple[Rule, ...]:
    return tuple((gates, re.compile(rx, flags)) for gates, rx in pairs)


_NS_STRUCTURED = rules(
    (('"namespace"',), r'"namespace"\s*:\s*"' + _LABEL + '"'),
    (("namespace=", "namespace ="), r"\bnamespace\s*=\s*\"?" + _LABEL + END),
    (('namespace:"',), r'\bnamespace:"' + _LABEL + '"'),
    (("namespace:",), r"^\s*namespace:\s+" + _LABEL + r"\s*$"),
    (("-n", "--namespace"), r"(?:^|\s)(?:-n|--namespace)[=\s]+" + _LABEL + END),
    (('pod="',), r'\bpod="' + _LABEL + "/"),
    (("successfully assigned",), r"\bsuccessfully assigned " + _LABEL + "/"),
    (("syncing pod",), r'"[a-z0-9][-a-z0-9.]*_' + _LABEL + r"\("),
    (("system:serviceaccount:",), r"system:serviceaccount:" + _LABEL + ":"),
)
_NS_NATURAL = rules(
    (("네임", "namespace", " ns"), START + _LABEL + r"(?:\s*네임\s?스페이스|\s+(?:namespace|ns))(?![a-z])"),
    (("네임", "namespace"), r"(?:namespace|네임\s?스페이스)\s*[:=]?\s*" + _LABEL + END),
    (
        ("ing", "po", "deployment", "파드", "인그레스"),
        r"(?:ingress(?:es)?|ing|pods?|po|deployment|파드|인그레스)[/\s]+" + _LABEL + "/[a-z0-9]",
    ),
    (
        ("in ",),
        r"\bin\s+(?:the\s+)?(?:namespace\s+)?"
        + _LABEL
        + END
        + r"(?!\s+(?:eks\s+)?(?:cluster|클러스터|region|account|db|rds)(?![\w-]|\s*[=:]))",
    ),
)
_NS_FOR_LISTING = rules(
    (
        ("파드", "포드", "pod"),
        START + _LABEL + r"(?:\s*(?:파드|포드)|\s+pods?)\s*(?:목록|리스트|list|보여|조회|현황|상태)",
    ),
    (("pods",), r"\b(?:get|list|show|display)\s+(?:me\s+)?(?:the\s+)?" + _LABEL + r"\s+pods\b"),
)
_POD_STRUCTURED = rules(
    (('pod="',), r'\bpod="[a-z0-9][-a-z0-9]*/' + NAME + '"'),
    (("successfully assigned",), r"\bsuccessfully assigned [a-z0-9][-a-z0-9]*/" + NAME + r"\s+to\b"),
    (("syncing pod",), r'"' + NAME + r"_[a-z0-9][-a-z0-9]*\("),
    (('kind:"pod"',), r'kind:"pod",\s*namespace:"[^"]*",\s*name:"' + NAME + '"'),
    (("kubectl",), r"\bkubectl\s+(?:-n\s+\S+\s+)?(?:describe|delete|logs|get)\s+(?:pods?|po)(?:/|\s+)" + NAME + END),
    (("pod/", "pods/"), r"\bpods?/" + NAME + END),
    (
        ("restarts", "backoff", "errimagepull", "pending", "creating", "forbidden", "invalidimagename", "init:"),
        r"^" + NAME + r"\s+\d+/\d+\s+(?:imagepullbackoff|errimagepull|invalidimagename|sysctlforbidden"
        r"|crashloopbackoff|pending|containercreating|createcontainerconfigerror|error|init:\S+)\b",
    ),
)
_POD_DESCRIBE: tuple[Rule, ...] = ((("name:",), re.compile(r"^name:\s+" + NAME + r"\s*$", re.M)),)
_POD_NATURAL = rules(
    (("pod ",), r"\bpod\s+(?:named\s+|called\s+)?" + NAME + END),
    (("파드", "포드"), r"(?:파드|포드)\s+" + NAME + END),
    (("파드", "포드", " pod"), START + NAME + r"(?:\s*(?:파드|포드)|\s+pod)(?![a-z])"),
)
_NAME_STRUCTURED = rules(
    (('"name"',), r'"name"\s*:\s*"' + NAME + '"'),
    (('kind:"ingress"',), r'kind:"ingress",\s*namespace:"[^"]*",\s*name:"' + NAME + '"'),
    (("ingress/", "ingresses/", "ingress.networking"), r"\bingress(?:es)?(?:\.networking\.k8s\.io)?/" + NAME + END),
    (("ing/",), r"\bing/" + NAME + END),
)
_NAME_NATURAL = rules(
    (
        ("ing", "인그레스"),
        r"(?:\bingress(?:es)?|\bing|인그레스)\s+(?:named\s+|called\s+)?(?:[a-z0-9][-a-z0-9]*/)?" + NAME + END,
    ),
    ((" ingress", " 인그레스"), START + NAME + r"\s+(?:ingress|인그레스)(?![a-z])"),
    (("-ingress", "-ing", "-alb"), START + r"([a-z0-9][-a-z0-9.]*-(?:ingress|ing|alb))" + END),
)
_CLUSTER = rules(
    ((":eks:",), r"arn:aws[\w-]*:eks:[\w-]+:\d{12}:cluster/([\w-]+)"),
    (("--cluster",), r"--cluster(?:-name)?[=\s]+([A-Za-z0-9][\w-]*)"),
    (
        ("cluster=", "cluster:", "clustername", "cluster-name", "cluster_name", "cluster ="),
        r"(?<![-\w])cluster(?:[-_]?name)?\s*[=:]\s*\"?([A-Za-z0-9][\w-]*)",
    ),
    (("cluster ",), r"\bin\s+(?:the\s+)?(?:eks\s+)?cluster\s+([A-Za-z0-9][\w-]*)"),
    ((" cluster", "클러스터"), START + r"([A-Za-z0-9][\w-]*)\s+(?:eks\s+)?(?:cluster|클러스터)(?![a-z-])"),
    (("cluster ", "클러스터"), r"(?:클러스터|\bcluster)\s+([A-Za-z0-9][\w-]*)(?![\w-])"),
    flags=re.M | re.I,
)


def first_found(rules: tuple[Rule, ...], text: str, low: str) -> str:
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
    found = first_found(_NS_STRUCTURED, low, low)
    if found:
        return found
    if any(g in head for g in _ALL_NS_GATES) and _ALL_NS.search(head):
        return "*"
    if intent == "pods":
        found = first_found(_NS_FOR_LISTING, head, head)
    return found or first_found(_NS_NATURAL, head, head)


def _pod(low: str, head: str, intent: str) -> str:
    found = first_found(_POD_STRUCTURED, low, low)
    if not found and "namespace:" in low:  # kubectl describe output: "Name:" is the pod's
        found = first_found(_POD_DESCRIBE, low, low)
    if not found and intent != "pods":
        found = first_found(_POD_NATURAL, head, head)
    return found


def extract(text: str, intent: str, vocabulary: Vocabulary, image: str = "", low: str | None = None) -> dict[str, str]:
    """Entities named in ``text`` (already cleaned) for a request of ``intent``; empty ones omitted.

    ``image`` is the image the pull classifier found, if any (it knows kubelet wording best);
    ``low`` is ``text.lower()`` when the caller already has it. The core reads the entities every
    request may name; then each feature's extractors (``vocabulary.entity_rules``) add theirs.
    """
    low = text.lower() if low is None else low
    head = low[:NATURAL_SPAN]
    out = {"namespace": _namespace(low, head, intent)}
    if "name" in low or "ing" in low or "인그레스" in low:
        out["name"] = first_found(_NAME_STRUCTURED, low, low) or first_found(_NAME_NATURAL, head, head)
    if any(k in low for k in ("pod", "파드", "포드", "assigned", "namespace:", "/")):
        out["pod"] = _pod(low, head, intent)
    out["image"] = image or (find_image(text) if "image" in low or "pull" in low else "")
    if "cluster" in low or "클러스터" in low:
        where = text if "arn:" in low or "--cluster" in low else text[:NATURAL_SPAN]
        out["cluster"] = first_found(_CLUSTER, where, low)
    read = EntityText(text, low, head, intent)
    for rule in vocabulary.entity_rules:
        rule.extract(read, out)
    if out.get("name") and out.get("name") == out.get("namespace") and intent != "ingress_delete_denied":
        del out["name"]
    return {k: out[k] for k in (*CORE_KEYS, *vocabulary.entity_keys) if out.get(k)}

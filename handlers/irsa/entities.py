"""The entity of IRSA requests, for the core parser: the service account named. Pure."""

from __future__ import annotations

from bot.parsing.entities import END, NAME, START, first_found, rules
from bot.parsing.vocabulary import EntityRule, EntityText

SERVICE_ACCOUNT = rules(
    (("system:serviceaccount:",), r"system:serviceaccount:[a-z0-9][-a-z0-9]*:" + NAME),
    (("serviceaccountname",), r"serviceaccountname:\s*\"?" + NAME),
    (("--service-account",), r"--service-account[=\s]+" + NAME),
    (("serviceaccount/", "serviceaccounts/"), r"\bserviceaccounts?/" + NAME + END),
    (
        ("service", "sa ", "서비스"),
        r"(?:service\s?account|서비스\s*(?:어카운트|계정)|\bsa)\s+(?:named\s+|called\s+)?" + NAME + END,
    ),
    (("service", " sa", "서비스"), START + NAME + r"\s+(?:service\s?account|서비스\s*(?:어카운트|계정)|sa)(?![a-z])"),
)


def extract_service_account(read: EntityText, found: dict[str, str]) -> None:
    low = read.low
    if "serviceaccount" in low or "service" in low or "sa " in low or "서비스" in low:
        found["service_account"] = first_found(SERVICE_ACCOUNT, low, low)


ENTITIES = (EntityRule(20, ("service_account",), extract_service_account),)

"""Findings about what the bot could not confirm: names a pasted error used that live state
contradicts, and a controller missing from where the cluster runs it. Pure; called by ``analyse``."""

from __future__ import annotations

from bot.domain import Finding, Msg, Severity
from bot.korean import attach
from handlers.irsa.evidence import Evidence

_CLAIM_WORDS = {
    "role": ("role", "역할", "the role in use is", "실제 사용 중인 역할은"),
    "service_account": (
        "service account",
        "서비스 어카운트",
        "the controller runs as",
        "컨트롤러가 실제로 쓰는 서비스 어카운트는",
    ),
    "load_balancer": ("load balancer", "로드밸런서", "the ingress's load balancer is", "Ingress의 실제 로드밸런서는"),
}


def claim_findings(ev: Evidence) -> list[Finding]:
    """What a pasted error named that live state contradicts: said plainly, and nothing proposed."""
    out = []
    for claim in ev.claims:
        en_what, ko_what, en_live, ko_live = _CLAIM_WORDS.get(claim.what, (claim.what, claim.what, "live", "실제"))
        live_en = f"; {en_live} {claim.live}" if claim.live else "; live state shows none"
        live_ko = f", {ko_live} {claim.live} 입니다" if claim.live else ", 실제 상태에서는 확인되지 않습니다"
        out.append(
            Finding(
                "irsa.claim.unconfirmed",
                Severity.WARNING,
                Msg(
                    f"The error you pasted names {en_what} {claim.claimed}{live_en}; "
                    f"no change proposed for {claim.claimed}",
                    f"붙여 넣은 오류에는 {ko_what} {attach(claim.claimed, '가')} 나오지만{live_ko}. "
                    f"{claim.claimed}에 대한 변경은 제안하지 않습니다",
                ),
                target=claim.claimed,
                data={"what": claim.what, "claimed": claim.claimed, "live": claim.live},
            )
        )
    return out


def controller_findings(ev: Evidence) -> list[Finding]:
    c = ev.controller
    if ev.ingress is None or c is None or (c.exists and c.pods):
        return []
    return [
        Finding(
            "irsa.controller.not_found",
            Severity.WARNING,
            Msg(
                f"The AWS Load Balancer Controller was not found at {c.target} (where this cluster is "
                "configured to run it); the bot proposes no change to its identity",
                f"AWS Load Balancer Controller를 설정된 위치 {c.target}에서 찾지 못했습니다. "
                "컨트롤러 권한에 대한 변경은 제안하지 않습니다",
            ),
            target=c.target,
        )
    ]

"""Findings from a pasted encoded authorization failure message: what AWS decoded of it, or why the
bot could not decode it and the command a person can run instead. Pure."""

from __future__ import annotations

from bot.domain import Finding, Msg, Severity
from bot.parsing.aws_errors import DECODE_HINT
from handlers.irsa.decoded import DENIED, INVALID
from handlers.irsa.evidence import Evidence


def decoded_findings(ev: Evidence) -> list[Finding]:
    """What AWS decoded of a pasted encoded authorization failure message, or why the bot could not
    decode it and how a person can."""
    d = ev.decoded
    if d is not None:
        what = f"{d.action} on {d.resource}" if d.resource else d.action
        deny = ", ".join(s.sid or "(no Sid)" for s in d.denying)
        if d.explicit_deny:
            why = Msg(
                f"an explicit Deny decided it (statement {deny})" if deny else "an explicit Deny decided it",
                f"명시적 Deny 때문입니다 (문장 {deny})" if deny else "명시적 Deny 때문입니다",
            )
        else:
            why = Msg("no statement allows it", "허용하는 문장이 없습니다")
        evidence = [Msg.same(f"{key} = {', '.join(values)}") for key, values in d.conditions[:10]]
        return [
            Finding(
                "irsa.decoded.denied",
                Severity.WARNING,
                Msg(
                    f"AWS decoded the failure: {d.principal_arn or 'the caller'} may not {what}; {why.en}",
                    f"AWS 가 디코딩한 실패 내용: {d.principal_arn or '호출자'}에게 {what} 권한이 없습니다. {why.ko}",
                ),
                tuple(evidence),
                d.principal_arn,
                data={
                    "explicit_deny": d.explicit_deny,
                    "action": d.action,
                    "resource": d.resource,
                    "principal": d.principal_arn,
                    "statements": [s.sid for s in d.statements],
                },
            )
        ]
    if not ev.decode_problem:
        return []
    command = Msg.same(f"`{DECODE_HINT}`")
    if ev.decode_problem == DENIED:
        title = Msg(
            "The bot may not decode the pasted authorization failure message (its role lacks "
            "sts:DecodeAuthorizationMessage); decode it with the command below",
            "봇의 역할에 sts:DecodeAuthorizationMessage 권한이 없어 붙여 넣은 인증 실패 메시지를 디코딩하지 "
            "못했습니다. 아래 명령으로 디코딩하세요",
        )
    elif ev.decode_problem == INVALID:
        title = Msg(
            "AWS could not decode the pasted authorization failure message: it is cut off or expired. "
            "Run the call again and decode the new message with the command below",
            "붙여 넣은 인증 실패 메시지를 AWS 가 디코딩하지 못했습니다 (잘렸거나 만료됨). 호출을 다시 실행하고 "
            "새 메시지를 아래 명령으로 디코딩하세요",
        )
    else:
        title = Msg(
            "AWS STS did not answer, so the pasted authorization failure message is not decoded; decode "
            "it with the command below",
            "AWS STS 가 응답하지 않아 붙여 넣은 인증 실패 메시지를 디코딩하지 못했습니다. 아래 명령으로 디코딩하세요",
        )
    return [Finding("irsa.decoded.not_decoded", Severity.INFO, title, (command,), data={"why": ev.decode_problem})]

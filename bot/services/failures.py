"""Turning a failure into words a person can act on, with a reference id that is also logged."""

from __future__ import annotations

import secrets

from bot import errors
from bot.domain import Msg
from bot.korean import attach

# botocore exceptions that mean "no usable AWS credentials here", not "the API could not be reached";
# bot.cloud.aws keeps the exception's class name as the error code.
CREDENTIAL_ERRORS = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
        "NoAuthTokenError",
        "ProfileNotFound",
        "UnauthorizedSSOTokenError",
        "SSOTokenLoadError",
        "TokenRetrievalError",
        "InvalidConfigError",
    }
)


def new_ref() -> str:
    return secrets.token_hex(4)


def describe_failure(exc: BaseException, ref: str) -> Msg:
    """A specific message for our own errors; a generic one with the reference id otherwise."""
    if isinstance(exc, errors.AccessDenied):
        need = f" (needs {exc.permission})" if exc.permission else ""
        return Msg(
            f"The bot is not allowed to call `{exc.call}`{need}: {exc.detail[:300]} (ref {ref})",
            f"봇에게 `{exc.call}` 호출 권한이 없습니다{need}: {exc.detail[:300]} (ref {ref})",
        )
    if isinstance(exc, errors.NotFound):
        return Msg(
            f"Not found: `{exc.call}` answered {exc.detail[:300]} (ref {ref})",
            f"찾을 수 없습니다: `{exc.call}` 응답 {exc.detail[:300]} (ref {ref})",
        )
    if isinstance(exc, errors.Unreachable) and exc.code in CREDENTIAL_ERRORS:
        return Msg(
            f"The bot found no AWS credentials for `{exc.call}` ({exc.detail[:120]}); ops must give it "
            f"a role (IRSA, EKS Pod Identity) or AWS_PROFILE (ref {ref})",
            f"봇이 `{exc.call}` 호출에 쓸 AWS 자격 증명을 찾지 못했습니다 ({exc.detail[:120]}). 운영팀이 "
            f"역할(IRSA, EKS Pod Identity) 또는 AWS_PROFILE 설정을 해 주어야 합니다 (ref {ref})",
        )
    if isinstance(exc, errors.Unreachable):
        return Msg(
            f"Could not reach the API for `{exc.call}`: {exc.detail[:200]} (ref {ref})",
            f"`{exc.call}` API에 연결할 수 없습니다: {exc.detail[:200]} (ref {ref})",
        )
    if isinstance(exc, errors.Throttled):
        return Msg(
            f"`{exc.call}` was throttled even after retries; try again shortly (ref {ref})",
            f"`{exc.call}` 호출이 재시도 후에도 제한되었습니다. 잠시 후 다시 시도하세요 (ref {ref})",
        )
    if isinstance(exc, errors.CloudError):
        return Msg(
            f"`{exc.call}` failed: {exc.code}: {exc.detail[:300]} (ref {ref})",
            f"`{exc.call}` 실패: {exc.code}: {exc.detail[:300]} (ref {ref})",
        )
    if isinstance(exc, errors.GuardrailRefused):
        return Msg(f"Refused by a guardrail: {exc} (ref {ref})", f"안전 규칙에 의해 거부됨: {exc} (ref {ref})")
    if isinstance(exc, errors.UsageError):
        return Msg(exc.message, exc.message_ko)
    if isinstance(exc, errors.Misconfigured):
        return Msg(
            f"The bot is misconfigured for this cluster, so ops must fix it: {str(exc)[:300]} (ref {ref})",
            f"이 클러스터에 대한 봇 설정이 잘못되어 운영팀의 수정이 필요합니다: {str(exc)[:300]} (ref {ref})",
        )
    return Msg(
        f"Something went wrong on the bot's side ({type(exc).__name__}); ops can find it in the log with ref {ref}.",
        f"봇 내부 오류가 발생했습니다 ({type(exc).__name__}). 로그에서 ref {attach(ref, '로')} 찾을 수 있습니다.",
    )

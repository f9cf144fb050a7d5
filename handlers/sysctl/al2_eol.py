"""Amazon Linux 2 on EKS: end of support, and the Kubernetes versions that still have AL2 AMIs. Pure.

"Amazon EKS will no longer publish EKS-optimized Amazon Linux 2 (AL2) AMIs after November 26th, 2025.
Additionally, Kubernetes version 1.32 is the last version for which Amazon EKS will release AL2 AMIs.
From version 1.33 onwards, Amazon EKS will continue to release AL2023 and Bottlerocket based AMIs."
(https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-build-scripts.html; also
awslabs/amazon-eks-ami#2545, "As of November 26, 2025, the Amazon Linux 2 (AL2) EKS-optimized AMIs
have reached end of support"). Used by ``nodeconfig`` and ``karpenter`` (file headers, which files are
offered) and ``advice`` (the note beside the files).
"""

from __future__ import annotations

from bot.domain import Msg

Minor = tuple[int, int]
LAST_KUBERNETES: Minor = (1, 32)
END_OF_SUPPORT = "2025-11-26"


def available(kubernetes: Minor | None) -> bool:
    """Does EKS publish AL2 AMIs for this Kubernetes version? Unknown version: assume it does."""
    return kubernetes is None or kubernetes <= LAST_KUBERNETES


def header_lines() -> list[str]:
    """The warning on top of every generated AL2 file."""
    return [
        f"Amazon Linux 2 EKS AMIs reached end of support on {END_OF_SUPPORT}; "
        f"{LAST_KUBERNETES[0]}.{LAST_KUBERNETES[1]} is the last Kubernetes version with AL2 AMIs.",
        "Prefer AL2023 (nodeadm NodeConfig, attached) or Bottlerocket for new node groups.",
    ]


def karpenter_lines() -> list[str]:
    return [
        *header_lines(),
        "For AL2023 set amiSelectorTerms to [{alias: al2023@latest}] and use a nodeadm NodeConfig part instead.",
    ]


def note(group: str, kubernetes: Minor | None) -> Msg:
    """What the bot says beside the files for an AL2 node group or node class."""
    last = f"{LAST_KUBERNETES[0]}.{LAST_KUBERNETES[1]}"
    if available(kubernetes):
        return Msg(
            f"{group}: Amazon Linux 2 EKS AMIs reached end of support on {END_OF_SUPPORT} and exist only up to "
            f"Kubernetes {last}; an AL2023 (nodeadm NodeConfig) file is attached too; Bottlerocket also works.",
            f"{group}: Amazon Linux 2 EKS AMI는 {END_OF_SUPPORT}에 지원이 종료되었고 Kubernetes {last} 까지만 "
            "있습니다. AL2023 (nodeadm NodeConfig) 파일도 첨부했습니다. Bottlerocket 도 가능합니다.",
        )
    version = f"{kubernetes[0]}.{kubernetes[1]}" if kubernetes else "?"
    return Msg(
        f"{group}: no Amazon Linux 2 AMI exists for Kubernetes {version} (AL2 ended {END_OF_SUPPORT}, last "
        f"version {last}); the files are for AL2023 (nodeadm NodeConfig) and Bottlerocket node groups.",
        f"{group}: Kubernetes {version} 용 Amazon Linux 2 AMI는 없습니다 (AL2 지원 종료 {END_OF_SUPPORT}, "
        f"마지막 버전 {last}). AL2023 (nodeadm NodeConfig) 와 Bottlerocket 노드 그룹용 파일입니다.",
    )

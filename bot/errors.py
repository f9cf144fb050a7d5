"""The bot's own error hierarchy.

Third-party exceptions (botocore ``ClientError``, Kubernetes ``ApiException``, connection
errors) are translated into these at the edge (``bot/cloud``), with the original chained as
``__cause__``, so services and diagnosers never handle library exceptions. Each error knows
the call that failed so the user can be told exactly what went wrong.
"""

from __future__ import annotations


class ChatOpsError(Exception):
    """Base of every error the bot raises on purpose."""


class UsageError(ChatOpsError):
    """The user's input could not be understood; the message says what was wrong."""

    def __init__(self, message: str, message_ko: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_ko = message_ko or message


class CloudError(ChatOpsError):
    """A call to AWS or Kubernetes failed.

    ``call`` names it (``iam:GetRole``, ``k8s:list_namespaced_pod``); ``code`` is the
    provider's error code; ``permission`` names the permission that was missing, if known.
    """

    def __init__(self, call: str, code: str, message: str, permission: str = ""):
        super().__init__(f"{call} failed: {code}: {message}")
        self.call = call
        self.code = code
        self.detail = message
        self.permission = permission


class AccessDenied(CloudError):
    """The bot itself is not allowed to make the call."""


class NotFound(CloudError):
    """The object does not exist."""


class Conflict(CloudError):
    """Optimistic concurrency failed (Kubernetes resourceVersion, AWS conflicting update)."""


class Throttled(CloudError):
    """Rate limited even after retries."""


class InvalidRequest(CloudError):
    """The provider refused the request as invalid (for example InvalidParameterCombination)."""


class Unreachable(CloudError):
    """The endpoint could not be reached at all."""


class Misconfigured(ChatOpsError):
    """The bot's own configuration is wrong (a kubeconfig context that does not exist, no in-cluster
    service account); the message says what, for ops to fix."""


class StalePlan(ChatOpsError):
    """Live state no longer matches what the plan expected; the diagnosis must be re-run."""

    def __init__(self, step_index: int, expected: object, actual: object):
        super().__init__(f"step {step_index + 1}: live state changed since the plan was made")
        self.step_index = step_index
        self.expected = expected
        self.actual = actual


class GuardrailRefused(ChatOpsError):
    """A plan breaks a safety rule (role outside the allow-list, wildcard subject, ...)."""


class ChannelUnavailable(ChatOpsError):
    """Slack refused to post in ``channel``: ``code`` is ``not_in_channel`` (the bot is not a member),
    ``is_archived`` or ``channel_not_found``. ``lang`` is the language of whoever must be told."""

    def __init__(self, channel: str, code: str, lang: str = "en"):
        super().__init__(f"Slack answered {code} for channel {channel}")
        self.channel = channel
        self.code = code
        self.lang = lang

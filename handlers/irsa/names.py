"""Names the IRSA diagnoser shares with the services layer: its kind and its plan operations.

``PlanStep.op`` values are persisted with plans, so these strings are stable. Operation names
that change an IAM role contain ``iam.``; the trust-policy one contains ``trust``, which the
central guardrail (``bot.services.guardrails``) keys on.
"""

KIND = "irsa"
OP_TRUST = "iam.update_trust_policy"
OP_OIDC = "iam.create_oidc_provider"
OP_TAG = "elbv2.tag_load_balancer"
OP_STATEMENT = "iam.put_role_inline_policy"
OP_SA_ROLE = "k8s.set_service_account_role"
OP_RESTART = "k8s.rollout_restart"

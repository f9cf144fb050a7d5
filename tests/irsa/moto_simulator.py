"""Test-only extension of moto: ``iam:SimulatePrincipalPolicy``, which moto does not implement.

Models the AWS answer's shape (``EvaluationResults`` with ``EvalDecision`` ``allowed`` /
``explicitDeny`` / ``implicitDeny`` and ``MatchedStatements``; IAM API reference,
SimulatePrincipalPolicy) with the decision the test sets, and records every request so a test
can check what the bot sent (the resource's real tags as ``aws:ResourceTag/...`` context
entries). moto runs in the test process, so the method is added to its IAM response class for
the duration of one test and removed afterwards.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.iam.responses import IamResponse


class SimulatorStub:
    def __init__(self, decision: str = "allowed", policy_id: str = "AWSLoadBalancerControllerIAMPolicy"):
        self.decision = decision
        self.policy_id = policy_id
        self.calls: list[dict[str, Any]] = []

    def _respond(self, response: IamResponse) -> ActionResult:
        params = response._get_params()
        self.calls.append(params)
        matched = (
            [{"SourcePolicyId": self.policy_id, "SourcePolicyType": "IAM Policy"}]
            if self.decision != "implicitDeny"
            else []
        )
        results = [
            {
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": self.decision,
                "MatchedStatements": matched,
                "MissingContextValues": [],
            }
            for action in params.get("ActionNames", [])
            for resource in params.get("ResourceArns", ["*"])
        ]
        return ActionResult({"EvaluationResults": results, "IsTruncated": False})

    def install(self) -> None:
        stub = self

        def simulate_principal_policy(response: IamResponse) -> ActionResult:
            return stub._respond(response)

        IamResponse.simulate_principal_policy = simulate_principal_policy  # type: ignore[attr-defined]

    def uninstall(self) -> None:
        if hasattr(IamResponse, "simulate_principal_policy"):
            del IamResponse.simulate_principal_policy

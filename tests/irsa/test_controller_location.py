"""Where the bot looks for the AWS Load Balancer Controller when nobody says otherwise: the official
Helm chart's release in kube-system, whose Deployment and service account take the chart's name."""

from __future__ import annotations

from bot.cloud.context import ClusterContext


def test_default_controller_location_is_the_charts():
    ctx = ClusterContext(aws=None, kube=None)  # type: ignore[arg-type]
    namespace, _, deployment = ctx.lb_controller.partition("/")
    assert (namespace, deployment) == ("kube-system", "aws-load-balancer-controller")

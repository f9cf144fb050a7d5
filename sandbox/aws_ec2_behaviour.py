"""EC2 behaviour moto leaves out and the bot depends on, added to the in-process moto server.

moto's interface endpoints are ``available`` the moment they are created, accept private DNS in
a VPC whose DNS attributes are off, and ignore ``PrivateDnsEnabled`` on ``ModifyVpcEndpoint``.
AWS does none of that; here it behaves as documented:

* a new interface endpoint is ``pending`` and becomes ``available`` later (``VpcEndpoint.State``
  in the EC2 API Reference:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html). The flip happens
  on ``tick()``, which the sandbox worlds call from their reconcilers (the world's clock), after
  ``PENDING_TICKS`` ticks; nothing here sleeps;
* private DNS on an interface endpoint needs ``enableDnsSupport`` and ``enableDnsHostnames`` on
  the VPC (EC2 API Reference, ``CreateVpcEndpoint`` ``PrivateDnsEnabled``:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html); AWS refuses
  otherwise with ``InvalidParameter`` "Enabling private DNS requires both enableDnsSupport and
  enableDnsHostnames VPC attributes set to true for vpc-..." (the wording AWS returns, as quoted in
  the Amazon GuardDuty User Guide's Runtime Monitoring coverage troubleshooting, status code 400);
* ``ModifyVpcEndpoint`` ``PrivateDnsEnabled`` turns private DNS on or off, with the same check.

``install()`` patches moto's EC2 response class once; ``sandbox.aws.MotoSandbox.start`` calls it.
"""

from __future__ import annotations

import threading
from typing import Any

PENDING_TICKS = 2
_pending: dict[str, list[Any]] = {}  # endpoint id -> [moto endpoint, ticks left]
_lock = threading.Lock()
_installed = False


def _dns_ready(backend: Any, vpc_id: str) -> bool:
    vpc = backend.get_vpc(vpc_id)
    return bool(vpc.enable_dns_support) and bool(vpc.enable_dns_hostnames)


def _refuse(vpc_id: str) -> None:
    from moto.ec2.exceptions import InvalidParameter

    raise InvalidParameter(
        "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to "
        f"true for {vpc_id}"
    )


def tick() -> None:
    """One step of the world's clock: pending endpoints move towards ``available``."""
    with _lock:
        for ep_id, entry in list(_pending.items()):
            entry[1] -= 1
            if entry[1] <= 0:
                if entry[0].state == "pending":
                    entry[0].state = "available"
                del _pending[ep_id]


def install() -> None:
    """Patch moto's EC2 responses (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.ec2.responses.vpcs import VPCs

    original_create = VPCs.create_vpc_endpoint
    original_modify = VPCs.modify_vpc_endpoint

    def create_vpc_endpoint(self: Any) -> Any:
        interface = str(self._get_param("VpcEndpointType") or "").lower() == "interface"
        private_dns = self._get_bool_param("PrivateDnsEnabled", if_none=True)
        vpc_id = self._get_param("VpcId")
        if interface and private_dns and not _dns_ready(self.ec2_backend, vpc_id):
            _refuse(vpc_id)
        result = original_create(self)
        if interface:
            endpoint = result.result["VpcEndpoint"]
            endpoint.state = "pending"
            with _lock:
                _pending[endpoint.id] = [endpoint, PENDING_TICKS]
        return result

    def modify_vpc_endpoint(self: Any) -> Any:
        ep_id = self._get_param("VpcEndpointId")
        wanted = self._get_param("PrivateDnsEnabled")
        endpoint = self.ec2_backend.vpc_end_points.get(ep_id)
        if endpoint is not None and wanted is not None:
            on = str(wanted).lower() == "true"
            if on and not _dns_ready(self.ec2_backend, endpoint.vpc_id):
                _refuse(endpoint.vpc_id)
            endpoint.private_dns_enabled = on
        return original_modify(self)

    VPCs.create_vpc_endpoint = create_vpc_endpoint
    VPCs.modify_vpc_endpoint = modify_vpc_endpoint
    _installed = True

"""The offline sandbox: local stand-ins for Slack's Web API, the Kubernetes API and AWS (moto).

Not part of the bot's distribution: it lives in the source checkout, with its own ``[sandbox]``
extra. ``chatops demo`` and the test suite run the real HTTP app against it; scripts use the
API below (documented in ``sandbox/README.md``).
"""

from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, STRANGER, Sandbox

__all__ = ["DEV", "OPS", "OPS2", "REQUEST_CHANNEL", "STRANGER", "Sandbox"]

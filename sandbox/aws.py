"""AWS in the sandbox: moto's server mode on loopback, reached through ``AWS_ENDPOINT_URL``.

boto3 honours ``AWS_ENDPOINT_URL``, so the product code is unchanged. ``reset()`` wipes
moto's state between tests or scenarios.
"""

from __future__ import annotations

import logging
import os
import urllib.request

SANDBOX_ACCOUNT = "123456789012"
SANDBOX_REGION = "ap-northeast-1"


class MissingActionNote(logging.Filter):
    """Turns werkzeug's traceback for an action moto does not implement into one line.

    moto answers such a call with HTTP 500 and werkzeug logs the whole traceback, once per attempt
    botocore makes; the bot already reports the failure itself (which call, NotImplemented). Other
    errors pass through untouched.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if text.startswith("Error on request") and "NotImplementedError:" in text:
            last = text.rstrip().rsplit("\n", 1)[-1]  # "NotImplementedError: The X action has not been implemented"
            record.msg, record.args = f"moto: {last.split(':', 1)[1].strip()}", ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class MotoSandbox:
    """A ThreadedMotoServer on 127.0.0.1 with an ephemeral port."""

    def __init__(self, region: str = SANDBOX_REGION):
        self.region = region
        self.url = ""
        self._server = None

    def start(self) -> str:
        # Managed policies (arn:aws:iam::aws:policy/...) must be loaded before IAM is used.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        from moto.server import ThreadedMotoServer

        werkzeug = logging.getLogger("werkzeug")
        if werkzeug.level < logging.ERROR:  # a caller that silenced it (the demo) keeps it silent
            werkzeug.setLevel(logging.ERROR)
        if not any(isinstance(f, MissingActionNote) for f in werkzeug.filters):
            werkzeug.addFilter(MissingActionNote())
        __import__("sandbox.aws_rds_behaviour").aws_rds_behaviour.install()  # RDS as strict as AWS
        __import__("sandbox.aws_ec2_behaviour").aws_ec2_behaviour.install()  # EC2 endpoints as AWS has them
        __import__("sandbox.aws_ecr_behaviour").aws_ecr_behaviour.install()  # ECR pull-through cache rules
        __import__("sandbox.aws_sts_behaviour").aws_sts_behaviour.install()  # decoding authorization failures
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def environment(self) -> dict[str, str]:
        """The variables that point boto3 at this server with dummy credentials."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def export(self) -> None:
        os.environ.update(self.environment())
        for var in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            os.environ.pop(var, None)

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=120):  # a busy machine can take seconds to wipe moto
            pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class WorldAws:
    """Plain boto3 clients against the moto server, for worlds and scenarios.

    Worlds build and read their AWS state with these, not with the bot's own client wrapper, so
    nothing the bot does to AWS calls (retries, error translation) shapes what the world sees.
    """

    def __init__(self, region: str = SANDBOX_REGION):
        import boto3

        self.region = region
        self.session = boto3.Session(region_name=region)
        self._clients: dict[tuple[str, str], object] = {}

    def client(self, service: str, region: str | None = None):
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=key[1], endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
            )
        return self._clients[key]

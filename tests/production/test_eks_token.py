"""EKS tokens: the format ``aws eks get-token`` produces, checked by decoding it and by verifying its
SigV4 signature with an independent implementation of the algorithm written from AWS's documentation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), so the signature is
proven to cover the ``x-k8s-aws-id`` header the EKS API server checks."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from botocore.credentials import Credentials

from bot.eks_token import TOKEN_LIFETIME, TOKEN_PREFIX, TokenSource, decode_token, make_token

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-1")


def _verify_sigv4(url: str, headers: dict[str, str], secret: str) -> bool:
    """Recompute a presigned URL's SigV4 signature from scratch and compare."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(query)["X-Amz-Signature"]
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query) if k != "X-Amz-Signature"
    )
    signed = dict(query)["X-Amz-SignedHeaders"].split(";")
    all_headers = {"host": parts.netloc, **{k.lower(): v for k, v in headers.items()}}
    canonical_headers = "".join(f"{h}:{all_headers[h].strip()}\n" for h in signed)
    payload = hashlib.sha256(b"").hexdigest()
    request = "\n".join(["GET", parts.path or "/", canonical_query, canonical_headers, ";".join(signed), payload])
    amz_date = dict(query)["X-Amz-Date"]
    scope = dict(query)["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), given)


def test_token_is_a_base64url_presigned_get_caller_identity_url():
    token = make_token(CREDS, "prod", "ap-northeast-2")
    assert token.startswith(TOKEN_PREFIX)
    body = token.removeprefix(TOKEN_PREFIX)
    assert "=" not in body and "+" not in body and "/" not in body  # unpadded base64url
    url = decode_token(token)
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "sts.ap-northeast-2.amazonaws.com", "/")
    assert params["Action"] == "GetCallerIdentity" and params["Version"] == "2011-06-15"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "60"
    assert params["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
    assert params["X-Amz-Credential"].endswith("/ap-northeast-2/sts/aws4_request")
    assert params["X-Amz-Security-Token"] == "session-token-1"
    assert params["X-Amz-SignedHeaders"].split(";") == ["host", "x-k8s-aws-id"]
    assert len(params["X-Amz-Signature"]) == 64


def test_signature_covers_the_cluster_name_header():
    url = decode_token(make_token(CREDS, "prod", "ap-northeast-2"))
    assert _verify_sigv4(url, {"x-k8s-aws-id": "prod"}, CREDS.secret_key)
    assert not _verify_sigv4(url, {"x-k8s-aws-id": "staging"}, CREDS.secret_key)
    assert not _verify_sigv4(url, {"x-k8s-aws-id": "prod"}, "another-secret")


def test_decode_refuses_other_bearer_tokens():
    with pytest.raises(ValueError):
        decode_token("eyJhbGciOiJSUzI1NiJ9.service-account-jwt")


def test_token_source_renews_after_fourteen_minutes_with_current_credentials():
    now = [datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]
    creds = [CREDS]
    source = TokenSource(lambda: creds[0], "prod", "ap-northeast-2", clock=lambda: now[0])
    first = source.token()
    creds[0] = Credentials("AKIDROTATED", "other-secret", "session-token-2")
    now[0] += TOKEN_LIFETIME - timedelta(seconds=1)
    assert source.token() == first
    now[0] += timedelta(seconds=1)
    renewed = source.token()
    assert renewed != first and "AKIDROTATED" in decode_token(renewed)

    class Conf:
        api_key: dict[str, str] = {}

    conf = Conf()
    source.refresh_hook(conf)
    assert conf.api_key["authorization"] == renewed

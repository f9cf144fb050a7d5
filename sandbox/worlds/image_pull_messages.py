"""What containerd and the kubelet say when an image pull fails, for the image-pull worlds.

The wordings are copied from real reports (cited next to each); ``pull_message`` fills one in for
an image. Used by ``sandbox.worlds.image_pull`` (the seeded failing pods and their events)
and by the kubelet imitation (``image_pull_kubelet``, ``image_pull_network``) for new pods.
"""

from __future__ import annotations

from sandbox.worlds.image_refs import parse as split_image

# containerd 1.7 wording; cf. dagger/dagger#8705 ("failed to do request: Head ... dial tcp ...:443: i/o
# timeout") and rancher/rke2#6211 ("rpc error: code = ... desc = failed to pull and unpack image").
TIMEOUT_MSG = (
    'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"{image}": failed to resolve reference "{image}": failed to do request: Head '
    '"https://{host}/v2/{repo}/manifests/{tag}": dial tcp 52.95.241.14:443: i/o timeout'
)
# cf. aquasecurity/starboard#1161 (containerd NotFound wording).
NOT_FOUND_MSG = (
    'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
    '"{image}": failed to resolve reference "{image}": {image}: not found'
)
# cf. docker/docs#21908 (429 wording from registry-1.docker.io).
RATE_MSG = (
    'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"docker.io/library/{name}": failed to copy: httpReadSeeker: failed open: unexpected status code '
    "https://registry-1.docker.io/v2/library/{short}/manifests/sha256:3f1e2a8b: 429 Too Many Requests - "
    "Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit "
    "by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
)


def pull_message(template: str, image: str) -> str:
    ref = split_image(image)
    return template.format(
        image=image,
        host=ref.host,
        repo=ref.repository,
        tag=ref.tag,
        name=ref.repository.split("/")[-1] + ":" + ref.tag,
        short=ref.repository.split("/")[-1],
    )

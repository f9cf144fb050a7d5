# Multi-stage build: the project's wheel is built in the first stage; the runtime image installs it
# on top of the hash-locked dependencies of requirements.lock, has no compiler, runs as a non-root
# user and works with a read-only root file system (writes only to /tmp). Needs BuildKit (the default
# builder of current Docker) for the bind mount that keeps the wheel out of the image's layers.
#
# The base image is a tag by default. To pin it by digest, look the digest up and pass it in:
#   docker buildx imagetools inspect python:3.11-slim        # prints "Digest: sha256:..."
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim@sha256:<digest> .
# Charts in the reports (matplotlib, about 175 MB more) come with --build-arg LOCK=requirements-charts.lock.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ARG LOCK=requirements.lock
# Everything the process may write goes to /tmp (an emptyDir in the chart, deploy/chart): no .pyc
# files, HOME and the temp dir for boto3/kubernetes and the cluster CA files, matplotlib's cache
# (when the charts lock is installed), and the SQLite fallback database. PostgreSQL is configured
# through DATABASE_URL in production. The migrations ship inside the package (bot/migrations).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp TMPDIR=/tmp MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////tmp/chatops.db
RUN groupadd --system --gid 10001 chatops \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin chatops
WORKDIR /app
COPY ${LOCK} ./requirements.lock
# Dependencies exactly as locked (every file checked against its hash, wheels only), then the bot
# itself without resolving anything, then pip check: the lock must cover every dependency.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --require-hashes --only-binary=:all: --no-deps -r requirements.lock \
    && pip install --no-cache-dir --no-index --no-deps /wheels/*.whl \
    && pip check
USER 10001:10001
EXPOSE 3000
HEALTHCHECK CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:3000/healthz')"
ENTRYPOINT ["chatops"]
CMD ["serve", "--port", "3000"]

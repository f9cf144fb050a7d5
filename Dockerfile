# Multi-stage build: wheels are built in the first stage; the runtime image has no compiler,
# runs as a non-root user and works with a read-only root file system (writes only to /tmp).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# Everything the process may write goes to /tmp (an emptyDir in deploy/deployment.yaml): no .pyc
# files, HOME and the temp dir for boto3/kubernetes and the cluster CA files, matplotlib's cache,
# and the SQLite fallback database. PostgreSQL is configured through DATABASE_URL in production.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp TMPDIR=/tmp MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////tmp/chatops.db
RUN groupadd --system --gid 10001 chatops \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin chatops
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY migrations ./migrations
COPY alembic.ini ./
USER 10001:10001
EXPOSE 3000
HEALTHCHECK CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:3000/healthz')"
ENTRYPOINT ["chatops"]
CMD ["serve", "--port", "3000"]

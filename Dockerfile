# newsmon daemon image.  Build: docker build -t newsmon .
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY monitor ./monitor
COPY alerts ./alerts
COPY seeds ./seeds
RUN pip install ".[postgres]" \
    && useradd --create-home --uid 10001 newsmon \
    && mkdir -p /data && chown newsmon /data

# State that is not in the database (outbox, control token, signing secret) lives in /data.
WORKDIR /data
USER newsmon
VOLUME ["/data"]
# The control endpoint and web console ([daemon] control_port); off the container's
# loopback it asks for a login (docker-compose.yml says how).
EXPOSE 8765

# SIGTERM (docker stop) stops newsmon cleanly within [daemon] shutdown_timeout (10 s).
STOPSIGNAL SIGTERM
CMD ["newsmon", "run"]

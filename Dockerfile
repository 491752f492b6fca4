# Image of the Passaparola workers: `passaparola ingest run`, `passaparola streams worker`,
# `passaparola sink run` (see docker-compose.yml). Build from the repository root:
#
#   docker build -t passaparola:local .
#
# Configuration comes from PASSAPAROLA_* environment variables and an optional TOML file
# (PASSAPAROLA_CONFIG); see core/settings.py.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Only what `pip install .` needs: the project metadata, its readme, the pinned versions
# (constraints.txt, the same pins as the venv and CI) and the packages that pyproject.toml's
# [tool.setuptools.packages.find] includes.
WORKDIR /src
COPY pyproject.toml README.md LICENSE constraints.txt constraints-grafana.txt ./
COPY core/ core/
COPY passaparola/ passaparola/
COPY ingest/ ingest/
COPY streams/ streams/
COPY sinks/ sinks/
COPY dashboards/ dashboards/
# grafana-client in an environment of its own, which `dashboards provision` runs: its urllib3
# fork would replace the real urllib3 of the product's (see dashboards/grafana_push.py).
RUN pip install --constraint constraints.txt . \
    && python -m venv /opt/grafana-client \
    && /opt/grafana-client/bin/pip install --constraint constraints-grafana.txt 'grafana-client>=5.0,<6' \
    && rm -rf /src
ENV PASSAPAROLA_DASHBOARDS_PYTHON=/opt/grafana-client/bin/python

# Run as an unprivileged user, with a writable home for state (e.g. Faust's data dir).
RUN groupadd --system --gid 10001 passaparola \
    && useradd --system --uid 10001 --gid passaparola --create-home \
        --home-dir /home/passaparola --shell /usr/sbin/nologin passaparola
USER 10001:10001
WORKDIR /home/passaparola

# /metrics and /healthz, when PASSAPAROLA_METRICS_PORT=9108 (as in docker-compose.yml).
EXPOSE 9108

ENTRYPOINT ["passaparola"]
CMD ["--help"]

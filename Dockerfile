# One image for the API, the workers and the kafka-init admin step (distributed shape).
# The command is chosen per service in docker-compose.yml; the default runs the API.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package needs: a code change elsewhere does not rebuild the layer.
COPY pyproject.toml README.md ./
COPY alliance ./alliance
COPY api ./api
COPY schemas ./schemas
COPY services ./services
COPY streams ./streams
RUN pip install . \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin alliance \
 && mkdir -p /app/var \
 && chown alliance:alliance /app/var

USER alliance

ENV ALLIANCE_DATA_DIR=/app/var
EXPOSE 8000

# Healthchecks live in docker-compose.yml, per service: the image has Python, so a check
# is `python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"`
# with no curl or wget needed.
CMD ["alliance", "up", "--host", "0.0.0.0"]

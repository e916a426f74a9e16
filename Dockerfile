# The app image of docker-compose.yml: the workshop package and every stage, with only what
# the app needs at run time (pyproject's dependencies) and the MariaDB driver; none of the
# tooling (the [dev] extra: locust, pandas, Jupyter, pytest). Which stage it serves is
# chosen when it runs (STAGE).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# mysqlclient compiles against MariaDB's client library: the compiler comes and goes in
# one layer, the library stays. Editable, so that workshop.ROOT is /app as in a checkout.
COPY pyproject.toml README.md ./
COPY workshop ./workshop
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libmariadb-dev pkg-config \
    && pip install -e ".[mysql]" \
    && apt-get purge -y --auto-remove gcc pkg-config \
    && rm -rf /var/lib/apt/lists/*

# Stages change more often than dependencies: copied last, they rebuild in seconds.
COPY stages ./stages

# SHOP_VAR_DIR: collected static files and sessions; a volume that nginx reads too.
RUN useradd --create-home shop && mkdir -p /srv/var && chown shop /srv/var
USER shop
EXPOSE 8000

# The app image of docker-compose.yml: the workshop package and every stage on Debian 12's
# Python, with only what the app needs at run time (pyproject's dependencies and the
# MariaDB driver), none of the tooling (the [dev] extra). Which stage it serves is chosen
# when it runs (STAGE). Its Python packages come from docker/wheelhouse, built on the host
# (`make wheelhouse`): the build asks no package index.
FROM debian:bookworm-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY pyproject.toml /src/
COPY docker/wheelhouse /wheels
# From the wheelhouse where there is one (`make wheelhouse`: no network needed here);
# else from the package index, mysqlclient compiled here (the compiler stays in this
# stage, which the image leaves behind).
RUN python3 -m venv /venv \
    && if ls /wheels/*.whl >/dev/null 2>&1; then \
        /venv/bin/pip install --no-index --find-links /wheels --quiet -r /wheels/requirements.txt; \
    else \
        apt-get update \
        && apt-get install -y --no-install-recommends gcc python3-dev libmariadb-dev pkg-config \
        && python3 -c 'import tomllib; p = tomllib.load(open("/src/pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["mysql"]))' >/src/requirements.txt \
        && /venv/bin/pip install --quiet -r /src/requirements.txt; \
    fi \
    && /venv/bin/pip uninstall --quiet --yes pip setuptools \
    # The checkout in /app is the workshop package, as an editable install would make
    # it: workshop.ROOT is /app.
    && echo /app > "$(/venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/workshop.pth"

FROM debian:bookworm-slim
# Python and MariaDB's client library (mysqlclient's wheel links it), nothing else.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 libmariadb3 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workshop ./workshop
# Stages change more often than dependencies: copied last, they rebuild in seconds.
COPY stages ./stages
# Compiled once here: the app user may not write beside the code, and a server started
# again (a crash, a scale-up) on a quarter of a core would compile it every time.
RUN python3 -m compileall -q workshop stages

# SHOP_VAR_DIR: collected static files, page files; a volume that nginx reads too.
RUN useradd --create-home shop && mkdir -p /srv/var && chown shop /srv/var
USER shop
EXPOSE 8000

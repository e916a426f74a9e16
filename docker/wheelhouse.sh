#!/usr/bin/env bash
# docker/wheelhouse: wheels of the app's run-time dependencies (pyproject's dependencies
# and the [mysql] extra), built here with the host's pip, which reaches the package index,
# for the app image, whose build then needs no network for Python (`make wheelhouse`).
# Binary wheels (mysqlclient) must suit the image's Python: Debian 12's 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
out=docker/wheelhouse
want=3.11
have=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ $have != "$want" ]]; then
  echo "wheelhouse: $python is Python $have; the app image runs Debian 12's Python $want (PYTHON=python$want make wheelhouse)" >&2
  exit 1
fi
mkdir -p "$out"
"$python" - >"$out/requirements.txt" <<'PY'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["mysql"]))
PY
# --find-links: a wheel built before is used as it is, so the image's layer stays cached.
"$python" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$out" --find-links "$out" \
  -r "$out/requirements.txt"
echo "wheelhouse: $(ls "$out"/*.whl | wc -l) wheels in $out"

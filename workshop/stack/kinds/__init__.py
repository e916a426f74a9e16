"""The kinds of service a stage's deploy/stack.toml may name."""

from ..errors import StackError
from .base import Kind
from .gunicorn import Gunicorn
from .mariadb import MariaDB
from .memcached import Memcached
from .nginx import Nginx

KINDS: dict[str, type[Kind]] = {
    "nginx": Nginx,
    "gunicorn": Gunicorn,
    "memcached": Memcached,
    "mariadb": MariaDB,
}


def kind_class(name: str) -> type[Kind]:
    try:
        return KINDS[name]
    except KeyError:
        choices = ", ".join(KINDS)
        raise StackError(f"unknown service kind {name!r}: choose one of {choices}") from None

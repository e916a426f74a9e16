"""Which database this request reads the catalogue from, chosen once at its start, and
the pin that sends a visitor who just wrote to the primary for a few seconds.

The pin is a signed cookie, so it follows the visitor to whichever app server round
robin picks next (stage 03), and nobody can forge one or stretch it: a tampered or
expired cookie is read as no pin at all.
"""

import itertools
import random
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

from .settings import PRIMARY

PIN_COOKIE = "replica_pin"
PIN_SALT = "replicas.pinning"


@dataclass
class ReadState:
    """One request's choice: the alias its catalogue reads go to, and whether it wrote."""

    alias: str
    wrote: bool = False


# None outside a request (commands, the shell): those read the primary.
read_state: ContextVar[ReadState | None] = ContextVar("read_state", default=None)

_turns = None


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


def replica_next() -> str:
    """The next replica alias, round robin; each worker starts at a random one, so that
    many workers do not move in step."""
    # exercise 05: step 2: the replica aliases in turn (round robin)
    global _turns
    if _turns is None:
        aliases = replica_aliases() or [PRIMARY]
        _turns = itertools.islice(itertools.cycle(aliases), random.randrange(len(aliases)), None)
    return next(_turns)
    # exercise 05: end, stand-in: return PRIMARY


def primary_reads(build):
    """``build``, reading the primary whichever database this request chose: a cache
    entry rebuilt after a change that the request's replica has not applied yet
    (replicas/freshness.py)."""

    def build_on_primary():
        token = read_state.set(ReadState(PRIMARY))
        try:
            return build()
        finally:
            read_state.reset(token)

    return build_on_primary


def pin_valid(request) -> bool:
    """Whether the visitor holds a pin signed by us and younger than PIN_SECONDS."""
    # exercise 05: step 3: a pin counts only if its signature holds and it is young enough
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None
    # exercise 05: end, stand-in: return False


def pin_set(response) -> None:
    # exercise 05: step 3: the pin: a signed cookie that expires after REPLICA_PIN_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=settings.REPLICA_PIN_SECONDS,
        httponly=True,
        samesite="Lax",
    )
    # exercise 05: end, stand-in: pass

"""Django's mysql backend for a replica alias, which survives a dead replica.

Connecting: a short connect timeout, and a read timeout; a replica that refuses, does not
answer, or answers "too many connections" or "host blocked" (CONNECT_ERRORS) is marked
dead (replicas/health.py) and the next live replica is tried, then the primary. Reading:
a SELECT outside a transaction that loses its connection (or whose replica goes silent
past the read timeout) is sent once more, to another server. Never a write, never inside
a transaction: those may have done half their work, and only the caller knows.
"""

import logging

from django.conf import settings
from django.db.backends.mysql import base as mysql
from django.db.utils import DatabaseError, OperationalError

from .. import freshness, health
from .creation import DatabaseCreation

logger = logging.getLogger("replicas")

Database = mysql.Database
# Refused (2002 socket, 2003 TCP), a host no DNS knows (2005: under compose, a replica
# that is not running), gone away (2006), lost during the query (2013); and a replica
# that answers but will not serve us: too many connections (1040, max_connections; 1203,
# the account's max_user_connections), or this host blocked after too many failed
# connects (1129, until FLUSH HOSTS). Each is a reason to read elsewhere, not a 500.
CONNECT_ERRORS = {1040, 1129, 1203, 2002, 2003, 2005, 2006, 2013}
LOST_ERRORS = {2006, 2013}


class DatabaseWrapper(mysql.DatabaseWrapper):
    creation_class = DatabaseCreation

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.server = None  # the name of the server this connection landed on
        self._avoid = ()  # servers not to land on now: the one a read just lost
        self.execute_wrappers.append(self._read_retried)

    def get_connection_params(self):
        params = super().get_connection_params()
        params.setdefault("connect_timeout", settings.REPLICA_CONNECT_TIMEOUT)
        # A replica that takes a query and goes silent must not hold a worker for ever:
        # the read fails (2013, lost) and goes to another server (_read_retried).
        params.setdefault("read_timeout", settings.REPLICA_READ_TIMEOUT)
        params.setdefault("write_timeout", settings.REPLICA_READ_TIMEOUT)
        return params

    def get_new_connection(self, conn_params):
        """Its own replica, else the next live one, else the primary."""
        # exercise 05: step 4: the first live replica that connects, else the primary
        *replicas, primary = self.settings_dict["SERVERS"]
        for server in replicas:
            if server["name"] in self._avoid:
                continue
            state = health.replica_state(server["name"])
            if state == "dead" or freshness.behind_known(server["name"]):
                continue
            try:
                connection = super().get_new_connection(server_params(conn_params, server))
            except Database.OperationalError as error:
                if error.args[0] not in CONNECT_ERRORS:
                    raise
                health.replica_dead(server["name"], server_address(server), error)
                continue
            if state == "retry":
                health.replica_back(server["name"])
            if freshness.replica_behind(server["name"], connection):
                connection.close()  # alive, but too far behind: out of the rotation
                continue
            self.server = server["name"]
            return connection
        health.replicas_all_dead(self.alias)
        self.server = primary["name"]
        return super().get_new_connection(server_params(conn_params, primary))
        # exercise 05: end, stand-in: return super().get_new_connection(conn_params)

    def is_usable(self):
        """A kept connection is checked before a request reuses it (CONN_HEALTH_CHECKS): one
        to a replica that fell too far behind is given up, and so is one that failed over
        once its own replica's downtime is over, so that a revived replica gets its reads
        back; the next connection goes by the rules of get_new_connection()."""
        if not super().is_usable():
            return False
        servers = self.settings_dict["SERVERS"]
        own = servers[0]["name"]
        if self.server != own and health.replica_downtime_over(own):
            return False
        on_replica = self.server not in (None, servers[-1]["name"])
        return not (on_replica and freshness.replica_behind(self.server, self.connection))

    def _read_retried(self, execute, sql, params, many, context):
        """An execute wrapper: a read that lost its server goes once to another."""
        # exercise 05: step 4: a read that lost its replica goes once to another
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if not self._may_retry(error, sql, many):
                raise
        lost = self.server
        logger.warning("replica %s was lost during a read: the read goes to another", lost)
        self._reconnect(avoiding=lost)
        context["cursor"].cursor = self.create_cursor()
        return execute(sql, params, many, context)
        # exercise 05: end, stand-in: return execute(sql, params, many, context)

    def _may_retry(self, error, sql: str, many: bool) -> bool:
        # exercise 05: step 4: only a read, alone, outside a transaction, that lost its server
        statement = sql.lstrip().upper()
        return (
            bool(error.args)
            and error.args[0] in LOST_ERRORS
            and not many
            and self.autocommit
            and not self.in_atomic_block
            and statement.startswith("SELECT")
            and "FOR UPDATE" not in statement
        )
        # exercise 05: end, stand-in: return False

    def _reconnect(self, *, avoiding: str) -> None:
        try:
            self.close()
        except DatabaseError:
            self.connection = None  # it is lost already
        self._avoid = (avoiding,)
        try:
            self.connect()
        finally:
            self._avoid = ()


def server_params(conn_params: dict, server: dict) -> dict:
    """The connection's parameters, for ``server`` (one of the alias's SERVERS)."""
    params = {k: v for k, v in conn_params.items() if k not in ("host", "port", "unix_socket")}
    params["host"] = server["HOST"] or "localhost"
    if server["PORT"]:
        params["port"] = int(server["PORT"])
    for key, name in (("user", "USER"), ("password", "PASSWORD"), ("database", "NAME")):
        if server[name]:
            params[key] = server[name]
    return params


def server_address(server: dict) -> str:
    return f"{server['HOST']}:{server['PORT'] or 3306}"

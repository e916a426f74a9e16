"""Statements the database ran, from MariaDB's own counters.

``SHOW GLOBAL STATUS`` counts every statement from every client: Questions (all of
them, the connection set-up Django sends with each new connection included) and
Com_select (SELECTs only). Read before and after a run, their difference divided by
the requests is the database work per request, whatever the stage does in Django.
"""

from urllib.parse import unquote, urlsplit

COUNTERS = ("Questions", "Com_select")
# Each reading is itself one statement, counted in Questions.
_OWN_STATEMENTS_PER_READING = 1


def mysql_connect_args(database_url: str) -> dict | None:
    """MySQLdb.connect arguments for a mysql:// URL's server; None for any other
    database. No database is chosen: the server's counters need none, and a test
    database may not exist yet."""
    url = urlsplit(database_url)
    if url.scheme not in ("mysql", "mariadb"):
        return None
    return {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 3306,
        "user": unquote(url.username or "root"),
        "passwd": unquote(url.password or ""),
    }


def counters_spent(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Statements between two readings, without the second reading itself."""
    spent = {name: after[name] - before[name] for name in before}
    spent["Questions"] -= _OWN_STATEMENTS_PER_READING
    return spent


class StatementCounter:
    """One connection kept open for a run's readings, so that its own set-up
    statements fall before the first reading."""

    def __init__(self, database_url: str):
        import MySQLdb  # the [mysql] extra; only a MariaDB stack needs it

        self.connection = MySQLdb.connect(**mysql_connect_args(database_url))

    def read(self) -> dict[str, int]:
        names = ", ".join(f"'{name}'" for name in COUNTERS)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")
            return {name: int(value) for name, value in cursor.fetchall()}

    def close(self) -> None:
        self.connection.close()


def statement_counter_for(database_url: str | None) -> tuple["StatementCounter | None", str]:
    """A counter for the stack's database, or None and the reason there is none."""
    if not database_url or mysql_connect_args(database_url) is None:
        return None, "database statements not counted: the stack's database is not MariaDB"
    try:
        return StatementCounter(database_url), ""
    except ImportError:
        return None, "database statements not counted: pip install -e '.[mysql]'"

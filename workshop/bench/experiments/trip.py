"""A shopper's trip in one process, request by request: the CPU and the database
statements that each request costs the stage's own code, without servers, network or
CPU caps in the way. What `bench` measures from outside, seen from inside.

``python -m workshop.bench.experiments.trip 02 03`` starts each stage's stack in turn (its MariaDB
and memcached, on ports of its own) and walks the same trips through Django's test
client in the stage's ``manage.py shell``, as ``warm_pages`` visits pages. The login is
a password hash (logins.py): it is listed, and left out of the totals.
"""

import argparse
import json
import re
import time

import pandas as pd

from workshop.forms import hidden_field
from workshop.load.shopmap import ORDERS, SESSION, csrf_token

from ..warmup import manage_py

LOGIN = "POST /accounts/login/"
TOTAL = "every request but the login"


def trip_costs(stack, *, trips: int) -> pd.DataFrame:
    """One row per request name: requests, CPU ms and statements per request, from
    ``trips`` trips on the running ``stack``; a last row for the requests but the login."""
    code = f"from workshop.bench.experiments.trip import trips_print; trips_print({trips})"
    output = manage_py(stack, "shell", "--verbosity", "0", "--command", code)
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    table = pd.DataFrame(rows).set_index("request")
    table.loc[TOTAL] = table.drop(index=LOGIN).sum()
    table[["cpu_ms", "statements"]] = table[["cpu_ms", "statements"]].div(table["requests"], 0)
    return table


def trips_compare(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``trip_costs`` of several stages side by side: CPU ms and statements per request,
    one column per stage under each."""
    table = pd.concat(tables, axis=1).swaplevel(axis=1)
    return table[["cpu_ms", "statements"]]


def trips_print(trips: int) -> None:
    """Inside the stage's Django (``manage.py shell``): walk the trips, print the sums."""
    from django.test import Client

    from workshop.catalogue.models import Product
    from workshop.catalogue.seed import DEMO_CUSTOMERS

    costs = _Costs()
    # Plenty in stock, so that no trip meets a sold-out product.
    products = list(Product.objects.filter(stock__gte=100).values_list("slug", "pk")[:50])
    host = _host_allowed()
    for trip in range(trips):
        client = Client(HTTP_HOST=host)  # a new visitor each trip: no cookies yet
        seen, bought = products[(trip + 1) % len(products)][0], products[trip % len(products)]
        _trip(
            costs,
            client,
            bought=bought,
            seen=seen,
            customer=DEMO_CUSTOMERS[trip % len(DEMO_CUSTOMERS)],
        )
    for name, (requests, cpu, statements) in costs.sums.items():
        row = {"request": name, "requests": requests, "cpu_ms": 1000 * cpu}
        print(json.dumps({**row, "statements": statements}))


def _trip(costs, client, *, bought: tuple[str, int], seen: str, customer: str) -> None:
    """A shopper's trip, as workshop/load/shoppers.py makes it, one product bought."""
    from workshop.catalogue.seed import DEMO_PASSWORD

    (slug, pk), visit = bought, costs.visit
    visit(client, "GET /", "/")
    visit(client, "GET /p/[slug]/", f"/p/{slug}/")
    form = visit(client, "GET /cart/add/[id]/", f"/cart/add/{pk}/").content.decode()
    fields = {"csrfmiddlewaretoken": csrf_token(form), "product_id": pk, "quantity": 1}
    visit(client, "POST /cart/add/[id]/", f"/cart/add/{pk}/", fields, expect=302)
    visit(client, "GET /cart/", "/cart/")
    visit(client, f"GET /p/[slug]/{SESSION}", f"/p/{seen}/")
    form = visit(client, "GET /accounts/login/", "/accounts/login/?next=/checkout/")
    fields = {"csrfmiddlewaretoken": csrf_token(form.content.decode()), "next": "/checkout/"}
    fields.update(username=customer, password=DEMO_PASSWORD)
    visit(client, LOGIN, "/accounts/login/", fields, expect=302)
    form = visit(client, "GET /checkout/", "/checkout/").content.decode()
    fields = {"csrfmiddlewaretoken": csrf_token(form)}
    fields["checkout_key"] = hidden_field(form, "checkout_key")
    order = visit(client, "POST /checkout/", "/checkout/", fields, expect=302)
    visit(client, "GET /orders/[id]/", order["Location"])
    visit(client, f"GET {ORDERS}", ORDERS)


class _Costs:
    """Per request name: how many, their CPU seconds, their database statements."""

    def __init__(self):
        self.sums: dict[str, list] = {}

    def visit(self, client, name: str, path: str, data=None, *, expect=200):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            response = client.get(path) if data is None else client.post(path, data)
            cpu = time.process_time() - started
        if response.status_code != expect:
            raise RuntimeError(f"{name} answered {response.status_code}, not {expect}")
        requests, seconds, statements = self.sums.get(name, (0, 0.0, 0))
        self.sums[name] = [requests + 1, seconds + cpu, statements + len(queries)]
        return response


def _host_allowed() -> str:
    """A host name the stage accepts (the test client's own, testserver, is refused)."""
    from django.conf import settings

    names = [h for h in settings.ALLOWED_HOSTS if re.fullmatch(r"[\w.-]+", h)]
    return names[0] if names else "localhost"


def main(argv=None) -> None:
    from workshop.stages import stage_get

    from ..runner import private_stack

    parser = argparse.ArgumentParser(
        prog="python -m workshop.bench.experiments.trip", description=__doc__
    )
    parser.add_argument("stages", nargs="+", help="stage numbers, e.g. 02 03")
    parser.add_argument("--trips", type=int, default=30, help="trips per stage (30)")
    options = parser.parse_args(argv)
    tables = {}
    for number in options.stages:
        stage = stage_get(number)
        print(f"stage {stage.number}: {options.trips} trips …", flush=True)
        with private_stack(stage, quiet=True) as stack:
            tables[stage.number] = trip_costs(stack, trips=options.trips)
    print(trips_compare(tables).round(2).to_string())


if __name__ == "__main__":
    main()

"""Stage 03's lesson, first part: no state on the app server. Any server answers any
request, so a visitor whose every request goes to another server loses nothing."""

import subprocess
import sys

import pytest
from orders.models import Order

from workshop.testing.factories import TEST_PASSWORD, ProductFactory

pytestmark = pytest.mark.lesson


def test_a_visitors_cart_login_and_orders_survive_every_request_going_to_another_server(
    app_servers, round_robin, shopper
):
    tv = ProductFactory(name="Kaito Vista 65", stock=5)
    customer = shopper

    assert (
        round_robin.submit(f"/cart/add/{tv.pk}/", product_id=tv.pk, quantity=2).status_code == 302
    )
    assert round_robin.cart() == {tv.pk: 2}, (
        "the cart is missing on the other server: is the session kept on one server's disk?"
    )
    login = round_robin.submit(
        "/accounts/login/", username=customer.username, password=TEST_PASSWORD
    )
    assert login.status_code == 302, "the login form was refused"
    home = round_robin.get("/").text
    assert "Hello, Alice" in home, "the other server does not know the visitor is logged in"
    assert "Cart (2)" in home, "the cart did not survive the login"
    placed = round_robin.submit("/checkout/")
    assert placed.status_code == 302, f"checkout answered {placed.status_code}"
    orders = round_robin.get("/orders/").text

    order = Order.objects.get(customer=customer)
    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(tv.pk, 2)]
    assert f"/orders/{order.pk}/" in orders
    assert round_robin.cart() == {}
    assert set(round_robin.seen) == {"app1", "app2"}
    for server in app_servers:
        sessions = [p for p in server.files() if "session" in p.name]
        assert sessions == [], f"{server.name} keeps sessions on its own disk"


def test_what_a_server_keeps_for_itself_goes_to_shop_local_dir(app_env, tmp_path):
    """Scratch files (uploads being received) go to the server's own SHOP_LOCAL_DIR, and
    nothing else does: the shared folders stay free of one server's leftovers."""
    env = dict(app_env, SHOP_VAR_DIR=str(tmp_path / "var"), SHOP_LOCAL_DIR=str(tmp_path / "local"))
    script = "from django.conf import settings as s; print(s.FILE_UPLOAD_TEMP_DIR)"
    command = [sys.executable, "-c", f"import django; django.setup(); {script}"]

    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stderr
    temp_dir = run.stdout.strip()
    assert temp_dir.startswith(str(tmp_path / "local")), (
        f"FILE_UPLOAD_TEMP_DIR is {temp_dir}: it belongs in SHOP_LOCAL_DIR"
    )

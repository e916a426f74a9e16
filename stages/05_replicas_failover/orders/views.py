import uuid

from cart.selectors import cart_get, cart_owner
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import selectors
from .forms import CheckoutForm
from .services import CheckoutError, CheckoutKeyError, order_place

# The same answer to a missing, malformed or someone else's key: it tells nothing of any
# order, and a page from before the key existed (open in a tab across a deploy) is fixed
# by placing the order again from the fresh form below it.
BAD_KEY = "This checkout form is out of date. Please check your order and place it again."


@login_required
def checkout(request):
    """GET shows the order to confirm; POST places it, once per showing of the page."""
    cart = cart_get(owner=cart_owner(request=request))
    if request.method != "POST":
        return _checkout_page(request, cart)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _checkout_page(request, cart, error=BAD_KEY, status=400)
    key = form.cleaned_data["checkout_key"]
    try:
        order, placed = order_place(customer=request.user, checkout_key=key)
    except CheckoutKeyError:
        return _checkout_page(request, cart, error=BAD_KEY, status=400)
    except CheckoutError as error:
        return _checkout_page(request, cart, error=str(error), status=409)
    if placed:
        messages.success(request, f"Thank you! Order {order.pk} is placed.")
    else:
        # The cart may hold what the customer chose since: it is theirs to keep.
        messages.info(request, f"Order {order.pk} was already placed: here it is.")
    return redirect(order)


def _checkout_page(request, cart, *, error="", status=200):
    # A new key each time the page is shown: one form, one order.
    form = CheckoutForm(initial={"checkout_key": uuid.uuid4()})
    context = {"cart": cart, "form": form, "error": error}
    return render(request, "orders/checkout.html", context, status=status)


@login_required
def order_list(request):
    return render(
        request, "orders/list.html", {"orders": selectors.order_list(customer=request.user)}
    )


@login_required
def order_detail(request, pk):
    order = selectors.order_get(customer=request.user, pk=pk)
    return render(request, "orders/detail.html", {"order": order})

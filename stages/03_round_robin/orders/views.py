from cart.selectors import cart_get, cart_owner
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import selectors
from .services import CheckoutError, order_place


@login_required
def checkout(request):
    """GET shows the order to confirm; POST places it."""
    cart = cart_get(owner=cart_owner(request=request))
    if request.method == "POST":
        try:
            order = order_place(customer=request.user)
        except CheckoutError as error:
            context = {"cart": cart, "error": str(error)}
            return render(request, "orders/checkout.html", context, status=409)
        messages.success(request, f"Thank you! Order {order.pk} is placed.")
        return redirect(order)
    return render(request, "orders/checkout.html", {"cart": cart})


@login_required
def order_list(request):
    return render(
        request, "orders/list.html", {"orders": selectors.order_list(customer=request.user)}
    )


@login_required
def order_detail(request, pk):
    order = selectors.order_get(customer=request.user, pk=pk)
    return render(request, "orders/detail.html", {"order": order})

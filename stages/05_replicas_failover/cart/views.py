from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workshop.catalogue.models import Product

from .forms import ChangeQuantityForm, QuantityForm
from .selectors import cart_get, cart_owner
from .services import CartError, cart_add, cart_set


def detail(request):
    return render(
        request, "cart/detail.html", {"cart": cart_get(owner=cart_owner(request=request))}
    )


def add(request, product_id):
    """GET shows the quantity form; POST puts the product in the cart."""
    product = get_object_or_404(Product, pk=product_id)
    form = QuantityForm(request.POST or None, initial={"product_id": product.pk})
    if request.method == "POST" and form.is_valid():
        try:
            cart_add(
                owner=cart_owner(request=request),
                product=product,
                quantity=form.cleaned_data["quantity"],
            )
        except CartError as error:
            form.add_error("quantity", str(error))
        else:
            messages.success(request, f"{product.name} is in your cart.")
            return redirect("cart")
    status = 400 if form.errors else 200
    return render(request, "cart/add.html", {"product": product, "form": form}, status=status)


@require_POST
def change(request):
    """Change a line's quantity; 0 removes it. Errors go back to the cart page."""
    form = ChangeQuantityForm(request.POST)
    if not form.is_valid():
        return _cart_with_error(request, "Please enter a quantity between 0 and 10.")
    product = get_object_or_404(Product, pk=form.cleaned_data["product_id"])
    try:
        cart_set(
            owner=cart_owner(request=request),
            product=product,
            quantity=form.cleaned_data["quantity"],
        )
    except CartError as error:
        return _cart_with_error(request, str(error))
    return redirect("cart")


def _cart_with_error(request, message):
    context = {"cart": cart_get(owner=cart_owner(request=request)), "error": message}
    return render(request, "cart/detail.html", context, status=400)

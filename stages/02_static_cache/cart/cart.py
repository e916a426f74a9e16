"""The cart lives in the visitor's session: {product id: quantity}.

Stage 01 keeps sessions in files on the app server's disk, so a cart exists only on the
server that made it. Stage 03 changes exactly that.
"""

from dataclasses import dataclass
from decimal import Decimal

from workshop.catalogue.models import Product

SESSION_KEY = "cart"
MAX_QUANTITY = 10  # per product and order: a shop, not a wholesaler


class CartError(ValueError):
    """A change to the cart that cannot be made; its message is for the customer."""


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


@dataclass(frozen=True)
class Cart:
    lines: list[CartLine]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def __bool__(self):
        return bool(self.lines)


def cart_quantities(*, session) -> dict[int, int]:
    return {int(pk): qty for pk, qty in session.get(SESSION_KEY, {}).items()}


def cart_get(*, session) -> Cart:
    """The cart with current products and prices; products gone from the shop drop out."""
    quantities = cart_quantities(session=session)
    products = Product.objects.in_bulk(quantities.keys())
    lines = [CartLine(products[pk], qty) for pk, qty in quantities.items() if pk in products]
    return Cart(lines=sorted(lines, key=lambda line: line.product.name))


def cart_set(*, session, product: Product, quantity: int) -> None:
    """Set a product's quantity; 0 removes it."""
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can order at most {MAX_QUANTITY} of one product.")
    if quantity > product.stock:
        raise CartError(f"Only {product.stock} of {product.name} in stock.")
    quantities = {str(pk): qty for pk, qty in cart_quantities(session=session).items()}
    if quantity:
        quantities[str(product.pk)] = quantity
    else:
        quantities.pop(str(product.pk), None)
    session[SESSION_KEY] = quantities


def cart_add(*, session, product: Product, quantity: int) -> None:
    current = cart_quantities(session=session).get(product.pk, 0)
    cart_set(session=session, product=product, quantity=current + quantity)


def cart_clear(*, session) -> None:
    session.pop(SESSION_KEY, None)

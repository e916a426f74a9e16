"""Reading a cart: whose it is (the logged-in customer's, else the session's), and what
is in it, with current products and prices."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet, Sum
from storefront.caching import cached

from .models import CartLine


@dataclass(frozen=True)
class CartOwner:
    customer: object | None  # a logged-in user, else None
    session: SessionBase

    @property
    def filter(self) -> dict | None:
        """How to find the owner's cart; None for a visitor without a session yet."""
        if self.customer is not None:
            return {"customer": self.customer}
        key = self.session.session_key
        return {"session_key": key} if key else None

    @property
    def version_name(self) -> str | None:
        """Stage 04: the version of this owner's cart count in the cache (cart_count)."""
        if self.customer is None and not self.session.session_key:
            return None
        return cart_version_name(customer=self.customer, session_key=self.session.session_key)


def cart_version_name(*, customer=None, session_key: str | None = None) -> str:
    """``customer``: a user, or a user's id."""
    if customer is not None:
        return f"cart:customer:{getattr(customer, 'pk', customer)}"
    return f"cart:session:{session_key}"


@dataclass(frozen=True)
class CartContents:
    lines: list[CartLine]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def __bool__(self):
        return bool(self.lines)


def cart_owner(*, request) -> CartOwner:
    # request.user comes first: it loads the session, and a session the database does not
    # know (forged, truncated, expired) then has no key, so it owns no cart.
    user = request.user if request.user.is_authenticated else None
    return CartOwner(customer=user, session=request.session)


def cart_lines(*, owner: CartOwner) -> QuerySet[CartLine]:
    owned_by = owner.filter
    if owned_by is None:
        return CartLine.objects.none()
    return CartLine.objects.filter(**{f"cart__{k}": v for k, v in owned_by.items()})


def cart_get(*, owner: CartOwner) -> CartContents:
    lines = cart_lines(owner=owner).select_related("product").order_by("product__name")
    return CartContents(lines=list(lines))


def cart_count(*, owner: CartOwner) -> int:
    """The header's count. Stage 04: cached under the version of the owner's cart, which
    every change bumps (cart/services.py; cart/signals.py for a line changed elsewhere),
    so a page filled in from the cache costs no query for it."""
    if owner.filter is None:
        return 0  # no query for a visitor without a session
    return cached(
        kind="cart-count",
        identity=owner.version_name,
        names=[owner.version_name],
        build=lambda: cart_lines(owner=owner).aggregate(count=Sum("quantity"))["count"] or 0,
    )

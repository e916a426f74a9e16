"""Changing a cart. Every change is one conditional statement in the database, so two
requests at once, on two servers, never overwrite each other as two session saves would:
an addition is ``UPDATE … SET quantity = quantity + n WHERE quantity <= limit - n``, and
the first addition of a product is an INSERT that the unique (cart, product) pair turns
into that UPDATE when another request inserted the line first."""

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from storefront.invalidation import data_invalidate

from workshop.catalogue.models import Product

from .models import MAX_QUANTITY, Cart, CartLine
from .selectors import CartContents, CartOwner, cart_lines, cart_version_name


class CartError(ValueError):
    """A change to the cart that cannot be made; its message is for the customer."""


def cart_add(*, owner: CartOwner, product: Product, quantity: int) -> None:
    """Add ``quantity`` of ``product``, within the quantity and stock limits."""
    # exercise 03: step 2: add in one conditional UPDATE (INSERT the first time): two at once land
    limit = _limit_check(product=product, quantity=quantity)
    cart = _cart_for_writing(owner=owner)
    lines = CartLine.objects.filter(cart=cart, product=product)
    grow = {"quantity__lte": limit - quantity}
    grown = lines.filter(**grow).update(quantity=F("quantity") + quantity) or _line_insert(
        cart=cart, product=product, quantity=quantity
    )
    # The line is there (maybe just inserted by another request): grow it, or refuse.
    if not grown and not lines.filter(**grow).update(quantity=F("quantity") + quantity):
        raise _limit_error(product=product, limit=limit)
    _count_changed(owner)
    # exercise 03: end, stand-in: cart_set(owner=owner, product=product, quantity=quantity)


def cart_set(*, owner: CartOwner, product: Product, quantity: int) -> None:
    """Set a product's quantity; 0 removes it."""
    if quantity == 0:
        if owner.filter is not None:
            cart_lines(owner=owner).filter(product=product).delete()
            _count_changed(owner)
        return
    _limit_check(product=product, quantity=quantity)
    cart = _cart_for_writing(owner=owner)
    lines = CartLine.objects.filter(cart=cart, product=product)
    if not lines.update(quantity=quantity) and not _line_insert(
        cart=cart, product=product, quantity=quantity
    ):
        lines.update(quantity=quantity)
    _count_changed(owner)


def cart_merge(*, session_key: str, customer) -> None:
    """At login: the visitor's anonymous cart joins the customer's own, within the limits.
    Each line grows in one statement, as an addition does: a quantity read first and
    written back would overwrite an addition made meanwhile in another tab."""
    anonymous = Cart.objects.filter(session_key=session_key).first()
    if anonymous is None:
        return
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(customer=customer)
        for line in anonymous.lines.select_related("product"):
            limit = min(MAX_QUANTITY, line.product.stock)
            mine = CartLine.objects.filter(cart=cart, product=line.product)
            # The sum, capped at the limit; never less than the customer had.
            merged = Greatest(F("quantity"), Least(F("quantity") + line.quantity, Value(limit)))
            if mine.update(quantity=merged):
                continue
            first = min(line.quantity, limit)
            if first and not _line_insert(cart=cart, product=line.product, quantity=first):
                mine.update(quantity=merged)  # another tab inserted the line first
        anonymous.delete()
    data_invalidate(
        [cart_version_name(session_key=session_key), cart_version_name(customer=customer)]
    )


def cart_take(*, customer) -> CartContents:
    """The customer's cart, locked until the transaction ends: a second checkout of it
    (another tab, another server) waits, then finds it empty, and an addition meanwhile
    waits, then lands in the cart after the order. Call it inside the order's
    transaction, and cart_empty() in the same one."""
    # exercise 03: step 2: read the cart and its lines locked until the order's transaction ends
    cart = Cart.objects.select_for_update().filter(customer=customer).first()
    if cart is None:
        return CartContents(lines=[])
    # The count goes as the order commits, cart_empty() with it.
    data_invalidate([cart_version_name(customer=customer)])
    # No join in a locking read: MariaDB would lock the product rows too, in no set order.
    lines = list(CartLine.objects.select_for_update().filter(cart=cart))
    # exercise 03: end, stand-in: lines = list(CartLine.objects.filter(cart__customer=customer))
    products = Product.objects.in_bulk([line.product_id for line in lines])
    for line in lines:
        line.product = products[line.product_id]
    return CartContents(lines=sorted(lines, key=lambda line: line.product.name))


def cart_empty(*, cart: CartContents) -> None:
    """Remove the lines that cart_take() gave, and no line added since."""
    CartLine.objects.filter(pk__in=[line.pk for line in cart.lines]).delete()


def _count_changed(owner: CartOwner) -> None:
    """Stage 04: the header's count, cached by cart_count(), is retired with the change."""
    data_invalidate([owner.version_name])


def _limit_check(*, product: Product, quantity: int) -> int:
    """The most of ``product`` a cart may hold; CartError, before anything is written,
    when ``quantity`` alone is more. The stock is as read now: the checkout takes it
    atomically, so a cart needs only a fair cap, not a lock on the product row."""
    limit = min(MAX_QUANTITY, product.stock)
    if quantity > limit:
        raise _limit_error(product=product, limit=limit)
    return limit


def _limit_error(*, product: Product, limit: int) -> CartError:
    if limit == MAX_QUANTITY:
        return CartError(f"You can order at most {MAX_QUANTITY} of one product.")
    return CartError(f"Only {product.stock} of {product.name} in stock.")


def _cart_for_writing(*, owner: CartOwner) -> Cart:
    if owner.filter is None:
        owner.session.save()  # a visitor's first addition: their session gets its key
    # get_or_create handles two first additions at once: one INSERT wins, the other reads.
    cart, _ = Cart.objects.get_or_create(**owner.filter)
    return cart


def _line_insert(*, cart: Cart, product: Product, quantity: int) -> bool:
    """Insert the line; False when it exists already."""
    try:
        with transaction.atomic():
            CartLine.objects.create(cart=cart, product=product, quantity=quantity)
    except IntegrityError:
        return False
    return True

from .selectors import cart_count, cart_owner


def cart(request):
    """The item count for the header: one small query, none for a visitor without a session."""
    return {"cart_count": cart_count(owner=cart_owner(request=request))}

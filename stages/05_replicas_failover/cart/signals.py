from django.conf import settings
from storefront.invalidation import data_invalidate

from .models import Cart
from .selectors import cart_version_name
from .services import cart_merge


def cart_merge_at_login(sender, request, user, **kwargs):
    """login() has just given the session a new key (against session fixation); the
    anonymous cart belongs to the key the browser sent, the one in its cookie."""
    previous_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) if request else None
    if previous_key and len(previous_key) <= 40:
        cart_merge(session_key=previous_key, customer=user)


def cart_count_retire(sender, instance, **kwargs):
    """Stage 04: a cart line saved or deleted, maybe not by the cart's services (which bump
    the count themselves; their conditional UPDATEs send no signal): in the admin, or with
    its product or cart, whose deletion cascades to the lines. The count goes with it."""
    owner = Cart.objects.filter(pk=instance.cart_id).values_list("customer_id", "session_key")
    for customer, session_key in owner:
        data_invalidate([cart_version_name(customer=customer, session_key=session_key)])

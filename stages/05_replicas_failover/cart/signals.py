from django.conf import settings

from .services import cart_merge


def cart_merge_at_login(sender, request, user, **kwargs):
    """login() has just given the session a new key (against session fixation); the
    anonymous cart belongs to the key the browser sent, the one in its cookie."""
    previous_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) if request else None
    if previous_key and len(previous_key) <= 40:
        cart_merge(session_key=previous_key, customer=user)

"""manage.py clearcarts: delete the carts of anonymous visitors whose session is gone.

An anonymous visitor's cart is found by their session key (cart/models.py). Once the
session has ended (expired, then removed by Django's `manage.py clearsessions`), nobody
can reach that cart again, but its rows would stay for ever. Run this after
clearsessions, as often (a daily cron job). A customer's cart belongs to the account, not
to a session: it is never touched.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cart.models import Cart

# A visitor's first addition saves their session and creates the cart in one request;
# a cart younger than this is left alone, whatever its session looks like at the moment.
GRACE = timedelta(hours=1)


class Command(BaseCommand):
    help = "Delete anonymous visitors' carts whose session is gone (run after clearsessions)."

    def handle(self, *args, **options):
        store = import_module(settings.SESSION_ENGINE).SessionStore
        if not issubclass(store, DatabaseSessionStore):
            raise CommandError(
                f"SESSION_ENGINE is {settings.SESSION_ENGINE}: its sessions are not in the "
                "database, so which carts lost theirs cannot be told; nothing deleted."
            )
        sessions = store.get_model_class().objects.values("session_key")
        abandoned = Cart.objects.filter(customer=None, created__lt=timezone.now() - GRACE)
        _, deleted = abandoned.exclude(session_key__in=sessions).delete()
        carts = deleted.get(Cart._meta.label, 0)
        self.stdout.write(f"{carts} abandoned cart{'s' * (carts != 1)} deleted")

"""Stage 04: the logged-in customer from the cache, not the database. Django's ModelBackend
reads the user's row on every request that asks who the visitor is, and pass two asks on
every page (the greeting). Here the row is cached with the version of "user:<pk>", which
every save or delete of the user bumps, as level one does for products.

Nothing about the login's safety changes: Django still compares the session's hash with
the user's password hash on each request, and a new password, a deactivation or a
deletion saves the user, so the next request reads the new row and ends the old sessions.
A bulk QuerySet.update() of users sends no signal: call users_invalidate() after one.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.signals import post_delete, post_save
from storefront.caching import cached
from storefront.invalidation import data_invalidate


class CachedUserBackend(ModelBackend):
    def get_user(self, user_id):
        # Never the previous entry that cached() may serve others during a rebuild: an old
        # row would still accept a session that a new password has ended. A user who is
        # gone or inactive reads None, which is not stored.
        return cached(
            kind="user",
            identity=str(user_id),
            names=[f"user:{user_id}"],
            build=partial(super().get_user, user_id),
            previous_ok=False,
        )


def users_invalidate(user_ids) -> None:
    data_invalidate(f"user:{pk}" for pk in user_ids)


def _invalidate(sender, instance, **kwargs):
    users_invalidate([instance.pk])


def signals_connect() -> None:
    user_model = get_user_model()
    post_save.connect(_invalidate, sender=user_model, dispatch_uid="accounts.user")
    post_delete.connect(_invalidate, sender=user_model, dispatch_uid="accounts.user")

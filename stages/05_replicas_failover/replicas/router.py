"""The database router: catalogue reads to the request's replica, everything else to the
primary (settings.DATABASE_ROUTERS).

The catalogue (products, categories, reviews) is what may be a moment old: a description
or a review read from a replica that lags a second behind does no harm. Sessions, carts,
orders and users are read where they are written, and so is anything read inside a
transaction, such as the stock taken at checkout: a transaction sees its own writes only
on the primary.
"""

from django.db import connections

from .pinning import read_state
from .settings import PRIMARY

CATALOGUE_APPS = {"catalogue"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # exercise 05: step 2: the catalogue from this request's replica; the rest from the primary
        state = read_state.get()
        if (
            state is None
            or model._meta.app_label not in CATALOGUE_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return state.alias
        # exercise 05: end, stand-in: return PRIMARY

    def db_for_write(self, model, **hints):
        # exercise 05: step 3: note that this request writes: its visitor gets pinned
        state = read_state.get()
        if state is not None:
            state.wrote = True
        # exercise 05: end
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: a product read from a replica may go in a
        # cart line saved on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # exercise 05: step 2: migrations on the primary alone
        # Replicas get the schema by replication, never by running a migration.
        return db == PRIMARY
        # exercise 05: end, stand-in: return None

from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "storefront"

    def ready(self):
        from .invalidation import signals_connect

        signals_connect()

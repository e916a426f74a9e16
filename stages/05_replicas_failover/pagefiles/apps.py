from django.apps import AppConfig


class PageFilesConfig(AppConfig):
    name = "pagefiles"

    def ready(self):
        from .invalidation import signals_connect

        signals_connect()

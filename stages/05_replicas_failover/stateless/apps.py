from django.apps import AppConfig
from django.core.checks import register


class StatelessConfig(AppConfig):
    name = "stateless"

    def ready(self):
        from .checks import stateless_check

        register(stateless_check)

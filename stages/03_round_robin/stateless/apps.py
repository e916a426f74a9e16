from django.apps import AppConfig


class StatelessConfig(AppConfig):
    name = "stateless"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)

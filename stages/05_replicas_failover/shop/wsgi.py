import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()

from replicas.startup import replicas_check  # noqa: E402 (needs the settings above)

replicas_check()

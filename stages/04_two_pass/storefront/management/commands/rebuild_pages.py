"""``manage.py rebuild_pages --flush skeletons|all``: flush a level of the cache, then
rebuild every safe page (``warm_pages``), and say how long the rebuild took.

What the levels buy: after ``--flush skeletons`` (level two only, the one version every
skeleton's key holds) each page is rendered again from the data in level one; after
``--flush all`` (memcached emptied, as after a restart) each page reads the database too.
"""

import time

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand

from storefront.caching import skeletons_flush

FLUSHES = {"skeletons": skeletons_flush, "all": cache.clear}


class Command(BaseCommand):
    help = "Flush the page skeletons (or every level), then time rebuilding every safe page."

    def add_arguments(self, parser):
        parser.add_argument("--flush", choices=FLUSHES, required=True)

    def handle(self, *args, flush, verbosity, **options):
        FLUSHES[flush]()
        started = time.perf_counter()
        call_command("warm_pages", verbosity=0)
        seconds = time.perf_counter() - started
        # One line a script can read: the bench (workshop/bench/experiments/rebuild.py) does.
        self.stdout.write(f"rebuilt every safe page after --flush {flush} in {seconds:.3f} s")

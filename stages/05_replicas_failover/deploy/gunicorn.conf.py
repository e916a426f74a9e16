"""gunicorn for each of the stage's app servers, read by both ways to run the stage. What
differs between them comes from the environment: `workshop up` and docker-compose.yml
set it."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: each holds one request from start to end, and nginx in front buffers
# slow clients for them. Django's work here is mostly CPU, so on 2 cores a few workers
# serve best; gunicorn's usual 2 x cores + 1 suits apps that wait more on I/O.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
graceful_timeout = 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The visitor's address as nginx forwards it, %(M)s: milliseconds the app took, to
# compare with nginx's view of the same request, and %(p)s: the worker that answered.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms %(p)s'
errorlog = "-"
# gunicorn's control socket lives in $HOME, one for the whole machine; two app servers
# (a second stack, stage 03's several) would fight over it. Nothing here uses it.
control_socket_disable = True
# A server killed with SIGKILL leaves its workers behind for a moment, still holding its
# port; the supervisor's fresh server binds beside them at once instead of failing.
reuse_port = True
# Django loads once, in the master, before the server listens. A restarted server then
# refuses connections while it loads, and nginx passes them on at once; without this it
# would accept them and keep visitors waiting on workers that boot for seconds on a
# quarter of a core. Workers fork from the loaded master, ready. No socket the master
# opens may be shared with them: a database connection opened while loading is closed
# again (stage 05's check of its replicas), and the workshop's memcached client opens a
# connection of its own in each process (workshop/memcached.py).
preload_app = True

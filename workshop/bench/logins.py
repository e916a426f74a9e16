"""The logins' password hashes, counted apart from the rest of a run's CPU.

A login checks the password with Django's default hasher, PBKDF2 with a million rounds
in Django 5.2: about a quarter of a second of CPU on purpose, which makes it the dearest
request a shopper makes by far. Each shopper logs in once, at their first checkout, so a
run has about one login per user however fast the stage is, while a faster stage answers
more of the other requests in the same time: the hashes' share of the CPU per request
then depends on the stage's speed, not on its code. (Seen: stage 03 with one app server
instead of three measured 1.36 times the CPU per request, on the same code.) Comparing
two stages' CPU per request with the hashes taken out compares what their code costs.
"""

import time
from functools import cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher

LOGIN = "POST /accounts/login/"  # locust's name for the request that checks a password


@cache
def hash_cpu_ms() -> float:
    """CPU ms of one password check with Django's default hasher on this machine: what
    every login costs the app server, measured once per bench process. The least of five,
    since a hash measured while the machine is busy (a stack still finishing its last
    requests) costs more CPU time on shared cores, and once read 399 ms for 227."""
    hasher = PBKDF2PasswordHasher()
    salt = hasher.salt()
    spent = []
    for _ in range(5):
        started = time.process_time()
        hasher.encode("a password", salt)
        spent.append((time.process_time() - started) * 1000)
    return min(spent)

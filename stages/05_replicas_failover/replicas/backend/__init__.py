"""A database backend for the replicas: Django's mysql backend, which fails over when a
replica is dead (base.py). Settings name it as ENGINE "replicas.backend"."""

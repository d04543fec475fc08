"""Superset's configuration for `make bi-check` (bi/check.py sets the environment it reads).

A private instance on 127.0.0.1 for one check: its metadata in the check's own PostgreSQL database, the
secret key made for the run, no rate limiter or HTTPS redirects (nothing but the check talks to it).
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_METADATA_URI"]
RATELIMIT_ENABLED = False
TALISMAN_ENABLED = False
# Superset's own example data and telemetry: nothing to fetch, nothing to send.
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {}

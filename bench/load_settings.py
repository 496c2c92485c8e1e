"""
Settings for `make loadtest`: production's own (DEBUG off, WhiteNoise's hashed
files, PostgreSQL, the SECRET_KEY that bench/load.py gives every worker), served over plain HTTP on the loopback.

Only the cookies' Secure flag and the HTTPS redirect are off, since the load
driver talks HTTP to 127.0.0.1; neither changes what a request costs.
"""

import os

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["DEBUG"] = "0"

from spasmlog.settings import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

"""Settings for the test suite: the project's own, with a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from spasmlog.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A queued task runs inside the call that queues it, in memory; tests/test_worker.py runs the real worker.
HUEY = {**HUEY, "immediate": True}  # noqa: F405

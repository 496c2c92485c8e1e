"""
Counters of what may be repeated only so often (e-mails sent, wrong passwords,
unknown links tried): each a number in Django's cache that starts with its
first count and lasts a window of time. The cache is shared by every process
only when REDIS_URL is set; otherwise each process counts on its own (a system
check warns of that in production).
"""

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def counter_key(what: str, subject: str) -> str:
    """
    The cache key of the counter of `what` for `subject`. The subject (an
    e-mail address, a client address) is hashed with the secret key, so the
    cache never holds it, and nobody who reads the cache can test a guessed
    address against its keys.
    """
    return f"limits:{what}:{salted_hmac('spasmlog.counters', subject).hexdigest()}"


def count(key: str, window: int) -> int:
    """One more under `key`, atomically, in every process that shares the cache; the new count."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between the two calls: this is the first count of the next one.
        cache.add(key, 1, window)
        return 1

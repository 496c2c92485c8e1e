"""
Limits on what may be repeated: account e-mails sent to one address or asked
for by one client, and wrong current passwords given for one account.

Each is a counter of spasmlog.counters. Sign-in failures are counted by axes in its own tables; it is told
here how to name the account a sign-in is for.
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from logs.models import User, normalise_email
from spasmlog.addresses import client_address
from spasmlog.counters import count, counter_key

# Sign-up and password reset e-mails: to one address, and asked for from one client address.
ACCOUNT_EMAILS_PER_ADDRESS = 3
ACCOUNT_EMAILS_PER_CLIENT = 20
ACCOUNT_EMAIL_WINDOW = 60 * 60

# Wrong current passwords for one account, across the e-mail change, the deletion and the password change.
CURRENT_PASSWORD_TRIES = 5
CURRENT_PASSWORD_WINDOW = 15 * 60


def may_send_account_email(request: HttpRequest, email: str) -> bool:
    """
    Counts a sign-up or password reset e-mail about to be sent to `email` at
    this client's request, and says whether it may go. Beyond the limit the
    caller answers exactly as it would otherwise and sends nothing, so the limit
    itself says nothing about the address.
    """
    to_address = count(counter_key("account-emails-to", normalise_email(email)), ACCOUNT_EMAIL_WINDOW)
    from_client = count(counter_key("account-emails-from", str(client_address(request))), ACCOUNT_EMAIL_WINDOW)
    return to_address <= ACCOUNT_EMAILS_PER_ADDRESS and from_client <= ACCOUNT_EMAILS_PER_CLIENT


def _wrong_passwords_key(user: User) -> str:
    return counter_key("wrong-current-passwords", str(user.pk))


def current_password_resting(user: User) -> bool:
    """Whether this account has had its wrong current passwords for now: until the window ends, none is checked."""
    return cache.get(_wrong_passwords_key(user), 0) >= CURRENT_PASSWORD_TRIES


def count_wrong_current_password(user: User) -> bool:
    """Counts a wrong current password for this account; whether that was its last try for now."""
    key = _wrong_passwords_key(user)
    last = count(key, CURRENT_PASSWORD_WINDOW) >= CURRENT_PASSWORD_TRIES
    if last:
        # The rest then lasts a whole window from this try, as the form says.
        cache.touch(key, CURRENT_PASSWORD_WINDOW)
    return last


def sign_in_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """
    The account a sign-in is for, as axes keys its lockout (AXES_USERNAME_CALLABLE):
    the address as stored, so that tries as Victim@… and victim@… count as one.
    """
    source = credentials or getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(username) if isinstance(username, str) else username

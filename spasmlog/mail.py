"""E-mail leaves the request: the message is queued, and the worker sends it."""

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from spasmlog import tasks


class QueuedEmailBackend(BaseEmailBackend):
    """
    Django's e-mail backend interface, so every sender (sign-up, password reset,
    reminders) uses it unchanged: each message goes to the task queue, and the
    worker delivers it through settings.EMAIL_DELIVERY_BACKEND, retrying if the
    mail server is away. No request waits for an SMTP server.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        messages = list(email_messages)
        for message in messages:
            # A connection is this process's; the worker opens its own.
            message.connection = None
        if messages:
            tasks.deliver(messages)
        return len(messages)

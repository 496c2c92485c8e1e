import base64
import binascii
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django import forms
from django.conf import settings
from django.core.validators import URLValidator

from logs.forms import form_helper
from reminders.models import MAX_AUTH, MAX_ENDPOINT, MAX_P256DH, Reminder


def push_available() -> bool:
    """Notifications need the site's VAPID key pair; without it reminders go by e-mail only."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ReminderForm(forms.ModelForm):
    class Meta:
        model = Reminder
        fields = ["enabled", "at", "by_email", "by_push"]
        widgets = {"at": TimeInput()}
        help_texts = {
            "at": "In your own time zone. No reminder comes on a day you have already checked in.",
            "by_push": "Allow notifications below on each phone or computer where you want them.",
        }

    def __init__(self, *args: Any, devices: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = devices
        if not push_available():
            del self.fields["by_push"]
        self.helper = form_helper(*self.fields)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("enabled"):
            return cleaned
        by_email, by_push = cleaned.get("by_email"), cleaned.get("by_push")
        if not by_email and not by_push:
            self.add_error("by_email", "Choose how to be reminded: by e-mail, by notification, or both.")
        elif by_push and not by_email and not self.devices:
            self.add_error(
                "by_push",
                "No device allows notifications yet: allow them on this device below first, or choose e-mail too.",
            )
        return cleaned


def _key_bytes(text: str) -> bytes | None:
    """A key as the Push API writes it (URL-safe base64, padding left off), or None."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


class SubscriptionForm(forms.Form):
    """What a browser's PushSubscription.toJSON() gives, checked before anything is posted to it."""

    endpoint = forms.CharField(max_length=MAX_ENDPOINT)
    p256dh = forms.CharField(max_length=MAX_P256DH)
    auth = forms.CharField(max_length=MAX_AUTH)

    def clean_endpoint(self) -> str:
        endpoint = self.cleaned_data["endpoint"]
        refused = forms.ValidationError("This is not a push service's address.")
        try:
            parts = urlsplit(endpoint)
            host = parts.hostname or ""
        except ValueError:
            raise refused from None
        local = host == "localhost" or host.endswith(".localhost") or _is_ip_address(host)
        # A push service is a public HTTPS host. A local one only while developing: otherwise a
        # patient could aim the worker's posts at machines inside the network.
        if local and not settings.DEBUG:
            raise refused
        try:
            URLValidator(schemes=["https", "http"] if local else ["https"])(endpoint)
        except forms.ValidationError:
            raise refused from None
        if parts.username or parts.password or parts.fragment:
            raise refused
        if not local and not _is_push_service(host):
            raise refused
        return endpoint

    def clean_p256dh(self) -> str:
        text = self.cleaned_data["p256dh"]
        raw = _key_bytes(text)
        try:
            if raw is None:
                raise ValueError
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise forms.ValidationError("This is not the browser's public key.") from None
        return text

    def clean_auth(self) -> str:
        text = self.cleaned_data["auth"]
        raw = _key_bytes(text)
        if raw is None or len(raw) != 16:
            raise forms.ValidationError("This is not the browser's secret.")
        return text


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_push_service(host: str) -> bool:
    """Whether host belongs to one of the browsers' push services (settings.PUSH_SERVICE_DOMAINS)."""
    return any(host == domain or host.endswith(f".{domain}") for domain in settings.PUSH_SERVICE_DOMAINS)

"""A new VAPID key pair for Web Push, as the lines to put in the environment."""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management.base import BaseCommand


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push reminders as VAPID_PUBLIC_KEY=... and VAPID_PRIVATE_KEY=... lines."

    def handle(self, *args: Any, **options: Any) -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        # The public key as browsers take it (applicationServerKey): the uncompressed point.
        public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        # The private key as pywebpush reads it from a string: the 32-byte secret number.
        secret = private.private_numbers().private_value.to_bytes(32, "big")
        self.stdout.write(f"VAPID_PUBLIC_KEY={b64url(public)}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={b64url(secret)}")

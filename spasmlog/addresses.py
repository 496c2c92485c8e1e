from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """
    The client's address: the connection's own, or, behind proxies, the entry
    that the last trusted proxy added to CLIENT_IP_HEADER. Entries further left
    come from the client itself and could say anything.
    """
    if settings.CLIENT_IP_HEADER:
        entries = [entry.strip() for entry in request.META.get(settings.CLIENT_IP_HEADER, "").split(",")]
        entries = [entry for entry in entries if entry]
        if len(entries) >= settings.TRUSTED_PROXIES:
            return entries[-settings.TRUSTED_PROXIES]
    return request.META.get("REMOTE_ADDR")

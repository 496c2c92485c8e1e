"""Health checks for load balancers and Docker: cheap, no session, no patient data."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Up, and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def live(request):
    """Up, without touching the database: also the ceiling the load test compares pages with."""
    return JsonResponse({"status": "ok"})

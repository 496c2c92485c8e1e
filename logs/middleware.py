from django.utils import timezone


class PatientTimeZoneMiddleware:
    """Show and read every date and time in the signed-in person's own zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(request.user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)

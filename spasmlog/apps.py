from django.apps import AppConfig


class SpasmLogConfig(AppConfig):
    """The project itself: its frame (base template, error pages, the site's CSS and JavaScript) and its middleware."""

    name = "spasmlog"
    verbose_name = "SpasmLog"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spasmlog.middleware import SessionLimitsMiddleware

        # The session's clock starts at signing in.
        user_logged_in.connect(SessionLimitsMiddleware.start, dispatch_uid="session-limits-start")

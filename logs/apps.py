from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    verbose_name = "Diary"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from logs.middleware import SessionLimitsMiddleware

        # The session's clock starts at signing in.
        user_logged_in.connect(SessionLimitsMiddleware.start, dispatch_uid="logs-session-start")

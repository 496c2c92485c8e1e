from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    verbose_name = "Diary"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from logs import audit
        from spasmlog.middleware import SessionLimitsMiddleware

        # The session's clock starts at signing in.
        user_logged_in.connect(SessionLimitsMiddleware.start, dispatch_uid="logs-session-start")
        # Django reports sign-ins only through these signals; every other event is recorded where it happens.
        user_logged_in.connect(audit.signed_in, dispatch_uid="logs-audit-signed-in")
        user_login_failed.connect(audit.sign_in_failed, dispatch_uid="logs-audit-sign-in-failed")
        user_logged_out.connect(audit.signed_out, dispatch_uid="logs-audit-signed-out")

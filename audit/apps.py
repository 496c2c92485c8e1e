from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from audit import trail

        # Django reports sign-ins only through these signals; every other event is recorded where it happens.
        user_logged_in.connect(trail.signed_in, dispatch_uid="audit-signed-in")
        user_login_failed.connect(trail.sign_in_failed, dispatch_uid="audit-sign-in-failed")
        user_logged_out.connect(trail.signed_out, dispatch_uid="audit-signed-out")

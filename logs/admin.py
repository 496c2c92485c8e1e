from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from audit.admin import PatientDataAdmin
from logs import models


@admin.register(models.User)
class UserAdmin(PatientDataAdmin, BaseUserAdmin):
    # An account is its own patient, reached through no other record.
    patient_path = ""
    list_select_related = raw_id_fields = ()
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "is_clinician", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Account", {"fields": ["display_name", "time_zone", "is_clinician"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]}),
    ]


@admin.register(models.Profile)
class ProfileAdmin(PatientDataAdmin):
    list_display = ["patient", "first_noticed", "updated_at"]


class LocationInline(admin.TabularInline):
    model = models.EpisodeLocation
    extra = 0


class ReliefInline(admin.TabularInline):
    model = models.EpisodeRelief
    extra = 0


class EpisodeMedicineInline(admin.TabularInline):
    model = models.EpisodeMedicine
    extra = 0
    raw_id_fields = ["medicine"]


@admin.register(models.Episode)
class EpisodeAdmin(PatientDataAdmin):
    list_display = ["patient", "started_at", "kind", "intensity", "duration_seconds"]
    list_filter = ["kind"]
    date_hierarchy = "started_at"
    inlines = [LocationInline, ReliefInline, EpisodeMedicineInline]


@admin.register(models.CheckIn)
class CheckInAdmin(PatientDataAdmin):
    list_display = ["patient", "day", "penn_frequency", "penn_severity", "sleep_hours", "stress"]
    date_hierarchy = "day"


@admin.register(models.Medicine)
class MedicineAdmin(PatientDataAdmin):
    list_display = ["patient", "name", "dose", "purpose", "kind", "started", "stopped"]
    list_filter = ["purpose", "kind"]


class EpisodePartAdmin(PatientDataAdmin):
    """A place, a relief or a medicine taken: a record of an episode, found by its patient's address."""

    patient_path = "episode__patient"
    list_select_related = ["episode"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode"]


@admin.register(models.EpisodeLocation)
class EpisodeLocationAdmin(EpisodePartAdmin):
    list_display = ["episode", "region", "side"]
    list_filter = ["region", "side"]


@admin.register(models.EpisodeRelief)
class EpisodeReliefAdmin(EpisodePartAdmin):
    list_display = ["episode", "measure", "helped"]


@admin.register(models.EpisodeMedicine)
class EpisodeMedicineAdmin(EpisodePartAdmin):
    list_display = ["episode", "medicine", "dose"]
    list_select_related = ["episode", "medicine"]
    raw_id_fields = ["episode", "medicine"]

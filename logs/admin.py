from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from audit.admin import PatientDataAdmin
from logs.models import (
    CheckIn,
    Episode,
    EpisodeLocation,
    EpisodeMedicine,
    EpisodeRelief,
    Medicine,
    Profile,
    User,
)


@admin.register(User)
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


@admin.register(Profile)
class ProfileAdmin(PatientDataAdmin):
    list_display = ["patient", "first_noticed", "updated_at"]


class LocationInline(admin.TabularInline):
    model = EpisodeLocation
    extra = 0


class ReliefInline(admin.TabularInline):
    model = EpisodeRelief
    extra = 0


class EpisodeMedicineInline(admin.TabularInline):
    model = EpisodeMedicine
    extra = 0
    raw_id_fields = ["medicine"]


@admin.register(Episode)
class EpisodeAdmin(PatientDataAdmin):
    list_display = ["patient", "started_at", "kind", "intensity", "duration_seconds"]
    list_filter = ["kind"]
    date_hierarchy = "started_at"
    inlines = [LocationInline, ReliefInline, EpisodeMedicineInline]


@admin.register(CheckIn)
class CheckInAdmin(PatientDataAdmin):
    list_display = ["patient", "day", "penn_frequency", "penn_severity", "sleep_hours", "stress"]
    date_hierarchy = "day"


@admin.register(Medicine)
class MedicineAdmin(PatientDataAdmin):
    list_display = ["patient", "name", "dose", "purpose", "kind", "started", "stopped"]
    list_filter = ["purpose", "kind"]


@admin.register(EpisodeLocation)
class EpisodeLocationAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "region", "side"]
    list_filter = ["region", "side"]
    list_select_related = ["episode"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode"]


@admin.register(EpisodeRelief)
class EpisodeReliefAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "measure", "helped"]
    list_select_related = ["episode"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode"]


@admin.register(EpisodeMedicine)
class EpisodeMedicineAdmin(PatientDataAdmin):
    patient_path = "episode__patient"
    list_display = ["episode", "medicine", "dose"]
    list_select_related = ["episode", "medicine"]
    search_fields = ["episode__patient__email"]
    raw_id_fields = ["episode", "medicine"]

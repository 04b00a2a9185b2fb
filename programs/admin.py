"""Admin of the work program: read-mostly; changes go through the pages."""

from django.contrib import admin

from programs.models import (
    BrightSpot,
    FollowUpAction,
    Inspection,
    ProgramTask,
    WorkProgram,
)


class ProgramTaskInline(admin.TabularInline):
    model = ProgramTask
    fields = ["position", "title", "quarters", "due_on", "kind", "status"]
    readonly_fields = ["status"]
    extra = 0


@admin.register(WorkProgram)
class WorkProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "units_due_on"]
    list_filter = ["year"]
    search_fields = ["title", "unit__name"]
    autocomplete_fields = ["unit", "parent_program", "required_units"]
    inlines = [ProgramTaskInline]


@admin.register(BrightSpot)
class BrightSpotAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "status", "rating"]
    list_filter = ["year", "status", "rating"]
    search_fields = ["title", "unit__name"]
    readonly_fields = ["status", "rating", "evaluation_comment", "review_comment"]


class FollowUpInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    readonly_fields = ["status", "done_on"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["unit", "planned_on", "status", "conclusion_number"]
    list_filter = ["status"]
    readonly_fields = ["status"]
    inlines = [FollowUpInline]

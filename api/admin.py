"""Admin for API tokens: administrators see every token (never a key) and
revoke them."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    exclude = ("key_hash",)
    readonly_fields = (
        "owner",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset:
            api_token_revoke(token_id=token.pk, actor=request.user, now=now)
        self.message_user(request, _("Tokens revoked."))

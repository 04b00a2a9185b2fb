"""Log-in and API tokens: a username and password (and a second-factor code
where the user has one) for a token; the user's tokens, never their keys."""

from django.conf import settings
from rest_framework import serializers

from api.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text=(
            "The code from the user's authenticator app (or a recovery code); "
            "required for users with two-factor log-in."
        ),
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        help_text="A name for the token, to recognise it in the list.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=(
            "Send it as `Authorization: Token <token>`. Shown this once: only "
            "its hash is stored."
        )
    )
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(
        min_value=1,
        max_value=365,
        required=False,
        help_text=f"Days of validity (default {settings.API_TOKEN_TTL_DAYS}).",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "owner",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_is_active(self, token) -> bool:
        return token.is_active_at(self.context["now"])

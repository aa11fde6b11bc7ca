from decimal import Decimal

from django.core.validators import RegexValidator
from rest_framework import serializers

from accounts.models import User
from brocode_site.fields import MoneyField, StringField
from brocode_site.ids import parse_numeric_id

from .models import CatalogItem, Spot


class CatalogItemSerializer(serializers.ModelSerializer):
    price = MoneyField()

    class Meta:
        model = CatalogItem
        fields = ["id", "name", "price"]


class SpotSerializer(serializers.ModelSerializer):
    hostUserId = serializers.SerializerMethodField()  # noqa: N815 - JSON name

    class Meta:
        model = Spot
        fields = ["id", "location", "date", "hostUserId", "description"]

    def get_hostUserId(self, spot) -> str:  # noqa: N802 - JSON name
        return str(spot.host_id)


ROW_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9._~:-]{1,64}$",
    "Must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '~', ':' and '-'.",
)


class CatalogItemWriteSerializer(serializers.Serializer):
    """Input of ``POST`` and ``PATCH /api/catalog/items``."""

    id = StringField(required=False, validators=[ROW_ID_VALIDATOR])
    category = serializers.ChoiceField(choices=CatalogItem.Category.values)
    name = StringField(max_length=200)
    price = MoneyField(min_value=Decimal("0"))

    def validate_id(self, value):
        if self.partial:
            raise serializers.ValidationError("The id of an item cannot change.")
        return value


class CatalogItemDetailSerializer(serializers.ModelSerializer):
    price = MoneyField()

    class Meta:
        model = CatalogItem
        fields = ["id", "category", "name", "price"]


class SpotWriteSerializer(serializers.Serializer):
    """Input of ``POST`` and ``PATCH /api/spots``."""

    id = StringField(required=False, validators=[ROW_ID_VALIDATOR])
    location = StringField(max_length=200)
    date = serializers.DateTimeField()
    hostUserId = StringField(required=False, max_length=20)  # noqa: N815
    description = StringField(required=False, allow_blank=True, max_length=5000)

    def validate_id(self, value):
        if self.partial:
            raise serializers.ValidationError("The id of a spot cannot change.")
        return value

    def validate_hostUserId(self, value):  # noqa: N802 - JSON name
        pk = parse_numeric_id(value)
        host = User.objects.filter(pk=pk).first() if pk is not None else None
        if host is None:
            raise serializers.ValidationError(f"No user {value!r}.")
        return host


class CatalogIndexSerializer(serializers.Serializer):
    """The body of ``GET /api/catalog``: every category, even when empty."""

    drinks = CatalogItemSerializer(many=True)
    food = CatalogItemSerializer(many=True)
    cigarettes = CatalogItemSerializer(many=True)

from rest_framework import serializers

from brocode_site.fields import MoneyField

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

import re
from datetime import UTC, datetime, time

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brocode_site.fields import MoneyField, StringField

from .models import Order, OrderLine

MAX_ITEMS = 50
MAX_QUANTITY = 99
SERVER_PRICED_FIELDS = ("name", "unitPrice", "total")
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class JSONIntegerField(serializers.IntegerField):
    """An integer that must be a JSON integer: not a string, float or bool."""

    default_error_messages = {"not_integer": "Must be a JSON integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


class OrderItemInputSerializer(serializers.Serializer):
    productId = StringField(max_length=64)  # noqa: N815
    quantity = JSONIntegerField(min_value=1, max_value=MAX_QUANTITY)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            priced = [name for name in SERVER_PRICED_FIELDS if name in data]
            if priced:
                raise serializers.ValidationError(
                    {
                        name: ["Set by the server from the catalog; do not send it."]
                        for name in priced
                    }
                )
        return super().to_internal_value(data)


class OrderCreateSerializer(serializers.Serializer):
    spotId = StringField(max_length=64)  # noqa: N815
    userId = StringField(  # noqa: N815
        max_length=64, required=False, allow_null=True
    )
    items = OrderItemInputSerializer(
        many=True, allow_empty=False, min_length=1, max_length=MAX_ITEMS
    )

    def validate_items(self, items):
        seen = set()
        for item in items:
            if item["productId"] in seen:
                raise serializers.ValidationError(
                    f"Product {item['productId']!r} appears more than once; "
                    "send it once with the total quantity."
                )
            seen.add(item["productId"])
        return items


@extend_schema_field(OpenApiTypes.STR)
class TimestampFilterField(serializers.Field):
    """An ISO 8601 date-time, or a date meaning its first or last instant.

    A time without an offset is taken as UTC.
    """

    default_error_messages = {
        "invalid": "Must be an ISO 8601 date or date-time, like 2025-07-26 "
        "or 2025-07-26T10:00:00Z.",
        "out_of_range": "Must be between the years 1 and 9999 in UTC.",
    }

    def __init__(self, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = str(data).strip()
        try:
            # A bare date is checked first, because parse_datetime would
            # read it as midnight.
            day = parse_date(text) if DATE_ONLY.fullmatch(text) else None
            moment = None if day else parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        if moment is None:
            moment = datetime.combine(day, time.max if self.end_of_day else time.min)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            # The database stores UTC; years 1 and 9999 can overflow here.
            return moment.astimezone(UTC)
        except OverflowError:
            self.fail("out_of_range")


class OrderListQuerySerializer(serializers.Serializer):
    spotId = StringField(max_length=64, required=False)  # noqa: N815
    userId = StringField(max_length=64, required=False)  # noqa: N815
    to = TimestampFilterField(required=False, end_of_day=True)
    sort = serializers.ChoiceField(choices=["asc", "desc"], default="desc")
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)
    offset = serializers.IntegerField(min_value=0, max_value=10**9, default=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so it cannot be declared above.
        self.fields["from"] = TimestampFilterField(required=False)

    def validate(self, data):
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        return data


class OrderLineSerializer(serializers.ModelSerializer):
    productId = StringField(source="product_id")  # noqa: N815
    unitPrice = MoneyField(source="unit_price")  # noqa: N815
    total = MoneyField(source="line_total", max_digits=14)

    class Meta:
        model = OrderLine
        fields = ["productId", "name", "quantity", "unitPrice", "total"]


class OrderSerializer(serializers.ModelSerializer):
    spotId = StringField(source="spot_id")  # noqa: N815
    userId = StringField(source="user_id")  # noqa: N815
    items = OrderLineSerializer(source="lines", many=True)
    totalAmount = MoneyField(source="total", max_digits=14)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815

    class Meta:
        model = Order
        fields = ["id", "spotId", "userId", "items", "totalAmount", "createdAt"]


class BillSerializer(serializers.Serializer):
    """The body of ``GET /api/bills/<spotId>``."""

    spotId = serializers.CharField()  # noqa: N815
    total = MoneyField(max_digits=14)
    userTotals = serializers.DictField(child=MoneyField(max_digits=14))  # noqa: N815
    orderCount = serializers.IntegerField()  # noqa: N815

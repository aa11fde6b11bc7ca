from decimal import Decimal

from rest_framework import serializers


class MoneyField(serializers.DecimalField):
    """Rupees as a JSON number: ``180`` or ``30.5``, never a string.

    Arithmetic stays in ``Decimal``. Only the rendered value becomes an int,
    or a float for amounts with paise. For amounts of at most 15 significant
    digits, the float's shortest repr is the decimal itself, so the JSON
    number is exact.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        amount = Decimal(value).quantize(Decimal("0.01"))
        if amount == amount.to_integral_value():
            return int(amount)
        return float(amount)


class StringField(serializers.CharField):
    """A CharField that accepts only JSON strings, not numbers or booleans."""

    default_error_messages = {"not_string": "Must be a JSON string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_string")
        return super().to_internal_value(data)

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from brocode_site.api import ApiView
from brocode_site.fields import MoneyField
from brocode_site.schema import errors
from catalog.models import Spot

from . import selectors, services
from .serializers import (
    BillSerializer,
    OrderCreateSerializer,
    OrderListQuerySerializer,
    OrderSerializer,
)

# Printable ASCII without spaces, as is usual for Idempotency-Key values.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            {
                "Idempotency-Key": [
                    "Must be 1 to 255 printable ASCII characters without spaces."
                ]
            }
        )
    return key


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key within 24 hours returns the first order.",
)


class OrderListView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderListQuerySerializer],
        responses={
            200: OpenApiResponse(
                OrderSerializer(many=True),
                description="Orders; X-Total-Count gives the count before paging.",
            ),
            **errors(400, 401, 403),
        },
    )
    def get(self, request):
        query = OrderListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data

        filters = {}
        if "spotId" in params:
            filters["spot_id"] = params["spotId"]
        if "userId" in params:
            filters["user_id"] = params["userId"]
        for bound in ("from", "to"):
            if bound in params:
                filters[bound] = params[bound]
        if not request.user.is_admin:
            if filters.get("user_id", str(request.user.pk)) != str(request.user.pk):
                raise PermissionDenied("You can only list your own orders.")
            filters["user_id"] = str(request.user.pk)

        orders, total = selectors.orders_page(
            filters,
            limit=params["limit"],
            offset=params["offset"],
            ascending=params["sort"] == "asc",
        )
        response = Response(OrderSerializer(orders, many=True).data)
        response["X-Total-Count"] = str(total)
        return response

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: OrderSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        key = idempotency_key(request)
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        order_request = services.OrderRequest(
            spot_id=data["spotId"],
            user_id=data.get("userId") or str(request.user.pk),
            items=tuple(
                (item["productId"], item["quantity"]) for item in data["items"]
            ),
        )
        order, _created = services.place_order(request.user, order_request, key)
        order = selectors.order_with_lines(order.pk)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_retrieve",
        responses={200: OrderSerializer, **errors(401, 404)},
    )
    def get(self, request, order_id):
        order = selectors.order_with_lines(order_id)
        if order is None or not (
            request.user.is_admin or order.user_id == request.user.pk
        ):
            raise NotFound(f"No order {order_id!r}.")
        return Response(OrderSerializer(order).data)


class BillView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bills_retrieve",
        responses={200: BillSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, spot_id):
        spot = Spot.objects.filter(pk=spot_id).first()
        if spot is None:
            raise NotFound(f"No spot {spot_id!r}.")
        if not (request.user.is_admin or spot.host_id == request.user.pk):
            raise PermissionDenied("Only an admin or the spot's host can see its bill.")

        bill = selectors.spot_bill(spot)
        money = MoneyField(max_digits=14)
        return Response(
            {
                "spotId": spot.pk,
                "total": money.to_representation(bill["total"]),
                "userTotals": {
                    user_id: money.to_representation(amount)
                    for user_id, amount in bill["user_totals"].items()
                },
                "orderCount": bill["order_count"],
            }
        )

from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.permissions import IsAdmin
from brocode_site.api import ApiView
from brocode_site.schema import errors

from . import selectors, services
from .caching import cached_read
from .models import CatalogItem, Spot
from .serializers import (
    CatalogIndexSerializer,
    CatalogItemDetailSerializer,
    CatalogItemSerializer,
    CatalogItemWriteSerializer,
    SpotSerializer,
    SpotWriteSerializer,
)


class ReadOpenWriteAdmin(ApiView):
    """Reads are open to everyone; every other method needs the admin role."""

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [AllowAny()]
        return [IsAdmin()]


class CatalogView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalog_list",
        auth=[],
        responses={200: CatalogIndexSerializer, 304: None, **errors()},
    )
    @method_decorator(cached_read)
    def get(self, request):
        grouped = selectors.catalog_by_category()
        body = {
            category: CatalogItemSerializer(items, many=True).data
            for category, items in grouped.items()
        }
        return Response(body)


class CatalogCategoryView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="catalog_category",
        auth=[],
        responses={200: CatalogItemSerializer(many=True), 304: None, **errors(404)},
    )
    @method_decorator(cached_read)
    def get(self, request, category):
        if category not in CatalogItem.Category.values:
            known = ", ".join(CatalogItem.Category.values)
            raise NotFound(f"Unknown category {category!r}. Known categories: {known}.")
        items = selectors.items_in_category(category)
        return Response(CatalogItemSerializer(items, many=True).data)


class CatalogItemCreateView(ApiView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="catalog_items_create",
        request=CatalogItemWriteSerializer,
        responses={201: CatalogItemDetailSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = CatalogItemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.create_item(serializer.validated_data)
        return Response(
            CatalogItemDetailSerializer(item).data, status=status.HTTP_201_CREATED
        )


class CatalogItemDetailView(ApiView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="catalog_items_update",
        request=CatalogItemWriteSerializer(partial=True),
        responses={200: CatalogItemDetailSerializer, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, item_id):
        item = _get_or_404(CatalogItem, item_id, "catalog item")
        serializer = CatalogItemWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = services.update_item(item, serializer.validated_data)
        return Response(CatalogItemDetailSerializer(item).data)

    @extend_schema(
        operation_id="catalog_items_delete",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **errors(401, 403, 404),
        },
    )
    def delete(self, request, item_id):
        services.delete(_get_or_404(CatalogItem, item_id, "catalog item"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpotListView(ReadOpenWriteAdmin):
    @extend_schema(
        operation_id="spots_list",
        auth=[],
        responses={200: SpotSerializer(many=True), 304: None, **errors()},
    )
    @method_decorator(cached_read)
    def get(self, request):
        spots = selectors.spots_newest_first()
        return Response(SpotSerializer(spots, many=True).data)

    @extend_schema(
        operation_id="spots_create",
        request=SpotWriteSerializer,
        responses={201: SpotSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = SpotWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {"hostUserId": request.user, **serializer.validated_data}
        spot = services.create_spot(data)
        return Response(SpotSerializer(spot).data, status=status.HTTP_201_CREATED)


class SpotDetailView(ApiView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="spots_update",
        request=SpotWriteSerializer(partial=True),
        responses={200: SpotSerializer, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, spot_id):
        spot = _get_or_404(Spot, spot_id, "spot")
        serializer = SpotWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        spot = services.update_spot(spot, serializer.validated_data)
        return Response(SpotSerializer(spot).data)

    @extend_schema(
        operation_id="spots_delete",
        responses={
            204: OpenApiResponse(description="Deleted with its orders."),
            **errors(401, 403, 404),
        },
    )
    def delete(self, request, spot_id):
        services.delete(_get_or_404(Spot, spot_id, "spot"))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _get_or_404(model, row_id: str, label: str):
    row = model.objects.filter(pk=row_id).first()
    if row is None:
        raise NotFound(f"No {label} {row_id!r}.")
    return row

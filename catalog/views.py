from django.utils.decorators import method_decorator
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .caching import cached_read
from .models import CatalogItem
from .serializers import CatalogItemSerializer, SpotSerializer


class PublicReadView(APIView):
    """A read open to everyone, served from the page cache after the
    authentication and throttle checks of DRF have run."""

    permission_classes = [AllowAny]


class CatalogView(PublicReadView):
    @method_decorator(cached_read)
    def get(self, request):
        grouped = selectors.catalog_by_category()
        body = {
            category: CatalogItemSerializer(items, many=True).data
            for category, items in grouped.items()
        }
        return Response(body)


class CatalogCategoryView(PublicReadView):
    @method_decorator(cached_read)
    def get(self, request, category):
        if category not in CatalogItem.Category.values:
            known = ", ".join(CatalogItem.Category.values)
            raise NotFound(f"Unknown category {category!r}. Known categories: {known}.")
        items = selectors.items_in_category(category)
        return Response(CatalogItemSerializer(items, many=True).data)


class SpotListView(PublicReadView):
    @method_decorator(cached_read)
    def get(self, request):
        spots = selectors.spots_newest_first()
        return Response(SpotSerializer(spots, many=True).data)

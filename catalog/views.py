from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from . import selectors
from .caching import cached_read
from .models import CatalogItem
from .serializers import CatalogItemSerializer, SpotSerializer


@cached_read
@api_view(["GET"])
def catalog_index(request):
    grouped = selectors.catalog_by_category()
    body = {
        category: CatalogItemSerializer(items, many=True).data
        for category, items in grouped.items()
    }
    return Response(body)


@cached_read
@api_view(["GET"])
def catalog_category(request, category):
    if category not in CatalogItem.Category.values:
        known = ", ".join(CatalogItem.Category.values)
        raise NotFound(f"Unknown category {category!r}. Known categories: {known}.")
    items = selectors.items_in_category(category)
    return Response(CatalogItemSerializer(items, many=True).data)


@cached_read
@api_view(["GET"])
def spot_list(request):
    spots = selectors.spots_newest_first()
    return Response(SpotSerializer(spots, many=True).data)

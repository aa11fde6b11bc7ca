from django.urls import path

from . import views

urlpatterns = [
    path("catalog", views.CatalogView.as_view(), name="catalog-index"),
    # Before catalog/<category>, so that "items" is not read as a category.
    path("catalog/items", views.CatalogItemCreateView.as_view(), name="item-create"),
    path(
        "catalog/items/<str:item_id>",
        views.CatalogItemDetailView.as_view(),
        name="item-detail",
    ),
    path(
        "catalog/<str:category>",
        views.CatalogCategoryView.as_view(),
        name="catalog-category",
    ),
    path("spots", views.SpotListView.as_view(), name="spot-list"),
    path("spots/<str:spot_id>", views.SpotDetailView.as_view(), name="spot-detail"),
]

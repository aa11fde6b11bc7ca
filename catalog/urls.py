from django.urls import path

from . import views

urlpatterns = [
    path("catalog", views.CatalogView.as_view(), name="catalog-index"),
    path(
        "catalog/<str:category>",
        views.CatalogCategoryView.as_view(),
        name="catalog-category",
    ),
    path("spots", views.SpotListView.as_view(), name="spot-list"),
]

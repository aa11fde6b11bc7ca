from django.urls import path

from . import views

urlpatterns = [
    path("catalog", views.catalog_index, name="catalog-index"),
    path("catalog/<str:category>", views.catalog_category, name="catalog-category"),
    path("spots", views.spot_list, name="spot-list"),
]

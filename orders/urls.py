from django.urls import path

from . import views

urlpatterns = [
    path("orders", views.OrderListView.as_view(), name="order-list"),
    path("orders/<str:order_id>", views.OrderDetailView.as_view(), name="order-detail"),
    path("bills/<str:spot_id>", views.BillView.as_view(), name="bill"),
]

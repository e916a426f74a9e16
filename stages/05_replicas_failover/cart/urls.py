from django.urls import path

from . import views

urlpatterns = [
    path("", views.detail, name="cart"),
    path("add/<int:product_id>/", views.add, name="cart_add"),
    path("change/", views.change, name="cart_change"),
]

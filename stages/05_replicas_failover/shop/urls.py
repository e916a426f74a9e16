from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("storefront.urls")),
    path("cart/", include("cart.urls")),
    path("", include("orders.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

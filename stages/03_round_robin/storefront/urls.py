from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("search/", views.search, name="search"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("c/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("p/<slug:slug>/", views.ProductView.as_view(), name="product"),
    path("search/", views.SearchView.as_view(), name="search"),
]

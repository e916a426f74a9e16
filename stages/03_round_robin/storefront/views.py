from django.shortcuts import get_object_or_404, render

from workshop.catalogue.models import Category, Product

from . import selectors
from .caching import cache_page_for_visitors_without_session


@cache_page_for_visitors_without_session
def home(request):
    context = {
        "featured": selectors.product_featured_list(),
        "categories": selectors.category_list(),
    }
    return render(request, "storefront/home.html", context)


@cache_page_for_visitors_without_session
def category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    sort = request.GET.get("sort", "name")
    page = selectors.product_page(category=category, sort=sort, page=request.GET.get("page"))
    context = {"category": category, "page": page, "sort": sort, "sorts": selectors.SORTS}
    return render(request, "storefront/category.html", context)


@cache_page_for_visitors_without_session
def product(request, slug):
    product = get_object_or_404(Product.objects.select_related("category"), slug=slug)
    context = {
        "product": product,
        "reviews": selectors.review_latest_list(product=product),
        "rating": selectors.review_summary(product=product),
    }
    return render(request, "storefront/product.html", context)


def search(request):
    query = request.GET.get("q", "")[:100]
    results = selectors.product_search(query=query)
    return render(request, "storefront/search.html", {"query": query, "results": results})

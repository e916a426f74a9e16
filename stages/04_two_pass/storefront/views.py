"""The storefront's pages as class-based views that share one base, TwoPassView: pass one
renders the page from level-one data with no visitor in it, and is cached (level two);
pass two fills in this visitor's parts on every request (storefront/twopass.py)."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.views import View

from workshop.tracking import query_known

from . import data, selectors
from .caching import cached, stale_served
from .twopass import PASS_ONE, visitor_parts_fill


class TwoPassView(View):
    template_name: str
    # The query parameters the page shows. Any other (?utm_source=tv, fbclid, junk) changes
    # nothing on it, so it must not make a cache entry of its own (workshop/tracking.py).
    known_parameters: tuple[str, ...] = ()

    @cached_property
    def parameters(self) -> QueryDict:
        """The known parameters of the request, each once (its first value)."""
        return QueryDict(
            query_known(self.request.META.get("QUERY_STRING", ""), self.known_parameters)
        )

    def shown(self) -> dict[str, str]:
        """What the page shows of its parameters, normalised, defaults left out: the page
        is rendered from these alone, so all the ways of asking for it share one skeleton."""
        return {}

    def skeleton_identity(self) -> str:
        query = urlencode(sorted(self.shown().items()))
        return f"{self.request.path}?{query}" if query else self.request.path

    def data_names(self) -> list[str]:
        """The versions of the data the page shows: a change to any of them retires it."""
        raise NotImplementedError

    def skeleton_data(self) -> dict:
        """The page's context, from level one (storefront/data.py); Http404 if none."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        stale_served.set(False)
        skeleton = self.skeleton()
        response = HttpResponse(visitor_parts_fill(skeleton, request))
        # exercise 04: step 3: every page pass two fills in is private, an anonymous visitor's too
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])
        # exercise 04: end
        # An older copy, served while another worker rebuilds, must not become a page file.
        response.stale_copy = stale_served.get()
        return response

    def skeleton(self) -> str:
        """Pass one, cached under the page's path with what it shows of its query
        (skeleton_identity), and its data's versions."""
        # exercise 04: step 2: pass one's skeleton, cached under the URL and the data's versions
        return cached(
            kind="skeleton",
            identity=self.skeleton_identity(),
            names=["skeletons", *self.data_names()],
            build=self.skeleton_render,
        )
        # exercise 04: end, stand-in: return self.skeleton_render()

    def skeleton_render(self) -> str:
        """Pass one: the page with no request, so no user, cart or CSRF token in it."""
        context = self.skeleton_data()
        # exercise 04: step 2: render with placeholders where the visitor's parts go
        context[PASS_ONE] = True
        # exercise 04: end
        return render_to_string(self.template_name, context)


class HomeView(TwoPassView):
    template_name = "storefront/home.html"

    def data_names(self):
        # exercise 04: step 4: the home page shows the featured products and the categories
        return ["featured", "tree"]
        # exercise 04: end, stand-in: return []

    def skeleton_data(self):
        # exercise 04: step 1: the featured products and the categories, from level one
        return {"featured": data.featured_list(), "categories": data.category_tree()}
        # exercise 04: end, stand-in: raise Http404


class CategoryView(TwoPassView):
    template_name = "storefront/category.html"
    known_parameters = ("sort", "page")

    def listing(self) -> tuple[str, int]:
        """The sort and page number shown (data.listing_shown)."""
        return data.listing_shown(self.parameters.get("sort"), self.parameters.get("page"))

    def shown(self):
        sort, page = self.listing()
        shown = {"sort": sort} if sort != "name" else {}
        return shown | ({"page": str(page)} if page != 1 else {})

    def data_names(self):
        # exercise 04: step 4: a listing shows its category and its products
        return [f"category:{self.kwargs['slug']}"]
        # exercise 04: end, stand-in: return []

    def skeleton_data(self):
        # exercise 04: step 1: the category and one page of its listing, as the visitor sorted it
        sort, page = self.listing()
        found = data.category_data(slug=self.kwargs["slug"], sort=sort, page=page)
        if found is None:
            raise Http404("No such category.")
        return {**found, "sort": sort, "sorts": selectors.SORTS}
        # exercise 04: end, stand-in: raise Http404


class ProductView(TwoPassView):
    template_name = "storefront/product.html"

    def data_names(self):
        # exercise 04: step 4: a product's page shows the product
        return [f"product:{self.kwargs['slug']}"]
        # exercise 04: end, stand-in: return []

    def skeleton_data(self):
        # exercise 04: step 1: the product, its rating and latest reviews
        found = data.product_data(slug=self.kwargs["slug"])
        if found is None:
            raise Http404("No such product.")
        return found
        # exercise 04: end, stand-in: raise Http404


class SearchView(TwoPassView):
    template_name = "storefront/search.html"
    known_parameters = ("q",)

    def query(self) -> str:
        return self.parameters.get("q", "")[:100]

    def shown(self):
        return {"q": self.query()} if self.query() else {}

    def data_names(self):
        return ["search"]

    def skeleton_data(self):
        # exercise 04: step 1: what was searched for, and what was found
        query = self.query()
        return {"query": query, "results": data.search_results(query=query)}
        # exercise 04: end, stand-in: raise Http404

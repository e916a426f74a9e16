from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Order


def order_list(*, customer) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).prefetch_related("lines")


def order_get(*, customer, pk: int) -> Order:
    """One of the customer's own orders; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(order_list(customer=customer), pk=pk)

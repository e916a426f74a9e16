from django import template

from storefront.twopass import visitor_part

register = template.Library()


@register.simple_tag(takes_context=True)
def visitor(context, part: str) -> str:
    """Where one of the visitor's parts goes: {% visitor "account" %}."""
    return visitor_part(context, part)

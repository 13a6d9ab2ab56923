"""Template helpers shared by all apps."""

from django import template

register = template.Library()


@register.filter
def text(obj, name: str) -> str:
    """`{{ round|text:"intro" }}`: the object's text `name` in the active language."""
    return obj.text(name)

"""Path converters shared by the web pages and the API.

``<id:pk>`` matches a database id: up to 18 digits, so an id beyond the 64-bit range of the
database answers 404 at the address instead of overflowing the query."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

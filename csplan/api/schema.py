"""The API's OpenAPI 3.1 document, derived from the routers' typed operations (django-ninja)."""

from csplan.api.app import openapi

__all__ = ["openapi"]

"""The JSON API under /api/, described by the OpenAPI 3.1 schema at /api/openapi.json."""

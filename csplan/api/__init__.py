"""The JSON API under /api/ with its OpenAPI schema."""

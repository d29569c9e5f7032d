"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

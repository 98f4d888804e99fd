"""The HTTP API (FastAPI): ``create_app(settings)`` builds it; ``trustwatch serve`` runs it."""

"""Alembic migrations of the trustwatch store, run programmatically by ``SqlStore``."""

"""Storage: one interface (``interface.py``), an in-memory twin, and SQL (SQLite/PostgreSQL)."""

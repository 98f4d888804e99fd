"""First start: an admin key so a new install can be used without any set-up."""

from __future__ import annotations

import os
from pathlib import Path

from trustwatch.settings import Settings
from trustwatch.store.sql import SCOPES, SqlStore

BOOTSTRAP_KEY_FILE = "bootstrap.key"


def ensure_bootstrap_key(store: SqlStore, settings: Settings) -> Path | None:
    """When the store has no API key at all, create one with every scope.

    The key goes to ``DATA_DIR/bootstrap.key`` (mode 0600), never to the logs. Returns the
    file's path when a key was created.
    """
    if store.list_api_keys():
        return None
    _, plaintext = store.create_api_key("bootstrap", list(SCOPES), actor="serve")
    path = settings.ensure_data_dir() / BOOTSTRAP_KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plaintext + "\n")
    return path


def read_bootstrap_key(settings: Settings) -> str | None:
    path = settings.data_dir / BOOTSTRAP_KEY_FILE
    return path.read_text().strip() if path.exists() else None

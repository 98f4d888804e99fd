"""Policy packs uploaded as one YAML document: validation, shadow copies, engines."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from trustwatch.errors import PackError, PackErrors
from trustwatch.policy.pack import LoadedPack, Pack, load_pack

UPLOAD_NAME = "pack.yaml"


def pack_from_yaml(text: str) -> LoadedPack:
    """Validate a whole pack given as one YAML document (policies inline).

    Raises PackErrors whose file is ``pack.yaml`` and whose lines are the document's.
    """
    with tempfile.TemporaryDirectory(prefix="trustwatch-pack-") as tmp:
        path = Path(tmp) / UPLOAD_NAME
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_pack(path)
        except yaml.YAMLError as exc:
            # load_pack reports marked YAML errors itself; unmarked ones (bad characters) land here.
            raise PackErrors([PackError(UPLOAD_NAME, None, "(yaml)", str(exc))]) from None
        except PackErrors as exc:
            raise PackErrors(
                [
                    PackError(
                        UPLOAD_NAME, e.line, e.field, e.message.replace(str(path), UPLOAD_NAME)
                    )
                    for e in exc.errors
                ]
            ) from None
    return LoadedPack(pack=loaded.pack, source=Path(UPLOAD_NAME), files=[Path(UPLOAD_NAME)])


def as_shadow(pack: Pack) -> Pack:
    """The same pack with every policy in shadow mode: decisions recorded, never acted on."""
    return pack.model_copy(
        update={
            "policies": {
                name: policy.model_copy(update={"mode": "shadow"})
                for name, policy in pack.policies.items()
            }
        }
    )

"""Policy packs: loading, validation, example tests and diffs."""

from trustwatch.policy.pack import DEFAULT_PACK, LoadedPack, Pack, Policy, load_pack

__all__ = ["DEFAULT_PACK", "LoadedPack", "Pack", "Policy", "load_pack"]

"""A readable diff between two pack versions."""

from __future__ import annotations

from trustwatch.policy.pack import Pack


def diff_packs(old: Pack, new: Pack) -> list[str]:
    lines: list[str] = []
    if old.ref != new.ref:
        lines.append(f"pack {old.ref} -> {new.ref}")
    for name in sorted(set(old.policies) | set(new.policies)):
        a, b = old.policies.get(name), new.policies.get(name)
        if a is None and b is not None:
            lines.append(f"+ policy {name} ({b.mode})")
            continue
        if b is None or a is None:
            lines.append(f"- policy {name}")
            continue
        if a.mode != b.mode:
            lines.append(f"~ {name}.mode {a.mode} -> {b.mode}")
        if a.text.strip() != b.text.strip():
            lines.append(f"~ {name}.text changed")
        old_d = {d.key: d for d in a.detectors}
        new_d = {d.key: d for d in b.detectors}
        for key in sorted(set(old_d) | set(new_d)):
            x, y = old_d.get(key), new_d.get(key)
            if x is None:
                lines.append(f"+ {name}.detectors.{key}")
            elif y is None:
                lines.append(f"- {name}.detectors.{key}")
            elif x != y:
                lines.append(f"~ {name}.detectors.{key}: {x.model_dump()} -> {y.model_dump()}")
        bands_a = [(band.at, band.action.value) for band in a.actions]
        bands_b = [(band.at, band.action.value) for band in b.actions]
        if bands_a != bands_b:
            lines.append(f"~ {name}.actions {bands_a} -> {bands_b}")
        if a.applies_to != b.applies_to:
            lines.append(f"~ {name}.applies_to {a.applies_to} -> {b.applies_to}")
    return lines

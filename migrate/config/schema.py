"""The target schemas, checked strictly: what a written `weights` list must be.

Seed: the design document's final schema. Truss: what truss 0.18 accepts
(`TrussConfig.from_yaml` + `validate_forbid_extra`), for the keys this tool writes.
Pure: plain data in, a list of problems out.
"""

from __future__ import annotations

from ..core import mapping
from ..core.context import SEED, TRUSS, Dialect

SEED_KEYS = {"source", "revision", "mount_location", "runtime_secret_name", "allow_patterns", "ignore_patterns"}
TRUSS_KEYS = {"source", "mount_location", "auth_secret_name", "auth", "allow_patterns", "ignore_patterns"}
SEED_SCHEMES = {"hf", "s3", "gs", "azure"}
TRUSS_SCHEMES = {"hf", "s3", "gs", "azure", "r2", "cw", "https"}


def problems(weights: object, dialect: Dialect = SEED) -> list[str]:
    """Every way `weights` breaks the dialect's schema; empty when it is valid."""
    if not isinstance(weights, list):
        return ["weights must be a list"]
    found, mounts = [], set()
    allowed = SEED_KEYS if dialect == SEED else TRUSS_KEYS
    schemes = SEED_SCHEMES if dialect == SEED else TRUSS_SCHEMES
    for i, entry in enumerate(weights):
        where = f"weights[{i}]"
        if not isinstance(entry, dict):
            found.append(f"{where} must be a mapping")
            continue
        found += [f"{where}: unknown key {key!r}" for key in entry if key not in allowed]
        source, mount = entry.get("source"), entry.get("mount_location")
        if not isinstance(source, str) or not source:
            found.append(f"{where}: source must be a non-empty string")
            continue
        match = mapping.SCHEME.match(source)
        scheme = match.group(1) if match else None
        rest = source[match.end() :] if match else source  # what follows the scheme
        if scheme is not None and scheme not in schemes:
            found.append(f"{where}: source scheme {scheme}:// is not allowed")
        if scheme is None and dialect == TRUSS:
            found.append(f"{where}: source needs a scheme (hf:// for Hugging Face)")
        if scheme in ("s3", "gs", "azure") and not rest.split("/")[0]:
            found.append(f"{where}: source has an empty bucket")
        if scheme == "hf" and not rest.split("@")[0].strip("/"):
            found.append(f"{where}: source names no Hugging Face repository")
        if dialect == TRUSS and scheme in ("s3", "gs", "azure", "r2", "cw") and "@" in source:
            found.append(f"{where}: `@` is not allowed in a cloud source")
        if "revision" in entry:
            if scheme not in (None, "hf"):
                found.append(f"{where}: revision is only for Hugging Face sources")
            if not isinstance(entry["revision"], str) or not entry["revision"]:
                found.append(f"{where}: revision must be a non-empty string")
        if not isinstance(mount, str) or not mount.startswith("/"):
            found.append(f"{where}: mount_location must be an absolute path")
        elif mount in mounts:
            found.append(f"{where}: mount_location {mount} is used twice")
        else:
            mounts.add(mount)
        for key in ("runtime_secret_name", "auth_secret_name"):
            if key in entry and not isinstance(entry[key], str):
                found.append(f"{where}: {key} must be a string")
        for key in ("allow_patterns", "ignore_patterns"):
            if key in entry and (not isinstance(entry[key], list) or not all(isinstance(p, str) for p in entry[key])):
                found.append(f"{where}: {key} must be a list of strings")
    return found

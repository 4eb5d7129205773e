"""The config part: a Truss config's YAML text migrated from `model_cache` to `weights`."""

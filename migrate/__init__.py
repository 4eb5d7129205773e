"""weights-migrate: move Truss configs from `model_cache` to `weights`."""

__version__ = "0.1.0"

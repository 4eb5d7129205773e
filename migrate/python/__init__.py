"""The Python part: modules that build model caches or load a legacy entry's weights."""

"""The Python part: modules that build model caches or load the weights their truss mounts."""

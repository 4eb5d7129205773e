"""The run: paths to files, each file through its part, written or diffed, in a worker pool."""

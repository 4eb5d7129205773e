"""The core every part stands on: the mapping of one entry, the run's context, diagnostics,
outcomes, the pre-filter and the shell chain. It imports no part."""

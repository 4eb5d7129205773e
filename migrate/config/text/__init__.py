"""The config's text: edits of spans, scalars written in a style, where each character of a value stands."""

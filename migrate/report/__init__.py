"""What the user sees of a run: text, JSON or GitHub annotations, the summary and the exit code."""

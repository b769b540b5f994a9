"""Louyu's benchmark harness: every speed and memory goal as a ratio against a baseline measured
in the same run (issue 6; definitions in ../shared/reference/performance.md §7)."""

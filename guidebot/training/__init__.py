"""Training-time tools (need the `[train]` extra); nothing here is imported on the `ask` path."""

"""The bench: measure models on local data, check their claims, write reports."""

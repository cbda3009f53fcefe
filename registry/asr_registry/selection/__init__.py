"""Ranking catalog models for a request (languages, domain, quality, data size, GPU)."""

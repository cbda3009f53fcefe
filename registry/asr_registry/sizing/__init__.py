"""The one answer to "how much memory does this model need, and which batch size do I run":
used by `select`, `transcribe`, `bench` and the integrations alike."""

"""The plugin system: hook specifications, the plugin manager (entry points, load order,
one broken plugin warns and never kills the CLI) and the default plugins shipped here."""

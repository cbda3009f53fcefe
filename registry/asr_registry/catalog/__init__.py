"""The catalog: its schema, reading and writing TOML, validation, languages, the parse cache,
the cross-check against NeMo's own model list, and the catalog data shipped with the package
(`models.toml`, `architectures.toml`). Imports nothing above `errors`."""

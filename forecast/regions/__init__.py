"""Prefecture bundles a local bureau can build: forecast init-region."""

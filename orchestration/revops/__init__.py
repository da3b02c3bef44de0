"""RevOps warehouse: the project Python (generator, loader, identity, quality, forecast, playbooks)."""

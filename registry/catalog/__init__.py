"""The service layer over the catalog: variants, lineage, registration of checkpoints,
organisations and deployments."""

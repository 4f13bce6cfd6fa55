"""The service layer over the catalog: variants, lineage, organisations, deployments."""

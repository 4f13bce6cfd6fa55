"""Renderers that turn catalog data into documents (CycloneDX ML-BOM) and write them."""

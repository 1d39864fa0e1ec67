"""Ingestion: read report files, recover their paragraph structure, describe them."""

"""Generating workbooks: the template spec, writer, identity and batches."""

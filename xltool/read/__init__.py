"""Opening returned files safely and reading them into a typed model."""

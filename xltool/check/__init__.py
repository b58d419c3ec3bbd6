"""Rules, checks and the report model of a batch."""

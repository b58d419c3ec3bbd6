"""Checks, registered by name for the rule sets. Importing this package registers them all."""
from . import (batch, budget, completeness, dept, indicators, plan, previous,  # noqa: F401
               review, structure)
from .registry import CHECKS, CheckDef, Finding  # noqa: F401

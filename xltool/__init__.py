"""xltool: county budget performance-target workbooks (预算项目绩效目标表)."""

__version__ = "0.1.0"

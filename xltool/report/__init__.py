"""What a check run writes: annotated copies, the summary workbook, terminal and JSON output."""

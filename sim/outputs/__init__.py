"""What a user opens: run folders, tables, figures and reports. The only place that draws."""

"""The model as plain data: calendar, procedure catalogue, units, structures and the validated scenario."""

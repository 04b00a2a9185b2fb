"""The case core: units, staff, cases, their workflow and legal deadlines."""

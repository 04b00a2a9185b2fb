"""Statistics, exports and report drafts built from the cases."""

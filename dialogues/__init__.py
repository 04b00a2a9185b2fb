"""Meetings with citizens and voters; their items become cases."""

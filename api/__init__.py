"""The REST API (DRF only): serializers, views, filters, error handling."""

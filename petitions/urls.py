"""URLs of the reception desk."""

urlpatterns: list = []

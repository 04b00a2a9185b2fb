"""The project's URLs with the meeting pages and endpoints mounted, until
``config.urls`` and ``api.urls`` include them (the same lines, see the
report of issue 6)."""

from django.urls import include, path

from api import urls as api_urls
from api.views import meetings
from config.urls import urlpatterns as project_patterns

meeting_api_patterns = [
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting-list"),
    path(
        "meetings/<int:pk>/",
        meetings.MeetingDetailView.as_view(),
        name="meeting-detail",
    ),
    path(
        "meetings/<int:pk>/transition/",
        meetings.MeetingTransitionView.as_view(),
        name="meeting-transition",
    ),
    path(
        "meetings/<int:pk>/publish/",
        meetings.MeetingPublishView.as_view(),
        name="meeting-publish",
    ),
    path(
        "meetings/<int:pk>/items/",
        meetings.MeetingItemListView.as_view(),
        name="meeting-items",
    ),
    path(
        "meetings/<int:pk>/items/convert/",
        meetings.MeetingItemsConvertView.as_view(),
        name="meeting-items-convert",
    ),
    path(
        "meetings/<int:pk>/items/merge/",
        meetings.MeetingItemsMergeView.as_view(),
        name="meeting-items-merge",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/answer/",
        meetings.MeetingItemAnswerView.as_view(),
        name="meeting-item-answer",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/hot-spot/",
        meetings.MeetingItemHotSpotView.as_view(),
        name="meeting-item-hot-spot",
    ),
]

api_patterns = [path("v1/", include(meeting_api_patterns)), *api_urls.urlpatterns]

urlpatterns = [
    path("doi-thoai/", include("dialogues.urls")),
    path("api/", include((api_patterns, "api"))),
    *[
        pattern
        for pattern in project_patterns
        if str(getattr(pattern, "pattern", "")) != "api/"
    ],
]

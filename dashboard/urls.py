from django.contrib import admin
from django.urls import include, path

from dashboard.api import api
from dashboard.password_reset import ThrottledPasswordResetView
from dashboard.views.gate import gate_badge
from dashboard.views.webhooks import receive

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("badge/<str:token>.svg", gate_badge, name="gate_badge"),
    path("hooks/<slug:slug>/", receive, name="webhook"),
    path("", include("dashboard.web_urls")),
]

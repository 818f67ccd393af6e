from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("unefois.exchange.urls")),
    path("tiersdecl/v1/paje/", include("unefois.api.urls")),
    path("parcours/", include("unefois.journeys.capture.urls")),
    path("", include("unefois.login.urls")),
    path("", include("unefois.www.urls")),
]

if "unefois.devidp" in settings.INSTALLED_APPS:  # dev and test settings only
    urlpatterns.insert(1, path("fc-dev/", include("unefois.devidp.urls")))

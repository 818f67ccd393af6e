"""The third-party declaration API under /tiersdecl/v1/paje/ (see ``tierce.py``): included once
by config/urls.py."""

from django.urls import path

from .tierce import api

urlpatterns = [path("", api.urls)]

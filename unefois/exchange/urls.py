"""The partner API under /api/ (see ``api.py``): included once by config/urls.py."""

from django.urls import path

from .api import api

urlpatterns = [path("", api.urls)]

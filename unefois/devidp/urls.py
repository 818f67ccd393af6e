"""Mounted under ``/fc-dev/`` by the dev and test settings only (see ``config/urls.py``)."""

from django.urls import path

from . import views

app_name = "devidp"

urlpatterns = [
    path("", views.index, name="index"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("authorize", views.authorize, name="authorize"),
    path("token", views.token, name="token"),
    path("jwks", views.jwks, name="jwks"),
    path("userinfo", views.userinfo, name="userinfo"),
    path("logout", views.logout, name="logout"),
]

from django.urls import path

from . import views

app_name = "login"

urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("connexion/retour/", views.callback, name="callback"),
    path("deconnexion/", views.sign_out, name="sign_out"),
]

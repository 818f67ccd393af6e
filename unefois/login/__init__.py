"""Sign-in with OpenID Connect, as FranceConnect does it (``/connexion/``, ``/deconnexion/``)."""

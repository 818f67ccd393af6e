"""A development OpenID Connect provider that behaves like FranceConnect v2.

Only installed by the dev and test settings, mounted under ``/fc-dev/``. It lets the real
sign-in protocol (authorization code + PKCE, signed ID token and userinfo, end session) run end
to end on a laptop and in tests, with demo identities instead of real accounts.
"""

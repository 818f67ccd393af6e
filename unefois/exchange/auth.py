"""How a partner's call is authenticated, for every API that partners call (the partner API,
the third-party declaration API): the bearer access token (``tokens.validate``), then the
client's rate limit. Each API turns ``RateLimitedError`` into its own 429 answer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from . import ratelimit, tokens


class RateLimitedError(Exception):
    """The client has no request left: ``wait`` seconds until the next one."""

    def __init__(self, wait: float):
        self.wait = wait


class PartnerToken(HttpBearer):
    """A bearer access token issued by our token endpoint; then the client's rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> tokens.Caller | None:
        try:
            caller = tokens.validate(request, token)
        except tokens.InvalidTokenError:
            return None
        wait = ratelimit.take(caller.partner)
        if wait:
            raise RateLimitedError(wait)
        return caller

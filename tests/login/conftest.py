"""A browser for the sign-in tests: ``requests`` against ``live_server``, where the client
(``/connexion/``) and the development provider (``/fc-dev/``) both run, over real HTTP."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Browser:
    base: str
    session: requests.Session

    def get(self, path_or_url: str, **kwargs) -> requests.Response:
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        return self.session.get(url, allow_redirects=False, timeout=30, **kwargs)

    def follow(self, response: requests.Response, limit: int = 10) -> requests.Response:
        """Follow redirects (as a browser would) and return the first non-redirect answer."""
        for _ in range(limit):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            response = self.get(response.headers["Location"])
        raise AssertionError("too many redirects")

    def submit(self, page: requests.Response, data: dict) -> requests.Response:
        """Post a form of ``page`` back to the page's own address, with its CSRF token."""
        token = CSRF.search(page.text)
        assert token, "no CSRF token in the page"
        return self.session.post(
            page.url,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            allow_redirects=False,
            timeout=30,
        )

    def open_provider_page(self, path: str = "/connexion/") -> requests.Response:
        """Start the sign-in and arrive on the provider's identity picker."""
        page = self.follow(self.get(path))
        assert page.status_code == 200, page.text
        assert "/fc-dev/authorize?" in page.url
        return page

    def pick(self, sub: str, path: str = "/connexion/") -> requests.Response:
        """Sign in with a provider identity; returns the provider's redirect to our callback."""
        answer = self.submit(self.open_provider_page(path), {"identite": sub})
        assert answer.status_code == 302, answer.text
        assert "/connexion/retour/?" in answer.headers["Location"]
        return answer

    def sign_in(self, sub: str, path: str = "/connexion/") -> requests.Response:
        """The whole sign-in; returns our callback's answer (a redirect when all went well)."""
        return self.get(self.pick(sub, path).headers["Location"])


def text(response: requests.Response) -> str:
    """What a person reads on the page (entities such as &#x27; turned back into characters)."""
    return html.unescape(response.text)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def browser(live_server):
    with requests.Session() as session:
        yield Browser(live_server.url, session)

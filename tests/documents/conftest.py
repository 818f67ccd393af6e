import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader

from . import samples


def normalise(text: str) -> str:
    """One space between words, whatever the spaces (no-break, narrow, new lines) were."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def fr(amount) -> str:
    """An amount written the French way, independently of the code under test."""
    return f"{amount:,.2f} €".replace(",", " ").replace(".", ",")


BLOCKS = frozenset(
    [
        "address",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "h1",
        "h2",
        "h3",
        "header",
        "li",
        "main",
        "p",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


class _Text(HTMLParser):
    """The visible text of an HTML page (entities decoded, style and comments left out), and
    the attributes of its elements."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


class Page:
    def __init__(self, html: str):
        parser = _Text()
        parser.feed(html)
        self.html = html
        self.text = normalise("".join(parser.parts))
        self.elements = parser.elements

    def has(self, needle: str) -> bool:
        return normalise(needle) in self.text


class Pdf:
    def __init__(self, content: bytes):
        assert content.startswith(b"%PDF-"), "not a PDF"
        self.reader = PdfReader(BytesIO(content))
        self.text = normalise(" ".join(page.extract_text() for page in self.reader.pages))

    def has(self, needle: str) -> bool:
        return normalise(needle) in self.text


def check_page(page: Page) -> None:
    """What every document's HTML must have: French, a title, headings, scoped headers."""
    assert re.search(r'<html lang="fr">', page.html)
    assert "<title>" in page.html
    assert any(tag == "h1" for tag, _ in page.elements)
    headers = [attrs for tag, attrs in page.elements if tag == "th"]
    assert headers, "no table header"
    assert all(attrs.get("scope") in ("col", "row", "rowgroup") for attrs in headers)


def check_pdf(pdf: Pdf) -> None:
    """A real A4 PDF, with its title in the metadata."""
    box = pdf.reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert pdf.reader.metadata.title


@pytest.fixture(scope="module")
def example_slip():
    return samples.example_slip()


@pytest.fixture(scope="module")
def final_slip():
    return samples.final_slip()

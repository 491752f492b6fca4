"""Text normalisation: whatever a source sends (HTML, entities, odd whitespace) to clean text.

``clean_text`` is what every connector applies to bodies and titles: markup becomes text
(block elements become line breaks, ``<br>`` too), ``<script>``, ``<style>`` and similar
containers are dropped with their content, entities are decoded (also double-encoded ones
like ``&amp;eacute;``, common in feeds), control characters go, runs of spaces collapse,
at most one blank line is kept, and the result is cut at ``max_chars`` on a word boundary.
It never raises on any string.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

_DROPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
_BLOCKS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "section", "article", "header", "footer", "hr", "dd", "dt", "figcaption",
})
_MARKUP = re.compile(r"<[a-zA-Z/!?]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")
_AROUND_NEWLINES = re.compile(r" *\n *")
# Control characters other than tab and newline, and the Unicode "format" noise feeds carry.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ufffe\uffff]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROPPED:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self._hidden:
                self.parts.append(f" {alt} ")  # an emoji image's alt is its text

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _DROPPED:  # <br/>, <img/>: same as open; a self-closed <script/> hides nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, entities decoded, layout not yet normalised."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but a text must never crash a worker
        return _unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.parts)
    # The parser decoded one level; a second covers entities escaped once too often.
    return html.unescape(text) if "&" in text else text


def _unescape(text: str) -> str:
    # Twice at most: "&amp;eacute;" (escaped once too often) is common in feeds; a third
    # level is rare, and decoding it would risk turning literal text into characters.
    once = html.unescape(text)
    return html.unescape(once) if "&" in once and once != text else once


def normalise_whitespace(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    text = _SPACES.sub(" ", text)
    text = _AROUND_NEWLINES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def cap(text: str, max_chars: int) -> str:
    """Cut at ``max_chars``, on the last space of the final fifth when there is one."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max_chars - max_chars // 5)
    return (cut[:space] if space > 0 else cut).rstrip()


def clean_text(value: str | None, max_chars: int = 20_000) -> str:
    """Clean text from an HTML fragment or plain text (see the module docstring)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = html_to_text(text) if _MARKUP.search(text) else _unescape(text)
    return cap(normalise_whitespace(text), max_chars)

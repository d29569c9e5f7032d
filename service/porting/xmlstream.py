"""Streaming, defused XML: records come out one by one, with the line they started on.

defusedxml's iterparse refuses DTDs (so no billion laughs), entities and external
references; finished records are detached from their parent, so memory stays flat however
large the file is. Element tags are compared by local name: exports differ in namespaces
(WordPress 1.0-1.2, Disqus with or without its default namespace).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from service.porting.records import ImportFailed


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(element: Element, name: str) -> Element | None:
    for sub in element:
        if local(sub.tag) == name:
            return sub
    return None


def text_of(element: Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def attribute(element: Element | None, name: str) -> str:
    if element is None:
        return ""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return ""


class _LineRecordingBuilder(TreeBuilder):
    """Remembers the line each record element starts on, for messages about it."""

    def __init__(self, record_tags: frozenset[str]):
        super().__init__()
        self.record_tags = record_tags
        self.expat = None
        self.lines: dict[int, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        if self.expat is not None and local(tag) in self.record_tags:
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


def stream_records(
    source: IO[bytes], record_tags: frozenset[str]
) -> Iterator[tuple[Element, Callable[[Element], int]]]:
    """Yield (element, line_of) for every outermost element named in record_tags, then drop
    it; line_of(e) is the line any record element inside it (or itself) started on."""
    builder = _LineRecordingBuilder(record_tags)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    open_elements: list[Element] = []
    try:
        for event, element in iterparse(source, events=("start", "end"), parser=parser):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            if local(element.tag) not in record_tags:
                continue
            # A record nested in another record (a WordPress comment in its item) is left
            # for the outer one to read.
            if any(local(outer.tag) in record_tags for outer in open_elements):
                continue
            yield element, lambda found: builder.lines.get(id(found), 0)
            if open_elements:
                open_elements[-1].remove(element)
            for done in element.iter():
                builder.lines.pop(id(done), None)
    except DefusedXmlException as error:
        raise ImportFailed(
            f"refused: the file declares a DTD, entities or external references ({error}); "
            "comment exports never need them and they are how XML bombs work"
        ) from None
    except ParseError as error:
        line, column = error.position
        raise ImportFailed(f"line {line}, column {column}: not well-formed XML ({error})") from None

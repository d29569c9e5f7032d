"""The demo blog post, parsed from the seed text into headings, paragraphs and lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SEED = Path(__file__).with_name("seed_post.txt")
# The seed was copied from a Blogger page: its share menu and comment footer are chrome.
CHROME_LINES = {"Get link", "X", "Other Apps", "Comments", "Post a Comment"}


@dataclass(frozen=True)
class Block:
    kind: str  # "h2", "p" or "ul"
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoPost:
    title: str
    summary: str
    blocks: tuple[Block, ...]
    tags: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""


def _is_heading(line: str) -> bool:
    return len(line) < 60 and not line.endswith((".", ":", '"', "?", "!"))


def parse_post(text: str) -> DemoPost:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and line.lstrip("- ") not in CHROME_LINES]
    title, body = lines[0], lines[1:]
    blocks: list[Block] = []
    tags: tuple[str, ...] = ()
    source = ""
    for line in body:
        if line.startswith("Tags:"):
            tags = tuple(tag.strip() for tag in line.removeprefix("Tags:").split(","))
        elif line.startswith("Source:"):
            source = line.removeprefix("Source:").strip()
        elif line.startswith("- "):
            if blocks and blocks[-1].kind == "ul":
                blocks[-1] = Block("ul", items=blocks[-1].items + (line[2:],))
            else:
                blocks.append(Block("ul", items=(line[2:],)))
        elif _is_heading(line):
            blocks.append(Block("h2", text=line))
        else:
            blocks.append(Block("p", text=line))
    summary = next(block.text for block in blocks if block.kind == "p")
    return DemoPost(title=title, summary=summary, blocks=tuple(blocks), tags=tags, source=source)


@lru_cache(maxsize=1)
def demo_post() -> DemoPost:
    return parse_post(SEED.read_text(encoding="utf-8"))

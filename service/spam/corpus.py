"""Labelled training data: CSV files of (text, class[, source]) rows as the corpora ship them."""

from __future__ import annotations

import csv
from pathlib import Path

from service.spam.model import HAM, SPAM, Example

# The YouTube Spam Collection's own files write the class as 1 (spam) and 0 (ham).
_LABEL_NAMES = {SPAM: SPAM, HAM: HAM, "1": SPAM, "0": HAM}


def read_csv(path: str | Path) -> list[Example]:
    """Rows of a `text,label[,source…]` CSV; raises ValueError on a bad header, label or row.

    Header names are matched without regard to case or surrounding spaces, and a byte-order
    mark (spreadsheet exports) is ignored; labels are spam/ham (or 1/0), any case.
    """
    # utf-8-sig: a spreadsheet's byte-order mark would otherwise glue itself to "text".
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lower() for name in next(reader, [])]
            if not {"text", "label"} <= set(header):
                raise ValueError(f"{path}: the header must contain text and label")
            rows = []
            for row in reader:
                if not row:
                    continue
                # A short row reads as empty cells; its label then gets the error below.
                cells = dict(zip(header, row, strict=False))
                raw = cells.get("label", "").strip().lower()
                if raw not in _LABEL_NAMES:
                    raise ValueError(
                        f"{path}:{reader.line_num}: label must be spam or ham, not {raw!r}"
                    )
                rows.append(
                    Example(
                        cells.get("text", ""), _LABEL_NAMES[raw], cells.get("source", "").strip()
                    )
                )
        except csv.Error as error:
            raise ValueError(
                f"{path}:{reader.line_num}: not a readable CSV row ({error})"
            ) from None
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not UTF-8 text (save the file as UTF-8)") from None
    return rows

"""Write the public replay streams of docs/spam.md from ../shared/data/spam into a folder.

    python scripts/spam_streams.py /tmp/streams
    flask spam replay --train /tmp/streams/sms.csv --stream /tmp/streams/youtube.csv --json

- `sms.csv`, `youtube.csv`: the SMS rows and the three videos of train.csv (SMS → YouTube
  and YouTube → SMS, each a new medium for a model trained on the other).
- `citing_start.csv` / `citing_stream.csv`: a blog whose readers cite links. The model
  starts from SMS + psy + katyperry; the stream is ham_links.csv (2,000 citing comments,
  Stack Exchange, CC BY-SA: see ../shared/data/spam/README.md) with the lmfao video's spam
  spread evenly through it (one spam every ~14 comments), which that start never saw.
The files are derived from the shared data and are not committed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "spam"


def read(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label", "source"])
        writer.writeheader()
        writer.writerows({key: row[key] for key in ("text", "label", "source")} for row in rows)
    print(f"{path}: {len(rows)} rows")


def interleave(hams: list[dict], spams: list[dict]) -> list[dict]:
    """Spam spread evenly through the ham, order kept in both."""
    stream, step = [], len(hams) / (len(spams) + 1)
    spam_at = [round(step * (i + 1)) for i in range(len(spams))]
    pending = list(spams)
    for index, ham in enumerate(hams):
        while pending and spam_at[len(spams) - len(pending)] == index:
            stream.append(pending.pop(0))
        stream.append(ham)
    return stream + pending


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    corpus = read("train.csv")
    write(out / "sms.csv", [r for r in corpus if r["source"] == "sms"])
    write(out / "youtube.csv", [r for r in corpus if r["source"] != "sms"])
    write(out / "citing_start.csv", [r for r in corpus if r["source"] != "lmfao"])
    lmfao_spam = [r for r in corpus if r["source"] == "lmfao" and r["label"] == "spam"]
    write(out / "citing_stream.csv", interleave(read("ham_links.csv"), lmfao_spam))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "streams"))

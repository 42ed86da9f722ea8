"""Put the tables of the last runs (bench/results/*.md) into docs/performance.md, between the
results markers; the prose around them is kept."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def main() -> None:
    parts = []
    for name, title in (("postgresql", "PostgreSQL"), ("sqlite", "SQLite")):
        path = ROOT / "bench" / "results" / f"{name}.md"
        if path.exists():
            parts.append(f"### {title}\n\n{path.read_text().strip()}\n")
    text = DOC.read_text()
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n\n" + "\n".join(parts) + f"\n{END}{tail}")
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()

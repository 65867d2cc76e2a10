"""CSV import throughput and memory on SQLite and PostgreSQL.

Generates a realistic CSV (`--rows`, default 100,000: Apollo-style headers, 5 % invalid
emails, 2 % in-file duplicates, 20,000 companies), then imports it into a freshly migrated
database per backend, each in its own process so its peak resident memory is its own.
Prints rows/s (fresh import, then the same file again: all unchanged) and peak RSS.
Targets: ≥ 20,000 rows/s on PostgreSQL, ≥ 10,000 on SQLite; a 1,000,000-row file under
300 MB resident (`--rows 1000000`).

`python bench/import.py [--rows N] [--backends sqlite,postgresql]`; figures also go to
`bench/results/import.json`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue`: take the script's folder out.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import asyncio
import json
import random
import resource
import subprocess
import tempfile
import time
import uuid

RESULTS = Path(__file__).resolve().parent / "results" / "import.json"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HEADER = (
    "First Name,Last Name,Title,Company,Email,Email Status,Seniority,Website,City,Country,"
    "# Employees\n"
)


def generate(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for index in range(rows):
            person = index if rng.random() > 0.02 else rng.randrange(max(index, 1))
            company = person % 20_000
            email = f"person{person}@company{company}.com"
            if rng.random() < 0.05:
                email = f"person{person} at company{company}"
            out.write(
                f'First{person},Last{person},"VP, Sales",Company {company},{email},verified,'
                f"vp,https://www.company{company}.com,Paris,France,{rng.randrange(10, 5000)}\r\n"
            )


async def child(backend: str, csv_path: Path) -> dict[str, float]:
    from salesauto.imports.service import import_csv
    from salesauto.kit.db import create_engine
    from salesauto.kit.migrate import upgrade_to_head

    if backend == "postgresql":
        import asyncpg

        name = f"salesauto_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    else:
        folder = tempfile.mkdtemp()
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
    await asyncio.to_thread(upgrade_to_head, url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        first = await import_csv(engine, "default", csv_path)
        fresh = time.perf_counter() - started
        started = time.perf_counter()
        again = await import_csv(engine, "default", csv_path)
        repeat = time.perf_counter() - started
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
    assert again.created == 0, "re-importing the same file created contacts"
    return {
        "rows": first.rows_read,
        "created": first.created,
        "duplicates": first.duplicates,
        "rejected": first.rejected,
        "fresh_rows_per_s": first.rows_read / fresh,
        "again_rows_per_s": again.rows_read / repeat,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = asyncio.run(child(args.child[0], Path(args.child[1])))
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "leads.csv"
        print(f"generating {args.rows:,} rows…", file=sys.stderr)
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        results: dict[str, dict[str, float]] = {}
        for backend in args.backends.split(","):
            print(f"importing into {backend}…", file=sys.stderr)
            output = subprocess.run(
                [sys.executable, __file__, "--child", backend, str(csv_path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[backend] = json.loads(output.strip().splitlines()[-1])
    print(f"{args.rows:,} rows, {size_mb:.1f} MB")
    print(
        f"{'backend':<11} {'fresh rows/s':>13} {'again rows/s':>13} {'peak RSS MB':>12} "
        f"{'created':>9} {'duplicates':>10} {'rejected':>9}"
    )
    for backend, r in results.items():
        print(
            f"{backend:<11} {r['fresh_rows_per_s']:>13,.0f} {r['again_rows_per_s']:>13,.0f} "
            f"{r['peak_rss_mb']:>12.0f} {r['created']:>9,.0f} {r['duplicates']:>10,.0f} "
            f"{r['rejected']:>9,.0f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": args.rows, "results": results}, indent=2))


if __name__ == "__main__":
    main()

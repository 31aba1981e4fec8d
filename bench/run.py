"""Every benchmark in one go (`make bench`): generate the data set when the database does not hold it,
then run the list, other lists, search, paging, case page, annual report, import, PDF and load benchmarks (the
list page under gunicorn; an office's caseworkers at once) with moderate round counts. The import benchmark writes
into a scratch database of its own (see bench/import_vs_executemany.py) and does not depend on --size.

    .venv/bin/python -m bench.run --size 100000                      # SQLite file under /tmp
    .venv/bin/python -m bench.run --size 100000 \\
        --database-url postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_bench

The database is the benchmarks' own and is replaced when it holds another size. Figures are printed,
never judged.
"""
import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    annual_report,
    detail,
    generate,
    import_vs_executemany,
    list_vs_raw,
    lists,
    load_list,
    load_office,
    paging,
    pdf,
    search,
)
from bench.harness import default_url, held_size, load_average  # noqa: E402

STEPS = ["list", "lists", "search", "paging", "detail", "annual", "import", "pdf", "load", "office"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: an SQLite file /tmp/helsesak-bench-<size>.db")
    parser.add_argument("--rounds", type=int, default=100, help="rounds of the request benchmarks")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="length of each load phase")
    parser.add_argument("--office-seconds", type=float, default=30.0,
                        help="how long the office's caseworkers work (8 on SQLite with flask run, 32 on PostgreSQL "
                             "with gunicorn)")
    parser.add_argument("--annual-rounds", type=int, default=21, help="rounds of the annual report benchmark")
    parser.add_argument("--import-size", type=int, default=100_000, help="applications in the import file")
    parser.add_argument("--import-rounds", type=int, default=3, help="rounds of the import benchmark")
    parser.add_argument("--skip", action="append", default=[], choices=STEPS, help="leave a benchmark out")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)
    started = time.perf_counter()
    if held_size(url) != args.size:
        generate.main(["--size", str(args.size), "--database-url", url, "--replace"])
    common = ["--database-url", url]
    steps = {
        "list": lambda: list_vs_raw.main([*common, "--rounds", str(args.rounds)]),
        "lists": lambda: lists.main([*common, "--rounds", str(args.rounds)]),
        "search": lambda: search.main([*common, "--rounds", str(args.rounds)]),
        "paging": lambda: paging.main([*common, "--rounds", str(max(10, args.rounds // 2))]),
        "detail": lambda: detail.main([*common, "--rounds", str(args.rounds)]),
        "annual": lambda: annual_report.main([*common, "--rounds", str(args.annual_rounds),
                                              "--region", "helse-nord"]),
        "import": lambda: import_vs_executemany.main([*common, "--size", str(args.import_size),
                                                      "--rounds", str(args.import_rounds)]),
        "pdf": lambda: pdf.main([*common, "--rounds", str(max(5, args.rounds // 5))]),
        "load": lambda: load_list.main([*common, "--phase-seconds", str(args.load_seconds), "--phases", "2"]),
        "office": lambda: load_office.main([*common, "--seconds", str(args.office_seconds)]),
    }
    for name, step in steps.items():
        if name in args.skip:
            continue
        print(f"\n===== {name} (load average {load_average()} on {os.cpu_count()} CPUs) =====", flush=True)
        begun = time.perf_counter()
        step()
        print(f"  ({name}: {time.perf_counter() - begun:.0f} s; load average now {load_average()})", flush=True)
    print(f"\nbench: done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

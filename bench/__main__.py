"""`python -m bench generate|check|build|run`: the synthetic national corpus, the build benchmark and the
whole benchmark (build, rebuild, serving under load, baselines: one table, bench/RESULTS.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parent / "corpus"


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return args.run(args)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("generate", help="write a synthetic corpus (sources/ with sidecars, truth.json)")
    p.add_argument("--scale", type=float, default=0.01, help="1.0 = all ~2,477 gminas")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--jobs", type=int, default=1, help="worker processes (the output does not depend on it)")
    p.set_defaults(run=run_generate)

    p = sub.add_parser("check", help="read every document with the loaders and compare with truth.json")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.set_defaults(run=run_check)

    p = sub.add_parser("build", help="generate corpora and benchmark `build` on each")
    p.add_argument("--scales", default="0.001,0.01")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--corpus-root", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--results", type=Path, default=None, help="also write the Markdown here")
    p.add_argument("--profile", action="store_true", help="profile the builds with cProfile")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per build")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator worker processes")
    p.set_defaults(run=run_build)

    p = sub.add_parser("build-child", help=argparse.SUPPRESS)
    p.add_argument("--sources", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--cache", type=Path, default=None, help="the reading cache, as `kompetencje build` keeps it")
    p.add_argument("--previous", type=Path, default=None,
                   help="the build to patch incrementally, as `kompetencje build` patches the current one")
    p.set_defaults(run=run_build_child)

    from bench.inprocess import add_child_parser as add_inprocess_child
    from bench.profile_app import add_child_parser as add_profile_child
    from bench.run import add_run_parser

    add_run_parser(sub)
    add_inprocess_child(sub)
    add_profile_child(sub)
    return parser


def run_generate(args: argparse.Namespace) -> int:
    from bench.generate import generate_corpus

    summary = generate_corpus(args.scale, args.seed, args.out, jobs=args.jobs)
    print(f"{summary.documents} documents ({summary.bytes / 1e6:.1f} MB) for {summary.gminas} gminas in "
          f"{summary.seconds:.2f} s ({summary.documents_per_second:.0f} documents/s) -> {args.out}")
    print("  " + ", ".join(f"{kind}: {n}" for kind, n in sorted(summary.by_kind.items())))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from bench.truth import check_corpus

    differences = check_corpus(args.corpus)
    for doc_id, problems in differences.items():
        print(doc_id, file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    print(f"{len(differences)} document(s) read differently from their truth")
    return 1 if differences else 0


def run_build(args: argparse.Namespace) -> int:
    from bench.build_bench import parent_main

    return parent_main(args)


def run_build_child(args: argparse.Namespace) -> int:
    from bench.build_bench import child_main

    return child_main(args)


if __name__ == "__main__":
    sys.exit(main())

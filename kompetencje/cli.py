"""`kompetencje`: build, validate, query, inspect and serve the graph.

Exit codes (one place): 0 ok, 1 validation failed, 2 bad input or usage, 3 store error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from kompetencje.errors import InputError, KompetencjeError, QueryError, StoreError, ValidationFailed

DEFAULT_DATA = Path(os.environ.get("KOMPETENCJE_DATA_DIR", "data"))
DEFAULT_BASE = os.environ.get("KOMPETENCJE_BASE_IRI", "https://w3id.org/kompetencje/id/")
err = Console(stderr=True)
out = Console()


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args) or 0
    except ValidationFailed as error:
        print(f"validation failed: {error.message}\n{error.report}", file=sys.stderr)
        return error.exit_code
    except KompetencjeError as error:
        print(f"error: {error.describe()}", file=sys.stderr)
        return error.exit_code


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kompetencje", description=__doc__)
    sub = parser.add_subparsers(title="commands")
    add_build(sub)
    add_validate(sub)
    add_query(sub)
    add_inspect(sub)
    add_serve(sub)
    add_load(sub)
    add_eval_search(sub)
    return parser


def add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (sources/ in, build/ out)")
    p.add_argument("--base-iri", default=DEFAULT_BASE, help="base of resource IRIs")


def add_build(sub) -> None:
    p = sub.add_parser("build", help="build the reasoned, validated graph from data/sources")
    add_data_options(p)
    p.add_argument("--keep-going", action="store_true", help="skip unreadable documents instead of stopping")
    p.add_argument("--full", action="store_true",
                   help="build every document again instead of patching the current build for what changed")
    p.set_defaults(run=run_build)


def add_validate(sub) -> None:
    p = sub.add_parser("validate", help="read, reason and validate the sources without writing anything")
    add_data_options(p)
    p.set_defaults(run=run_validate)


def add_query(sub) -> None:
    p = sub.add_parser("query", help="run a SPARQL query on the built store")
    p.add_argument("query", help="SPARQL text, or @FILE to read it from a file")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(run=run_query)


def add_inspect(sub) -> None:
    p = sub.add_parser("inspect", help="show what a loader recognises in one document")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(run=run_inspect)


def add_serve(sub) -> None:
    p = sub.add_parser("serve", help="serve the built store: SPARQL, JSON API, linked data, pages")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--build", action="store_true", help="build first")
    p.add_argument("--base-iri", default=DEFAULT_BASE)
    p.add_argument("--store", default=os.environ.get("KOMPETENCJE_STORE"),
                   help="the store to serve: a folder (default: DATA/build/store) or a SPARQL 1.1 server, "
                        "sparql+https://host/path/query (docs/scaling.md)")
    p.set_defaults(run=run_serve)


def add_load(sub) -> None:
    p = sub.add_parser("load", help="publish the built store to a remote SPARQL store (Graph Store Protocol)")
    p.add_argument("--store", required=True, help="sparql+http(s)://host/path: the server's root or query endpoint")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--graph-store", help="the Graph Store Protocol endpoint (default: {root}/store, as oxigraph)")
    p.add_argument("--no-default-graph", action="store_true",
                   help="do not send the union default graph (the server answers from the union itself)")
    p.add_argument("--keep-other-graphs", action="store_true",
                   help="keep the server's named graphs that the build does not have")
    p.set_defaults(run=run_load)


def add_eval_search(sub) -> None:
    p = sub.add_parser("eval-search", help="score competence search on judged queries (nDCG@10, MRR)",
                       add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER, help="arguments of the evaluator (--help lists them)")
    p.set_defaults(run=run_eval_search)


def run_eval_search(args: argparse.Namespace) -> int:
    from kompetencje.search.evaluate import main as evaluate

    return evaluate(args.rest)


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description:<40}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True)


def run_build(args: argparse.Namespace) -> int:
    from kompetencje.loaders.ingest import rebuild

    with progress_bar() as bar:
        task = bar.add_task("build", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        # a new build generation, swapped in atomically (a running server picks it up; loaders/ingest.py)
        result = rebuild(args.data, base_iri=args.base_iri, keep_going=args.keep_going, progress=report,
                         full=args.full).result
    for failure in result.failures:
        print(f"skipped: {failure.describe()}", file=sys.stderr)
    for difference in result.disagreements:
        print(f"sources disagree: {difference.describe()}", file=sys.stderr)
    print_summary(result)
    return 0


def print_summary(result) -> None:
    warnings = result.warnings
    redone = f" ({len(result.documents)} read and graphed again)" if result.kept else ""
    table = Table(title=f"kompetencje build: {result.document_count} documents{redone} in {result.seconds:.1f} s")
    for column in ("municipalities", "departments", "units", "posts", "duties", "sub-items", "links",
                   "warnings", "quads"):
        table.add_column(column, justify="right")
    c = result.counts
    table.add_row(*(str(v) for v in (
        c.get("offices", 0), c.get("departments", 0), c.get("units", 0), c.get("posts", 0),
        c.get("duties", 0), c.get("subitems", 0), c.get("reporting_lines", 0) + c.get("cooperation_links", 0),
        warnings, c.get("quads", 0))))
    out.print(table)
    out.print(f"written: {result.out_dir}/store, dataset.trig, report.json, search/")


def run_validate(args: argparse.Namespace) -> int:
    from kompetencje.loaders.pipeline import check_sources

    result = check_sources(args.data / "sources", base_iri=args.base_iri)  # builds in a scratch folder
    out.print(f"[green]{len(result.documents)} documents conform to the shapes[/]")
    return 0


def read_query_text(text: str) -> str:
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InputError("no such query file", source=str(path))
        return path.read_text(encoding="utf-8")
    return text


def open_store(data: Path):
    import pyoxigraph as ox

    folder = data / "build" / "store"
    if not folder.is_dir():
        raise StoreError("no built store: run `kompetencje build` first", source=str(folder))
    try:
        return ox.Store.read_only(str(folder))
    except OSError as error:
        raise StoreError(f"cannot open the store: {error}", source=str(folder)) from error


def run_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    store = open_store(args.data)
    try:
        result = store.query(read_query_text(args.query))
    except SyntaxError as error:
        raise QueryError(f"malformed SPARQL: {error}") from error
    if isinstance(result, bool):
        print(json.dumps({"boolean": result}) if args.format == "json" else str(result).lower())
    elif isinstance(result, ox.QuerySolutions):
        print_solutions(result, args.format)
    else:
        sys.stdout.write(ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8"))
    return 0


def term_text(term) -> str:
    return "" if term is None else term.value


def print_solutions(solutions, fmt: str) -> None:
    names = [v.value for v in solutions.variables]
    rows = [[term_text(s[n]) for n in names] for s in solutions]
    if fmt == "json":
        print(json.dumps([dict(zip(names, r, strict=True)) for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(rows)
    else:
        table = Table(*names, expand=True)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        out.print(f"{len(rows)} row(s)")


def run_inspect(args: argparse.Namespace) -> int:
    from kompetencje.loaders.golden import document_to_json
    from kompetencje.loaders.pipeline import load_document
    from kompetencje.loaders.profile import render_profile

    if not args.file.is_file():
        raise InputError("no such file", source=str(args.file))
    document = load_document(args.file).document
    if args.json:
        print(json.dumps(document_to_json(document), ensure_ascii=False, indent=1, default=str))
    else:
        out.print(render_profile(document), highlight=False, markup=False)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kompetencje.api.settings import Settings

    if args.build:
        run_build(argparse.Namespace(data=args.data, base_iri=args.base_iri, keep_going=True, full=False))
    store = args.store or str(args.data / "build" / "store")
    overrides = {"data_dir": args.data, "store": store, "base_iri": args.base_iri}
    overrides.update({k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers))
                      if v is not None})
    settings = Settings(**overrides)
    if args.store is None:
        open_store(args.data)
    elif not settings.remote_store:
        check_store_folder(Path(store))
    for key, value in settings.model_dump(exclude_none=True).items():
        if not isinstance(value, dict):
            os.environ[f"KOMPETENCJE_{key.upper()}"] = str(value.get_secret_value() if hasattr(
                value, "get_secret_value") else value)
    out.print(f"serving http://{settings.host}:{settings.port}/ (SPARQL at /sparql, API at /api, docs at /docs)")
    uvicorn.run("kompetencje.api.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, loop="uvloop", http="httptools", log_level="info")
    return 0


def check_store_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise StoreError("no store folder here", source=str(folder))


def run_load(args: argparse.Namespace) -> int:
    from kompetencje.loaders.publish import publish

    with progress_bar() as bar:
        task = bar.add_task("publish", total=None)
        published = publish(args.data / "build" / "store", args.store, graph_store=args.graph_store,
                            default_graph=not args.no_default_graph, prune=not args.keep_other_graphs,
                            progress=lambda step, done, total: bar.update(task, description=step, completed=done,
                                                                          total=total))
    out.print(f"published {published.graphs} named graphs ({published.quads} quads) and "
              f"{published.default_triples} default-graph triples to {published.target}")
    for graph in published.removed:
        out.print(f"removed {graph} (not in the build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

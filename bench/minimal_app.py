"""The web stack's ceiling: one `async def` FastAPI endpoint returning a small orjson body, served by uvicorn
with the settings `kompetencje serve` uses (uvloop, httptools, 2 workers, log level info).

`python -m bench.minimal_app --port 8123`."""

from __future__ import annotations

import argparse

import orjson
from fastapi import FastAPI, Response

PAYLOAD = {"id": "https://w3id.org/kompetencje/id/0000000/bench", "name": "Referat Benchmarku", "kind": "unit"}


def create_app() -> FastAPI:
    app = FastAPI(title="minimal")

    @app.get("/ping")
    async def ping() -> Response:
        return Response(orjson.dumps(PAYLOAD), media_type="application/json")

    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.minimal_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    uvicorn.run("bench.minimal_app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, loop="uvloop", http="httptools", log_level="info")


if __name__ == "__main__":
    main()

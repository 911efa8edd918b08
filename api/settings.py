"""The one settings class: from the environment (KOMPETENCJE_*) or CLI flags."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOMPETENCJE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    base_iri: str = "https://w3id.org/kompetencje/id/"
    data_dir: Path = Path("data")
    store: str = "data/build/store"  # a folder (embedded pyoxigraph) or sparql+http(s)://host/path (remote)
    search_dir: Path | None = None  # with a remote store: a build's saved search/ index (else built at startup)
    query_timeout_s: float = 30.0
    row_cap: int = 100_000
    admin_token: SecretStr | None = None
    public_url: str | None = None  # how clients reach this server, for links in the catalog

    # Query execution
    sparql_workers: int = 2  # processes per server worker running /sparql queries (killed past the timeout)
    query_threads: int = 8  # threads per server worker running the API's own queries
    max_query_bytes: int = 1_000_000  # longest SPARQL text /sparql accepts

    # Limits and operations (api/limits.py, api/middleware.py, api/routers/ops.py)
    max_upload_bytes: int = 20_000_000  # largest uploaded document (413 past it)
    ingest_lock_wait_s: float = 30.0  # how long an ingestion waits for another to finish (then 409)
    generation_poll_s: float = 0.5  # how often a server worker checks data/build/CURRENT for a new build
    sparql_queue: int = 8  # users' queries that may wait for a busy worker; one more is answered 503
    sparql_retry_after_s: int = 5  # Retry-After of that 503
    rate_limit_per_minute: int = 0  # requests a minute per client IP (token bucket); 0 = no limit
    rate_limit_burst: int = 0  # bucket size; 0 = rate_limit_per_minute
    trust_forwarded_for: bool = False  # take the client IP from X-Forwarded-For (behind a trusted proxy)
    json_logs: bool = True  # one JSON line per request on the kompetencje.access logger

    # Dumps: taken from dumps_dir when the build wrote them there, else generated into cache_dir
    dumps_dir: Path | None = None  # default: {data_dir}/build/dumps
    cache_dir: Path | None = None  # default: {data_dir}/build/cache

    # The catalog (DCAT-AP) and the dataset description (VoID)
    publisher_name: str = "Projekt Kompetencje"
    publisher_url: str | None = None
    contact_email: str | None = None
    dataset_issued: date | None = None  # first publication; default: the store's date

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def store_path(self) -> Path:
        return Path(self.store)

    @property
    def remote_store(self) -> bool:
        return self.store.startswith(("sparql+http://", "sparql+https://"))

    @property
    def build_dumps_dir(self) -> Path:
        return self.dumps_dir or self.build_dir / "dumps"

    @property
    def dumps_cache_dir(self) -> Path:
        return (self.cache_dir or self.build_dir / "cache") / "dumps"

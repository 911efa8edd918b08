"""The one settings class: from the environment (KOMPETENCJE_*) or CLI flags."""

from __future__ import annotations

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
    store: str = "data/build/store"  # a folder (embedded pyoxigraph) or sparql+http://host/path (remote)
    query_timeout_s: float = 30.0
    row_cap: int = 100_000
    admin_token: SecretStr | None = None
    public_url: str | None = None  # how clients reach this server, for links in the catalog

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

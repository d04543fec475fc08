"""Paths and knobs, read once from the environment (prefix TOP500_).

Everything lives under one warehouse directory so a test (or a second checkout)
can point TOP500_WAREHOUSE_DIR at a temporary folder and get a private world.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOP500_", frozen=True)

    warehouse_dir: Path = PROJECT_ROOT / "warehouse"
    # The committed snapshot: the default source when no --source is given.
    bundled_dir: Path = PROJECT_ROOT / "warehouse" / "sources"
    dbt_project_dir: Path = PROJECT_ROOT / "dbt_project"
    expectations_dir: Path = PROJECT_ROOT / "expectations"

    # HTTP source (top500.org layout). Credentials only from the environment.
    http_user_agent: str = "top500-warehouse/0.1 (+https://github.com/top500-warehouse)"
    http_connect_timeout_s: float = 5.0
    http_read_timeout_s: float = 60.0
    http_retries: int = 4
    http_backoff_s: float = 0.5
    http_username: str | None = None
    http_password: SecretStr | None = None
    # A body that drips forever must not hang a scheduled run; a list file is ~1 MB.
    http_total_timeout_s: float = 300.0
    http_max_bytes: int = 50_000_000

    # The PostgreSQL copy of each publication, e.g. postgresql://top500_loader@db.example:5432/top500 (unset:
    # none). The password only from PGPASSWORD or PGPASSFILE, which libpq reads itself: a DSN with one is refused.
    postgres_dsn: str | None = None

    # The list calendar is computed for this date (default: today). For backfills and tests.
    as_of_date: date | None = None

    @field_validator("warehouse_dir", "bundled_dir", "dbt_project_dir", "expectations_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """Relative paths are taken from the working directory, once, here (GX and dbt need absolute ones)."""
        return path.expanduser().resolve()

    @field_validator("postgres_dsn")
    @classmethod
    def _unset_when_empty(cls, dsn: str | None) -> str | None:
        return dsn.strip() or None if dsn is not None else None

    @property
    def today(self) -> date:
        return self.as_of_date or date.today()

    @cached_property
    def landing_dir(self) -> Path:
        """Files fetched from a URL or directory, one per list, atomically renamed in."""
        return self.warehouse_dir / "landing"

    @cached_property
    def build_dir(self) -> Path:
        return self.warehouse_dir / "build"

    @cached_property
    def build_db(self) -> Path:
        """Private read-write file the pipeline writes; same stem as the published
        file so views keep resolving after the copy is published."""
        return self.build_dir / "top500.duckdb"

    @cached_property
    def published_db(self) -> Path:
        """What analysts and BI tools open: a link to current/top500.duckdb."""
        return self.warehouse_dir / "top500.duckdb"

    @cached_property
    def publications_dir(self) -> Path:
        """One directory per publication (database, exports, report); `current` points at one."""
        return self.warehouse_dir / "publications"

    @cached_property
    def current_link(self) -> Path:
        """The symlink whose atomic swap publishes (or rolls back) a whole publication."""
        return self.warehouse_dir / "current"

    @cached_property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"

    @cached_property
    def report_dir(self) -> Path:
        return self.warehouse_dir / "report"


def get_settings() -> Settings:
    """Fresh settings each call so tests can change the environment between runs."""
    return Settings()

"""top500-warehouse: TOP500 lists, vendor specs and AI-compute data into DuckDB."""

import os

# Offline machines: no telemetry, no update checks, no progress spam. Set before
# prefect/dbt/GX are imported anywhere in the package.
for _key, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false" if os.environ.get("CI") else "true",
}.items():
    os.environ.setdefault(_key, _value)

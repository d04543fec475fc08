"""The HTML report of a publication: one module per panel (`performance`, `countries`, `demand`,
`announced`, `efficiency`, `turnover`, `national`), shared pieces in `base`, the page in `page`."""

from flows.report.page import build_report

__all__ = ["build_report"]

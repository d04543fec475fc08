"""One error type for bad input, so the CLI can print it plainly and exit non-zero."""

from __future__ import annotations


class SourceError(Exception):
    """A source file (or URL) broke a rule. The message names the file and the rule."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class TemporaryRefusal(SourceError):
    """The source refuses for now (HTTP 429 Too Many Requests): not bad input; the run may be tried again later."""


def is_temporary_refusal(exc: BaseException) -> bool:
    """A refusal for now, or several that all are."""
    if isinstance(exc, SourceErrors):
        return bool(exc.errors) and all(isinstance(e, TemporaryRefusal) for e in exc.errors)
    return isinstance(exc, TemporaryRefusal)


class SourceErrors(Exception):
    """Several files were bad; report all of them at once rather than the first."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

"""One error type for bad input, so the CLI can print it plainly and exit non-zero."""

from __future__ import annotations


class SourceError(Exception):
    """A source file (or URL) broke a rule. The message names the file and the rule."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class SourceErrors(Exception):
    """Several files were bad; report all of them at once rather than the first."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

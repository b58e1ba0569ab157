"""The checks behind :mod:`pytest_venvlab.assertions`: each returns a list of
:class:`~pytest_venvlab.checks.violation.Violation` (empty when everything holds) instead of
raising, so the assertions can report every broken invariant at once and the conformance suite
can reuse them."""

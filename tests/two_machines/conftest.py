"""The two-machine test runs only by `make test-two-machines` (FESTIVAL_TWO_MACHINES=1 under .ci/with-postgres):
it starts nginx, Redis, an S3 server, two gunicorns and a worker, which `make test`'s parallel run must not."""

import os

import pytest

from tests.two_machines.cluster import Cluster

ENABLED = os.environ.get("FESTIVAL_TWO_MACHINES") == "1"
# Not collected at all otherwise (pytest reads this before importing the test modules).
collect_ignore_glob = [] if ENABLED else ["test_*.py"]


@pytest.fixture(scope="session")
def cluster():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.fail("The two-machine test needs TEST_DATABASE_URL (run it with `make test-two-machines`).")
    with Cluster(url) as running:
        yield running


@pytest.fixture(autouse=True)
def _logs_on_failure(request, cluster):
    """A failed test prints the servers', the worker's and nginx's logs (pytest shows them with the failure)."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(cluster.logs())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report

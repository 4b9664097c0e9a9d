"""Privacy fixtures: the wish and request tests' community, and their factories."""

from tests.reports.conftest import make_service  # noqa: F401  (fixtures, shared)
from tests.requests.conftest import RESIDENT, make_request, member  # noqa: F401
from tests.wishes.conftest import WISH, area, make_wish  # noqa: F401

"""Fixtures: a live FakeQBO on 127.0.0.1 and clients configured by configuration alone."""
import sys
import types
from pathlib import Path

import pytest

# The repository root is an Odoo addon: its __init__.py only imports as odoo.addons.<name>.
# pytest sets up every package above a test (importing its __init__.py as a plain package),
# which these Odoo-free tests do not need: register an empty placeholder for the root package.
_ROOT = Path(__file__).resolve().parents[2]
if (_ROOT / "__init__.py").exists() and _ROOT.name not in sys.modules:
    _placeholder = types.ModuleType(_ROOT.name)
    _placeholder.__file__, _placeholder.__path__ = str(_ROOT / "__init__.py"), [str(_ROOT)]
    sys.modules[_ROOT.name] = _placeholder
# The imports below must follow the placeholder above (fake_qbo's parent package must not load).
from qbo_helpers import Raw, connect, fixtures_dir, qb_client  # noqa: E402 (after the placeholder hack)

from fake_qbo import FakeQBO  # noqa: E402 (after the placeholder hack)
from fake_qbo.control import Control  # noqa: E402 (after the placeholder hack)
from fake_qbo.server import DEFAULT_LIMITS  # noqa: E402 (after the placeholder hack)


@pytest.fixture(scope="session")
def fixtures():
    path = fixtures_dir()
    if not path.is_dir():
        pytest.skip(f"QuickBooks fixtures not found at {path} (set QBO_FIXTURES)")
    return path


@pytest.fixture(scope="session")
def srv():
    server = FakeQBO(auto_approve=True).start()
    yield server
    server.stop()


@pytest.fixture
def fresh(srv):
    """A reset server (fresh default company, default configuration)."""
    Control(srv.url).reset()
    srv.faults.clear()
    srv.consent.update(mode="approve", realm=None)
    srv.throttle.enabled = False
    srv.throttle.limits.update(DEFAULT_LIMITS)
    srv.webhooks.url, srv.webhooks.format = None, "legacy"
    yield srv


@pytest.fixture
def ac(fresh):
    return connect(fresh)


@pytest.fixture
def qb(fresh, ac):
    return qb_client(fresh, ac)


@pytest.fixture
def raw(fresh, ac):
    return Raw(fresh, ac)

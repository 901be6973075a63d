"""fake_qbo: a faithful local QuickBooks Online server for tests, benchmarks and offline demos."""
from .server import FakeQBO

__all__ = ["FakeQBO"]

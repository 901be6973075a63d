"""Shared set-up: a real fake QuickBooks server on 127.0.0.1 and a connection pointing at it."""

import threading
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.addons.quickbooks_online import const
from odoo.addons.quickbooks_online.fake_qbo import FakeQBO
from odoo.addons.quickbooks_online.fake_qbo.control import Control
from odoo.modules.registry import Registry

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"


def worker_registry_lock():
    """A patcher giving worker threads a registry lock of their own. ``odoo-bin --test-enable``
    runs the tests while its main thread holds ``Registry._lock`` (the registry is loading), and
    every new Environment takes that lock: a worker thread would wait forever. Odoo's HttpCase
    swaps the lock the same way (``Registry.enter_test_mode``); under pytest-odoo it is free
    anyway."""
    return patch.object(Registry, "_lock", threading.RLock())


class FakeServerMixin:
    """Starts one fake QuickBooks server per test class (ephemeral port, auto-approve), stopped
    when the class ends: ``cls.fake`` and its control API ``cls.control``. Needs no Odoo env
    (usable with BaseCase)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeQBO(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, auto_approve=True).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.control = Control(cls.fake.url)


class QBOFakeServerMixin(FakeServerMixin):
    """The fake server, plus the app credentials it expects and the company's connection
    pointing at it. Use with TransactionCase or HttpCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_CLIENT_ID, CLIENT_ID)
        params.set_param(const.PARAM_CLIENT_SECRET, CLIENT_SECRET)
        cls.connection = cls.env["qbo.connection"]._qbo_for_company(cls.env.company, create=True)
        # Customers only, unless a test turns another entity on (its own tests do).
        cls.connection.write({"environment": "custom", "custom_base_url": cls.fake.url, "product_direction": "off",
                               "invoice_direction": "off", "payment_direction": "off",
                               "estimate_direction": "off"})

    def setUp(self):
        super().setUp()
        # Each test starts from a fresh QuickBooks side; Odoo's side is rolled back by the case.
        self.control.reset()
        self.control.consent("approve")

    def _authorize(self, connection):
        """Run Intuit's side of the flow for ``connection`` (consent auto-approved) and return
        the callback's query parameters, as the browser would bring them back."""
        url = connection._qbo_authorization_url()
        reply = requests.get(url, allow_redirects=False, timeout=10)
        assert reply.status_code in (302, 303), reply.text
        location = reply.headers["Location"]
        assert location.startswith(connection._qbo_redirect_uri()), location
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def _connect(self, connection=None):
        """Connect ``connection`` (default: the class's) through the real OAuth exchange."""
        connection = connection or self.connection
        params = self._authorize(connection)
        connection._qbo_oauth_complete(params["code"], params["realmId"])
        return params

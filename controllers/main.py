import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from .. import const

_logger = logging.getLogger(__name__)


class QboOAuthController(http.Controller):
    """OAuth 2 with Intuit: start (redirect to the consent page) and callback. Thin: the checks
    and the work are in ``qbo.connection``; this only turns their errors into a page."""

    def _check_manager(self):
        if not request.env.user.has_group("quickbooks_online.group_qbo_manager"):
            _logger.warning("QuickBooks OAuth: user %s is not a QuickBooks manager", request.env.uid)
            raise Forbidden()

    def _error_page(self, message, status=400):
        return request.render(
            "quickbooks_online.oauth_error_page",
            {"message": message, "settings_url": const.SETTINGS_URL},
            status=status,
        )

    @http.route(const.ROUTE_OAUTH_START, type="http", auth="user", methods=["GET"])
    def qbo_oauth_start(self, connection_id=None, **kwargs):
        """Redirect to Intuit's consent page with a signed ``state``."""
        self._check_manager()
        try:
            connection = request.env["qbo.connection"].browse(int(connection_id or 0)).exists()
            if not connection:
                return self._error_page(request.env._("There is no QuickBooks Online connection to start."), 404)
            url = connection._qbo_authorization_url()
        except (UserError, AccessError) as e:
            return self._error_page(e.args[0], 403 if isinstance(e, AccessError) else 400)
        except ValueError:
            return self._error_page(request.env._("There is no QuickBooks Online connection to start."), 404)
        return request.redirect(url, local=False)

    @http.route(const.ROUTE_OAUTH_CALLBACK, type="http", auth="user", methods=["GET"])
    def qbo_oauth_callback(self, code=None, state=None, realmId=None, error=None, **kwargs):
        """Intuit sends the browser back here. Every failure ends on an error page and leaves the
        connection as it was; success stores realm and tokens and returns to Settings."""
        self._check_manager()
        try:
            connection = request.env["qbo.connection"]._qbo_verify_state(state)
        except AccessError as e:
            _logger.warning("QuickBooks OAuth callback with a bad state for user %s", request.env.uid)
            return self._error_page(e.args[0], 403)
        if error:
            if error == "access_denied":
                message = request.env._("The connection was cancelled in QuickBooks: nothing was changed.")
            else:
                message = request.env._("QuickBooks refused the connection (%s): nothing was changed.", error)
            return self._error_page(message)
        try:
            connection._qbo_oauth_complete(code, realmId)
        except UserError as e:
            return self._error_page(e.args[0])
        return request.redirect(const.SETTINGS_URL)

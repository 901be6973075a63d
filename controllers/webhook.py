import logging

from odoo import http
from odoo.http import request

from .. import const
from ..utils.qbo_webhook import WebhookPayloadError, parse_notifications, verify_signature

_logger = logging.getLogger(__name__)


class QboWebhookController(http.Controller):
    """QuickBooks' change notifications: check the signature, note merges, wake the download
    cron, answer at once (Intuit waits 3 seconds; the download does the work)."""

    @http.route(const.ROUTE_WEBHOOK, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def qbo_webhook(self, **kwargs):
        body = request.httprequest.get_data(cache=False)
        token = request.env["ir.config_parameter"].sudo().get_param(const.PARAM_VERIFIER_TOKEN)
        if not verify_signature(body, request.httprequest.headers.get("intuit-signature"), token):
            _logger.warning("QuickBooks webhook: bad or missing signature, ignored")
            return request.make_response("", status=401)
        try:
            events = parse_notifications(body)
        except WebhookPayloadError as e:
            # Signed by Intuit yet unusable: acknowledge, or Intuit would send it again forever.
            _logger.warning("QuickBooks webhook: unusable payload: %s", e)
            return request.make_response("", status=200)
        request.env["qbo.connection"].sudo()._qbo_receive_webhook(events)
        return request.make_response("", status=200)

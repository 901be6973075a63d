-- neutralization of QuickBooks Online: a copy of the database must never sync with the real
-- QuickBooks companies nor use (and so rotate away) the production tokens.
UPDATE qbo_connection
   SET access_token = NULL,
       refresh_token = NULL,
       access_token_expires_at = NULL,
       refresh_token_expires_at = NULL,
       refresh_token_hard_expires_at = NULL,
       state = CASE WHEN state = 'not_connected' THEN state ELSE 'disconnected' END,
       -- nor write to customers: the first-paid automation sends e-mails (review requests)
       first_paid_enabled = false;
-- The Intuit app's secret and the webhook verifier token are secrets too: a copy gets new ones
-- from an administrator if it is ever to talk to QuickBooks (a sandbox app, say).
DELETE FROM ir_config_parameter
 WHERE key IN ('quickbooks_online.client_secret', 'quickbooks_online.verifier_token');

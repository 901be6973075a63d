-- neutralization of QuickBooks Online: a copy of the database must never sync with the real
-- QuickBooks companies nor use (and so rotate away) the production tokens.
UPDATE qbo_connection
   SET access_token = NULL,
       refresh_token = NULL,
       access_token_expires_at = NULL,
       refresh_token_expires_at = NULL,
       refresh_token_hard_expires_at = NULL,
       state = CASE WHEN state = 'not_connected' THEN state ELSE 'disconnected' END;

"""Constants of the QuickBooks Online connector: one place for every URL, scope and limit."""

# OAuth 2 scope for the Accounting API (intuitlib.enums.Scopes.ACCOUNTING).
OAUTH_SCOPES = ["com.intuit.quickbooks.accounting"]

# OpenID discovery documents (intuitlib.config.DISCOVERY_URL) and API bases (QBO_API.md §1).
DISCOVERY_URLS = {
    "production": "https://developer.intuit.com/.well-known/openid_configuration/",
    "sandbox": "https://developer.intuit.com/.well-known/openid_sandbox_configuration/",
}
API_BASES = {
    "production": "https://quickbooks.api.intuit.com/v3",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com/v3",
}
# A custom base URL (the local fake_qbo server) serves both under one origin.
CUSTOM_DISCOVERY_PATH = "/.well-known/openid_configuration"
CUSTOM_API_PATH = "/v3"
# Hosts for which plain http:// is accepted (tokens never leave the machine).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Intuit's discovery documents may only name endpoints on this host or its subdomains.
INTUIT_HOST = "intuit.com"
# A custom server is for local testing: loopback only, unless its host is listed (comma-separated,
# https only) in this system parameter, which only an administrator can set.
PARAM_ALLOWED_CUSTOM_HOSTS = "quickbooks_online.allowed_custom_hosts"

ENVIRONMENTS = [
    ("sandbox", "Sandbox"),
    ("production", "Production"),
    ("custom", "Custom server (local test server)"),
]

# Every HTTP call has a timeout: (connect, read) in seconds. QuickBooks ends requests at 120 s.
TIMEOUT_OAUTH = (10, 30)
TIMEOUT_API = (10, 110)
# The discovery document changes rarely: fetched once per process and URL for this long.
DISCOVERY_CACHE_SECONDS = 24 * 3600

# Python 0.9.12 sends it anyway; QuickBooks serves anything lower as 75 since 2025-08.
MINOR_VERSION = 75

# Tokens: refresh the access token this long before it expires.
ACCESS_TOKEN_MARGIN_SECONDS = 5 * 60
# Warn QuickBooks managers this many days before the refresh token (or its hard expiry) ends.
REFRESH_WARNING_DAYS = 14
# Ask Intuit for the hard expiry of the refresh token (intuit-oauth 1.2.7 does the same).
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"

# The signed OAuth `state` is valid this long (the user has to log in to Intuit in between).
OAUTH_STATE_MAX_AGE = 3600
OAUTH_STATE_SCOPE = "quickbooks_online.oauth"

# Routes.
ROUTE_OAUTH_START = "/quickbooks_online/oauth/start"
ROUTE_OAUTH_CALLBACK = "/quickbooks_online/oauth/callback"
ROUTE_WEBHOOK = "/quickbooks_online/webhook"
SETTINGS_URL = "/odoo/settings#quickbooks_online"

# ir.config_parameter keys of the Intuit app credentials.
PARAM_CLIENT_ID = "quickbooks_online.client_id"
PARAM_CLIENT_SECRET = "quickbooks_online.client_secret"  # noqa: S105 -- a key name
PARAM_VERIFIER_TOKEN = "quickbooks_online.verifier_token"  # noqa: S105 -- a key name

CONNECTION_STATES = [
    ("not_connected", "Not connected"),
    ("connected", "Connected"),
    ("needs_reauth", "Needs re-authorisation"),
    ("disconnected", "Disconnected"),
]

# What syncs per entity, and which way.
DIRECTIONS = [
    ("off", "Off"),
    ("odoo_to_qbo", "Odoo → QuickBooks"),
    ("qbo_to_odoo", "QuickBooks → Odoo"),
    ("both", "Both ways"),
]
CUSTOMER_SCOPES = [
    ("all", "All customers"),
    ("tagged", "Only customers tagged \"QuickBooks\""),
]

# Default cron intervals (minutes).
DEFAULT_PUSH_INTERVAL = 5
DEFAULT_PULL_INTERVAL = 15

# What wins when a record changed on both sides since the last sync.
CONFLICT_POLICIES = [
    ("last_updated", "Last updated wins"),
    ("odoo", "Odoo wins"),
    ("qbo", "QuickBooks wins"),
    ("manual", "Ask me (keep both, decide in the sync log)"),
]

# Context key of a preview run (models/qbo_preview.py): its PreviewWrites answers every write.
PREVIEW = "qbo_preview"

# The connection and the setup wizard inherit the preferences: they load first.
from . import qbo_sync_preferences

# isort: split
from . import (
    qbo_adapter,
    qbo_adapter_customer,
    qbo_adapter_invoice,
    qbo_adapter_item,
    qbo_binding,
    qbo_connection,
    qbo_connection_oauth,
    qbo_sync_engine,
    qbo_sync_log,
    qbo_sync_merge,
    qbo_sync_mixin,
    qbo_sync_pull,
    qbo_sync_push,
    res_config_settings,
    res_partner,
)

# isort: split
# They extend qbo.connection.
from . import account_move, product, qbo_account, qbo_tax

# isort: split
# The journal map inherits qbo.connection.owned (qbo_account); the adapter reads account_payment.
from . import (
    account_payment,
    qbo_adapter_credit_application,
    qbo_adapter_payment,
    qbo_adapter_sales_receipt,
    qbo_first_paid,
)

# isort: split
# Quotations: the stage map is qbo.connection.owned (qbo_account); the adapter reads sale_order.
from . import qbo_adapter_estimate, sale_order

# isort: split
from . import qbo_health, qbo_link_choice

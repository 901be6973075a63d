from . import qbo_reconciliation, qbo_reset_wizard, qbo_setup_wizard

from . import qbo_preview, qbo_reconciliation, qbo_reset_wizard, qbo_setup_wizard, qbo_undo

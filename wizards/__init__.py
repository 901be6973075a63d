from . import qbo_reset_wizard, qbo_setup_wizard

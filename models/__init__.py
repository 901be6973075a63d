from . import qbo_connection, qbo_connection_oauth, res_config_settings

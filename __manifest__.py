{
    "name": "QuickBooks Online",
    "version": "18.0.1.0.0",
    "summary": "Two-way sync between Odoo and QuickBooks Online: customers, products, "
               "estimates, invoices, credit notes and payments",
    "category": "Accounting/Accounting",
    "author": "quickbooks_online contributors",
    "license": "LGPL-3",
    "depends": ["account", "sale_management", "contacts"],
    "external_dependencies": {"python": ["python-quickbooks", "intuit-oauth"]},
    "data": [
        "security/qbo_security.xml",
        "security/ir.model.access.csv",
        "security/qbo_rules.xml",
        "data/qbo_data.xml",
        "data/ir_cron_data.xml",
        "views/qbo_templates.xml",
        "views/qbo_sync_log_views.xml",
        "views/qbo_connection_views.xml",
        "views/res_partner_views.xml",
        "views/product_views.xml",
        "views/account_move_views.xml",
        "views/account_payment_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/qbo_setup_wizard_views.xml",
        "wizards/qbo_reset_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "quickbooks_online/static/tests/tours/*.js",
        ],
    },
}

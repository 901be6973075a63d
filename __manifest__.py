{
    "name": "QuickBooks Online",
    "version": "18.0.1.0.0",
    "summary": "Two-way sync between Odoo and QuickBooks Online: customers, products, "
               "estimates, invoices, credit notes and payments",
    "category": "Accounting/Accounting",
    "author": "quickbooks_online contributors",
    "license": "LGPL-3",
    "depends": ["account", "sale_management", "contacts"],
    "external_dependencies": {"python": ["quickbooks", "intuitlib"]},
    "data": [
        "security/qbo_security.xml",
        "security/ir.model.access.csv",
    ],
    "assets": {
        "web.assets_tests": [
            "quickbooks_online/static/tests/tours/*.js",
        ],
    },
}

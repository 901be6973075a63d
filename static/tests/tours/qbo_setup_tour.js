import { registry } from "@web/core/registry";

// Settings > QuickBooks Online > Setup Wizard: choose what syncs, "Save and Connect", consent
// (auto-approved by the local QuickBooks server, on another origin), back in Settings: Connected.
registry.category("web_tour.tours").add("quickbooks_online_setup_tour", {
    steps: () => [
        {
            content: "Open the setup wizard from the QuickBooks Online block of Settings",
            trigger: "#qbo_status button[name=action_qbo_open_setup_wizard]",
            run: "click",
        },
        {
            content: "The environment is the local server",
            trigger: ".modal .o_field_widget[name=environment] input[data-value=custom]:checked",
        },
        {
            content: "Customers come from QuickBooks only",
            trigger: ".modal .o_field_widget[name=customer_direction] select",
            run: 'select "qbo_to_odoo"',
        },
        {
            content: "Other contacts go up as sub-customers too",
            trigger: ".modal .o_field_widget[name=contacts_as_sub_customers] input",
            run: "click",
        },
        {
            content: "Only customers tagged QuickBooks",
            trigger: ".modal .o_field_widget[name=customer_scope] input[data-value=tagged]",
            run: "click",
        },
        {
            content: "Download every 30 minutes",
            trigger: ".modal .o_field_widget[name=pull_interval] input",
            run: "edit 30",
        },
        {
            content: "Save and connect: off to QuickBooks and back",
            trigger: ".modal button[name=action_save_and_connect]",
            run: "click",
        },
        {
            content: "Back in Settings, connected",
            trigger: "#qbo_status .o_field_widget[name=qbo_state]:contains(Connected)",
        },
        {
            content: "The QuickBooks company is shown",
            trigger: "#qbo_status .o_field_widget[name=qbo_company_name]:not(:empty)",
        },
    ],
});

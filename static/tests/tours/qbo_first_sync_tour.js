import { registry } from "@web/core/registry";

// The guided first sync, once connected: Settings > Setup Wizard > "Save and Preview" shows what
// the first sync would do (nothing written yet), "Sync Now" starts it.
registry.category("web_tour.tours").add("quickbooks_online_first_sync_tour", {
    steps: () => [
        {
            content: "Open the setup wizard from the QuickBooks Online block of Settings",
            trigger: "#qbo_status button[name=action_qbo_open_setup_wizard]",
            run: "click",
        },
        {
            content: "Invoices sync both ways",
            trigger: ".modal .o_field_widget[name=invoice_direction] select",
            run: 'select "both"',
        },
        {
            content: "Save and preview the first sync",
            trigger: ".modal button[name=action_save_and_preview]",
            run: "click",
        },
        {
            content: "The preview lists what would be created: the invoice among it",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Invoice):contains(Created)",
        },
        {
            content: "Nothing was written: start the sync",
            trigger: ".modal footer button[name=action_run]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:not(.o_inactive_modal) .modal-footer .btn-primary:contains(Ok)",
            run: "click",
        },
        {
            content: "The sync runs in the background",
            trigger: ".o_notification:contains(uploaded to QuickBooks)",
        },
    ],
});

// After the sync (the crons' runs): a contact's QuickBooks badge, then its invoice's QuickBooks tab.
registry.category("web_tour.tours").add("quickbooks_online_synced_tour", {
    steps: () => [
        {
            content: "The customer's card carries the green QuickBooks badge",
            trigger: ".o_kanban_record:contains(Tour Buyer) span[name=qbo_badge].text-bg-success",
        },
        {
            content: "Open the customer",
            trigger: ".o_kanban_record:contains(Tour Buyer)",
            run: "click",
        },
        {
            content: "Its invoices",
            trigger: ".o_form_view button[name=action_view_partner_invoices]",
            run: "click",
        },
        {
            content: "Open the invoice",
            trigger: ".o_list_renderer .o_data_row:first .o_data_cell",
            run: "click",
        },
        {
            content: "Its QuickBooks tab",
            trigger: ".o_form_view a[name=quickbooks_online]",
            run: "click",
        },
        {
            content: "Synced, with QuickBooks' number",
            trigger: ".o_form_view .o_field_widget[name=qbo_sync_state]:contains(Synced)",
        },
        {
            content: "and QuickBooks' figures",
            trigger: ".o_form_view .o_field_widget[name=qbo_doc_number]:not(:empty)",
        },
    ],
});

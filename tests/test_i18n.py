"""Translations (issue 13.6): the .pot holds every translatable string of the addon's code, views
and data (as Odoo's own export reads them from the installed module), French and Spanish
translate every one of them with the same placeholders, and Odoo loads them: the settings and
the wizard show in French."""

import re
from pathlib import Path

from babel.messages import pofile

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parents[1] / "i18n"
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[sdf%]")


def catalog(name):
    with (I18N / name).open("rb") as f:
        return {message.id: message.string for message in pofile.read_po(f) if message.id}


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):

    def test_pot_holds_every_translatable_string(self):
        exported = {source for _module, _type, _name, _res_id, source, _value, _comments
                    in TranslationModuleReader(self.env.cr, modules=["quickbooks_online"]) if source}
        pot = set(catalog("quickbooks_online.pot"))
        self.assertFalse(sorted(exported - pot)[:20], "strings missing from i18n/quickbooks_online.pot: "
                                                      "export it again (README, Translations)")
        self.assertFalse(sorted(pot - exported)[:20], "strings of the .pot the addon no longer has")

    def test_french_and_spanish_are_complete(self):
        pot = catalog("quickbooks_online.pot")
        for lang in ("fr", "es"):
            translated = catalog("%s.po" % lang)
            with self.subTest(lang=lang):
                self.assertFalse([msgid for msgid in pot if not translated.get(msgid)][:20], "untranslated")
                self.assertFalse([msgid for msgid in pot if sorted(m.group() for m in PLACEHOLDER.finditer(msgid))
                                  != sorted(m.group() for m in PLACEHOLDER.finditer(translated[msgid]))][:20],
                                 "placeholders differ")

    def test_odoo_shows_the_settings_and_wizard_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["quickbooks_online"], ["fr_FR"], overwrite=True)
        french = catalog("fr.po")
        fields = self.env["qbo.setup.wizard"].with_context(lang="fr_FR").fields_get(["customer_direction"])
        self.assertEqual(fields["customer_direction"]["string"], french["Customers"])
        for model in ("res.config.settings", "qbo.setup.wizard"):
            arch = self.env[model].with_context(lang="fr_FR").get_views([(False, "form")])["views"]["form"]["arch"]
            with self.subTest(model=model):
                self.assertIn(french["What Syncs, and Which Way"] if model == "qbo.setup.wizard"
                              else french["Upload All"], arch)

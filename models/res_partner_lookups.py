"""Countries, states and partner titles by the codes and texts QuickBooks sends, each table read
once per download run instead of searched for every customer (docs/ENGINE.md §6)."""

# Key of the lookups in the run cache the download passes in the context (qbo_sync_pull_tools.RunCache).
CACHE_KEY = "res.partner.lookups"


class PartnerLookups:
    """A country by its code, a state by its code or name, a title by its abbreviation or name:
    one query per table, then case-insensitive equality, the first match in the model's order
    winning (what a search with ``=ilike`` and ``limit=1`` gives). Holds ids only, so it serves
    every environment of the run; the run empties it when it rolls back a savepoint (a title
    created here may be gone)."""

    def __init__(self, env):
        self.env = env
        self._countries = None  # {code in lower case: id}
        self._states = {}  # {country id: [(code, name, id)] in the model's order}
        self._titles = None  # [(shortcut, name, id)] in the model's order

    @classmethod
    def of(cls, env):
        """The lookups of the current download run, or fresh ones outside a run."""
        cache = env.context.get("qbo_pull_cache")
        return cache.get(CACHE_KEY, lambda: cls(env)) if cache is not None else cls(env)

    def country_state(self, country_code, state_code):
        """``country_id``/``state_id`` values for an ISO country code and a state code or name."""
        if self._countries is None:
            self._countries = {row["code"].lower(): row["id"]
                               for row in self.env["res.country"].search_read([], ["code"]) if row["code"]}
        country_id = self._countries.get(country_code.lower(), False) if country_code else False
        state_id = False
        if state_code and country_id:
            if country_id not in self._states:
                self._states[country_id] = [
                    ((row["code"] or "").lower(), (row["name"] or "").lower(), row["id"])
                    for row in self.env["res.country.state"].search_read([("country_id", "=", country_id)],
                                                                         ["code", "name"])]
            wanted = state_code.lower()
            state_id = next((id_ for code, name, id_ in self._states[country_id] if wanted in (code, name)), False)
        return {"country_id": country_id, "state_id": state_id}

    def title(self, text):
        """The ``res.partner.title`` named or abbreviated ``text``, created when unknown; empty
        for no text."""
        Title = self.env["res.partner.title"]
        if not text:
            return Title
        if self._titles is None:
            self._titles = [((row["shortcut"] or "").lower(), (row["name"] or "").lower(), row["id"])
                            for row in Title.search_read([], ["shortcut", "name"])]
        wanted = text.lower()
        title_id = next((id_ for shortcut, name, id_ in self._titles if wanted in (shortcut, name)), None)
        if title_id:
            return Title.browse(title_id)
        title = Title.create({"name": text, "shortcut": text})
        self._titles.append((wanted, wanted, title.id))
        return title

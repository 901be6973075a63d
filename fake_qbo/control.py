"""`Control(url)`: a small `requests` client of the fake's control API (`/_fake/…`)."""
import requests


class Control:
    def __init__(self, url, timeout=30):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.session = requests.Session()

    def _call(self, method, path, body=None, params=None):
        resp = self.session.request(method, f"{self.url}/_fake/{path}", json=body, params=params,
                                    timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def reset(self):
        return self._call("POST", "reset")

    def seed(self, **counts):
        return self._call("POST", "seed", counts)

    def add_company(self, country="US", multicurrency=False, name=None):
        return self._call("POST", "companies", {"country": country, "multicurrency": multicurrency,
                                                "name": name})["realm_id"]

    def consent(self, mode, realm=None):
        return self._call("POST", "consent", {"mode": mode, "realm": realm})

    def fault(self, kind, count=1, match="", delay=5):
        return self._call("POST", "faults", {"kind": kind, "count": count, "match": match, "delay": delay})

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def expire_tokens(self, kind="access"):
        return self._call("POST", "tokens", {"expire": kind})

    def requests(self, since=0):
        return self._call("GET", "requests", params={"since": since})["requests"]

    def clear_requests(self):
        return self._call("DELETE", "requests")

    def advance_clock(self, seconds):
        return self._call("POST", "clock", {"advance": seconds})

    def set_clock(self, iso):
        return self._call("POST", "clock", {"set": iso})

    def config(self, **options):
        return self._call("POST", "config", options)

    def webhooks(self):
        return self._call("GET", "webhooks")["deliveries"]

    def merge(self, entity, from_id, to_id):
        return self._call("POST", "merge", {"entity": entity, "from": from_id, "to": to_id})

    def user_write(self, entity, payload, realm=None):
        """Create (no Id) or sparse-update (with Id) as a QuickBooks user would."""
        return self._call("POST", f"entity/{entity}", dict(payload, **({"realm": realm} if realm else {})))[entity]

    def user_end(self, entity, id_, operation, realm=None):
        """Void or delete (``operation``) a transaction as a QuickBooks user would: no fault applies."""
        return self.user_write(entity, {"Id": id_, "operation": operation}, realm)

    def user_read(self, entity, id_, realm=None):
        return self._call("GET", f"entity/{entity}/{id_}", params={"realm": realm} if realm else None)[entity]

    def raw_write(self, entity, payload, realm=None):
        """Store fields (with the object's Id) as given, unchecked: data QuickBooks' API refuses
        (a ParentRef cycle); null removes a field. Returns the new version."""
        return self._call("POST", f"raw/{entity}", dict(payload, **({"realm": realm} if realm else {})))[entity]

"""Open311 GeoReport v2 at /open311/v2/: discovery, the service catalog and its definitions,
filing requests with an `api_key`, reading them back (public), tokens — in XML and JSON
(the path suffix chooses), datetimes in Beijing time with `+08:00`, errors as the spec's list
of {code, description} with the HTTP status (400, 403 bad key, 404 unknown, 405, 415, 429).

- Services are the active catalog items (ServiceItem): `group` is the item's one of the five
  services (五进楼宇); `metadata` is true when it has extra form fields or a document
  checklist; `type` is `batch` for items handled on the enterprise's behalf (代办: the POST
  answers with a token, GET tokens/{token} gives the id) and `realtime` otherwise.
- A definition lists the document checklist as a display-only attribute (`variable` false),
  then one attribute per form field; our `date` fields are GeoReport `datetime`.
- POST requests: `api_key` (form body only; `manage.py open311_key USERNAME` or the admin
  issues it; only its SHA-256 is stored) files as the key's account through the service
  desk's `request_create`, channel `open311`. Staff over the building's community record it
  for the person named (first_name, last_name, phone); anyone else files as the requester.
  The location becomes a building: `address_id` is the building's id; `lat`/`long` (WGS84;
  our archives are GCJ-02) the nearest building within LOUYU_OPEN311_MATCH_METRES;
  `address_string` a building name, alias or address it contains.
- `jurisdiction_id`, optional, is a node's current division code (GB/T 2260 or local); it
  scopes every method. A key bound to a node may only file within it.
- Status: `open` while submitted, accepted, awaiting documents, dispatched, signed for or in
  progress; `closed` once done, rated, closed or refused. `status_notes` is the workflow
  state's name, `expected_datetime` the end of the completion deadline day (once accepted),
  `agency_responsible` the department handling it (or the item's lead department).

What the public sees (GET needs no key, as the spec says): every request filed against a
catalog item, with its service, status, responsible department, times, the building's public
address and coordinates. Never the requester, their phone or email, the enterprise, refusal
reasons or notes, or the text of requests filed through other channels (counter, phone, chat,
web): a request's `description` is published only when it was itself filed through Open311,
where the client knew the GeoReport convention of public reports. Anonymous calls are
throttled like the rest of the API; the views are left out of the OpenAPI schema.
"""

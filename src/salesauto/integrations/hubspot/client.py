"""`HubSpotClient`: the platform's `CrmSink` on HubSpot, plus typed access to the CRM API.

- `client.contacts`, `.companies`, `.tasks`, `.notes`: `HubSpotObjects` (get/create/update/
  archive, batch read/create/update/upsert/archive, list and search paging).
- `client.associations`: v4 associations.
- `client.lists`: v3 lists (create, read, add members, page through members).
- `list_owners` / `all_owners`, `check`.
- The `CrmSink` methods: `upsert_contacts`, `upsert_companies`,
  `associate_contacts_with_companies`, `create_task`, `create_note`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.hubspot.associations import HubSpotAssociations
from salesauto.integrations.hubspot.errors import HubSpotAssociationFailed
from salesauto.integrations.hubspot.lists import HubSpotLists
from salesauto.integrations.hubspot.mapping import (
    company_properties,
    contact_properties,
    normalise_domain,
    normalise_email,
    note_properties,
    task_properties,
)
from salesauto.integrations.hubspot.objects import BATCH_LIMIT, HubSpotObjects
from salesauto.integrations.hubspot.schemas import (
    NOTE_TO_CONTACT,
    TASK_TO_CONTACT,
    AssociationPair,
    AssociationToCreate,
    BatchResult,
    Filter,
    FilterGroup,
    HubSpotObject,
    ObjectInput,
    ObjectUpdate,
    Owner,
    OwnerPage,
    PropertyValues,
    SearchRequest,
    Sort,
    UpsertedObject,
)
from salesauto.integrations.models import (
    CrmCompany,
    CrmContact,
    CrmNote,
    CrmTask,
    CrmWriteOutcome,
)
from salesauto.kit.batching import chunked, gather_in_order

# A search body may not exceed 3,000 characters; leave room for the rest of the request.
DOMAIN_SEARCH_BUDGET = 2400


class HubSpotClient:
    """HubSpot CRM over the resilient HTTP layer (limits, retries, breaker, metrics)."""

    name = "hubspot"

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http
        self.contacts = HubSpotObjects(http, "contacts")
        self.companies = HubSpotObjects(http, "companies")
        self.tasks = HubSpotObjects(http, "tasks")
        self.notes = HubSpotObjects(http, "notes")
        self.associations = HubSpotAssociations(http)
        self.lists = HubSpotLists(http)

    async def check(self) -> str:
        """One cheap real call (the owners list) summarised on one line."""
        page = await self.list_owners(limit=100)
        more = "+" if page.next_after else ""
        first = f" (e.g. {page.results[0].full_name})" if page.results else ""
        return f"HubSpot reachable: {len(page.results)}{more} owner(s){first}"

    # Owners ---------------------------------------------------------------------------------

    async def list_owners(
        self, *, email: str | None = None, limit: int = 100, after: str | None = None
    ) -> OwnerPage:
        """One page of the users records can be assigned to (`hubspot_owner_id`)."""
        params = {"limit": str(limit)}
        if email:
            params["email"] = email
        if after:
            params["after"] = after
        response = await self.http.request("GET", "/crm/v3/owners", params=params)
        return OwnerPage.model_validate(response.json())

    async def all_owners(self) -> list[Owner]:
        """Every owner, following paging."""
        owners: list[Owner] = []
        after: str | None = None
        while True:
            page = await self.list_owners(after=after)
            owners.extend(page.results)
            after = page.next_after
            if after is None:
                return owners

    # CrmSink --------------------------------------------------------------------------------

    async def upsert_contacts(self, contacts: list[CrmContact]) -> list[CrmWriteOutcome]:
        """Create or update contacts by email in batch upserts of ≤ 100; one outcome per input,
        in input order. A batch HubSpot refuses as a whole marks its inputs with the error;
        auth, rate-limit and outage errors raise."""
        merged: dict[str, PropertyValues] = {}
        for contact in contacts:
            email = normalise_email(contact.email)
            merged[email] = {**merged.get(email, {}), **contact_properties(contact)}
        inputs = [
            # The key doubles as the trace id: unique per input, and it names the input in errors.
            ObjectUpdate(
                id=email, id_property="email", properties=props, object_write_trace_id=email
            )
            for email, props in merged.items()
        ]
        written: dict[str, CrmWriteOutcome] = {}

        async def upsert(chunk: list[ObjectUpdate]) -> None:
            try:
                result = await self.contacts.batch_upsert(chunk)
            except ProviderRejected as error:
                for item in chunk:
                    written[item.id] = CrmWriteOutcome(key=item.id, error=error.message)
                return
            _record_outcomes(written, chunk, result, key_property="email")

        await gather_in_order([partial(upsert, chunk) for chunk in chunked(inputs, BATCH_LIMIT)])
        return [_outcome_for(written, normalise_email(c.email)) for c in contacts]

    async def upsert_companies(self, companies: list[CrmCompany]) -> list[CrmWriteOutcome]:
        """Create or update companies by domain. HubSpot cannot upsert companies by domain, so
        this searches `domain IN [...]`, then batch-creates the missing and batch-updates the
        existing (the oldest record wins when a domain has several)."""
        merged: dict[str, PropertyValues] = {}
        for company in companies:
            domain = normalise_domain(company.domain)
            merged[domain] = {**merged.get(domain, {}), **company_properties(company)}
        existing = await self.find_companies_by_domain(list(merged))
        creates: list[ObjectInput] = []
        updates: list[ObjectUpdate] = []
        for domain, props in merged.items():
            if domain in existing:
                updates.append(
                    ObjectUpdate(
                        id=existing[domain], properties=props, object_write_trace_id=domain
                    )
                )
            else:
                creates.append(ObjectInput(properties=props, object_write_trace_id=domain))
        written: dict[str, CrmWriteOutcome] = {}

        async def create(chunk: list[ObjectInput]) -> None:
            keys = [str(item.object_write_trace_id) for item in chunk]
            try:
                result = await self.companies.batch_create(chunk)
            except ProviderRejected as error:
                for key in keys:
                    written[key] = CrmWriteOutcome(key=key, error=error.message)
                return
            for record in result.results:
                domain = normalise_domain(record.prop("domain") or "")
                written[domain] = CrmWriteOutcome(key=domain, crm_id=record.id, created=True)
            _record_errors(written, keys, result)

        async def update(chunk: list[ObjectUpdate]) -> None:
            keys = [str(item.object_write_trace_id) for item in chunk]
            try:
                result = await self.companies.batch_update(chunk)
            except ProviderRejected as error:
                for key in keys:
                    written[key] = CrmWriteOutcome(key=key, error=error.message)
                return
            by_id = {item.id: key for item, key in zip(chunk, keys, strict=True)}
            for record in result.results:
                matched = by_id.get(record.id)
                if matched is not None:
                    written[matched] = CrmWriteOutcome(key=matched, crm_id=record.id, created=False)
            _record_errors(written, keys, result)

        await gather_in_order(
            [partial(create, chunk) for chunk in chunked(creates, BATCH_LIMIT)]
            + [partial(update, chunk) for chunk in chunked(updates, BATCH_LIMIT)]
        )
        return [_outcome_for(written, normalise_domain(c.domain)) for c in companies]

    async def find_companies_by_domain(self, domains: Sequence[str]) -> dict[str, str]:
        """Company id per domain (the oldest when several share one); absent if none.

        Searches `domain IN [...]` with ≤ 100 values and a body under HubSpot's 3,000-character
        limit per request, through the search rate limit (5/s)."""
        found: dict[str, str] = {}
        for group in _domain_groups([normalise_domain(d) for d in domains]):
            request = SearchRequest(
                filter_groups=[
                    FilterGroup(
                        filters=[Filter(property_name="domain", operator="IN", values=group)]
                    )
                ],
                properties=["domain"],
                sorts=[Sort(property_name="hs_object_id", direction="ASCENDING")],
                limit=200,
            )
            async for record in self.companies.search_all(request, truncate=True):
                domain = normalise_domain(record.prop("domain") or "")
                found.setdefault(domain, record.id)
        return found

    async def associate_contacts_with_companies(self, pairs: list[tuple[str, str]]) -> None:
        """Default-associate (contact id, company id) pairs in batches; raises
        `HubSpotAssociationFailed` listing the pairs HubSpot refused, after trying all."""
        unique = list(dict.fromkeys(pairs))
        if not unique:
            return
        outcome = await self.associations.batch_associate_default(
            "contacts",
            "companies",
            [AssociationPair(from_id=contact, to_id=company) for contact, company in unique],
        )
        if outcome.errors:
            raise HubSpotAssociationFailed(outcome.errors, attempted=len(unique))

    async def create_task(self, task: CrmTask) -> str:
        """A task on the contact's timeline (task→contact association 204); returns its id."""
        record = await self.tasks.create(
            ObjectInput(
                properties=task_properties(task),
                associations=[
                    AssociationToCreate.hubspot_defined(task.contact_crm_id, TASK_TO_CONTACT)
                ],
            )
        )
        return record.id

    async def create_note(self, note: CrmNote) -> str:
        """A note on the contact's timeline (note→contact association 202); returns its id."""
        record = await self.notes.create(
            ObjectInput(
                properties=note_properties(note),
                associations=[
                    AssociationToCreate.hubspot_defined(note.contact_crm_id, NOTE_TO_CONTACT)
                ],
            )
        )
        return record.id


def _domain_groups(domains: list[str]) -> list[list[str]]:
    """Domains in groups of ≤ 100 whose JSON stays within the search body budget."""
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for domain in dict.fromkeys(domains):
        cost = len(json.dumps(domain)) + 1
        if current and (len(current) == BATCH_LIMIT or size + cost > DOMAIN_SEARCH_BUDGET):
            groups.append(current)
            current, size = [], 0
        current.append(domain)
        size += cost
    if current:
        groups.append(current)
    return groups


def _record_outcomes(
    written: dict[str, CrmWriteOutcome],
    chunk: list[ObjectUpdate],
    result: BatchResult[UpsertedObject],
    *,
    key_property: str,
) -> None:
    keys = [item.id for item in chunk]
    for record in result.results:
        key = (record.prop(key_property) or "").lower()
        written[key] = CrmWriteOutcome(key=key, crm_id=record.id, created=record.new)
    _record_errors(written, keys, result)


def _record_errors(
    written: dict[str, CrmWriteOutcome],
    keys: list[str],
    result: BatchResult[UpsertedObject] | BatchResult[HubSpotObject],
) -> None:
    """Per-input errors of a 207, matched through each input's `objectWriteTraceId` (its key);
    inputs with neither a result nor an error get a generic error."""
    expected = set(keys)
    for error in result.errors:
        for trace in error.context.get("objectWriteTraceId", []):
            if trace in expected and trace not in written:
                written[trace] = CrmWriteOutcome(key=trace, error=error.message)
    for key in keys:
        if key not in written:
            written[key] = CrmWriteOutcome(key=key, error="HubSpot returned no result for it")


def _outcome_for(written: dict[str, CrmWriteOutcome], key: str) -> CrmWriteOutcome:
    return written.get(key) or CrmWriteOutcome(key=key, error="not written")

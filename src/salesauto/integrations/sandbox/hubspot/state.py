"""In-memory CRM of one emulator instance: objects, the email index, associations, owners.

Every record a client writes can be read back, searched and associated. Ids are numeric
strings from one counter, so a contact and a company never share an id.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from salesauto.integrations.sandbox.hubspot.errors import HubSpotApiError
from salesauto.integrations.sandbox.hubspot.objects import (
    CONTACTS,
    DEFINED_BY_ID,
    OBJECT_TYPES,
    ObjectType,
)
from salesauto.integrations.sandbox.hubspot.properties import iso_ms

AssociationKey = tuple[str, int]  # (category, type id)


@dataclass
class StoredObject:
    id: str
    kind: ObjectType
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None


def not_found(kind: ObjectType, object_id: str) -> HubSpotApiError:
    return HubSpotApiError(
        404,
        f"Object not found.  objectId are usually numeric. ({kind.singular} {object_id})",
        "OBJECT_NOT_FOUND",
    )


class HubSpotState:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.clear()

    def clear(self) -> None:
        self.objects: dict[str, dict[str, StoredObject]] = {k.type_id: {} for k in OBJECT_TYPES}
        self.email_index: dict[str, str] = {}  # live contacts only: lowercase email → id
        # (from type id, from id, to type id) → {to id: {(category, type id)}}; both directions.
        self.links: dict[tuple[str, str, str], dict[str, set[AssociationKey]]] = {}
        self._next_id = 100_001
        self.owners = _seed_owners(self.seed)

    # Objects -------------------------------------------------------------------------------

    def new_id(self) -> str:
        value = self._next_id
        self._next_id += 1
        return str(value)

    def records(self, kind: ObjectType) -> Iterable[StoredObject]:
        return self.objects[kind.type_id].values()

    def find(
        self, kind: ObjectType, object_id: str, id_property: str | None = None
    ) -> StoredObject | None:
        """Live or archived record by id (or a unique property); None if unknown."""
        if id_property in (None, "", "hs_object_id"):
            return self.objects[kind.type_id].get(object_id)
        if id_property not in kind.unique:
            raise HubSpotApiError(
                400,
                f"{id_property} is not a unique property of {kind.plural}; "
                "use hs_object_id or a unique identifier property.",
                "VALIDATION_ERROR",
            )
        if kind is CONTACTS and id_property == "email":
            found = self.email_index.get(object_id.strip().lower())
            return self.objects[kind.type_id].get(found) if found else None
        return None

    def get(
        self,
        kind: ObjectType,
        object_id: str,
        id_property: str | None = None,
        *,
        archived: bool = False,
    ) -> StoredObject:
        record = self.find(kind, object_id, id_property)
        if record is None or record.archived != archived:
            raise not_found(kind, object_id)
        return record

    def create(
        self, kind: ObjectType, properties: dict[str, str], *, now: datetime | None = None
    ) -> StoredObject:
        """Store a new record; `properties` were validated. 409 on a duplicate email."""
        values = {name: value for name, value in properties.items() if value != ""}
        require_properties(kind, values)
        self._check_email_free(kind, values.get("email"), None)
        moment = now or datetime.now(UTC)
        record = StoredObject(self.new_id(), kind, {}, moment, moment)
        self._write(record, values, moment)
        self.objects[kind.type_id][record.id] = record
        return record

    def update(self, record: StoredObject, properties: dict[str, str]) -> StoredObject:
        self._check_email_free(record.kind, properties.get("email"), record.id)
        self._write(record, properties, datetime.now(UTC))
        return record

    def archive(self, record: StoredObject) -> None:
        if record.archived:
            return
        record.archived = True
        record.archived_at = datetime.now(UTC)
        email = record.properties.get("email")
        if record.kind is CONTACTS and email and self.email_index.get(email) == record.id:
            del self.email_index[email]

    def _check_email_free(self, kind: ObjectType, email: str | None, own_id: str | None) -> None:
        if kind is not CONTACTS or not email:
            return
        holder = self.email_index.get(email)
        if holder is not None and holder != own_id:
            raise HubSpotApiError(409, f"Contact already exists. Existing ID: {holder}", "CONFLICT")

    def _write(self, record: StoredObject, values: dict[str, str], moment: datetime) -> None:
        kind = record.kind
        old_email = record.properties.get("email")
        for name, value in values.items():
            if value == "":
                record.properties.pop(name, None)  # "" clears a value
            else:
                record.properties[name] = value
        record.updated_at = moment
        record.properties["hs_object_id"] = record.id
        record.properties.setdefault(kind.created_property, iso_ms(record.created_at))
        record.properties[kind.modified_property] = iso_ms(moment)
        if kind is CONTACTS:
            email = record.properties.get("email")
            if old_email and old_email != email and self.email_index.get(old_email) == record.id:
                del self.email_index[old_email]
            if email:
                self.email_index[email] = record.id
                record.properties["hs_email_domain"] = email.rsplit("@", 1)[1]
            else:
                record.properties.pop("hs_email_domain", None)

    def serialize(
        self,
        record: StoredObject,
        properties: Iterable[str] | None = None,
        *,
        associations: Iterable[ObjectType] = (),
        search: bool = False,
    ) -> dict[str, object]:
        """The `SimplePublicObject` body: requested (or default) properties, always strings;
        a requested property without a value comes back as null."""
        kind = record.kind
        wanted = (
            list(properties)
            if properties
            else list(kind.search_default_properties if search else kind.default_properties)
        )
        for system in ("hs_object_id", kind.created_property, kind.modified_property):
            if system not in wanted:
                wanted.append(system)
        body: dict[str, object] = {
            "id": record.id,
            "properties": {name: record.properties.get(name) for name in wanted},
            "createdAt": iso_ms(record.created_at),
            "updatedAt": iso_ms(record.updated_at),
            "archived": record.archived,
        }
        if record.archived_at is not None:
            body["archivedAt"] = iso_ms(record.archived_at)
        linked: dict[str, object] = {}
        for other in associations:
            results = [
                {"id": to_id, "type": _v3_type_name(kind, other, key)}
                for to_id, keys in self.linked(kind, record.id, other).items()
                for key in sorted(keys)
            ]
            if results:
                linked[other.plural] = {"results": results}
        if linked:
            body["associations"] = linked
        return body

    # Associations --------------------------------------------------------------------------

    def linked(
        self, from_kind: ObjectType, from_id: str, to_kind: ObjectType
    ) -> dict[str, set[AssociationKey]]:
        """Live records of `to_kind` associated with the record, with their association types."""
        links = self.links.get((from_kind.type_id, from_id, to_kind.type_id), {})
        live = self.objects[to_kind.type_id]
        return {
            to_id: keys
            for to_id, keys in sorted(links.items(), key=lambda item: int(item[0]))
            if to_id in live and not live[to_id].archived
        }

    def associate(
        self,
        from_kind: ObjectType,
        from_id: str,
        to_kind: ObjectType,
        to_id: str,
        keys: Iterable[AssociationKey],
        *,
        replace: bool = False,
    ) -> None:
        """Add (or with `replace`, set) association types; the inverse side follows."""
        if replace:
            self.dissociate(from_kind, from_id, to_kind, to_id)
        forward = self.links.setdefault((from_kind.type_id, from_id, to_kind.type_id), {})
        backward = self.links.setdefault((to_kind.type_id, to_id, from_kind.type_id), {})
        for category, type_id in keys:
            forward.setdefault(to_id, set()).add((category, type_id))
            backward.setdefault(from_id, set()).add(
                (category, _inverse(from_kind, category, type_id))
            )

    def dissociate(
        self,
        from_kind: ObjectType,
        from_id: str,
        to_kind: ObjectType,
        to_id: str,
        keys: Iterable[AssociationKey] | None = None,
    ) -> None:
        """Remove the given association types (all when `keys` is None), both directions."""
        forward = self.links.get((from_kind.type_id, from_id, to_kind.type_id), {})
        backward = self.links.get((to_kind.type_id, to_id, from_kind.type_id), {})
        if keys is None:
            forward.pop(to_id, None)
            backward.pop(from_id, None)
            return
        for category, type_id in keys:
            forward.get(to_id, set()).discard((category, type_id))
            backward.get(from_id, set()).discard((category, _inverse(from_kind, category, type_id)))
        if not forward.get(to_id, True):
            forward.pop(to_id, None)
        if not backward.get(from_id, True):
            backward.pop(from_id, None)

    def association_type_payload(
        self, from_kind: ObjectType, keys: Iterable[AssociationKey]
    ) -> list[dict[str, object]]:
        """`[{category, typeId, label}]` as the v4 API lists association types."""
        payload: list[dict[str, object]] = []
        for category, type_id in sorted(keys):
            definition = DEFINED_BY_ID.get((from_kind.type_id, type_id))
            label = definition.label if definition and category == "HUBSPOT_DEFINED" else None
            payload.append({"category": category, "typeId": type_id, "label": label})
        return payload


def require_properties(kind: ObjectType, values: dict[str, str]) -> None:
    """HubSpot's 400 when a create lacks every one of the type's required properties."""
    if not kind.required_one_of or any(values.get(p) for p in kind.required_one_of):
        return
    wanted = " or ".join(kind.required_one_of)
    raise HubSpotApiError(
        400,
        f"Property values were not valid: {wanted} is required to create {kind.plural}",
        "VALIDATION_ERROR",
        errors=[
            {
                "message": f"{wanted} is required",
                "code": "REQUIRED_PROPERTY",
                "context": {"propertyName": list(kind.required_one_of)},
            }
        ],
    )


def _inverse(from_kind: ObjectType, category: str, type_id: int) -> int:
    definition = DEFINED_BY_ID.get((from_kind.type_id, type_id))
    if category == "HUBSPOT_DEFINED" and definition is not None:
        return definition.inverse
    return type_id  # user-defined labels: the emulator keeps one id for both directions


def _v3_type_name(kind: ObjectType, other: ObjectType, key: AssociationKey) -> str:
    definition = DEFINED_BY_ID.get((kind.type_id, key[1]))
    if definition is not None and key[0] == "HUBSPOT_DEFINED":
        return definition.name
    return f"{kind.singular}_to_{other.singular}"


def _seed_owners(seed: int) -> list[dict[str, object]]:
    rng = random.Random(f"hubspot-owners-{seed}")
    people = [("Dana", "Whitfield"), ("Marcus", "Oyelaran"), ("Ines", "Carvalho")]
    created = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    owners: list[dict[str, object]] = []
    for index, (first, last) in enumerate(people):
        moment = created + timedelta(days=index * 41, minutes=rng.randrange(600))
        owners.append(
            {
                "id": str(rng.randrange(10_000_000, 99_999_999)),
                "email": f"{first.lower()}.{last.lower()}@salesauto-sandbox.example",
                "type": "PERSON",
                "firstName": first,
                "lastName": last,
                "userId": rng.randrange(1_000_000, 9_999_999),
                "userIdIncludingInactive": rng.randrange(1_000_000, 9_999_999),
                "createdAt": iso_ms(moment),
                "updatedAt": iso_ms(moment),
                "archived": False,
                "teams": [{"id": "4201", "name": "Sales", "primary": True}],
            }
        )
    return owners


def live_records(records: Iterable[StoredObject]) -> Iterator[StoredObject]:
    return (record for record in records if not record.archived)

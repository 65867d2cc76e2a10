"""Workspace routes: `contacts` (create, search), `emailer_campaigns` (search, add contacts),
`email_accounts`, and `organizations/{id}/job_postings`."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request

from salesauto.integrations.sandbox.apollo.params import (
    ApolloError,
    Params,
    StrList,
    invalid,
    parse,
    read_params,
)
from salesauto.integrations.sandbox.apollo.state import ApolloState
from salesauto.integrations.sandbox.apollo.workspace import Workspace, job_postings

PER_PAGE_MAX = 100


class PageParams(Params):
    page: int = 1
    per_page: int = 25


class ContactSearch(PageParams):
    q_keywords: str | None = None


class SequenceSearch(PageParams):
    q_name: str | None = None


class ContactCreate(Params):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    organization_name: str | None = None
    run_dedupe: bool = False


class AddContacts(Params):
    contact_ids: StrList
    send_email_from_email_account_id: str
    emailer_campaign_id: str | None = None


def paged(
    rows: list[dict[str, Any]], params: PageParams
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    if params.page < 1:
        raise invalid("page must be 1 or more")
    per_page = max(1, min(params.per_page, PER_PAGE_MAX))
    start = (params.page - 1) * per_page
    return rows[start : start + per_page], {
        "page": params.page,
        "per_page": per_page,
        "total_entries": len(rows),
        "total_pages": math.ceil(len(rows) / per_page),
    }


def workspace_router(state: ApolloState, workspace: Workspace) -> APIRouter:
    router = APIRouter(tags=["workspace"])

    @router.get("/organizations/{organization_id}/job_postings")
    async def organization_job_postings(organization_id: str) -> dict[str, Any]:
        """The organization's open roles (free)."""
        company = state.universe.by_apollo_org.get(organization_id)
        if company is None:
            raise ApolloError(404, {"error": f"Organization {organization_id} not found"})
        postings = job_postings(company)
        return {
            "organization_job_postings": postings,
            "pagination": {"page": 1, "per_page": 100, "total_entries": len(postings),
                           "total_pages": 1},
        }  # fmt: skip

    @router.post("/contacts/search")
    async def search_contacts(request: Request) -> dict[str, Any]:
        """Contacts saved in the team's workspace, by keywords (name, email, title, company)."""
        params = parse(ContactSearch, await read_params(request))
        rows, pagination = paged(workspace.search_contacts(params.q_keywords), params)
        return {"contacts": rows, "breadcrumbs": [], "pagination": pagination}

    @router.post("/contacts")
    async def create_contact(request: Request) -> dict[str, Any]:
        """Save a contact; `run_dedupe` returns the existing one with the same email."""
        params = parse(ContactCreate, await read_params(request))
        if not (params.email or params.first_name or params.last_name):
            raise invalid("a contact needs an email or a name")
        fields = params.model_dump(exclude={"run_dedupe"})
        return {"contact": workspace.save_contact(fields, dedupe=params.run_dedupe)}

    @router.post("/emailer_campaigns/search")
    async def search_sequences(request: Request) -> dict[str, Any]:
        """The team's sequences whose name contains `q_name`."""
        params = parse(SequenceSearch, await read_params(request))
        needle = (params.q_name or "").strip().lower()
        found = [s.public() for s in workspace.sequences.values() if needle in s.name.lower()]
        rows, pagination = paged(found, params)
        return {"emailer_campaigns": rows, "breadcrumbs": [], "pagination": pagination}

    @router.get("/email_accounts")
    async def email_accounts() -> dict[str, Any]:
        """The mailboxes sequences can send from."""
        return {"email_accounts": workspace.email_accounts}

    @router.post("/emailer_campaigns/{sequence_id}/add_contact_ids")
    async def add_contacts_to_sequence(sequence_id: str, request: Request) -> dict[str, Any]:
        """Enroll saved contacts in a sequence, sending from one of the team's mailboxes."""
        params = parse(AddContacts, await read_params(request))
        sequence = workspace.sequences.get(sequence_id)
        if sequence is None:
            raise ApolloError(404, {"error": f"Emailer campaign {sequence_id} not found"})
        mailboxes = {account["id"] for account in workspace.email_accounts}
        if params.send_email_from_email_account_id not in mailboxes:
            raise invalid("send_email_from_email_account_id is not a mailbox of this team")
        unknown = [i for i in params.contact_ids if i not in workspace.contacts]
        if unknown or not params.contact_ids:
            raise invalid(f"unknown contact_ids: {', '.join(unknown) or '(none given)'}")
        contacts = []
        for contact_id in params.contact_ids:
            contact = workspace.contacts[contact_id]
            if contact_id not in sequence.contact_ids:
                sequence.contact_ids.append(contact_id)
                contact["emailer_campaign_ids"].append(sequence.id)
            contacts.append(contact)
        return {"contacts": contacts, "emailer_campaign": sequence.public()}

    return router

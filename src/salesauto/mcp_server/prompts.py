"""Prompts: the workflows users ask for most, written as the steps a model takes with our
tools and resources (none of the providers' own MCP servers offer these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import mcp_types as types
from mcp.shared.exceptions import MCPError

Render = Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class WorkflowPrompt:
    name: str
    title: str
    description: str
    render: Render
    arguments: list[types.PromptArgument] = field(default_factory=list)

    def listing(self) -> types.Prompt:
        return types.Prompt(
            name=self.name,
            title=self.title,
            description=self.description,
            arguments=self.arguments,
        )


def _number(arguments: dict[str, str], name: str, default: int, most: int) -> int:
    value = arguments.get(name, "").strip() or str(default)
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise MCPError(types.INVALID_PARAMS, f"{name} must be a whole number from 1 to {most}")
    return int(value)


def _find_leads(arguments: dict[str, str]) -> str:
    count = _number(arguments, "count", 25, 1000)
    customers = arguments.get("customers", "").strip()
    best = (
        f"my best customers are {customers}; look each up with contacts_get_company"
        if customers
        else "my best customers are the companies of contacts who replied: "
        "contacts_search with stage=replied, then contacts_get_company for each domain"
    )
    return (
        f"Find {count} new leads like my best customers.\n"
        "1. Read the resource salesauto://icp-profiles for the profile fields, their allowed "
        "values and the searches I ran before.\n"
        f"2. {best}.\n"
        "3. Work out what they share (industries, employee and revenue ranges, countries, "
        "technologies) and whom we talk to there (titles, seniorities, departments). Show me "
        "that ideal customer profile in a short list.\n"
        f"4. Call discovery_find_leads with that icp_profile and count={count}. Its first "
        "answer is a dry run with the credit cost: tell me the cost and wait for my go before "
        "calling it again with the confirm_token.\n"
        "5. Follow the job with jobs_get until it is done, then show the best new leads "
        "(contacts_search with source=discovery) with their scores."
    )


def _pipeline_review(arguments: dict[str, str]) -> str:
    days = _number(arguments, "days", 7, 90)
    return (
        f"Review my sales pipeline for the last {days} days.\n"
        "1. Read salesauto://pipeline: contacts per stage and campaign totals.\n"
        "2. analytics_campaign_performance: which campaigns gain and which lag (reply, open "
        "and bounce rates over delivered).\n"
        "3. campaigns_list_replies: who answered, and which replies still wait for us.\n"
        "4. analytics_job_health and deadletter_list (status pending): anything stuck or "
        "failing that loses leads.\n"
        "Write a one-page review: the numbers, what changed, the three actions you recommend "
        "first. Do not change anything; ask me before any tool that writes."
    )


def _triage_replies(arguments: dict[str, str]) -> str:
    limit = _number(arguments, "limit", 25, 100)
    campaign = arguments.get("campaign_id", "").strip()
    scope = f" of campaign {campaign} (campaign_id={campaign})" if campaign else ""
    return (
        f"Triage the latest {limit} replies{scope}.\n"
        f"1. campaigns_list_replies with limit={limit}"
        f"{f' and campaign_id={campaign}' if campaign else ''}.\n"
        "2. Put each reply in one group: interested, question, not now, wrong person, "
        "unsubscribe, out of office, bounce.\n"
        "3. For each, propose the next step: a reply draft for interested and questions, a "
        "follow-up date for not now, the right person for wrong person (contacts_get_company "
        "shows colleagues).\n"
        "4. Unsubscribe requests go on the suppression list with contacts_suppress — list them "
        "and ask me before calling it.\n"
        "Show a table (contact, company, group, next step), most promising first."
    )


PROMPTS = {
    prompt.name: prompt
    for prompt in (
        WorkflowPrompt(
            "find_leads_like_my_best_customers",
            "Find leads like my best customers",
            "Derive an ideal customer profile from your best customers and discover "
            "lookalike leads (asks before spending credits).",
            _find_leads,
            [
                types.PromptArgument(
                    name="customers",
                    description="Domains of your best customers, comma-separated "
                    "(default: the companies whose contacts replied).",
                ),
                types.PromptArgument(name="count", description="Leads to find (default 25)."),
            ],
        ),
        WorkflowPrompt(
            "weekly_pipeline_review",
            "Weekly pipeline review",
            "The funnel, campaign performance, replies and stuck work, with the actions to "
            "take first (reads only).",
            _pipeline_review,
            [types.PromptArgument(name="days", description="The period (default 7 days).")],
        ),
        WorkflowPrompt(
            "triage_replies",
            "Triage replies",
            "Sort campaign replies into interested, not now, unsubscribe… and propose each "
            "next step (asks before suppressing anyone).",
            _triage_replies,
            [
                types.PromptArgument(
                    name="campaign_id", description="Only this campaign's replies (default all)."
                ),
                types.PromptArgument(name="limit", description="Replies to read (default 25)."),
            ],
        ),
    )
}


def get_prompt(name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
    prompt = PROMPTS.get(name)
    if prompt is None:
        raise MCPError(
            types.INVALID_PARAMS, f"unknown prompt {name!r}; the prompts are {', '.join(PROMPTS)}"
        )
    text = prompt.render(arguments or {})
    return types.GetPromptResult(
        description=prompt.description,
        messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
    )

"""The standard data model as seen through the REST API.

Pins reference/data-model.md (field types, composite sub-fields, defaults, the reference's eleven
standard objects and the fourteen of issue 15, system fields, relations, createdBy, link normalisation, demo seed) together with the
record shape and request-body rules of rest.md §5, §6, §7.3 and §8.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import COMPANY_RELATIONS, PERSON_RELATIONS, meta_data

# --------------------------------------------------------------------------------------------
# Names and expected shapes
# --------------------------------------------------------------------------------------------

SINGULAR = {
    "companies": "company",
    "people": "person",
    "opportunities": "opportunity",
    "notes": "note",
    "noteTargets": "noteTarget",
    "tasks": "task",
    "taskTargets": "taskTarget",
    "workspaceMembers": "workspaceMember",
    "attachments": "attachment",
    "favorites": "favorite",
    "timelineActivities": "timelineActivity",
    "blocklists": "blocklist",
    "dashboards": "dashboard",
    "workflows": "workflow",
    "workflowVersions": "workflowVersion",
    "workflowRuns": "workflowRun",
    "favoriteFolders": "favoriteFolder",
}
PLURALS = list(SINGULAR)

# data-model.md §6, minus searchVector (never returned over REST, rest.md §5).
SYSTEM_KEYS = {
    "id",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "createdBy",
    "updatedBy",
    "position",
}

# data-model.md §7.2: every non-relation field plus the join column of every many-to-one.
DEPTH0_KEYS: dict[str, set[str]] = {
    "company": SYSTEM_KEYS
    | {
        "name",
        "domainName",
        "employees",
        "linkedinLink",
        "xLink",
        "annualRecurringRevenue",
        "address",
        "idealCustomerProfile",
        "accountOwnerId",
    },
    "person": SYSTEM_KEYS
    | {
        "name",
        "emails",
        "linkedinLink",
        "xLink",
        "jobTitle",
        "phones",
        "city",
        "avatarUrl",
        "avatarFile",
        "companyId",
    },
    "opportunity": SYSTEM_KEYS
    | {
        "name",
        "amount",
        "closeDate",
        "stage",
        "pointOfContactId",
        "companyId",
        "ownerId",
    },
    "note": SYSTEM_KEYS | {"title", "bodyV2"},  # the newest Twenty dropped the plain-text "body"
    "task": SYSTEM_KEYS | {"title", "bodyV2", "dueAt", "status", "assigneeId"},
    "noteTarget": SYSTEM_KEYS | {"noteId", "targetPersonId", "targetCompanyId", "targetOpportunityId"},
    "taskTarget": SYSTEM_KEYS | {"taskId", "targetPersonId", "targetCompanyId", "targetOpportunityId"},
    "workspaceMember": SYSTEM_KEYS
    | {
        "name",
        "userEmail",
        "userId",
        "avatarUrl",
        "colorScheme",
        "locale",
        "timeZone",
        "calendarStartDay",
        "dateFormat",
        "timeFormat",
        "numberFormat",
    },
    "attachment": SYSTEM_KEYS
    | {
        "name",
        "file",
        "fullPath",
        "fileCategory",
        "targetTaskId",
        "targetNoteId",
        "targetPersonId",
        "targetCompanyId",
        "targetOpportunityId",
        "targetDashboardId",
        "targetWorkflowId",
    },
    # favorite has no updatedBy (data-model.md §6).
    "favorite": (SYSTEM_KEYS - {"updatedBy"})
    | {
        "viewId",
        "forWorkspaceMemberId",
        "personId",
        "companyId",
        "opportunityId",
        "taskId",
        "noteId",
        "dashboardId",
        "workflowId",
        "workflowVersionId",
        "workflowRunId",
        "favoriteFolderId",
    },
    "timelineActivity": SYSTEM_KEYS
    | {
        "happensAt",
        "name",
        "properties",
        "linkedRecordCachedName",
        "linkedRecordId",
        "linkedObjectMetadataId",
        "workspaceMemberId",
        "targetPersonId",
        "targetCompanyId",
        "targetOpportunityId",
        "targetNoteId",
        "targetTaskId",
        "targetWorkflowId",
        "targetWorkflowVersionId",
        "targetWorkflowRunId",
        "targetDashboardId",
    },
    "blocklist": SYSTEM_KEYS | {"handle", "scope", "workspaceMemberId"},
    "dashboard": SYSTEM_KEYS | {"title", "pageLayoutId"},
    "workflow": SYSTEM_KEYS | {"name", "lastPublishedVersionId", "statuses", "coreWorkflowId"},
    "workflowVersion": SYSTEM_KEYS | {"name", "trigger", "steps", "status", "coreWorkflowVersionId", "workflowId"},
    "workflowRun": SYSTEM_KEYS
    | {
        "name",
        "enqueuedAt",
        "startedAt",
        "endedAt",
        "status",
        "state",
        "stepLogs",
        "coreWorkflowId",
        "coreWorkflowVersionId",
        "workflowVersionId",
        "workflowId",
    },
    "favoriteFolder": SYSTEM_KEYS | {"name"},
}
# Fields that only newer builds add (data-model.md §7.2, timelineActivity); tolerated, not required.
OPTIONAL_KEYS: dict[str, set[str]] = {"timelineActivity": {"action", "sourceObjectMetadataId"}}

# Relation fields added at depth=1 (rest.md §5, data-model.md §7.2).

API_ACTOR = {
    "source": "API",
    "workspaceMemberId": None,
    "name": "Local API key",
    "context": {},
}

EMPTY_LINKS_PARTS = {"primaryLinkUrl": "", "primaryLinkLabel": ""}
EMPTY_EMAILS = {"primaryEmail": "", "additionalEmails": None}
EMPTY_PHONES = {
    "primaryPhoneNumber": "",
    "primaryPhoneCountryCode": "",
    "primaryPhoneCallingCode": "",
    "additionalPhones": None,
}
EMPTY_NAME = {"firstName": "", "lastName": ""}
EMPTY_CURRENCY = {"amountMicros": None, "currencyCode": ""}
EMPTY_ADDRESS = {
    "addressStreet1": "",
    "addressStreet2": "",
    "addressCity": "",
    "addressPostcode": "",
    "addressState": "",
    "addressCountry": "",
    "addressLat": None,
    "addressLng": None,
}
EMPTY_RICH_TEXT = {"blocknote": None, "markdown": None}

TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
LOWER_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def cap(name: str) -> str:
    return name[0].upper() + name[1:]


def create(client: Any, plural: str, body: dict | None = None, **params: Any) -> dict:
    """POST /rest/{plural}; asserts 201 and returns data.create<Singular>."""
    r = client.post(f"/rest/{plural}", json=body if body is not None else {}, params=params or None)
    assert r.status_code == 201, r
    return r.json()["data"][f"create{cap(SINGULAR[plural])}"]


def create_raw(client: Any, plural: str, body: dict) -> Any:
    return client.post(f"/rest/{plural}", json=body)


def get_one(client: Any, plural: str, record_id: str, **params: Any) -> dict:
    r = client.get(f"/rest/{plural}/{record_id}", params=params or None)
    assert r.status_code == 200, r
    return r.json()["data"][SINGULAR[plural]]


def list_all(client: Any, plural: str, **params: Any) -> list[dict]:
    r = client.get(f"/rest/{plural}", params=params or None)
    assert r.status_code == 200, r
    return r.json()["data"][plural]


def update(client: Any, plural: str, record_id: str, body: dict) -> dict:
    r = client.patch(f"/rest/{plural}/{record_id}", json=body)
    assert r.status_code == 200, r
    return r.json()["data"][f"update{cap(SINGULAR[plural])}"]


def destroy(client: Any, plural: str, record_id: str) -> None:
    r = client.delete(f"/rest/{plural}/{record_id}")
    assert r.status_code == 200, r
    assert r.json() == {"data": {f"delete{cap(SINGULAR[plural])}": {"id": record_id}}}


def soft_delete(client: Any, plural: str, record_id: str) -> None:
    r = client.delete(f"/rest/{plural}/{record_id}", params={"soft_delete": "true"})
    assert r.status_code == 200, r


def assert_gone_for_good(client: Any, plural: str, record_id: str) -> None:
    """Destroyed: not readable, and not in the trash either (rest.md §4.1 deletedAt rule)."""
    assert client.get(f"/rest/{plural}/{record_id}").status_code == 404
    trash = list_all(client, plural, filter="deletedAt[is]:NOT_NULL")
    assert record_id not in {row["id"] for row in trash}


def assert_bad_request(r: Any) -> str:
    assert r.status_code == 400, r
    body = r.json()
    assert body["statusCode"] == 400
    assert body["error"] == "BadRequestException"
    assert len(body["messages"]) == 1
    return body["messages"][0]


def minimal_body(client: Any, plural: str) -> dict:
    """The smallest valid create body for each standard object."""
    if plural == "workspaceMembers":
        return {"userId": str(uuid.uuid4())}
    if plural == "noteTargets":
        return {"noteId": create(client, "notes")["id"]}
    if plural == "taskTargets":
        return {"taskId": create(client, "tasks")["id"]}
    if plural == "workflowRuns":
        return {"state": {}}  # not nullable, no default: as in Twenty
    return {}


def parse_ts(value: str) -> datetime:
    assert TIMESTAMP_RE.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# Objects are reachable; record shape at depth 0 and 1 (rest.md §5, §7.1, data-model.md §7)
# --------------------------------------------------------------------------------------------


def test_every_standard_object_is_listable_and_empty(client):
    for plural in PLURALS:
        r = client.get(f"/rest/{plural}")
        assert r.status_code == 200, (plural, r)
        body = r.json()
        assert body["data"] == {plural: []}, plural
        assert body["totalCount"] == 0, plural


@pytest.mark.parametrize("plural", PLURALS)
def test_created_record_has_exactly_the_documented_keys(client, plural):
    singular = SINGULAR[plural]
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    record = create(client, plural, minimal_body(client, plural))
    expected = DEPTH0_KEYS[singular]
    keys = set(record)
    assert expected <= keys, f"missing: {sorted(expected - keys)}"
    extra = keys - expected - OPTIONAL_KEYS.get(singular, set())
    assert not extra, f"unexpected keys: {sorted(extra)}"
    # system fields (data-model.md §6, §8)
    assert LOWER_UUID_RE.match(record["id"])
    assert uuid.UUID(record["id"]).version == 4
    assert before <= parse_ts(record["createdAt"]) <= datetime.now(timezone.utc) + timedelta(seconds=5)
    parse_ts(record["updatedAt"])
    assert record["deletedAt"] is None
    assert record["createdBy"] == API_ACTOR


def test_find_one_and_find_many_return_the_create_shape(client):
    for plural in [
        "people",
        "companies",
        "opportunities",
        "notes",
        "tasks",
        "noteTargets",
    ]:
        record = create(client, plural, minimal_body(client, plural))
        assert get_one(client, plural, record["id"]) == record, plural
        rows = [row for row in list_all(client, plural) if row["id"] == record["id"]]
        assert rows == [record], plural


def test_person_at_depth1_has_relation_fields(client):
    person = create(client, "people")
    full = get_one(client, "people", person["id"], depth=1)
    assert set(full) == DEPTH0_KEYS["person"] | PERSON_RELATIONS
    assert full["company"] is None
    for name in PERSON_RELATIONS - {"company", "timelineActivities"}:
        assert full[name] == [], name
    assert isinstance(full["timelineActivities"], list)


def test_company_at_depth1_has_relation_fields(client):
    company = create(client, "companies")
    full = get_one(client, "companies", company["id"], depth=1)
    assert set(full) == DEPTH0_KEYS["company"] | COMPANY_RELATIONS
    assert full["accountOwner"] is None
    for name in COMPANY_RELATIONS - {"accountOwner", "timelineActivities"}:
        assert full[name] == [], name
    assert isinstance(full["timelineActivities"], list)


# --------------------------------------------------------------------------------------------
# Defaults on create (data-model.md §3.2, §6, §7.2)
# --------------------------------------------------------------------------------------------

DEFAULTS = {
    "people": {
        "name": EMPTY_NAME,
        "emails": EMPTY_EMAILS,
        "phones": EMPTY_PHONES,
        "jobTitle": "",
        "city": "",
        "avatarUrl": "",
        "companyId": None,
    },
    "companies": {
        "name": "",
        "employees": None,
        "idealCustomerProfile": False,
        "annualRecurringRevenue": EMPTY_CURRENCY,
        "address": EMPTY_ADDRESS,
        "accountOwnerId": None,
    },
    "opportunities": {
        "name": "",
        "amount": EMPTY_CURRENCY,
        "closeDate": None,
        "stage": "NEW",
        "pointOfContactId": None,
        "companyId": None,
        "ownerId": None,
    },
    "notes": {"title": "", "bodyV2": EMPTY_RICH_TEXT},
    "tasks": {
        "title": "",
        "bodyV2": EMPTY_RICH_TEXT,
        "status": "TODO",
        "dueAt": None,
        "assigneeId": None,
    },
    "workspaceMembers": {
        "name": EMPTY_NAME,
        "userEmail": "",
        "avatarUrl": "",
        "colorScheme": "System",
        "locale": "en",
        "timeZone": "system",
        "calendarStartDay": 7,
        "dateFormat": "SYSTEM",
        "timeFormat": "SYSTEM",
        "numberFormat": "SYSTEM",
    },
    "attachments": {
        "name": "",
        "fullPath": "",
        "fileCategory": "OTHER",
        "targetTaskId": None,
        "targetNoteId": None,
        "targetPersonId": None,
        "targetCompanyId": None,
        "targetOpportunityId": None,
    },
    "noteTargets": {
        "targetPersonId": None,
        "targetCompanyId": None,
        "targetOpportunityId": None,
    },
    "taskTargets": {
        "targetPersonId": None,
        "targetCompanyId": None,
        "targetOpportunityId": None,
    },
    "favorites": {
        "viewId": None,
        "forWorkspaceMemberId": None,
        "personId": None,
        "companyId": None,
    },
}


@pytest.mark.parametrize("plural", list(DEFAULTS))
def test_defaults_on_create(client, plural):
    record = create(client, plural, minimal_body(client, plural))
    got = {key: record.get(key, "<missing>") for key in DEFAULTS[plural]}
    assert got == DEFAULTS[plural]


def test_links_default(client):
    person, company = create(client, "people"), create(client, "companies")
    values = [
        person["linkedinLink"],
        person["xLink"],
        company["domainName"],
        company["linkedinLink"],
        company["xLink"],
    ]
    for value in values:
        # secondaryLinks is null, or [] in some builds (data-model.md §3.2, unconfirmed choice).
        assert set(value) == {"primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"}
        assert {k: value[k] for k in EMPTY_LINKS_PARTS} == EMPTY_LINKS_PARTS
        assert value["secondaryLinks"] in (None, [])


def test_timeline_activity_happens_at_defaults_to_now(client):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    record = create(client, "timelineActivities", {"name": "company.created"})
    assert before <= parse_ts(record["happensAt"]) <= datetime.now(timezone.utc) + timedelta(seconds=5)


def test_workspace_member_requires_user_id(client):
    message = assert_bad_request(create_raw(client, "workspaceMembers", {"locale": "fr"}))
    assert message == "Field userId is not nullable and has no default value."
    assert list_all(client, "workspaceMembers") == []


def test_text_field_is_null_only_when_client_sets_null(client):
    person = create(client, "people", {"jobTitle": "Engineer"})
    assert update(client, "people", person["id"], {"city": "Paris"})["jobTitle"] == "Engineer"
    assert update(client, "people", person["id"], {"jobTitle": None})["jobTitle"] is None


# --------------------------------------------------------------------------------------------
# Position (data-model.md §6)
# --------------------------------------------------------------------------------------------


def test_new_record_goes_first_by_default(client):
    positions = [create(client, "companies")["position"] for _ in range(3)]
    assert positions == [0, -1, -2]


def test_position_explicit_first_and_last(client):
    record = create(client, "people", {"position": 5.5})
    assert get_one(client, "people", record["id"])["position"] == 5.5
    create(client, "people", {"position": 2})
    assert create(client, "people", {"position": "first"})["position"] == 1
    assert create(client, "people", {"position": "last"})["position"] == 6.5


# --------------------------------------------------------------------------------------------
# Every field type round-trips (data-model.md §1, §2, §9)
# --------------------------------------------------------------------------------------------

ROUND_TRIPS = {
    "people": {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},  # FULL_NAME
        "emails": {
            "primaryEmail": "ada@example.com",
            "additionalEmails": ["ada@work.example", "a@b.example"],
        },
        "phones": {  # PHONES
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "798765432", "countryCode": "GB", "callingCode": "+44"}],
        },
        "linkedinLink": {  # LINKS
            "primaryLinkUrl": "https://linkedin.com/in/ada",
            "primaryLinkLabel": "Ada",
            "secondaryLinks": [{"url": "https://ada.example", "label": "Home"}],
        },
        "jobTitle": "Countess of Lovelace",  # TEXT
        "city": "Zürich — 東京",
    },
    "companies": {
        "annualRecurringRevenue": {
            "amountMicros": 12500000,
            "currencyCode": "EUR",
        },  # CURRENCY
        "address": {  # ADDRESS
            "addressStreet1": "10 Downing St",
            "addressStreet2": "Flat 1",
            "addressCity": "London",
            "addressPostcode": "SW1A 2AA",
            "addressState": "England",
            "addressCountry": "United Kingdom",
            "addressLat": 51.5034,
            "addressLng": -0.1276,
        },
        "employees": 250,  # NUMBER
        "idealCustomerProfile": True,  # BOOLEAN
    },
    "opportunities": {
        "amount": {"amountMicros": 5000000000000, "currencyCode": "USD"},
        "stage": "MEETING",  # SELECT
    },
    "notes": {
        "bodyV2": {  # RICH_TEXT
            "blocknote": '[{"type":"paragraph","content":[{"type":"text","text":"Hi"}]}]',
            "markdown": "Hi",
        },
        "title": "Call recap",
    },
    "tasks": {"status": "IN_PROGRESS", "title": "Follow up"},
    "attachments": {
        "fileCategory": "SPREADSHEET",
        "fullPath": "attachment/x.csv",
        "name": "x.csv",
    },
    "workspaceMembers": {
        "userId": "9f1e2d3c-4b5a-4968-8776-655443322110",
        "calendarStartDay": 1,
        "dateFormat": "DAY_FIRST",
        "timeFormat": "HOUR_24",
        "numberFormat": "SPACES_AND_COMMA",
        "locale": "fr-FR",
        "colorScheme": "Dark",
        "userEmail": "ada@example.com",
    },
    "timelineActivities": {
        "properties": {
            "diff": {"name": {"before": "A", "after": "B"}},
            "list": [1, 2.5, None, True],
            "s": "x",
        },
        "linkedRecordId": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",  # UUID
        "linkedRecordCachedName": "Acme",
        "name": "linked-note.created",
    },
}


@pytest.mark.parametrize("plural", list(ROUND_TRIPS))
def test_field_values_round_trip(client, plural):
    values = ROUND_TRIPS[plural]
    created = create(client, plural, values)
    fetched = get_one(client, plural, created["id"])
    for record in (created, fetched):
        assert {field: record[field] for field in values} == values


@pytest.mark.parametrize(
    ("plural", "field", "sent", "returned"),
    [
        (
            "opportunities",
            "closeDate",
            "2025-03-01T10:30:00+02:00",
            "2025-03-01T08:30:00.000Z",
        ),
        ("tasks", "dueAt", "2025-03-01T09:30:00Z", "2025-03-01T09:30:00.000Z"),
        (
            "timelineActivities",
            "happensAt",
            "2025-03-01T09:30:00.123Z",
            "2025-03-01T09:30:00.123Z",
        ),
        (
            "opportunities",
            "closeDate",
            "2025-03-01T09:30:00.000-05:00",
            "2025-03-01T14:30:00.000Z",
        ),
        ("tasks", "dueAt", "2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00.000Z"),
    ],
)
def test_date_time_is_returned_in_utc_with_milliseconds(client, plural, field, sent, returned):
    record = create(client, plural, {field: sent})
    assert record[field] == returned
    assert get_one(client, plural, record["id"])[field] == returned
    assert update(client, plural, record["id"], {field: sent})[field] == returned


def test_created_at_is_accepted_on_create(client):
    record = create(client, "people", {"createdAt": "2020-01-02T03:04:05+01:00"})
    assert record["createdAt"] == "2020-01-02T02:04:05.000Z"
    assert get_one(client, "people", record["id"])["createdAt"] == "2020-01-02T02:04:05.000Z"


def test_server_managed_fields_in_create_body_are_ignored(client):
    record = create(
        client,
        "people",
        {
            "deletedAt": "2020-01-01T00:00:00.000Z",
            "updatedAt": "2000-01-01T00:00:00.000Z",
            "updatedBy": {"source": "IMPORT"},
        },
    )
    assert record["deletedAt"] is None
    assert record["updatedAt"] != "2000-01-01T00:00:00.000Z"
    assert record["updatedBy"]["source"] != "IMPORT"
    assert get_one(client, "people", record["id"])["deletedAt"] is None


def test_partial_composite_on_create_fills_missing_sub_fields_with_defaults(client):
    record = create(
        client,
        "people",
        {"emails": {"primaryEmail": "ada@example.com"}, "name": {"lastName": "L"}},
    )
    assert record["emails"] == {
        "primaryEmail": "ada@example.com",
        "additionalEmails": None,
    }
    assert record["name"] == {"firstName": "", "lastName": "L"}
    company = create(client, "companies", {"address": {"addressCity": "Paris"}})
    assert company["address"] == EMPTY_ADDRESS | {"addressCity": "Paris"}


# --------------------------------------------------------------------------------------------
# Updates (data-model.md §2 partial composites, §6 timestamps, rest.md §6)
# --------------------------------------------------------------------------------------------

PARTIAL_UPDATES = {
    "people": (
        {
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {
                "primaryEmail": "ada@example.com",
                "additionalEmails": ["x@example.com"],
            },
            "phones": {
                "primaryPhoneNumber": "612345678",
                "primaryPhoneCountryCode": "FR",
                "primaryPhoneCallingCode": "+33",
            },
        },
        {
            "name": {"firstName": "Augusta"},
            "emails": {"additionalEmails": ["y@example.com"]},
            "phones": {"primaryPhoneNumber": "698765432"},
        },
    ),
    "companies": (
        {
            "address": {
                "addressStreet1": "1 Main St",
                "addressCity": "Paris",
                "addressLat": 48.85,
                "addressLng": 2.35,
            },
            "domainName": {
                "primaryLinkUrl": "https://acme.com",
                "primaryLinkLabel": "Acme",
            },
            "annualRecurringRevenue": {"amountMicros": 1000000, "currencyCode": "USD"},
        },
        {
            "address": {"addressCity": "Lyon"},
            "domainName": {"primaryLinkLabel": "ACME Inc"},
            "annualRecurringRevenue": {"amountMicros": 2000000},
        },
    ),
    "notes": (
        {"bodyV2": {"blocknote": "[]", "markdown": "old"}},
        {"bodyV2": {"markdown": "new"}},
    ),
}


@pytest.mark.parametrize("plural", list(PARTIAL_UPDATES))
def test_partial_composite_update_keeps_other_sub_fields(client, plural):
    initial, patch = PARTIAL_UPDATES[plural]
    record = create(client, plural, initial)
    expected = {field: record[field] | sub_fields for field, sub_fields in patch.items()}
    updated = update(client, plural, record["id"], patch)
    fetched = get_one(client, plural, record["id"])
    for result in (updated, fetched):
        assert {field: result[field] for field in patch} == expected


def test_update_keeps_unsent_fields(client):
    company = create(client, "companies")
    person = create(
        client,
        "people",
        {
            "name": {"firstName": "Ada", "lastName": "L"},
            "jobTitle": "Engineer",
            "city": "London",
            "emails": {"primaryEmail": "ada@example.com"},
            "companyId": company["id"],
        },
    )
    updated = update(client, "people", person["id"], {"city": "Paris"})
    assert updated["city"] == "Paris"
    unchanged = {k: v for k, v in person.items() if k not in {"city", "updatedAt", "updatedBy"}}
    assert {k: updated[k] for k in unchanged} == unchanged
    assert get_one(client, "people", person["id"]) == updated


def test_update_changes_updated_at_but_not_created_at(client):
    person = create(client, "people", {"city": "London"})
    time.sleep(0.02)
    updated = update(client, "people", person["id"], {"city": "Paris"})
    assert updated["createdAt"] == person["createdAt"]
    assert TIMESTAMP_RE.match(updated["updatedAt"])
    assert parse_ts(updated["updatedAt"]) > parse_ts(person["updatedAt"])


def test_update_ignores_server_managed_fields_in_body(client):
    person = create(client, "people")
    updated = update(
        client,
        "people",
        person["id"],
        {
            "city": "Rome",
            "updatedAt": "2000-01-01T00:00:00.000Z",
            "deletedAt": "2000-01-01T00:00:00.000Z",
            "updatedBy": {"source": "IMPORT"},
        },
    )
    assert updated["updatedAt"] != "2000-01-01T00:00:00.000Z"
    assert updated["deletedAt"] is None
    assert updated["updatedBy"] == API_ACTOR
    assert get_one(client, "people", person["id"])["city"] == "Rome"


def test_update_sets_updated_by_and_keeps_created_by(client):
    person = create(client, "people", {"createdBy": {"source": "EMAIL"}})
    updated = update(client, "people", person["id"], {"jobTitle": "CTO"})
    assert updated["updatedBy"] == API_ACTOR
    assert updated["createdBy"] == person["createdBy"]
    assert updated["createdBy"]["source"] == "EMAIL"


# --------------------------------------------------------------------------------------------
# SELECT values are checked (rest.md §6)
# --------------------------------------------------------------------------------------------

SELECT_CASES = [
    ("opportunities", "stage", "opportunity", "stage"),
    ("tasks", "status", "task", "status"),
    ("attachments", "fileCategory", "attachment", "(?i:fileCategory)"),
    ("workspaceMembers", "dateFormat", "workspaceMember", "(?i:dateFormat)"),
]


def enum_error_re(table: str, column: str, value: str) -> str:
    return rf'^invalid input value for enum workspace_[a-z0-9]+\.(?i:{table})_{column}_enum: "{value}"$'


@pytest.mark.parametrize(("plural", "field", "table", "column"), SELECT_CASES)
def test_invalid_select_value_is_rejected(client, plural, field, table, column):
    body = minimal_body(client, plural) | {field: "INVALID_ENUM_VALUE"}
    message = assert_bad_request(create_raw(client, plural, body))
    assert re.match(enum_error_re(table, column, "INVALID_ENUM_VALUE"), message), message
    assert list_all(client, plural) == []
    # values are case-sensitive; an invalid update changes nothing
    record = create(client, plural, minimal_body(client, plural))
    message = assert_bad_request(client.patch(f"/rest/{plural}/{record['id']}", json={field: "new"}))
    assert re.match(enum_error_re(table, column, "new"), message), message
    assert get_one(client, plural, record["id"])[field] == record[field]


# --------------------------------------------------------------------------------------------
# createdBy (data-model.md §8)
# --------------------------------------------------------------------------------------------


def test_client_sent_created_by_source_is_kept(client):
    person = create(client, "people", {"createdBy": {"source": "EMAIL"}})
    assert person["createdBy"]["source"] == "EMAIL"
    assert person["createdBy"]["workspaceMemberId"] is None
    assert person["createdBy"]["name"] == "Local API key"
    assert get_one(client, "people", person["id"])["createdBy"]["source"] == "EMAIL"


def test_client_sent_created_by_context_is_kept(client):
    context = {"provider": "google", "applicationId": "app-1"}
    company = create(client, "companies", {"createdBy": {"source": "IMPORT", "context": context}})
    assert company["createdBy"]["source"] == "IMPORT"
    assert company["createdBy"]["context"] == context


def test_batch_create_writes_api_actor(client):
    r = client.post("/rest/batch/notes", json=[{"title": "a"}, {"title": "b"}])
    assert r.status_code == 201, r
    notes = r.json()["data"]["createNotes"]
    assert [n["title"] for n in notes] == ["a", "b"]
    assert all(n["createdBy"] == API_ACTOR for n in notes)


# --------------------------------------------------------------------------------------------
# Link and id normalisation (data-model.md §9)
# --------------------------------------------------------------------------------------------


def test_trailing_slash_is_removed_from_links(client):
    links = {
        "primaryLinkUrl": "https://acme.com/",
        "primaryLinkLabel": "Acme",
        "secondaryLinks": [
            {"url": "https://acme.com/about/", "label": "About"},
            {"url": "https://blog.acme.com", "label": "Blog"},
        ],
    }
    expected = {
        "primaryLinkUrl": "https://acme.com",
        "primaryLinkLabel": "Acme",
        "secondaryLinks": [
            {"url": "https://acme.com/about", "label": "About"},
            {"url": "https://blog.acme.com", "label": "Blog"},
        ],
    }
    company = create(client, "companies", {"domainName": links})
    assert company["domainName"] == expected
    assert get_one(client, "companies", company["id"])["domainName"] == expected


def test_links_are_normalised_on_update_and_get_no_scheme(client):
    person = create(client, "people", {"xLink": {"primaryLinkUrl": "x.com/ada"}})
    assert person["xLink"]["primaryLinkUrl"] == "x.com/ada"
    link = {"primaryLinkUrl": "https://linkedin.com/in/ada/"}
    updated = update(client, "people", person["id"], {"linkedinLink": link})
    assert updated["linkedinLink"]["primaryLinkUrl"] == "https://linkedin.com/in/ada"


def test_ids_are_returned_lower_case(client):
    company_id = str(uuid.uuid4())
    company = create(client, "companies", {"id": company_id.upper()})
    assert company["id"] == company_id
    person = create(client, "people", {"companyId": company_id.upper()})
    assert person["companyId"] == company_id
    assert get_one(client, "companies", company_id)["id"] == company_id


# --------------------------------------------------------------------------------------------
# Relations (data-model.md §5, §7.3; rest.md §4.5, §6)
# --------------------------------------------------------------------------------------------


def test_join_column_sets_and_clears_relation(client):
    company = create(client, "companies", {"name": "Acme"})
    person = create(client, "people", {"companyId": company["id"]})
    assert person["companyId"] == company["id"]
    assert "company" not in person
    assert get_one(client, "people", person["id"])["companyId"] == company["id"]
    assert update(client, "people", person["id"], {"companyId": None})["companyId"] is None
    assert get_one(client, "people", person["id"])["companyId"] is None


def test_connect_by_unique_field_sets_relation(client):
    company = create(client, "companies", {"domainName": {"primaryLinkUrl": "https://acme.com"}})
    person = create(
        client,
        "people",
        {"company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://acme.com"}}}}},
    )
    assert person["companyId"] == company["id"]


def test_connect_by_id_and_disconnect(client):
    first, second = create(client, "companies"), create(client, "companies")
    person = create(client, "people", {"company": {"connect": {"where": {"id": first["id"]}}}})
    assert person["companyId"] == first["id"]
    assert "company" not in person
    moved = update(
        client,
        "people",
        person["id"],
        {"company": {"connect": {"where": {"id": second["id"]}}}},
    )
    assert moved["companyId"] == second["id"]
    assert update(client, "people", person["id"], {"company": {"disconnect": True}})["companyId"] is None
    assert get_one(client, "people", person["id"])["companyId"] is None


def test_opportunity_relations_by_join_columns(client):
    company = create(client, "companies")
    person = create(client, "people")
    member = create(client, "workspaceMembers", {"userId": str(uuid.uuid4())})
    opp = create(
        client,
        "opportunities",
        {
            "companyId": company["id"],
            "pointOfContactId": person["id"],
            "ownerId": member["id"],
        },
    )
    assert (opp["companyId"], opp["pointOfContactId"], opp["ownerId"]) == (
        company["id"],
        person["id"],
        member["id"],
    )
    full = get_one(client, "opportunities", opp["id"], depth=1)
    assert full["company"]["id"] == company["id"]
    assert full["pointOfContact"]["id"] == person["id"]
    assert full["owner"]["id"] == member["id"]


@pytest.mark.parametrize(
    ("plural", "body", "message"),
    [
        pytest.param(
            "people",
            {"company": {"id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}},
            'Relation "company" requires connect or disconnect operation',
            id="relation-without-connect",
        ),
        pytest.param(
            "companies",
            {"people": [{"id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}]},
            "One-to-many relation people field does not support write operations.",
            id="one-to-many",
        ),
        pytest.param(
            "people",
            {"foo": "bar"},
            'Object person doesn\'t have any "foo" field.',
            id="unknown-field",
        ),
    ],
)
def test_invalid_body_is_rejected(client, plural, body, message):
    assert assert_bad_request(create_raw(client, plural, body)) == message
    assert list_all(client, plural) == []


def test_join_column_to_missing_record_is_rejected(client):
    r = create_raw(client, "people", {"companyId": str(uuid.uuid4())})
    assert r.status_code == 400, r
    assert list_all(client, "people") == []


def test_depth1_embeds_person_company(client):
    company = create(client, "companies", {"name": "Acme"})
    person = create(client, "people", {"companyId": company["id"]})
    full = get_one(client, "people", person["id"], depth=1)
    assert full["companyId"] == company["id"]
    embedded = full["company"]
    assert embedded["id"] == company["id"]
    assert embedded["name"] == "Acme"
    # embedded records carry no relations of their own (rest.md §4.5)
    assert set(embedded) == DEPTH0_KEYS["company"]
    rows = list_all(client, "people", depth=1)
    assert [row["company"]["id"] for row in rows] == [company["id"]]


def test_depth1_embeds_company_people(client):
    company = create(client, "companies")
    other = create(client, "companies")
    ids = {create(client, "people", {"companyId": company["id"]})["id"] for _ in range(3)}
    create(client, "people", {"companyId": other["id"]})
    full = get_one(client, "companies", company["id"], depth=1)
    assert {p["id"] for p in full["people"]} == ids
    assert all(p["companyId"] == company["id"] for p in full["people"])
    assert all(set(p) == DEPTH0_KEYS["person"] for p in full["people"])


def test_depth1_excludes_soft_deleted_children(client):
    company = create(client, "companies")
    kept = create(client, "people", {"companyId": company["id"]})
    gone = create(client, "people", {"companyId": company["id"]})
    soft_delete(client, "people", gone["id"])
    full = get_one(client, "companies", company["id"], depth=1)
    assert [p["id"] for p in full["people"]] == [kept["id"]]


def test_note_target_links_note_to_person(client):
    note = create(client, "notes", {"title": "Call recap", "bodyV2": {"markdown": "Went well"}})
    assert note["bodyV2"]["markdown"] == "Went well"
    person = create(client, "people")
    target = create(client, "noteTargets", {"noteId": note["id"], "targetPersonId": person["id"]})
    assert target["noteId"] == note["id"]
    assert target["targetPersonId"] == person["id"]
    assert target["targetCompanyId"] is None
    assert [t["id"] for t in get_one(client, "people", person["id"], depth=1)["noteTargets"]] == [target["id"]]
    assert [t["id"] for t in get_one(client, "notes", note["id"], depth=1)["noteTargets"]] == [target["id"]]
    full = get_one(client, "noteTargets", target["id"], depth=1)
    assert full["note"]["id"] == note["id"]
    assert full["targetPerson"]["id"] == person["id"]
    assert full["targetCompany"] is None


def test_task_target_links_task_to_company(client):
    task = create(client, "tasks", {"title": "Follow up"})
    company = create(client, "companies")
    target = create(client, "taskTargets", {"taskId": task["id"], "targetCompanyId": company["id"]})
    assert (target["taskId"], target["targetCompanyId"]) == (task["id"], company["id"])
    assert [t["id"] for t in get_one(client, "companies", company["id"], depth=1)["taskTargets"]] == [target["id"]]


# --------------------------------------------------------------------------------------------
# onDelete on destroy; soft delete leaves relations alone (data-model.md §5, §7.2)
# --------------------------------------------------------------------------------------------


def test_destroying_company_sets_person_company_null(client):
    company = create(client, "companies")
    person = create(client, "people", {"companyId": company["id"]})
    opp = create(client, "opportunities", {"companyId": company["id"]})
    destroy(client, "companies", company["id"])
    assert get_one(client, "people", person["id"])["companyId"] is None
    assert get_one(client, "opportunities", opp["id"])["companyId"] is None
    assert_gone_for_good(client, "companies", company["id"])


def test_destroying_note_destroys_its_note_targets(client):
    note = create(client, "notes")
    person = create(client, "people")
    target = create(client, "noteTargets", {"noteId": note["id"], "targetPersonId": person["id"]})
    destroy(client, "notes", note["id"])
    assert_gone_for_good(client, "noteTargets", target["id"])
    assert get_one(client, "people", person["id"])["id"] == person["id"]


def test_destroying_person_destroys_note_targets_pointing_to_it(client):
    note = create(client, "notes")
    person = create(client, "people")
    target = create(client, "noteTargets", {"noteId": note["id"], "targetPersonId": person["id"]})
    destroy(client, "people", person["id"])
    assert_gone_for_good(client, "noteTargets", target["id"])
    assert get_one(client, "notes", note["id"])["id"] == note["id"]


def test_destroying_task_destroys_task_targets(client):
    task = create(client, "tasks")
    target = create(client, "taskTargets", {"taskId": task["id"]})
    destroy(client, "tasks", task["id"])
    assert_gone_for_good(client, "taskTargets", target["id"])


def test_attachment_on_delete_rules(client):
    note = create(client, "notes")
    person = create(client, "people")
    on_note = create(client, "attachments", {"name": "a.pdf", "targetNoteId": note["id"]})
    on_person = create(client, "attachments", {"name": "b.pdf", "targetPersonId": person["id"]})
    destroy(client, "notes", note["id"])  # SET_NULL
    destroy(client, "people", person["id"])  # CASCADE
    assert get_one(client, "attachments", on_note["id"])["targetNoteId"] is None
    assert_gone_for_good(client, "attachments", on_person["id"])


def test_destroying_workspace_member_nulls_assignee_and_cascades_favorites(client):
    member = create(client, "workspaceMembers", {"userId": str(uuid.uuid4())})
    task = create(client, "tasks", {"assigneeId": member["id"]})
    company = create(client, "companies", {"accountOwnerId": member["id"]})
    favorite = create(
        client,
        "favorites",
        {"forWorkspaceMemberId": member["id"], "companyId": company["id"]},
    )
    destroy(client, "workspaceMembers", member["id"])
    assert get_one(client, "tasks", task["id"])["assigneeId"] is None
    assert get_one(client, "companies", company["id"])["accountOwnerId"] is None
    assert_gone_for_good(client, "favorites", favorite["id"])


def test_soft_deleting_company_leaves_people_linked(client):
    company = create(client, "companies")
    person = create(client, "people", {"companyId": company["id"]})
    soft_delete(client, "companies", company["id"])
    assert client.get(f"/rest/companies/{company['id']}").status_code == 404
    assert get_one(client, "people", person["id"])["companyId"] == company["id"]


def test_soft_deleting_note_leaves_note_targets(client):
    note = create(client, "notes")
    target = create(client, "noteTargets", {"noteId": note["id"]})
    soft_delete(client, "notes", note["id"])
    kept = get_one(client, "noteTargets", target["id"])
    assert kept["noteId"] == note["id"]
    assert kept["deletedAt"] is None


# --------------------------------------------------------------------------------------------
# Unique fields (data-model.md §2, §7.2, §9; rest.md §6)
# --------------------------------------------------------------------------------------------


def test_duplicate_person_email_is_rejected(client):
    create(client, "people", {"emails": {"primaryEmail": "ada@example.com"}})
    assert_bad_request(create_raw(client, "people", {"emails": {"primaryEmail": "ada@example.com"}}))
    assert len(list_all(client, "people")) == 1
    other = create(client, "people", {"emails": {"primaryEmail": "grace@example.com"}})
    r = client.patch(
        f"/rest/people/{other['id']}",
        json={"emails": {"primaryEmail": "ada@example.com"}},
    )
    assert_bad_request(r)
    assert get_one(client, "people", other["id"])["emails"]["primaryEmail"] == "grace@example.com"


def test_empty_unique_values_never_conflict(client):
    for body in (
        {},
        {},
        {"emails": {"primaryEmail": ""}},
        {"emails": {"primaryEmail": ""}},
    ):
        create(client, "people", body)
    for body in ({}, {}, {"domainName": {"primaryLinkUrl": ""}}):
        create(client, "companies", body)
    assert len(list_all(client, "people")) == 4
    assert len(list_all(client, "companies")) == 3


def test_duplicate_company_domain_is_rejected_after_normalisation(client):
    create(client, "companies", {"domainName": {"primaryLinkUrl": "https://acme.com/"}})
    r = create_raw(client, "companies", {"domainName": {"primaryLinkUrl": "https://acme.com"}})
    assert_bad_request(r)
    assert len(list_all(client, "companies")) == 1


def test_duplicate_workspace_member_user_email_is_rejected(client):
    create(
        client,
        "workspaceMembers",
        {"userId": str(uuid.uuid4()), "userEmail": "ada@example.com"},
    )
    r = create_raw(
        client,
        "workspaceMembers",
        {"userId": str(uuid.uuid4()), "userEmail": "ada@example.com"},
    )
    assert_bad_request(r)


def test_duplicate_id_is_rejected(client):
    person = create(client, "people")
    message = assert_bad_request(create_raw(client, "people", {"id": person["id"]}))
    assert "Record already exists" in message


# --------------------------------------------------------------------------------------------
# Demo seed (data-model.md §10)
# --------------------------------------------------------------------------------------------

DEMO_OBJECTS = ["companies", "people", "opportunities", "notes", "tasks", "noteTargets"]


def test_demo_seed_has_records_not_created_by_api(demo_client):
    for plural in DEMO_OBJECTS:
        rows = list_all(demo_client, plural)
        assert rows, plural
        sources = {row["createdBy"]["source"] for row in rows}
        assert sources <= {"MANUAL", "SYSTEM"}, (plural, sources)


def test_demo_people_link_to_demo_companies(demo_client):
    company_ids = {c["id"] for c in list_all(demo_client, "companies")}
    linked = [p for p in list_all(demo_client, "people") if p["companyId"] is not None]
    assert linked
    assert {p["companyId"] for p in linked} <= company_ids
    company = get_one(demo_client, "companies", linked[0]["companyId"], depth=1)
    assert linked[0]["id"] in {p["id"] for p in company["people"]}


def test_demo_note_targets_link_existing_records(demo_client):
    note_ids = {n["id"] for n in list_all(demo_client, "notes")}
    targets = list_all(demo_client, "noteTargets")
    assert {t["noteId"] for t in targets} <= note_ids
    live = {
        "targetPersonId": {p["id"] for p in list_all(demo_client, "people")},
        "targetCompanyId": {c["id"] for c in list_all(demo_client, "companies")},
        "targetOpportunityId": {o["id"] for o in list_all(demo_client, "opportunities")},
    }
    linked = [(k, t[k]) for t in targets for k in live if t[k] is not None]
    assert linked
    assert all(value in live[k] for k, value in linked)


# ---- e-mail and calendar objects (issue 15, item 1) ------------------------------------------------------------


def test_email_and_calendar_objects_with_their_relations(client):
    objects = {o["nameSingular"]: o for o in client.get("/rest/metadata/objects?limit=100").json()["data"]}
    message = {f["name"]: f for f in objects["message"]["fields"]}
    assert objects["message"]["isSystem"] is True and objects["message"]["labelPlural"] == "Messages"
    assert message["messageThread"]["label"] == "Message Thread Id" and message["messageThread"]["icon"] == "IconHash"
    assert message["messageThread"]["settings"]["onDelete"] == "CASCADE"
    assert message["isDraft"]["isNullable"] is False and message["isDraft"]["defaultValue"] is False
    participant = {f["name"]: f for f in objects["messageParticipant"]["fields"]}
    assert [o["value"] for o in participant["role"]["options"]] == ["FROM", "TO", "CC", "BCC"]
    assert participant["person"]["settings"]["onDelete"] == "SET_NULL"
    person = {f["name"]: f for f in objects["person"]["fields"]}
    assert person["messageParticipants"]["relation"]["type"] == "ONE_TO_MANY"
    assert person["calendarEventParticipants"]["icon"] == "IconCalendar"
    event = {f["name"]: f for f in objects["calendarEvent"]["fields"]}
    assert event["conferenceLink"]["type"] == "LINKS" and event["iCalUid"]["label"] == "iCal UID"
    assert "body" not in {f["name"] for f in objects["note"]["fields"]}


SYSTEM_WRITABLE = {"messageChannelMessageAssociations": 2, "calendarChannelEventAssociations": 0,
                   "workflowAutomatedTriggers": 1}  # plural -> demo records  # fmt: skip


@pytest.mark.parametrize("plural", list(SYSTEM_WRITABLE))
def test_objects_only_the_platform_writes_are_read_only_for_keys(demo_client, plural):
    """Twenty marks these SYSTEM-writable: a key reads them, and every write is refused, changing nothing."""
    listed = demo_client.get(f"/rest/{plural}").json()
    assert listed["totalCount"] == SYSTEM_WRITABLE[plural]
    denied = {"statusCode": 403, "error": "ForbiddenException",
              "messages": ["Entity performing the request does not have permission"]}  # fmt: skip
    assert demo_client.post(f"/rest/{plural}", json={}).json() == denied
    if listed["data"][plural]:
        rid = listed["data"][plural][0]["id"]
        assert demo_client.patch(f"/rest/{plural}/{rid}", json={"messageExternalId": "x"}).json() == denied
        assert demo_client.delete(f"/rest/{plural}/{rid}").json() == denied
    assert demo_client.get(f"/rest/{plural}").json() == listed
    singular = plural[0].upper() + plural[1:-1]
    data = {
        "calendarChannelEventAssociations": '{calendarChannelId: "00000000-0000-4000-8000-000000000000"}',
        "workflowAutomatedTriggers": "{settings: {}}",
    }.get(plural, "{}")
    body = demo_client.post(
        "/graphql", json={"query": f"mutation {{ create{singular}(data: {data}) {{ id }} }}"}
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_demo_has_an_email_thread_and_a_meeting(demo_client):
    thread = demo_client.get("/rest/messageThreads", params={"depth": 1}).json()["data"]["messageThreads"][0]
    assert thread["subject"] == "Acme expansion: pricing" and len(thread["messages"]) == 2
    people = demo_client.get("/rest/messageParticipants").json()["data"]["messageParticipants"]
    assert sorted(p["role"] for p in people) == ["FROM", "FROM", "TO", "TO"]
    event = demo_client.get("/rest/calendarEvents", params={"depth": 1}).json()["data"]["calendarEvents"][0]
    assert event["title"] == "Hooli demo" and len(event["calendarEventParticipants"]) == 2


# ---- dashboards, workflows, blocklist, favorite folders, files (issue 15, item 1) ------------------------------


def fields_of(client, singular):
    objects = client.get("/rest/metadata/objects?limit=100").json()["data"]
    return {f["name"]: f for f in next(o for o in objects if o["nameSingular"] == singular)["fields"]}


def test_workflow_objects_as_twenty_defines_them(client):
    objects = {o["nameSingular"]: o for o in client.get("/rest/metadata/objects?limit=100").json()["data"]}
    workflow = objects["workflow"]
    assert (workflow["shortcut"], workflow["isSystem"], workflow["isSearchable"]) == ("W", False, True)
    assert workflow["icon"] == "IconSettingsAutomation" and objects["workflowRun"]["icon"] == "IconHistoryToggle"
    query = "{ objects(paging: {first: 100}) { edges { node { nameSingular writability } } } }"
    writability = {e["node"]["nameSingular"]: e["node"]["writability"]
                   for e in meta_data(client, query)["objects"]["edges"]}  # fmt: skip
    assert writability["workflowAutomatedTrigger"] == "SYSTEM" and writability["workflowVersion"] == "OPEN"
    fields = fields_of(client, "workflow")
    assert fields["statuses"]["type"] == "MULTI_SELECT"
    assert [o["value"] for o in fields["statuses"]["options"]] == ["DRAFT", "ACTIVE", "DEACTIVATED"]
    assert fields["versions"]["relation"]["type"] == "ONE_TO_MANY" and fields["coreWorkflowId"]["isSystem"] is True
    run = fields_of(client, "workflowRun")
    assert run["state"]["type"] == "RAW_JSON" and run["state"]["isNullable"] is False
    assert run["status"]["defaultValue"] == "'NOT_STARTED'" and run["status"]["label"] == "Workflow run status"
    assert run["workflowVersion"]["settings"]["onDelete"] == "SET_NULL"
    assert run["workflow"]["settings"]["onDelete"] == "CASCADE"
    version = fields_of(client, "workflowVersion")
    assert [o["value"] for o in version["status"]["options"]] == ["DRAFT", "ACTIVE", "DEACTIVATED", "ARCHIVED"]
    assert version["steps"]["label"] == "Version steps"


def test_links_to_dashboards_and_workflows_files_and_folders(client):
    attachment = fields_of(client, "attachment")
    assert attachment["file"]["type"] == "FILES" and attachment["file"]["settings"] == {"maxNumberOfValues": 1}
    assert attachment["targetWorkflow"]["type"] == "MORPH_RELATION"
    assert attachment["targetDashboard"]["settings"]["onDelete"] == "CASCADE"
    activity = fields_of(client, "timelineActivity")
    assert activity["targetDashboard"]["settings"]["onDelete"] == "SET_NULL"
    assert activity["targetWorkflowRun"]["settings"]["joinColumnName"] == "targetWorkflowRunId"
    favorite = fields_of(client, "favorite")
    assert favorite["favoriteFolder"]["settings"]["onDelete"] == "SET_NULL" and "workflowRun" in favorite
    person = fields_of(client, "person")
    assert (person["avatarFile"]["type"], person["avatarFile"]["isSystem"]) == ("FILES", True)
    assert person["linkedinLink"]["label"] == "Linkedin" and person["linkedinLink"]["icon"] == "IconBrandLinkedin"
    assert fields_of(client, "workspaceMember")["blocklist"]["relation"]["type"] == "ONE_TO_MANY"


def test_a_workflow_with_versions_and_runs_over_rest_and_graphql(client):
    workflow = create(client, "workflows", {"name": "Onboard", "statuses": ["DRAFT"]})
    version = create(client, "workflowVersions", {"workflowId": workflow["id"], "steps": [{"id": "a"}],
                                                   "trigger": {"type": "MANUAL"}})  # fmt: skip
    assert version["status"] == "DRAFT" and version["steps"] == [{"id": "a"}]
    run = create(client, "workflowRuns", {"workflowId": workflow["id"], "workflowVersionId": version["id"],
                                          "state": {"flow": {}}})  # fmt: skip
    assert run["status"] == "NOT_STARTED" and run["state"] == {"flow": {}}
    query = "{ workflowRuns { edges { node { workflow { name versions { totalCount } } workflowVersion { id } } } } }"
    node = client.post("/graphql", json={"query": query}).json()["data"]["workflowRuns"]["edges"][0]["node"]
    assert node["workflow"] == {"name": "Onboard", "versions": {"totalCount": 1}}
    assert node["workflowVersion"] == {"id": version["id"]}
    # A version destroyed leaves its runs (SET_NULL); the workflow destroyed takes versions and runs (CASCADE).
    assert client.delete(f"/rest/workflowVersions/{version['id']}").status_code == 200
    assert get_one(client, "workflowRuns", run["id"])["workflowVersionId"] is None
    assert client.delete(f"/rest/workflows/{workflow['id']}").status_code == 200
    assert client.get(f"/rest/workflowRuns/{run['id']}").status_code == 404


@pytest.mark.parametrize(
    ("plural", "body", "expected"),
    [
        ("workflows", {"statuses": ["RUNNING"]}, "RUNNING"),
        ("workflows", {"statuses": [1]}, "statuses"),
        ("workflowRuns", {"state": None}, "state"),
        ("workflowVersions", {"status": "LIVE"}, "LIVE"),
        ("people", {"avatarFile": [{"fileId": 1}]}, "expected string, received number"),
        ("people", {"avatarFile": "not json"}, 'for FILES field "avatarFile"'),
        (
            "people",
            {"avatarFile": [{"fileId": "00000000-0000-4000-8000-000000000001", "label": "a.png"}] * 2},
            "Max number of files is 1",
        ),
        ("attachments", {"file": {"fileId": "x" * 100_000}}, "expected array, received object"),
        ("blocklists", {"handle": ["@x.example"]}, 'for text field "handle"'),
        ("dashboards", {"pageLayoutId": "not-a-uuid"}, "pageLayoutId"),
    ],
)
def test_bad_values_for_the_new_objects_are_refused_and_change_nothing(client, plural, body, expected):
    before = client.get(f"/rest/{plural}").json()["totalCount"]
    message = assert_bad_request(create_raw(client, plural, {**({"state": {}} if plural == "workflowRuns" else {}),
                                                             **body}))  # fmt: skip
    assert expected in message
    assert client.get(f"/rest/{plural}").json()["totalCount"] == before


def test_a_person_keeps_an_avatar_file(client):
    avatar = [{"fileId": "00000000-0000-4000-8000-000000000001", "label": "ada.png"}]
    person = create(client, "people", {"avatarFile": avatar})
    assert get_one(client, "people", person["id"])["avatarFile"] == avatar


def test_the_demo_has_a_dashboard_and_a_workflow_with_a_version_and_a_run(demo_client):
    assert list_all(demo_client, "dashboards")[0]["title"] == "Sales pipeline"
    workflow = demo_client.get("/rest/workflows", params={"depth": 1}).json()["data"]["workflows"][0]
    assert workflow["statuses"] == ["ACTIVE"] and len(workflow["versions"]) == len(workflow["runs"]) == 1
    assert workflow["lastPublishedVersionId"] == workflow["versions"][0]["id"]
    assert (
        workflow["runs"][0]["status"] == "COMPLETED" and workflow["versions"][0]["steps"][0]["type"] == "CREATE_RECORD"
    )
    assert len(workflow["automatedTriggers"]) == 1

"""Write validation: every value of a create or update is checked against its field's type before
anything is written, with Twenty's messages (REST 400 BadRequestException, GraphQL BAD_USER_INPUT /
INVALID_ARGS_DATA), and a refused write changes nothing (creates, updates, update-many, upserts,
batches)."""

from __future__ import annotations

import json
import re
from typing import Any

import conftest
import pytest
from conftest import CheckedClient, gql, new_id, ok, root_error

DATE_TIME_FORMAT = "Expected format: 'YYYY-MM-DDTHH:mm:ssZ'"
DATE_FORMAT = "Expected format: 'YYYY-MM-DD'"
ACTOR_SOURCES = "EMAIL, CALENDAR, WORKFLOW, AGENT, API, IMPORT, MANUAL, SYSTEM, WEBHOOK, APPLICATION"
FILES_SHAPE = 'It should be an array of objects with "fileId" and "label" properties.'
STAGE_ENUM_RE = re.compile(r'invalid input value for enum workspace_[a-z0-9]+\.opportunity_stage_enum: "X"')
INVALID_ARGS_DATA = {
    "code": "BAD_USER_INPUT",
    "subCode": "INVALID_ARGS_DATA",
    "userFriendlyMessage": "An error occurred.",
}
FILE_ID = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01"  # a UUID v4
TRICKS = [
    {"value": "SIT", "label": "Sit", "color": "sky", "position": 0},
    {"value": "ROLL", "label": "Roll", "color": "purple", "position": 1},
]
# The custom `pet` object's fields, one per type the standard objects do not carry.
PET_FIELDS = [
    ("DATE", "birthday", {}),
    ("MULTI_SELECT", "tricks", {"options": TRICKS}),
    ("ARRAY", "tags", {}),
    ("FILES", "documents", {}),
    ("NUMERIC", "weight", {}),
    ("UUID", "chipId", {}),
]
# REST plural -> (GraphQL type name, REST response key of a single create)
OBJECTS = {
    "people": ("Person", "createPerson"),
    "companies": ("Company", "createCompany"),
    "opportunities": ("Opportunity", "createOpportunity"),
    "notes": ("Note", "createNote"),
    "timelineActivities": ("TimelineActivity", "createTimelineActivity"),
    "pets": ("Pet", "createPet"),
}


# --------------------------------------------------------------------------- client & helpers


@pytest.fixture
def client(app: Any) -> CheckedClient:
    """Every answer must be JSON and none may be a 500."""
    return CheckedClient(app)


def add_pet_model(client: conftest.Client) -> None:
    """A custom `pet` object carrying a DATE, MULTI_SELECT, ARRAY, FILES, NUMERIC and UUID field."""
    body = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
    object_id = ok(client.post("/rest/metadata/objects", json=body), 201)["id"]
    for type_, name, extra in PET_FIELDS:
        field = {
            "objectMetadataId": object_id,
            "type": type_,
            "name": name,
            "label": name[:1].upper() + name[1:],
            "isLabelSyncedWithName": False,
            **extra,
        }
        ok(client.post("/rest/metadata/fields", json=field), 201)


def prepare(client: conftest.Client, plural: str) -> None:
    if plural == "pets":
        add_pet_model(client)


def count(client: conftest.Client, plural: str) -> int:
    return ok(client.get(f"/rest/{plural}"))["totalCount"]


def create(client: conftest.Client, plural: str, body: dict[str, Any], **params: Any) -> dict:
    data = ok(client.post(f"/rest/{plural}", json=body, params=params or None), 201)["data"]
    key = OBJECTS[plural][1]
    assert set(data) == {key}, data
    return data[key]


def get(client: conftest.Client, plural: str, rid: str) -> dict:
    data = ok(client.get(f"/rest/{plural}/{rid}"))["data"]
    (record,) = data.values()
    return record


def all_records(client: conftest.Client, plural: str) -> list[dict]:
    return ok(client.get(f"/rest/{plural}", params={"limit": 60}))["data"][plural]


def assert_refused(resp: conftest.Response, message: str | re.Pattern[str]) -> None:
    """REST's 400, its body compared whole (a pattern for Postgres's enum message)."""
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert set(body) == {"statusCode", "error", "messages"}, body
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException", body
    assert isinstance(body["messages"], list) and len(body["messages"]) == 1, body
    if isinstance(message, re.Pattern):
        assert message.fullmatch(body["messages"][0]), body
    else:
        assert body["messages"] == [message]


def assert_any_bad_request(resp: conftest.Response) -> None:
    """A 400 BadRequestException with one non-empty message (for inputs Twenty words nowhere we know)."""
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException", body
    assert len(body["messages"]) == 1 and isinstance(body["messages"][0], str) and body["messages"][0], body


def run(client: conftest.Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    body = gql(client, query, variables)
    assert "errors" not in body, body
    return body["data"]


def assert_invalid_args(
    client: conftest.Client, query: str, field: str, message: str, variables: dict[str, Any] | None = None
) -> None:
    """The resolver's refusal: data.<field> null next to one INVALID_ARGS_DATA error with Twenty's message."""
    err = root_error(client, query, field, "BAD_USER_INPUT", "INVALID_ARGS_DATA", message, variables)
    assert err["extensions"] == INVALID_ARGS_DATA, err


def assert_coercion_refused(client: conftest.Client, query: str, variables: dict[str, Any], message: str) -> None:
    """GraphQL's own variable coercion refuses the value: no data, one error, graphql-js's message."""
    body = gql(client, query, variables)
    assert "data" not in body, body
    errors = body.get("errors")
    assert isinstance(errors, list) and len(errors) == 1, body
    assert errors[0]["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"), errors
    assert "subCode" not in errors[0]["extensions"], errors
    assert errors[0]["message"] == message, errors


def create_doc(plural: str) -> str:
    type_ = OBJECTS[plural][0]
    return f"mutation($d: {type_}CreateInput) {{ create{type_}(data: $d) {{ id }} }}"


def nested_json(depth: int) -> str:
    """The JSON text of {"k": {"k": ... "x"}} with `depth` objects (written out by hand: Python's own
    encoder stops at its recursion limit)."""
    return '{"k":' * depth + '"x"' + "}" * depth


def post_raw(client: conftest.Client, path: str, text: str) -> conftest.Response:
    return client.request("POST", path, data=text, headers={"content-type": "application/json"})


# --------------------------------------------------------------------------- the rules, as REST cases

# (plural, body, message); each body holds one bad value. Ids name the rule.
CASES = [
    # TEXT
    pytest.param("people", {"jobTitle": 1}, 'Invalid string value 1 for text field "jobTitle"', id="text-number"),
    pytest.param("people", {"jobTitle": True}, 'Invalid string value true for text field "jobTitle"', id="text-bool"),
    pytest.param("people", {"jobTitle": {}}, 'Invalid string value {} for text field "jobTitle"', id="text-object"),
    pytest.param("people", {"jobTitle": []}, 'Invalid string value [] for text field "jobTitle"', id="text-empty-list"),
    pytest.param("people", {"city": [1, 2]}, 'Invalid string value [ 1, 2 ] for text field "city"', id="text-list"),
    pytest.param("people", {"city": {"a": 1}}, 'Invalid string value { a: 1 } for text field "city"', id="text-dict"),
    # NUMBER
    pytest.param(
        "companies", {"employees": "12"}, "Invalid number value '12' for field \"employees\"", id="number-numeric-str"
    ),
    pytest.param(
        "companies", {"employees": "many"}, "Invalid number value 'many' for field \"employees\"", id="number-str"
    ),
    pytest.param("companies", {"employees": True}, 'Invalid number value true for field "employees"', id="number-bool"),
    pytest.param("companies", {"employees": {}}, 'Invalid number value {} for field "employees"', id="number-object"),
    pytest.param(
        "companies",
        {"employees": "it's"},
        'Invalid number value "it\'s" for field "employees"',
        id="inspect-string-with-quote-uses-double-quotes",
    ),
    # NUMERIC (JS Number() of the input)
    pytest.param(
        "companies",
        {"annualRecurringRevenue": {"amountMicros": "abc"}},
        'Invalid number value NaN for field "annualRecurringRevenue.amountMicros"',
        id="numeric-currency-str",
    ),
    pytest.param(
        "companies",
        {"annualRecurringRevenue": {"amountMicros": {}}},
        'Invalid number value NaN for field "annualRecurringRevenue.amountMicros"',
        id="numeric-currency-object",
    ),
    pytest.param(
        "opportunities",
        {"amount": {"amountMicros": "1e3x"}},
        'Invalid number value NaN for field "amount.amountMicros"',
        id="numeric-opportunity-amount",
    ),
    pytest.param(
        "companies",
        {"address": {"addressLat": "north"}},
        'Invalid number value NaN for field "address.addressLat"',
        id="numeric-address-lat",
    ),
    pytest.param("pets", {"weight": "heavy"}, 'Invalid number value NaN for field "weight"', id="numeric-custom"),
    # POSITION
    pytest.param("people", {"position": None}, 'Invalid position value null for field "position"', id="position-null"),
    pytest.param("people", {"position": "5"}, "Invalid position value '5' for field \"position\"", id="position-str"),
    pytest.param(
        "people", {"position": "middle"}, "Invalid position value 'middle' for field \"position\"", id="position-word"
    ),
    pytest.param("people", {"position": True}, 'Invalid position value true for field "position"', id="position-bool"),
    pytest.param("people", {"position": {}}, 'Invalid position value {} for field "position"', id="position-object"),
    # BOOLEAN
    pytest.param(
        "companies",
        {"idealCustomerProfile": "yes"},
        "Invalid boolean value 'yes' for field \"idealCustomerProfile\"",
        id="boolean-str",
    ),
    pytest.param(
        "companies",
        {"idealCustomerProfile": 1},
        'Invalid boolean value 1 for field "idealCustomerProfile"',
        id="boolean-number",
    ),
    # DATE_TIME
    pytest.param(
        "opportunities",
        {"closeDate": "nope"},
        f"Invalid value 'nope' for date-time field \"closeDate\". {DATE_TIME_FORMAT}",
        id="date-time-str",
    ),
    pytest.param(
        "opportunities",
        {"closeDate": 1},
        f'Invalid value 1 for date-time field "closeDate". {DATE_TIME_FORMAT}',
        id="date-time-number",
    ),
    pytest.param(
        "opportunities",
        {"closeDate": {}},
        f'Invalid value {{}} for date-time field "closeDate". {DATE_TIME_FORMAT}',
        id="date-time-object",
    ),
    pytest.param(
        "people",
        {"createdAt": "yesterday"},
        f"Invalid value 'yesterday' for date-time field \"createdAt\". {DATE_TIME_FORMAT}",
        id="date-time-created-at",
    ),
    # DATE
    pytest.param(
        "pets", {"birthday": "x"}, f"Invalid value 'x' for date field \"birthday\". {DATE_FORMAT}", id="date-str"
    ),
    pytest.param(
        "pets", {"birthday": 5}, f'Invalid value 5 for date field "birthday". {DATE_FORMAT}', id="date-number"
    ),
    # UUID fields and join columns
    pytest.param(
        "people", {"companyId": "abc"}, "Invalid UUID value 'abc' for field \"companyId\"", id="join-column-str"
    ),
    pytest.param("people", {"companyId": 5}, 'Invalid UUID value 5 for field "companyId"', id="join-column-number"),
    pytest.param("pets", {"chipId": "abc"}, "Invalid UUID value 'abc' for field \"chipId\"", id="uuid-custom"),
    pytest.param("people", {"id": "abc"}, 'Value "abc" is not a valid UUID', id="record-id"),
    # SELECT
    pytest.param("opportunities", {"stage": 1}, 'Invalid string value 1 for text field "stage"', id="select-number"),
    pytest.param("opportunities", {"stage": "X"}, STAGE_ENUM_RE, id="select-not-an-option"),
    # MULTI_SELECT / ARRAY
    pytest.param(
        "pets", {"tags": 1}, 'Invalid value 1 for field "tags - Array values need to be string"', id="array-number"
    ),
    pytest.param(
        "pets", {"tags": [1]}, 'Invalid value [ 1 ] for field "tags - Array values need to be string"', id="array-item"
    ),
    pytest.param(
        "pets", {"tags": {}}, 'Invalid value {} for field "tags - Array values need to be string"', id="array-object"
    ),
    pytest.param(
        "pets",
        {"tricks": 1},
        'Invalid value 1 for field "tricks - Array values need to be string"',
        id="multi-select-number",
    ),
    pytest.param(
        "pets",
        {"tricks": ["SIT", 2]},
        "Invalid value [ 'SIT', 2 ] for field \"tricks - Array values need to be string\"",
        id="multi-select-item",
    ),
    # RAW_JSON
    pytest.param(
        "timelineActivities", {"properties": 5}, 'Invalid object value 5 for field "properties"', id="raw-json-number"
    ),
    pytest.param(
        "timelineActivities",
        {"properties": True},
        'Invalid object value true for field "properties"',
        id="raw-json-bool",
    ),
    pytest.param(
        "timelineActivities",
        {"properties": "not json"},
        "Invalid object value 'not json' for field \"properties\"",
        id="raw-json-bad-string",
    ),
    # FILES
    pytest.param(
        "pets",
        {"documents": "x"},
        f'Invalid value "\'x\'" for FILES field "documents" - {FILES_SHAPE}',
        id="files-unparsable-string",
    ),
    pytest.param(
        "pets",
        {"documents": [{"label": "a"}]},
        'Invalid value "[ { label: \'a\' } ]" for FILES field "documents" - '
        "0.fileId: Invalid input: expected string, received undefined",
        id="files-missing-file-id",
    ),
    # Composites: shape, unknown sub-fields, sub-field values
    pytest.param("people", {"name": "x"}, "Invalid object value 'x' for field \"name\"", id="composite-string"),
    pytest.param("people", {"name": 5}, 'Invalid object value 5 for field "name"', id="composite-number"),
    pytest.param("people", {"name": [1]}, 'Invalid object value [ 1 ] for field "name"', id="composite-list"),
    pytest.param(
        "people", {"name": {"foo": "x"}}, 'Invalid subfield foo for full name field "name"', id="subfield-full-name"
    ),
    pytest.param(
        "people", {"emails": {"foo": "x"}}, 'Invalid subfield foo for emails field "emails"', id="subfield-emails"
    ),
    pytest.param(
        "people",
        {"linkedinLink": {"foo": "x"}},
        'Invalid subfield foo for links field "linkedinLink"',
        id="subfield-links",
    ),
    pytest.param(
        "people", {"phones": {"foo": "x"}}, 'Invalid subfield foo for phones field "phones"', id="subfield-phones"
    ),
    pytest.param(
        "companies",
        {"annualRecurringRevenue": {"foo": 1}},
        'Invalid subfield foo for currency field "annualRecurringRevenue"',
        id="subfield-currency",
    ),
    pytest.param(
        "companies",
        {"address": {"foo": "x"}},
        'Invalid subfield foo for address field "address"',
        id="subfield-address",
    ),
    pytest.param(
        "people", {"createdBy": {"foo": "x"}}, 'Invalid subfield foo for actor field "createdBy"', id="subfield-actor"
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"foo": "x"}},
        "Invalid subfield 'foo' for rich text field \"bodyV2\"",
        id="subfield-rich-text",
    ),
    pytest.param(
        "people",
        {"name": {"firstName": 1}},
        'Invalid string value 1 for text field "name.firstName"',
        id="subfield-text-value",
    ),
    pytest.param(
        "people",
        {"name": {"firstName": "Ada", "lastName": False}},
        'Invalid string value false for text field "name.lastName"',
        id="subfield-second-value",
    ),
    pytest.param(
        "companies",
        {"domainName": {"primaryLinkUrl": 5}},
        'Invalid string value 5 for text field "domainName.primaryLinkUrl"',
        id="subfield-link-url",
    ),
    pytest.param(
        "companies",
        {"address": {"addressCity": True}},
        'Invalid string value true for text field "address.addressCity"',
        id="subfield-address-city",
    ),
    # EMAILS
    pytest.param(
        "people",
        {"emails": {"primaryEmail": "not-an-email"}},
        "Invalid string value 'not-an-email' for email field \"emails.primaryEmail\"",
        id="email-primary",
    ),
    pytest.param(
        "people",
        {"emails": {"primaryEmail": "ada@"}},
        "Invalid string value 'ada@' for email field \"emails.primaryEmail\"",
        id="email-primary-no-domain",
    ),
    pytest.param(
        "people",
        {"emails": {"primaryEmail": "a b@example.com"}},
        "Invalid string value 'a b@example.com' for email field \"emails.primaryEmail\"",
        id="email-primary-space",
    ),
    pytest.param(
        "people",
        {"emails": {"additionalEmails": ["ok@example.com", "bad"]}},
        "Invalid string value 'bad' for email field \"emails.additionalEmails\"",
        id="email-additional-item",
    ),
    pytest.param(
        "people",
        {"emails": {"additionalEmails": "bad"}},
        "Invalid string value 'bad' for email field \"emails.additionalEmails\"",
        id="email-additional-single-string",
    ),
    pytest.param(
        "people",
        {"emails": {"additionalEmails": 5}},
        'Invalid value 5 for field "emails.additionalEmails - Array values need to be string"',
        id="email-additional-number",
    ),
    # RICH_TEXT
    pytest.param(
        "notes",
        {"bodyV2": {"blocknote": "not json"}},
        'Invalid blocknote value for field "bodyV2.blocknote" - must contain valid JSON',
        id="rich-text-blocknote-not-json",
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"blocknote": '{"type": "paragraph"}'}},
        'Invalid blocknote value for field "bodyV2.blocknote" - must be a JSON array of blocks',
        id="rich-text-blocknote-not-array",
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"blocknote": 5}},
        'Invalid string value 5 for text field "bodyV2.blocknote"',
        id="rich-text-blocknote-number",
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"markdown": 5}},
        'Invalid string value 5 for text field "bodyV2.markdown"',
        id="rich-text-markdown-number",
    ),
    # ACTOR
    pytest.param(
        "people",
        {"createdBy": {"source": "NOPE"}},
        f'Invalid value "NOPE" for field "createdBy.source". Valid values are: {ACTOR_SOURCES}',
        id="actor-source",
    ),
    # TS_VECTOR
    pytest.param(
        "people",
        {"searchVector": "x"},
        "searchVector TS_VECTOR-typed field does not support write operations",
        id="ts-vector",
    ),
    # Server-set fields: type-checked
    pytest.param(
        "people",
        {"updatedAt": 5},
        f'Invalid value 5 for date-time field "updatedAt". {DATE_TIME_FORMAT}',
        id="updated-at",
    ),
    pytest.param(
        "people",
        {"deletedAt": "nope"},
        f"Invalid value 'nope' for date-time field \"deletedAt\". {DATE_TIME_FORMAT}",
        id="deleted-at",
    ),
    pytest.param(
        "people",
        {"updatedBy": {"source": "NOPE"}},
        f'Invalid value "NOPE" for field "updatedBy.source". Valid values are: {ACTOR_SOURCES}',
        id="updated-by-source",
    ),
    pytest.param(
        "people", {"updatedBy": "x"}, "Invalid object value 'x' for field \"updatedBy\"", id="updated-by-string"
    ),
    # Unknown fields and relations
    pytest.param("people", {"foo": 1}, 'Object person doesn\'t have any "foo" field.', id="unknown-field"),
    pytest.param(
        "companies",
        {"people": []},
        "One-to-many relation people field does not support write operations.",
        id="one-to-many",
    ),
    pytest.param(
        "people", {"company": {}}, 'Relation "company" requires connect or disconnect operation', id="relation-no-op"
    ),
    pytest.param(
        "people",
        {"company": {"where": {"id": FILE_ID}}},
        'Relation "company" requires connect or disconnect operation',
        id="relation-other-key",
    ),
    # The bad value after good ones still refuses the whole body
    pytest.param(
        "people",
        {"name": {"firstName": "Ada"}, "city": "Paris", "jobTitle": 7},
        'Invalid string value 7 for text field "jobTitle"',
        id="bad-after-good",
    ),
]
CREATE_ONLY = {"record-id"}
UPDATE_CASES = [c for c in CASES if c.id not in CREATE_ONLY]
# Person cases reused for upserts, batches and update-many.
PERSON_CASES = [c for c in UPDATE_CASES if c.values[0] == "people"]


# --------------------------------------------------------------------------- REST: create and update


@pytest.mark.parametrize(("plural", "body", "message"), CASES)
def test_rest_create_refused(client: CheckedClient, plural: str, body: dict, message: Any) -> None:
    prepare(client, plural)
    before = count(client, plural)
    assert_refused(client.post(f"/rest/{plural}", json=body), message)
    assert count(client, plural) == before


@pytest.mark.parametrize(("plural", "body", "message"), UPDATE_CASES)
def test_rest_update_refused(client: CheckedClient, plural: str, body: dict, message: Any) -> None:
    prepare(client, plural)
    record = create(client, plural, {})
    before = get(client, plural, record["id"])
    assert_refused(client.patch(f"/rest/{plural}/{record['id']}", json=body), message)
    assert get(client, plural, record["id"]) == before


def test_rest_put_alias_validates_too(client: CheckedClient) -> None:
    record = create(client, "people", {"jobTitle": "cook"})
    resp = client.put(f"/rest/people/{record['id']}", json={"jobTitle": 1})
    assert_refused(resp, 'Invalid string value 1 for text field "jobTitle"')
    assert get(client, "people", record["id"])["jobTitle"] == "cook"


# --------------------------------------------------------------------------- REST: upsert, batch, update-many


@pytest.mark.parametrize(("plural", "body", "message"), PERSON_CASES)
def test_rest_upsert_of_existing_record_refused(client: CheckedClient, plural: str, body: dict, message: Any) -> None:
    record = create(client, "people", {"city": "Paris"})
    before = get(client, "people", record["id"])
    resp = client.post("/rest/people", json={"id": record["id"], **body}, params={"upsert": "true"})
    assert_refused(resp, message)
    assert get(client, "people", record["id"]) == before
    assert count(client, "people") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"jobTitle": 1}, 'Invalid string value 1 for text field "jobTitle"', id="text"),
        pytest.param(
            {"emails": {"primaryEmail": "nope"}},
            "Invalid string value 'nope' for email field \"emails.primaryEmail\"",
            id="email",
        ),
        pytest.param({"position": "5"}, "Invalid position value '5' for field \"position\"", id="position"),
    ],
)
def test_rest_upsert_of_new_record_refused(client: CheckedClient, body: dict, message: str) -> None:
    assert_refused(client.post("/rest/people", json=body, params={"upsert": "true"}), message)
    assert count(client, "people") == 0


@pytest.mark.parametrize("upsert", [False, True], ids=["batch", "batch-upsert"])
@pytest.mark.parametrize(("plural", "body", "message"), PERSON_CASES)
def test_rest_batch_with_one_bad_record_creates_none(
    client: CheckedClient, plural: str, body: dict, message: Any, upsert: bool
) -> None:
    items = [{"city": "Paris"}, {"city": "Rome", **body}, {"city": "Oslo"}]
    resp = client.post("/rest/batch/people", json=items, params={"upsert": "true"} if upsert else None)
    assert_refused(resp, message)
    assert count(client, "people") == 0


def test_rest_batch_upsert_with_bad_value_changes_existing_none(client: CheckedClient) -> None:
    first = create(client, "people", {"city": "Paris"})
    second = create(client, "people", {"city": "Rome"})
    before = all_records(client, "people")
    items = [{"id": first["id"], "city": "Lyon"}, {"id": second["id"], "emails": {"primaryEmail": "nope"}}]
    resp = client.post("/rest/batch/people", json=items, params={"upsert": "true"})
    assert_refused(resp, "Invalid string value 'nope' for email field \"emails.primaryEmail\"")
    assert all_records(client, "people") == before


@pytest.mark.parametrize(("plural", "body", "message"), PERSON_CASES)
def test_rest_update_many_with_bad_value_changes_none(
    client: CheckedClient, plural: str, body: dict, message: Any
) -> None:
    for _ in range(3):
        create(client, "people", {"city": "Paris", "jobTitle": "cook"})
    before = all_records(client, "people")
    resp = client.patch("/rest/people", json={"jobTitle": "chef", **body}, params={"filter": "city[eq]:Paris"})
    assert_refused(resp, message)
    assert all_records(client, "people") == before


# --------------------------------------------------------------------------- REST: what the rules accept


def test_numeric_strings_are_stored_as_numbers(client: CheckedClient) -> None:
    add_pet_model(client)
    company = create(
        client, "companies", {"annualRecurringRevenue": {"amountMicros": "12000000", "currencyCode": "EUR"}}
    )
    amount = company["annualRecurringRevenue"]["amountMicros"]
    assert amount == 12000000 and not isinstance(amount, (str, bool)), company
    pet = create(client, "pets", {"weight": "12.5"})
    assert pet["weight"] == 12.5 and not isinstance(pet["weight"], str), pet
    assert get(client, "pets", pet["id"])["weight"] == 12.5


def test_single_string_is_a_list_of_one(client: CheckedClient) -> None:
    add_pet_model(client)
    pet = create(client, "pets", {"tags": "solo", "tricks": "SIT"})
    assert pet["tags"] == ["solo"] and pet["tricks"] == ["SIT"], pet
    person = create(client, "people", {"emails": {"additionalEmails": "b@example.com"}})
    assert person["emails"]["additionalEmails"] == ["b@example.com"], person


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, [1, 2], '{"a": 1}', "[1, 2]", '"text"'],
    ids=["object", "list", "json-object-string", "json-list-string", "json-string-string"],
)
def test_raw_json_accepts_objects_lists_and_json_strings(client: CheckedClient, value: Any) -> None:
    create(client, "timelineActivities", {"properties": value})
    assert count(client, "timelineActivities") == 1


@pytest.mark.parametrize("value", ["", None, "ada@example.com"], ids=["empty", "null", "email"])
def test_primary_email_accepts_email_empty_and_null(client: CheckedClient, value: Any) -> None:
    person = create(client, "people", {"emails": {"primaryEmail": value}})
    assert person["emails"]["primaryEmail"] in ("", None, "ada@example.com")
    if value:
        assert person["emails"]["primaryEmail"] == value


@pytest.mark.parametrize("value", ["first", "last", 1.5, -3], ids=["first", "last", "float", "negative"])
def test_position_accepts_numbers_first_and_last(client: CheckedClient, value: Any) -> None:
    create(client, "people", {})
    person = create(client, "people", {"position": value})
    if not isinstance(value, str):
        assert person["position"] == value


@pytest.mark.parametrize(
    "blocknote", ["", "[]", '[{"type": "paragraph", "content": "hi"}]'], ids=["empty", "empty-list", "blocks"]
)
def test_rich_text_accepts_empty_or_a_block_array(client: CheckedClient, blocknote: str) -> None:
    note = create(client, "notes", {"bodyV2": {"blocknote": blocknote, "markdown": "hi"}})
    assert note["bodyV2"]["blocknote"] == blocknote and note["bodyV2"]["markdown"] == "hi"


def test_valid_files_are_accepted(client: CheckedClient) -> None:
    add_pet_model(client)
    pet = create(client, "pets", {"documents": [{"fileId": FILE_ID, "label": "a"}]})
    assert pet["documents"] == [{"fileId": FILE_ID, "label": "a"}]


def test_valid_server_set_values_are_ignored(client: CheckedClient) -> None:
    person = create(
        client,
        "people",
        {
            "updatedAt": "2020-01-01T00:00:00Z",
            "deletedAt": "2020-01-01T00:00:00Z",
            "updatedBy": {"source": "EMAIL"},
        },
    )
    assert person["deletedAt"] is None and not person["updatedAt"].startswith("2020"), person
    assert person["updatedBy"]["source"] == "API", person
    stored = get(client, "people", person["id"])
    assert stored["deletedAt"] is None and stored["updatedBy"]["source"] == "API", stored
    changed = ok(client.patch(f"/rest/people/{person['id']}", json={"updatedAt": "2020-01-01T00:00:00Z", "city": "X"}))
    record = changed["data"]["updatePerson"]
    assert record["city"] == "X" and not record["updatedAt"].startswith("2020"), record


def test_very_long_text_is_accepted(client: CheckedClient) -> None:
    title = "x" * (1024 * 1024)
    person = create(client, "people", {"jobTitle": title})
    assert get(client, "people", person["id"])["jobTitle"] == title


# --------------------------------------------------------------------------- REST: malformed input, never a 500


def test_deeply_nested_composite_value(client: CheckedClient) -> None:
    # Node's util.inspect stops at depth 2: deeper objects are shown as [Object].
    resp = post_raw(client, "/rest/people", '{"name": {"firstName": ' + nested_json(50) + "}}")
    assert_refused(resp, 'Invalid string value { k: { k: { k: [Object] } } } for text field "name.firstName"')
    assert count(client, "people") == 0


def test_a_body_nested_past_the_decoder_is_a_400(client: CheckedClient) -> None:
    """2,000 levels: more than the JSON decoder follows; a clear 400, nothing written."""
    resp = post_raw(client, "/rest/people", '{"name": {"firstName": ' + nested_json(2000) + "}}")
    assert_refused(resp, "Invalid JSON body: nested too deeply")
    assert count(client, "people") == 0


@pytest.mark.parametrize("depth", [50, 2000], ids=["50-levels", "2000-levels"])
def test_deeply_nested_raw_json_is_not_a_500(client: CheckedClient, depth: int) -> None:
    # An object is a valid RAW_JSON value however deep; a refusal must at least be a 400.
    resp = post_raw(client, "/rest/timelineActivities", '{"properties": ' + nested_json(depth) + "}")
    assert resp.status_code in (201, 400), resp.text
    assert count(client, "timelineActivities") == (1 if resp.status_code == 201 else 0)


@pytest.mark.parametrize(
    "body",
    [[{"city": "Paris"}], [], "abc", 5, True],
    ids=["list-of-one", "empty-list", "string", "number", "boolean"],
)
def test_single_create_of_a_non_object_body(client: CheckedClient, body: Any) -> None:
    assert_any_bad_request(client.post("/rest/people", json=body))
    assert count(client, "people") == 0


@pytest.mark.parametrize("body", [[{"city": "Paris"}], "abc", 5], ids=["list", "string", "number"])
def test_update_with_a_non_object_body(client: CheckedClient, body: Any) -> None:
    person = create(client, "people", {"city": "Rome"})
    before = get(client, "people", person["id"])
    assert_any_bad_request(client.patch(f"/rest/people/{person['id']}", json=body))
    assert get(client, "people", person["id"]) == before


@pytest.mark.parametrize(
    "body",
    [{"city": "Paris"}, "abc", 5, [{"city": "Paris"}, 5], [{"city": "Paris"}, "x"], [{"city": "Paris"}, []]],
    ids=["object", "string", "number", "list-with-number", "list-with-string", "list-with-list"],
)
def test_batch_of_a_non_list_or_non_object_items(client: CheckedClient, body: Any) -> None:
    assert_any_bad_request(client.post("/rest/batch/people", json=body))
    assert count(client, "people") == 0


def test_body_that_is_not_json(client: CheckedClient) -> None:
    resp = client.post("/rest/people", data='{"city": ', headers={"content-type": "application/json"})
    assert_any_bad_request(resp)
    assert count(client, "people") == 0


# --------------------------------------------------------------------------- GraphQL: rules past GraphQL typing

# (plural, variables $d, root field, message)
GQL_CASES = [
    pytest.param(
        "people",
        {"emails": {"primaryEmail": "not-an-email"}},
        "Invalid string value 'not-an-email' for email field \"emails.primaryEmail\"",
        id="email-primary",
    ),
    pytest.param(
        "people",
        {"emails": {"additionalEmails": ["ok@example.com", "bad"]}},
        "Invalid string value 'bad' for email field \"emails.additionalEmails\"",
        id="email-additional-item",
    ),
    pytest.param(
        "people",
        {"emails": {"additionalEmails": 5}},
        'Invalid value 5 for field "emails.additionalEmails - Array values need to be string"',
        id="email-additional-number",
    ),
    pytest.param(
        "timelineActivities", {"properties": 5}, 'Invalid object value 5 for field "properties"', id="raw-json-number"
    ),
    pytest.param(
        "timelineActivities",
        {"properties": "not json"},
        "Invalid object value 'not json' for field \"properties\"",
        id="raw-json-bad-string",
    ),
    pytest.param(
        "people",
        {"createdBy": {"context": True}},
        'Invalid object value true for field "createdBy.context"',
        id="actor-context-bool",
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"blocknote": "not json"}},
        'Invalid blocknote value for field "bodyV2.blocknote" - must contain valid JSON',
        id="rich-text-not-json",
    ),
    pytest.param(
        "notes",
        {"bodyV2": {"blocknote": '{"type": "paragraph"}'}},
        'Invalid blocknote value for field "bodyV2.blocknote" - must be a JSON array of blocks',
        id="rich-text-not-array",
    ),
    pytest.param("people", {"position": "5"}, "Invalid position value '5' for field \"position\"", id="position-str"),
    pytest.param("people", {"position": None}, 'Invalid position value null for field "position"', id="position-null"),
    pytest.param("people", {"position": True}, 'Invalid position value true for field "position"', id="position-bool"),
    pytest.param(
        "opportunities",
        {"closeDate": "nope"},
        f"Invalid value 'nope' for date-time field \"closeDate\". {DATE_TIME_FORMAT}",
        id="date-time-str",
    ),
    pytest.param(
        "people",
        {"createdAt": "yesterday"},
        f"Invalid value 'yesterday' for date-time field \"createdAt\". {DATE_TIME_FORMAT}",
        id="date-time-created-at",
    ),
    pytest.param("people", {"companyId": "abc"}, "Invalid UUID value 'abc' for field \"companyId\"", id="join-column"),
    pytest.param(
        "companies",
        {"annualRecurringRevenue": {"amountMicros": "abc"}},
        'Invalid number value NaN for field "annualRecurringRevenue.amountMicros"',
        id="numeric-currency",
    ),
    pytest.param("pets", {"weight": "heavy"}, 'Invalid number value NaN for field "weight"', id="numeric-custom"),
    pytest.param("pets", {"birthday": "x"}, f"Invalid value 'x' for date field \"birthday\". {DATE_FORMAT}", id="date"),
    pytest.param(
        "pets",
        {"documents": "x"},
        f'Invalid value "\'x\'" for FILES field "documents" - {FILES_SHAPE}',
        id="files-unparsable-string",
    ),
    pytest.param(
        "pets",
        {"documents": [{"label": "a"}]},
        'Invalid value "[ { label: \'a\' } ]" for FILES field "documents" - '
        "0.fileId: Invalid input: expected string, received undefined",
        id="files-missing-file-id",
    ),
    pytest.param(
        "people", {"company": {}}, 'Relation "company" requires connect or disconnect operation', id="relation-no-op"
    ),
]
GQL_PERSON_CASES = [c for c in GQL_CASES if c.values[0] == "people"]


@pytest.mark.parametrize(("plural", "data", "message"), GQL_CASES)
def test_graphql_create_refused(client: CheckedClient, plural: str, data: dict, message: str) -> None:
    prepare(client, plural)
    before = count(client, plural)
    assert_invalid_args(client, create_doc(plural), "create" + OBJECTS[plural][0], message, {"d": data})
    assert count(client, plural) == before


@pytest.mark.parametrize(("plural", "data", "message"), GQL_CASES)
def test_graphql_update_refused(client: CheckedClient, plural: str, data: dict, message: str) -> None:
    prepare(client, plural)
    type_ = OBJECTS[plural][0]
    record = create(client, plural, {})
    before = get(client, plural, record["id"])
    query = f"mutation($i: UUID, $d: {type_}UpdateInput) {{ update{type_}(id: $i, data: $d) {{ id }} }}"
    assert_invalid_args(client, query, "update" + type_, message, {"i": record["id"], "d": data})
    assert get(client, plural, record["id"]) == before


def test_graphql_literal_join_column_refused(client: CheckedClient) -> None:
    query = 'mutation { createPerson(data: {companyId: "abc"}) { id } }'
    assert_invalid_args(client, query, "createPerson", "Invalid UUID value 'abc' for field \"companyId\"")
    assert count(client, "people") == 0


def test_graphql_literal_position_refused(client: CheckedClient) -> None:
    query = 'mutation { createPerson(data: {position: "middle"}) { id } }'
    assert_invalid_args(client, query, "createPerson", "Invalid position value 'middle' for field \"position\"")
    assert count(client, "people") == 0


@pytest.mark.parametrize(("plural", "data", "message"), GQL_PERSON_CASES)
def test_graphql_upsert_of_existing_record_refused(
    client: CheckedClient, plural: str, data: dict, message: str
) -> None:
    record = create(client, "people", {"city": "Paris"})
    before = get(client, "people", record["id"])
    query = "mutation($d: PersonCreateInput) { createPerson(upsert: true, data: $d) { id } }"
    assert_invalid_args(client, query, "createPerson", message, {"d": {"id": record["id"], **data}})
    assert get(client, "people", record["id"]) == before
    assert count(client, "people") == 1


@pytest.mark.parametrize("upsert", [False, True], ids=["create-many", "create-many-upsert"])
@pytest.mark.parametrize(("plural", "data", "message"), GQL_PERSON_CASES)
def test_graphql_create_many_with_one_bad_record_creates_none(
    client: CheckedClient, plural: str, data: dict, message: str, upsert: bool
) -> None:
    query = f"mutation($d: [PersonCreateInput!]) {{ createPeople(upsert: {str(upsert).lower()}, data: $d) {{ id }} }}"
    rows = [{"city": "Paris"}, {"city": "Rome", **data}, {"city": "Oslo"}]
    assert_invalid_args(client, query, "createPeople", message, {"d": rows})
    assert count(client, "people") == 0


def test_graphql_create_many_upsert_changes_existing_none(client: CheckedClient) -> None:
    first = create(client, "people", {"city": "Paris"})
    second = create(client, "people", {"city": "Rome"})
    before = all_records(client, "people")
    query = "mutation($d: [PersonCreateInput!]) { createPeople(upsert: true, data: $d) { id } }"
    rows = [{"id": first["id"], "city": "Lyon"}, {"id": second["id"], "emails": {"primaryEmail": "nope"}}]
    message = "Invalid string value 'nope' for email field \"emails.primaryEmail\""
    assert_invalid_args(client, query, "createPeople", message, {"d": rows})
    assert all_records(client, "people") == before


@pytest.mark.parametrize(("plural", "data", "message"), GQL_PERSON_CASES)
def test_graphql_update_many_with_bad_value_changes_none(
    client: CheckedClient, plural: str, data: dict, message: str
) -> None:
    for _ in range(3):
        create(client, "people", {"city": "Paris", "jobTitle": "cook"})
    before = all_records(client, "people")
    query = 'mutation($d: PersonUpdateInput) { updatePeople(filter: {city: {eq: "Paris"}}, data: $d) { id } }'
    assert_invalid_args(client, query, "updatePeople", message, {"d": {"jobTitle": "chef", **data}})
    assert all_records(client, "people") == before


# --------------------------------------------------------------------------- GraphQL: refused by GraphQL typing first

# (plural, variables $d, graphql-js's coercion message). Twenty's own rules never see these values.
GQL_COERCION_CASES = [
    pytest.param(
        "people",
        {"createdBy": {"source": "NOPE"}},
        'Variable "$d" got invalid value "NOPE" at "d.createdBy.source"; '
        'Value "NOPE" does not exist in "ActorSourceEnum" enum.',
        id="actor-source-is-an-enum",
    ),
    pytest.param(
        "people",
        {"jobTitle": 1},
        'Variable "$d" got invalid value 1 at "d.jobTitle"; String cannot represent a non string value: 1',
        id="text-number",
    ),
    pytest.param(
        "people",
        {"id": "abc"},
        'Variable "$d" got invalid value "abc" at "d.id"; Invalid UUID: abc',
        id="record-id",
    ),
    pytest.param(
        "people",
        {"searchVector": "x"},
        'Variable "$d" got invalid value {"searchVector": "x"}; '
        'Field "searchVector" is not defined by type "PersonCreateInput".',
        id="ts-vector-not-in-input",
    ),
    pytest.param(
        "pets",
        {"tags": [1]},
        'Variable "$d" got invalid value 1 at "d.tags[0]"; String cannot represent a non string value: 1',
        id="array-item",
    ),
    pytest.param(
        "pets",
        {"tricks": "NOPE"},
        'Variable "$d" got invalid value "NOPE" at "d.tricks"; Value "NOPE" does not exist in "PetTricksEnum" enum.',
        id="multi-select-option",
    ),
    pytest.param(
        "pets",
        {"chipId": "abc"},
        'Variable "$d" got invalid value "abc" at "d.chipId"; Invalid UUID: abc',
        id="uuid-custom",
    ),
]


@pytest.mark.parametrize(("plural", "data", "message"), GQL_COERCION_CASES)
def test_graphql_coercion_refuses_first(client: CheckedClient, plural: str, data: dict, message: str) -> None:
    prepare(client, plural)
    assert_coercion_refused(client, create_doc(plural), {"d": data}, message)
    assert count(client, plural) == 0


def test_graphql_single_string_for_custom_array_is_a_list_of_one(client: CheckedClient) -> None:
    add_pet_model(client)
    created = run(
        client, "mutation($d: PetCreateInput) { createPet(data: $d) { tags tricks } }", {"d": {"tags": "solo"}}
    )
    assert created["createPet"]["tags"] == ["solo"]


@pytest.mark.parametrize("depth", [50, 2000], ids=["50-levels", "2000-levels"])
def test_graphql_deeply_nested_json_is_not_a_500(client: CheckedClient, depth: int) -> None:
    query = "mutation($d: TimelineActivityCreateInput) { createTimelineActivity(data: $d) { id } }"
    payload = json.dumps({"query": query})[:-1] + ', "variables": {"d": {"properties": ' + nested_json(depth) + "}}}"
    resp = post_raw(client, "/graphql", payload)
    body = resp.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    if depth > 1000:  # past the JSON decoder: the request body itself is refused
        assert resp.status_code == 400 and codes == ["BAD_REQUEST"], body
        assert body["errors"][0]["message"] == "Invalid JSON body: nested too deeply"
    else:
        assert resp.status_code == 200, resp.text


def test_graphql_refused_create_leaves_its_id_free(client: CheckedClient) -> None:
    """A refused createPerson with a chosen id leaves that id free."""
    rid = new_id()
    query = "mutation($d: PersonCreateInput) { createPerson(data: $d) { id } }"
    message = "Invalid string value 'nope' for email field \"emails.primaryEmail\""
    assert_invalid_args(client, query, "createPerson", message, {"d": {"id": rid, "emails": {"primaryEmail": "nope"}}})
    assert client.get(f"/rest/people/{rid}").status_code == 404
    assert run(client, query, {"d": {"id": rid}})["createPerson"]["id"] == rid


@pytest.mark.parametrize(
    ("value", "stored"),
    [(10**30, 1e30), (-(10**19), -1e19), (2**63 - 1, 2**63 - 1)],
    ids=["1e30", "minus-1e19", "largest-64-bit"],
)
def test_numbers_past_64_bits_are_read_as_javascript_does(client: CheckedClient, value: int, stored: Any) -> None:
    """JSON integers too large for SQLite's 64 bits are stored as the double JavaScript reads; never a 500."""
    company = create(client, "companies", {"employees": value, "annualRecurringRevenue": {"amountMicros": value}})
    assert company["employees"] == stored and company["annualRecurringRevenue"]["amountMicros"] == stored


def test_a_number_too_large_for_a_double_is_infinity(client: CheckedClient) -> None:
    resp = client.post("/rest/companies", json={"employees": 10**400})
    assert_refused(resp, 'Invalid number value Infinity for field "employees"')
    assert count(client, "companies") == 0

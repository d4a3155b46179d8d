"""Query grammar of GET /rest/{plural}: filter, order_by, limit, cursors (rest.md §4.1-4.4, §7.1)."""

from __future__ import annotations

import base64
import json
from typing import Any

import conftest
import pytest
from conftest import Client

# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

COMPARATORS = "eq, neq, in, containsAny, is, gt, gte, lt, lte, startsWith, endsWith, like, ilike"
POSITION_LIKE = (
    'Operator "like" is not valid for field "position" of type POSITION - '
    "Allowed operators: eq, neq, gt, gte, lt, lte, in, is"
)
BAD_DIRECTION = (
    "'order_by' direction '{}' invalid. Allowed values are 'AscNullsFirst', 'AscNullsLast', "
    "'DescNullsFirst', 'DescNullsLast'. eg: ?order_by=field_1[AscNullsFirst],"
    "field_2[DescNullsLast],field_3"
)
SPEC_ID1 = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01"
SPEC_ID2 = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e02"
SPEC_ID3 = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e03"


def uid(n: int) -> str:
    """Id of record number n; text order of ids equals numeric order of n."""
    return f"00000000-0000-4000-8000-{n:012d}"


def cid(n: int) -> str:
    """Id of company number n (differs from uid(n), so joins cannot match by accident)."""
    return f"00000000-0000-4000-9000-{n:012d}"


def num(record_id: str) -> int:
    return int(record_id[-12:])


def person(n: int, **fields: Any) -> dict[str, Any]:
    """A record body (any object) with id uid(n) and position n unless overridden."""
    return {"id": uid(n), "position": n, **fields}


def opportunity(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": uid(n), "position": n, **fields}


def company(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": cid(n), "position": n, **fields}


def create(client: Client, plural: str, rows: list[dict[str, Any]], chunk: int = 60) -> None:
    key = "create" + plural[:1].upper() + plural[1:]
    for i in range(0, len(rows), chunk):
        r = client.post(f"/rest/batch/{plural}", json=rows[i : i + chunk])
        assert r.status_code == 201, r
        assert len(r.json()["data"][key]) == len(rows[i : i + chunk])


def get(client: Client, plural: str = "people", **params: Any) -> conftest.Response:
    return client.get(f"/rest/{plural}", params=params)


def listing(client: Client, plural: str = "people", **params: Any) -> dict[str, Any]:
    r = get(client, plural, **params)
    assert r.status_code == 200, r
    return r.json()


def ids_of(body: dict[str, Any], plural: str = "people") -> list[int]:
    return [num(rec["id"]) for rec in body["data"][plural]]


def nums(client: Client, plural: str = "people", **params: Any) -> list[int]:
    return ids_of(listing(client, plural, **params), plural)


def matching(client: Client, plural: str, flt: str) -> set[int]:
    found = nums(client, plural, filter=flt)
    assert len(found) == len(set(found)), (flt, found)
    return set(found)


def check(client: Client, plural: str, cases: dict[str, set[int]]) -> None:
    """Every filter in `cases` selects exactly the expected record numbers."""
    assert {flt: matching(client, plural, flt) for flt in cases} == cases


def assert_bad(resp: conftest.Response, message: str | None = None) -> None:
    """400 BadRequestException; with `message`, the whole body is compared."""
    assert resp.status_code == 400, resp
    body = resp.json()
    if message is None:
        assert body.get("statusCode") == 400, body
        assert body.get("error") == "BadRequestException", body
        assert isinstance(body.get("messages"), list) and len(body["messages"]) == 1, body
    else:
        expected = {"statusCode": 400, "error": "BadRequestException", "messages": [message]}
        assert body == expected


def enc(obj: dict[str, Any]) -> str:
    """The cursor twenty_lite must emit: standard padded base64 of compact JSON."""
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def dec(cursor: str) -> str:
    return base64.b64decode(cursor).decode()


def url_safe(cursor: str) -> str:
    return cursor.replace("+", "-").replace("/", "_").rstrip("=")


# ------------------------------------------------------------------------------------------
# datasets
# ------------------------------------------------------------------------------------------


@pytest.fixture
def text_people(client: Client) -> Client:
    create(
        client,
        "people",
        [
            person(1, city="Amsterdam", jobTitle="CEO"),
            person(2, city="AMSTERDAM", jobTitle="CTO"),
            person(3, city="Rotterdam", jobTitle=""),
            person(4, jobTitle=None),  # city keeps its default ""
            person(5, city=None, jobTitle="CEO"),
        ],
    )
    return client


@pytest.fixture
def crm(client: Client) -> Client:
    """Three companies; four opportunities with stages, amounts, close dates and companies."""
    create(
        client,
        "companies",
        [
            company(1, name="Acme", employees=10, idealCustomerProfile=True, address={"addressCity": "Paris"}),
            company(2, name="Globex", employees=50, idealCustomerProfile=False, address={"addressCity": "Berlin"}),
            company(3, name="Initech"),
        ],
    )
    create(
        client,
        "opportunities",
        [
            opportunity(
                1,
                name="o1",
                stage="NEW",
                amount={"amountMicros": 500000000, "currencyCode": "USD"},
                companyId=cid(1),
                closeDate="2024-03-01T00:00:00.000Z",
            ),
            opportunity(
                2,
                name="o2",
                stage="MEETING",
                amount={"amountMicros": 2000000000, "currencyCode": "EUR"},
                companyId=cid(2),
                closeDate="2025-03-01T00:00:00.000Z",
            ),
            opportunity(3, name="o3", stage="CUSTOMER", companyId=None),
            opportunity(
                4,
                name="o4",
                stage="PROPOSAL",
                amount={"amountMicros": 1000000000, "currencyCode": "USD"},
                companyId=cid(1),
            ),
        ],
    )
    return client


# ------------------------------------------------------------------------------------------
# §4.1 parsing: bracket check, default conjunction, splitting
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ("and(city[eq]:a", "'filter' invalid. 1 close bracket is missing in the query"),
        ("and(or(city[eq]:a", "'filter' invalid. 2 close brackets are missing in the query"),
        ("city[eq]:a)", "'filter' invalid. 1 open bracket is missing in the query"),
        ("city[eq]:a))", "'filter' invalid. 2 open brackets are missing in the query"),
        # the count runs over the raw string, quoted values included (quirk kept)
        ('city[eq]:"a)b"', "'filter' invalid. 1 open bracket is missing in the query"),
        # the bracket check comes before any field validation
        ("and(foo[eq]:1", "'filter' invalid. 1 close bracket is missing in the query"),
    ],
)
def test_unbalanced_brackets(client: Client, flt: str, message: str) -> None:
    assert_bad(get(client, filter=flt), message)


def test_items_without_conjunction_are_anded(client: Client) -> None:
    create(
        client,
        "people",
        [person(1, city="Paris", jobTitle="CEO"), person(2, city="Paris"), person(3, city="Rome", jobTitle="CEO")],
    )
    assert matching(client, "people", "city[eq]:Paris,jobTitle[eq]:CEO") == {1}


def test_leading_conjunction_not_closing_the_string_is_wrapped(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, city="Paris", jobTitle="CEO"),
            person(2, city="Rome"),
            person(3, city="Rome", jobTitle="CEO"),
            person(4, city="Oslo", jobTitle="CEO"),
        ],
    )
    assert matching(client, "people", "or(city[eq]:Paris,city[eq]:Rome),jobTitle[eq]:CEO") == {1, 3}


def test_and_comma_or_quirk_is_not_wrapped(client: Client) -> None:
    """Rule 2: `and(a),or(b)` matches ^(or|and|not)\\((.+)\\)$, so it is parsed as one and(...)
    holding `a),or(b` and fails or mis-parses. Wrapping it ('fixing' it) would return person 1."""
    create(client, "people", [person(1, city="Paris", jobTitle="CEO"), person(2, city="Rome", jobTitle="CTO")])
    r = get(client, filter="and(city[eq]:Paris),or(jobTitle[eq]:CEO)")
    if r.status_code == 400:
        assert_bad(r)
    else:
        assert r.status_code == 200, r
        assert r.json()["data"]["people"] == []


def test_top_level_conjunctions(client: Client) -> None:
    create(client, "people", [person(1, city="Paris"), person(2, city="Rome"), person(3, city="Oslo")])
    check(
        client,
        "people",
        {
            "or(city[eq]:Paris,city[eq]:Rome)": {1, 2},
            "not(city[eq]:Paris)": {2, 3},
            "and(city[neq]:Paris,city[neq]:Oslo)": {2},
        },
    )


def test_nested_and_or_not(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, city="Paris", jobTitle="CEO"),
            person(2, city="Paris", jobTitle="CTO"),
            person(3, city="Rome", jobTitle="CTO"),
            person(4, city="Oslo", jobTitle="CTO"),
            person(5, city="Oslo", jobTitle="CEO"),
        ],
    )
    check(
        client,
        "people",
        {
            "and(or(city[eq]:Paris,city[eq]:Rome),not(jobTitle[eq]:CEO))": {2, 3},
            "or(and(city[eq]:Paris,jobTitle[eq]:CEO),not(city[in]:[Paris,Rome]))": {1, 4, 5},
            "not(or(city[eq]:Paris,jobTitle[eq]:CEO))": {3, 4},
        },
    )


def test_commas_split_only_at_depth_one_outside_brackets_and_quotes(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, name={"firstName": "a,b"}),
            person(2, name={"firstName": "a"}),
            person(3, name={"firstName": "b"}),
            person(4, name={"firstName": "Zed"}),
        ],
    )
    check(
        client,
        "people",
        {
            'name.firstName[eq]:"a,b"': {1},
            "name.firstName[eq]:'a,b'": {1},
            'or(name.firstName[eq]:"a,b",name.firstName[eq]:Zed)': {1, 4},
            "or(name.firstName[in]:[a,b],name.firstName[eq]:Zed)": {2, 3, 4},
            "and(name.firstName[in]:[a,Zed],position[gte]:2)": {2, 4},
        },
    )


# ------------------------------------------------------------------------------------------
# §4.1 parsing: leaf, comparator, value
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("leaf", ["city:Paris", "city[eq]Paris", "city[eq]:", "[eq]:x", "city"])
def test_leaf_not_matching_regex(client: Client, leaf: str) -> None:
    assert_bad(get(client, filter=leaf), f"'filter' invalid for '{leaf}'. eg: price[gte]:10")


def test_bad_leaf_inside_conjunction(client: Client) -> None:
    assert_bad(
        get(client, filter="or(city[eq]:a,jobTitle)"),
        "'filter' invalid for 'jobTitle'. eg: price[gte]:10",
    )


@pytest.mark.parametrize(
    ("leaf", "comparator"),
    [("city[contains]:x", "contains"), ("city[EQ]:x", "EQ"), ("position[between]:1", "between")],
)
def test_unknown_comparator(client: Client, leaf: str, comparator: str) -> None:
    assert_bad(
        get(client, filter=leaf),
        f"'filter' invalid for '{leaf}', comparator {comparator} not in {COMPARATORS}",
    )


@pytest.mark.parametrize("value", ["Paris", "[Paris", '"[Paris]"'])
def test_in_requires_array_value(client: Client, value: str) -> None:
    assert_bad(
        get(client, filter=f"city[in]:{value}"),
        f"'filter' invalid for 'in' operator. Received '{value}' but array value expected "
        "eg: 'field[in]:[value_1,value_2]'",
    )


def test_contains_any_requires_array_value(client: Client) -> None:
    r = get(client, "opportunities", filter="stage[containsAny]:NEW")
    assert_bad(r)
    assert "Received 'NEW' but array value expected" in r.json()["messages"][0]


def test_quote_stripping(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, city="Paris"),
            person(2, city='"Paris'),
            person(3, city='Paris"'),
            person(4, city='a\\"b'),
            person(5, city="Rome"),
        ],
    )
    check(
        client,
        "people",
        {
            'city[eq]:"Paris"': {1},
            "city[eq]:'Paris'": {1},
            "city[eq]:\"Paris'": {1},  # the two quotes need not match
            "city[eq]:Paris": {1},
            'city[eq]:"Paris': {2},  # leading quote only: kept
            'city[eq]:Paris"': {3},  # trailing quote only: kept
            'city[eq]:"a\\"b"': {4},  # no unescaping: the value is a\"b
            "city[in]:[\"Paris\",'Rome']": {1, 5},  # array elements are unquoted one by one
        },
    )


def test_value_is_everything_after_the_colon_following_the_comparator(client: Client) -> None:
    create(client, "people", [person(1, city="a]:[b"), person(2, city="10:30"), person(3, city="a")])
    check(client, "people", {"city[eq]:a]:[b": {1}, "city[eq]:10:30": {2}, "city[gte]:a]:[b": {1}})


# ------------------------------------------------------------------------------------------
# §4.1 rule 8: validation and coercion
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plural", "flt", "message"),
    [
        ("people", "foo[eq]:1", 'Object person doesn\'t have any "foo" field.'),
        ("companies", "foo[eq]:1", 'Object company doesn\'t have any "foo" field.'),
        ("people", "or(city[eq]:a,not(foo[eq]:b))", 'Object person doesn\'t have any "foo" field.'),
        ("people", "name[eq]:x", 'Sub field "eq" not found for composite type: FULL_NAME'),
        ("people", "position[like]:1", POSITION_LIKE),
        ("people", "city[is]:foo", 'Invalid filter value for "is" operator. Expected "NULL" or "NOT_NULL"'),
        ("people", "position[eq]:abc", "Invalid number value 'abc' for field \"position\""),
        ("people", "position[in]:[1,abc]", "Invalid number value 'abc' for field \"position\""),
        (
            "people",
            "createdAt[gte]:notadate",
            "Invalid value 'notadate' for date-time field \"createdAt\". Expected format: 'YYYY-MM-DDTHH:mm:ssZ'",
        ),
    ],
)
def test_validation_messages(client: Client, plural: str, flt: str, message: str) -> None:
    assert_bad(get(client, plural, filter=flt), message)


@pytest.mark.parametrize(
    ("plural", "filters"),
    [
        pytest.param(
            "people", ["name.foo[eq]:x", "emails[is]:NULL", "pointOfContactForOpportunities[is]:NULL"], id="bad-paths"
        ),
        pytest.param("opportunities", ["company.foo[eq]:x", "stage.x[eq]:NEW"], id="bad-relation-paths"),
        pytest.param(
            "people",
            ["createdAt[like]:2024", "city[containsAny]:[a]", "companyId[startsWith]:0", "id[ilike]:x"],
            id="operator-not-allowed-person",
        ),
        pytest.param(
            "companies",
            ["idealCustomerProfile[gt]:true", "idealCustomerProfile[in]:[true]", "employees[ilike]:1"],
            id="operator-not-allowed-company",
        ),
        pytest.param(
            "opportunities",
            ["stage[like]:NEW", "stage[gt]:NEW", "amount.amountMicros[like]:1"],
            id="operator-not-allowed-opportunity",
        ),
        pytest.param(
            "people", ["id[eq]:not-a-uuid", "companyId[in]:[not-a-uuid]", "city[in]:[]"], id="bad-values-person"
        ),
        pytest.param(
            "opportunities", ["amount.amountMicros[gte]:lots", "closeDate[lt]:yesterday"], id="bad-values-opportunity"
        ),
        pytest.param("companies", ["employees[eq]:ten"], id="bad-number"),
    ],
)
def test_validation_rejects(client: Client, plural: str, filters: list[str]) -> None:
    for flt in filters:
        assert_bad(get(client, plural, filter=flt))


# ------------------------------------------------------------------------------------------
# §4.1 semantics
# ------------------------------------------------------------------------------------------

TEXT_CASES = {
    "equality": {
        "city[eq]:Amsterdam": {1},
        "city[eq]:amsterdam": set(),  # case-sensitive
        "city[neq]:Amsterdam": {2, 3, 4},  # NULL (5) never matches neq
        "jobTitle[neq]:CEO": {2, 3},  # NULL jobTitle (4) excluded
        "city[in]:[Amsterdam,Rotterdam]": {1, 3},
    },
    "empty-string-is-null": {
        "city[is]:NULL": {4, 5},
        'city[eq]:""': {4, 5},
        'city[like]:""': {4, 5},
        'city[ilike]:""': {4, 5},
        "jobTitle[is]:NULL": {3, 4},
    },
    "ordering": {
        "city[gt]:B": {3},
        "city[gte]:Rotterdam": {3},
        "city[lt]:B": {1, 2, 4},
        "city[lte]:Rotterdam": {1, 2, 3, 4},
    },
    "like-case-sensitive-client-wildcards": {
        "city[like]:%dam": {1, 3},
        "city[like]:%DAM": {2},
        "city[like]:Amsterdam": {1},
        "city[like]:msterda": set(),  # no implicit %…%
        "city[like]:amsterdam": set(),
        "city[like]:R_tterdam": {3},
    },
    "ilike": {
        "city[ilike]:%DAM": {1, 2, 3},
        "city[ilike]:amsterdam": {1, 2},
        'city[ilike]:"%terd%"': {1, 2, 3},
        "city[ilike]:terd": set(),
    },
    "starts-ends-case-sensitive": {
        "city[startsWith]:Am": {1},
        "city[startsWith]:am": set(),
        "city[startsWith]:AM": {2},
        "city[endsWith]:dam": {1, 3},
        "city[endsWith]:DAM": {2},
    },
}


@pytest.mark.parametrize("group", list(TEXT_CASES))
def test_text_comparators(text_people: Client, group: str) -> None:
    check(text_people, "people", TEXT_CASES[group])


def test_text_is_not_null_excludes_null(text_people: Client) -> None:
    found = matching(text_people, "people", "city[is]:NOT_NULL")
    assert {1, 2, 3} <= found and 5 not in found


def test_starts_with_and_ends_with_are_literal(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, city="50% off"),
            person(2, city="50 off"),
            person(3, city="a_c"),
            person(4, city="abc"),
            person(5, city="100%"),
            person(6, city="1000"),
        ],
    )
    check(
        client,
        "people",
        {
            "city[startsWith]:50%": {1},
            "city[like]:50%": {1, 2},  # whereas like treats % as a wildcard
            "city[startsWith]:a_c": {3},
            "city[endsWith]:0%": {5},
            "city[endsWith]:_c": {3},
            "city[like]:%0%": {1, 2, 5, 6},
        },
    )


@pytest.mark.parametrize(
    "cases",
    [
        pytest.param(
            {
                "position[eq]:10": {2},
                'position[eq]:"10"': {2},
                "position[eq]:0.5": {4},
                "position[neq]:10": {1, 3, 4},
                "position[in]:[2,10]": {1, 2},
                "position[is]:NOT_NULL": {1, 2, 3, 4},
            },
            id="equality",
        ),
        pytest.param(
            {
                "position[gt]:2": {2},
                "position[gte]:2": {1, 2},
                "position[lt]:3": {1, 3, 4},
                "position[lte]:-1.5": {3},
                "position[lt]:0": {3},
            },
            id="numeric-ordering",
        ),
    ],
)
def test_position_comparators(client: Client, cases: dict[str, set[int]]) -> None:
    create(
        client,
        "people",
        [person(1, position=2), person(2, position=10), person(3, position=-1.5), person(4, position=0.5)],
    )
    check(client, "people", cases)


COMPANY_CASES = {
    "number": {
        "employees[eq]:10": {1},
        "employees[neq]:10": {2},  # NULL (3) excluded
        "employees[gte]:10": {1, 2},
        "employees[lt]:50": {1},
        "employees[in]:[10,50]": {1, 2},
        "employees[is]:NULL": {3},
        "employees[is]:NOT_NULL": {1, 2},
    },
    "boolean": {"idealCustomerProfile[eq]:true": {1}, "idealCustomerProfile[eq]:false": {2, 3}},
    "address": {
        "address.addressCity[eq]:Paris": {1},
        "address.addressCity[is]:NULL": {3},
        "address.addressCity[in]:[Paris,Berlin]": {1, 2},
    },
    "text-name": {"name[ilike]:%E%": {1, 2, 3}, "name[like]:%e%": {1, 2, 3}, "name[like]:%E%": set()},
}


@pytest.mark.parametrize("group", list(COMPANY_CASES))
def test_company_fields(crm: Client, group: str) -> None:
    check(crm, "companies", COMPANY_CASES[group])


OPPORTUNITY_CASES = {
    "select": {
        "stage[eq]:NEW": {1},
        "stage[neq]:NEW": {2, 3, 4},
        "stage[in]:[NEW,MEETING]": {1, 2},
        'stage[in]:["NEW","MEETING"]': {1, 2},
        "stage[containsAny]:[MEETING,CUSTOMER]": {2, 3},
        "stage[is]:NOT_NULL": {1, 2, 3, 4},
    },
    "currency": {
        "amount.amountMicros[gte]:1000000000": {2, 4},
        "amount.amountMicros[lt]:1000000000": {1},
        "amount.amountMicros[is]:NULL": {3},
        "amount.currencyCode[eq]:USD": {1, 4},
        "and(stage[in]:[NEW,MEETING],amount.amountMicros[gte]:1000000000)": {2},
    },
    "close-date": {
        "closeDate[is]:NULL": {3, 4},
        "closeDate[gt]:2024-12-31": {2},
        "closeDate[lte]:2025-03-01": {1, 2},
        "closeDate[neq]:2024-03-01T00:00:00.000Z": {2},
    },
    "join-column": {
        f"companyId[eq]:{cid(1)}": {1, 4},
        f"companyId[neq]:{cid(1)}": {2},
        f"companyId[in]:[{cid(1)},{cid(2)}]": {1, 2, 4},
        f'companyId[in]:["{cid(2)}"]': {2},
        "companyId[is]:NULL": {3},
        "not(companyId[is]:NULL)": {1, 2, 4},
    },
    "id": {
        f"id[in]:[{uid(1)},{uid(3)}]": {1, 3},
        f"id[eq]:{uid(2)}": {2},
        f"id[neq]:{uid(2)}": {1, 3, 4},
        f"id[gt]:{uid(2)}": {3, 4},
    },
    "relation-path": {
        "company.name[eq]:Acme": {1, 4},
        'company.name[eq]:"Globex"': {2},
        "company.name[eq]:Initech": set(),
        "company.employees[gte]:20": {2},
    },
}


@pytest.mark.parametrize("group", list(OPPORTUNITY_CASES))
def test_opportunity_fields(crm: Client, group: str) -> None:
    check(crm, "opportunities", OPPORTUNITY_CASES[group])


@pytest.mark.parametrize(
    "cases",
    [
        pytest.param(
            {
                "createdAt[eq]:2024-01-01": {1},
                "createdAt[eq]:2024-06-15T12:00:00.000Z": {2},
                "createdAt[eq]:2024-06-15T12:00:00Z": {2},
                "createdAt[eq]:2024-06-15T14:00:00+02:00": {2},
                "createdAt[neq]:2024-06-15T12:00:00.000Z": {1, 3},
                "createdAt[in]:[2024-01-01T00:00:00.000Z,2025-01-01T00:00:00.000Z]": {1, 3},
            },
            id="equality",
        ),
        pytest.param(
            {
                "createdAt[gte]:2024-06-01": {2, 3},
                'createdAt[gte]:"2024-06-01"': {2, 3},
                "createdAt[gt]:2024-06-15T12:00:00.000Z": {3},
                "createdAt[lt]:2024-06-15T12:00:00.001Z": {1, 2},
                "createdAt[lte]:2024-06-15T12:00:00.000Z": {1, 2},
            },
            id="ordering",
        ),
    ],
)
def test_created_at_comparators(client: Client, cases: dict[str, set[int]]) -> None:
    create(
        client,
        "people",
        [
            person(1, createdAt="2024-01-01T00:00:00.000Z"),
            person(2, createdAt="2024-06-15T12:00:00.000Z"),
            person(3, createdAt="2025-01-01T00:00:00.000Z"),
        ],
    )
    check(client, "people", cases)


def test_person_composite_sub_fields(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(
                1,
                name={"firstName": "Ada", "lastName": "Lovelace"},
                emails={"primaryEmail": "ada@example.com"},
                jobTitle="Engineer",
            ),
            person(
                2,
                name={"firstName": "Grace", "lastName": "Hopper"},
                emails={"primaryEmail": "grace@example.com"},
                jobTitle="Admiral",
            ),
            person(3, name={"lastName": "Nobody"}),
        ],
    )
    check(
        client,
        "people",
        {
            "emails.primaryEmail[eq]:ada@example.com": {1},
            "emails.primaryEmail[is]:NULL": {3},
            "emails.primaryEmail[endsWith]:@example.com": {1, 2},
            "name.firstName[eq]:Ada": {1},
            "name.lastName[ilike]:%LOVE%": {1},
            "name.lastName[like]:%LOVE%": set(),
            "name.firstName[is]:NULL": {3},
            'or(name.firstName[ilike]:"%ada%",jobTitle[is]:NULL)': {1, 3},
        },
    )


def test_relation_path_filter_on_people(client: Client) -> None:
    create(client, "companies", [company(1, name="Acme"), company(2, name="Globex")])
    create(client, "people", [person(1, companyId=cid(1)), person(2, companyId=cid(2)), person(3)])
    check(
        client,
        "people",
        {
            "company.name[eq]:Acme": {1},
            'company.name[eq]:"Acme"': {1},
            "or(company.name[eq]:Acme,company.name[eq]:Globex)": {1, 2},
        },
    )


# ------------------------------------------------------------------------------------------
# deletedAt rule
# ------------------------------------------------------------------------------------------


@pytest.fixture
def with_trash(client: Client) -> Client:
    create(client, "people", [person(1, city="X"), person(2, city="X"), person(3, city="Y")])
    r = client.delete(f"/rest/people/{uid(2)}", params={"soft_delete": "true"})
    assert r.status_code == 200, r
    return client


def test_soft_deleted_rows_excluded_from_list_and_total(with_trash: Client) -> None:
    body = listing(with_trash)
    assert ids_of(body) == [1, 3] and body["totalCount"] == 2
    body = listing(with_trash, filter="city[eq]:X")
    assert ids_of(body) == [1] and body["totalCount"] == 1


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("deletedAt[is]:NOT_NULL", [2]),
        ("deletedAt[is]:NULL", [1, 3]),
        ("or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", [1, 2, 3]),
        ("and(city[eq]:X,not(deletedAt[is]:NULL))", [2]),
        ("and(city[eq]:X,or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL))", [1, 2]),
    ],
)
def test_filter_naming_deleted_at(with_trash: Client, flt: str, expected: list[int]) -> None:
    body = listing(with_trash, filter=flt)
    assert ids_of(body) == expected and body["totalCount"] == len(expected)


def test_trash_records_carry_deleted_at(with_trash: Client) -> None:
    [rec] = listing(with_trash, filter="deletedAt[is]:NOT_NULL")["data"]["people"]
    assert rec["id"] == uid(2) and isinstance(rec["deletedAt"], str) and rec["deletedAt"]


# ------------------------------------------------------------------------------------------
# §4.3 limit and totalCount
# ------------------------------------------------------------------------------------------


@pytest.fixture
def many(client: Client) -> Client:
    create(client, "people", [person(n) for n in range(1, 66)])  # two batches: 60 + 5
    return client


@pytest.mark.parametrize(
    ("params", "count"),
    [({}, 60), ({"limit": ""}, 60), ({"limit": "1000"}, 60), ({"limit": "61"}, 60), ({"limit": "59"}, 59)],
)
def test_limit_default_and_clamp(many: Client, params: dict[str, str], count: int) -> None:
    body = listing(many, **params)
    assert ids_of(body) == list(range(1, count + 1))
    assert body["totalCount"] == 65 and body["pageInfo"]["hasNextPage"] is True


def test_limit_zero_returns_no_records_but_full_total(many: Client) -> None:
    body = listing(many, limit="0")
    assert body["data"]["people"] == [] and body["totalCount"] == 65
    assert body["pageInfo"]["startCursor"] is None and body["pageInfo"]["endCursor"] is None


@pytest.mark.parametrize("value", ["aaa", "-1", "1.5"])
def test_limit_invalid(client: Client, value: str) -> None:
    assert_bad(get(client, limit=value), f"limit '{value}' is invalid. Should be an integer")


def test_limit_clamped_to_max_records_setting() -> None:
    small = Client(conftest.make_app(max_records=5))
    create(small, "people", [person(n) for n in range(1, 9)], chunk=4)
    for params in ({"limit": "10"}, {}):
        body = listing(small, **params)
        assert ids_of(body) == [1, 2, 3, 4, 5]
        assert body["totalCount"] == 8 and body["pageInfo"]["hasNextPage"] is True


def test_total_count_is_filtered_and_ignores_limit_and_cursors(client: Client) -> None:
    create(client, "people", [person(n) for n in range(1, 6)])
    flt = "position[gte]:2"
    first = listing(client, filter=flt, limit="1")
    assert ids_of(first) == [2] and first["totalCount"] == 4
    nxt = listing(client, filter=flt, limit="1", starting_after=first["pageInfo"]["endCursor"])
    assert ids_of(nxt) == [3] and nxt["totalCount"] == 4
    prev = listing(client, filter=flt, limit="1", ending_before=nxt["pageInfo"]["startCursor"])
    assert ids_of(prev) == [2] and prev["totalCount"] == 4


def test_empty_table_envelope(client: Client) -> None:
    assert listing(client) == {
        "data": {"people": []},
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "totalCount": 0,
    }


# ------------------------------------------------------------------------------------------
# §4.2 order_by
# ------------------------------------------------------------------------------------------

EMPLOYEES = {1: 10, 2: None, 3: 5, 4: 10, 5: None, 6: 20}
ORDERS = {  # ties (10, null) broken by id ascending
    "AscNullsFirst": [2, 5, 3, 1, 4, 6],
    "AscNullsLast": [3, 1, 4, 6, 2, 5],
    "DescNullsFirst": [2, 5, 6, 1, 4, 3],
    "DescNullsLast": [6, 1, 4, 3, 2, 5],
}


@pytest.fixture
def staff(client: Client) -> Client:
    # inserted in reverse id order with reversed positions: no accidental insertion order helps
    rows = [company(n, name=f"c{n}", employees=EMPLOYEES[n], position=10 - n) for n in sorted(EMPLOYEES)[::-1]]
    create(client, "companies", rows)
    return client


@pytest.mark.parametrize("direction", list(ORDERS))
def test_order_by_directions_and_null_placement(staff: Client, direction: str) -> None:
    assert nums(staff, "companies", order_by=f"employees[{direction}]") == ORDERS[direction]


def test_order_by_default_direction_and_default_order(staff: Client) -> None:
    assert nums(staff, "companies", order_by="employees") == ORDERS["AscNullsFirst"]
    assert nums(staff, "companies") == [1, 2, 3, 4, 5, 6]


def test_order_by_several_keys(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, city="B", position=1),
            person(2, city="A", position=1),
            person(3, city="B", position=3),
            person(4, city="A", position=2),
        ],
    )
    assert nums(client, order_by="city,position[DescNullsLast]") == [4, 2, 3, 1]
    assert nums(client, order_by="city[DescNullsLast],position") == [1, 3, 2, 4]
    assert nums(client, order_by="position[DescNullsFirst],city") == [3, 4, 2, 1]


def test_order_by_composite_sub_fields(client: Client) -> None:
    create(
        client,
        "people",
        [
            person(1, name={"firstName": "Ada", "lastName": "Lovelace"}),
            person(2, name={"firstName": "Grace", "lastName": "Hopper"}),
            person(3, name={"firstName": "Bob", "lastName": "Turing"}),
            person(4, name={"firstName": "Alan", "lastName": "Turing"}),
        ],
    )
    assert nums(client, order_by="name.lastName[DescNullsLast],name.firstName") == [4, 3, 1, 2]
    assert nums(client, order_by="name.firstName[AscNullsLast]") == [1, 4, 3, 2]


def test_order_by_ties_broken_by_id_ascending(client: Client) -> None:
    create(client, "people", [person(n, city="Same", position=10 - n) for n in (4, 2, 3, 1)])
    assert nums(client, order_by="city[DescNullsLast]") == [1, 2, 3, 4]


def test_order_by_join_column_and_relation_field(client: Client) -> None:
    create(client, "companies", [company(1, name="Zeta"), company(2, name="Acme")])
    create(client, "people", [person(1, companyId=cid(2)), person(2), person(3, companyId=cid(1))])
    assert nums(client, order_by="companyId[AscNullsLast]") == [3, 1, 2]
    assert nums(client, order_by="companyId[DescNullsFirst]") == [2, 1, 3]
    assert nums(client, order_by="company.name[AscNullsLast]") == [1, 3, 2]


@pytest.mark.parametrize("direction", ["invalid", "asc", "AscNullsfirst"])
def test_order_by_invalid_direction(client: Client, direction: str) -> None:
    assert_bad(get(client, order_by=f"position[{direction}]"), BAD_DIRECTION.format(direction))


@pytest.mark.parametrize("order_by", ["foo", "position,foo[DescNullsLast]", "name[AscNullsLast]"])
def test_order_by_unknown_field_or_bare_composite(client: Client, order_by: str) -> None:
    assert_bad(get(client, order_by=order_by))


# ------------------------------------------------------------------------------------------
# §4.4 cursors: encoding and errors
# ------------------------------------------------------------------------------------------


def test_default_cursor_encoding_matches_spec_example(client: Client) -> None:
    create(client, "people", [{"id": SPEC_ID3, "position": 2}, {"id": SPEC_ID1, "position": 0}])
    info = listing(client)["pageInfo"]
    assert info["startCursor"] == "eyJpZCI6IjdmM2MxYTUyLTRiOWUtNGQyYS05YzFlLTVhNmI3YzhkOWUwMSJ9"
    assert info["endCursor"] == enc({"id": SPEC_ID3})


def test_position_cursor_encoding_matches_spec_example(client: Client) -> None:
    create(
        client,
        "people",
        [{"id": SPEC_ID1, "position": 0}, {"id": SPEC_ID2, "position": 1}, {"id": SPEC_ID3, "position": 2}],
    )
    info = listing(client, order_by="position")["pageInfo"]
    assert info["endCursor"] == "eyJwb3NpdGlvbiI6MiwiaWQiOiI3ZjNjMWE1Mi00YjllLTRkMmEtOWMxZS01YTZiN2M4ZDllMDMifQ=="
    assert dec(info["startCursor"]) == f'{{"position":0,"id":"{SPEC_ID1}"}}'


def test_cursor_keys_follow_order_by_then_id(client: Client) -> None:
    create(client, "people", [person(1, city="Paris", name={"firstName": "Ada", "lastName": "L"}, position=7)])
    start = listing(client, order_by="city[DescNullsLast],position")["pageInfo"]["startCursor"]
    assert dec(start) == f'{{"city":"Paris","position":7,"id":"{uid(1)}"}}'
    start = listing(client, order_by="name.firstName")["pageInfo"]["startCursor"]
    assert dec(start) == f'{{"name":{{"firstName":"Ada"}},"id":"{uid(1)}"}}'
    start = listing(client, order_by="id[DescNullsLast]")["pageInfo"]["startCursor"]
    assert dec(start) == f'{{"id":"{uid(1)}"}}'


def test_cursor_keeps_nulls_and_nests_relation_keys(client: Client) -> None:
    create(client, "companies", [company(1, name="Acme")])
    create(client, "people", [person(1, companyId=cid(1))])
    start = listing(client, "companies", order_by="employees")["pageInfo"]["startCursor"]
    assert dec(start) == f'{{"employees":null,"id":"{cid(1)}"}}'
    start = listing(client, order_by="company.name")["pageInfo"]["startCursor"]
    assert dec(start) == f'{{"company":{{"name":"Acme"}},"id":"{uid(1)}"}}'


def test_cursor_is_padded_standard_base64_and_url_safe_unpadded_is_accepted(client: Client) -> None:
    create(client, "companies", [company(1, name="???"), company(2, name="zzz")])
    info = listing(client, "companies", order_by="name")["pageInfo"]
    standard = enc({"name": "???", "id": cid(1)})
    assert "/" in standard and standard.endswith("=")
    assert info["startCursor"] == standard
    assert nums(client, "companies", order_by="name", starting_after=url_safe(standard)) == [2]
    assert nums(client, "companies", order_by="name", ending_before=url_safe(info["endCursor"])) == [1]


@pytest.mark.parametrize(
    "cursor",
    [
        "invalid-cursor",
        enc({"id": uid(1)})[:-3] + "%%%",
        base64.b64encode(b"[1,2]").decode(),
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b'"id"').decode(),
    ],
)
def test_invalid_cursor(client: Client, cursor: str) -> None:
    for param in ("starting_after", "ending_before"):
        assert_bad(get(client, **{param: cursor}), f"Invalid cursor: {cursor}")


def test_both_cursors_rejected(client: Client) -> None:
    create(client, "people", [person(1), person(2)])
    info = listing(client)["pageInfo"]
    r = get(client, starting_after=info["startCursor"], ending_before=info["endCursor"])
    assert_bad(r, "Cannot provide both before and after")


# ------------------------------------------------------------------------------------------
# §4.4 cursors: paging and pageInfo
# ------------------------------------------------------------------------------------------


@pytest.fixture
def four(client: Client) -> Client:
    """Twenty's walkthrough data: r0..r3 with positions 0..3; ids in the same order."""
    create(client, "people", [person(n) for n in (2, 0, 3, 1)])
    return client


def c(n: int) -> str:
    """Default-order cursor of r<n>."""
    return enc({"id": uid(n)})


def test_walkthrough_from_twenty_tests(four: Client) -> None:
    body = listing(four)
    assert len(body["data"]["people"]) == 4 and body["totalCount"] == 4
    assert body["pageInfo"]["hasNextPage"] is False
    body = listing(four, limit="3")
    assert len(body["data"]["people"]) == 3 and body["totalCount"] == 4
    assert body["pageInfo"]["hasNextPage"] is True
    body = listing(four, filter="position[lte]:1")
    assert len(body["data"]["people"]) == 2 and body["totalCount"] == 2
    assert body["pageInfo"]["hasNextPage"] is False
    body = listing(four, limit="2")
    assert ids_of(body) == [0, 1]
    assert nums(four, starting_after=body["pageInfo"]["startCursor"], limit="1") == [1]
    desc = "position[DescNullsLast]"
    body = listing(four, order_by=desc, limit="2")
    assert [p["position"] for p in body["data"]["people"]] == [3, 2]
    assert body["pageInfo"]["hasNextPage"] is True
    body = listing(four, order_by=desc, limit="2", starting_after=body["pageInfo"]["endCursor"])
    assert [p["position"] for p in body["data"]["people"]] == [1, 0]
    assert nums(four, ending_before=c(3), limit="2") == [1, 2]


@pytest.mark.parametrize(
    ("params", "rows", "has_next", "has_previous"),
    [
        ({"limit": "2"}, [0, 1], True, False),
        ({"limit": "4"}, [0, 1, 2, 3], False, False),
        ({"limit": "2", "starting_after": c(0)}, [1, 2], True, True),
        ({"limit": "2", "starting_after": c(1)}, [2, 3], False, True),
        ({"starting_after": c(3)}, [], False, True),
        ({"limit": "2", "ending_before": c(3)}, [1, 2], True, True),
        ({"limit": "3", "ending_before": c(3)}, [0, 1, 2], True, False),
        ({"ending_before": c(2)}, [0, 1], True, False),
        ({"ending_before": c(0)}, [], True, False),
    ],
)
def test_page_info_flags(
    four: Client, params: dict[str, str], rows: list[int], has_next: bool, has_previous: bool
) -> None:
    body = listing(four, **params)
    assert ids_of(body) == rows and body["totalCount"] == 4
    assert body["pageInfo"] == {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": c(rows[0]) if rows else None,
        "endCursor": c(rows[-1]) if rows else None,
    }


def test_cursor_of_a_destroyed_record_still_pages_by_keyset(four: Client) -> None:
    assert four.delete(f"/rest/people/{uid(1)}").status_code == 200
    assert nums(four, starting_after=c(1)) == [2, 3]
    assert nums(four, ending_before=c(1)) == [0]
    assert nums(four, starting_after=enc({"id": "00000000-0000-4000-8000-0000000000ff"})) == []


def page_forward(client: Client, plural: str, limit: str, **params: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """Follow endCursor until hasNextPage is false; returns all records and every pageInfo."""
    records: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        extra = {"starting_after": cursor} if cursor else {}
        body = listing(client, plural, limit=limit, **params, **extra)
        records += body["data"][plural]
        infos.append(body["pageInfo"])
        if not body["pageInfo"]["hasNextPage"]:
            return records, infos
        cursor = body["pageInfo"]["endCursor"]
    raise AssertionError("forward paging did not end")


def page_backward(client: Client, plural: str, start: str, limit: str, **params: str) -> list[dict[str, Any]]:
    """Follow startCursor with ending_before until hasPreviousPage is false."""
    records: list[dict[str, Any]] = []
    cursor = start
    for _ in range(200):
        body = listing(client, plural, limit=limit, ending_before=cursor, **params)
        assert body["pageInfo"]["hasNextPage"] is True
        records = body["data"][plural] + records
        if not body["pageInfo"]["hasPreviousPage"]:
            return records
        cursor = body["pageInfo"]["startCursor"]
    raise AssertionError("backward paging did not end")


@pytest.mark.parametrize("direction", list(ORDERS))
def test_keyset_paging_honours_direction_and_nulls(staff: Client, direction: str) -> None:
    order_by = f"employees[{direction}]"
    for limit in ("1", "4"):
        records, _ = page_forward(staff, "companies", limit, order_by=order_by)
        assert [num(r["id"]) for r in records] == ORDERS[direction], limit
    end = listing(staff, "companies", order_by=order_by)["pageInfo"]["endCursor"]
    back = page_backward(staff, "companies", end, "2", order_by=order_by)
    assert [num(r["id"]) for r in back] == ORDERS[direction][:-1]


@pytest.fixture
def hundred_fifty(client: Client) -> Client:
    # positions are a permutation of 0..149 unrelated to id order; three batches of 50
    create(client, "people", [person(n, position=(n * 37) % 150) for n in range(150, 0, -1)], chunk=50)
    return client


def test_paging_150_forward_and_backward(hundred_fifty: Client) -> None:
    records, infos = page_forward(hundred_fifty, "people", "60")
    assert [num(r["id"]) for r in records] == list(range(1, 151))
    flags = [(i["hasNextPage"], i["hasPreviousPage"]) for i in infos]
    assert flags == [(True, False), (True, True), (False, True)]
    back = page_backward(hundred_fifty, "people", infos[-1]["endCursor"], "40")
    assert [num(r["id"]) for r in back] == list(range(1, 150))


def test_paging_150_with_descending_order_by(hundred_fifty: Client) -> None:
    desc = "position[DescNullsLast]"
    records, infos = page_forward(hundred_fifty, "people", "45", order_by=desc)
    assert [r["position"] for r in records] == list(range(149, -1, -1)) and len(infos) == 4
    back = page_backward(hundred_fifty, "people", infos[-1]["endCursor"], "60", order_by=desc)
    assert [r["position"] for r in back] == list(range(149, 0, -1))


def test_ending_before_with_descending_order(four: Client) -> None:
    desc = "position[DescNullsLast]"
    full = listing(four, order_by=desc)
    assert [p["position"] for p in full["data"]["people"]] == [3, 2, 1, 0]
    body = listing(four, order_by=desc, limit="2", ending_before=full["pageInfo"]["endCursor"])
    assert [p["position"] for p in body["data"]["people"]] == [2, 1]
    assert body["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": enc({"position": 2, "id": uid(2)}),
        "endCursor": enc({"position": 1, "id": uid(1)}),
    }


def test_cursor_paging_combined_with_filter(hundred_fifty: Client) -> None:
    flt = "position[lt]:30"
    first = listing(hundred_fifty, filter=flt, limit="20")
    second = listing(hundred_fifty, filter=flt, limit="20", starting_after=first["pageInfo"]["endCursor"])
    assert first["totalCount"] == second["totalCount"] == 30
    assert second["pageInfo"]["hasNextPage"] is False
    assert ids_of(first) + ids_of(second) == sorted(n for n in range(1, 151) if (n * 37) % 150 < 30)

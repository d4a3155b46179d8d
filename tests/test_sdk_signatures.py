"""/metadata against the official client's generated types (issue 15, item 5 and the acceptance).

`tests/sdk/metadata_signatures.json` is extracted from the newest npm `twenty-client-sdk` by
`tests/sdk/extract_signatures.cjs` (its header says how to regenerate it): every Query and Mutation
about objects, fields, indexes, views, API keys, roles, permissions, webhooks and the workspace, with
their argument types, return types, and every input object, output type and enum they reach.
A client built on those types sends what they declare, so each must exist here with the same
arguments and input types; an input field that twenty_lite takes beyond them must be optional.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

import twenty_lite as tl

SIGNATURES = json.loads((Path(__file__).resolve().parent / "sdk" / "metadata_signatures.json").read_text())
SCHEMA = tl._metadata_schema()

# Output members of the SDK's types that twenty_lite does not serve, each with why. Everything else of
# the listed output types must be there with the SDK's type.
OMITTED_OUTPUTS = {
    "Role.agents": "AI agents are not part of twenty_lite",
    "Role.rowLevelPermissionPredicates": "row-level permissions are an enterprise feature",
    "Role.rowLevelPermissionPredicateGroups": "row-level permissions are an enterprise feature",
    "ObjectPermission.rowLevelPermissionPredicates": "row-level permissions are an enterprise feature",
    "ObjectPermission.rowLevelPermissionPredicateGroups": "row-level permissions are an enterprise feature",
    "WorkspaceMember.roles": "a member's role is read from Role.workspaceMembers",
}
CHECKED_OUTPUTS = (
    "ApiKey", "ApiKeyForRole", "ApiKeyToken", "Role", "ObjectPermission", "FieldPermission", "RolePermissionFlag",
    "PermissionFlag", "Webhook", "FeatureFlag", "Index", "IndexField", "IndexEdge", "ObjectIndexMetadatasConnection",
    "View", "ViewField", "ViewFilter", "ViewFilterGroup", "ViewSort", "ViewGroup", "ViewFieldGroup",
    "WorkspaceMember", "FullName", "PageInfo", "ObjectConnection", "ObjectEdge", "FieldConnection", "FieldEdge",
    "ObjectFieldsConnection", "Relation",
)  # fmt: skip


def _type(t: Any) -> str:
    return str(t)


def _named(type_string: str) -> str:
    return re.sub(r"[\[\]!]", "", type_string)


def test_the_snapshot_is_the_sdk_s_and_covers_the_issue() -> None:
    assert SIGNATURES["package"] == "twenty-client-sdk" and SIGNATURES["version"] >= "2.43.0"
    for name in ("getViews", "getView", "getApiKeyRoles", "getRoles", "objects", "webhooks", "currentWorkspace"):
        assert name in SIGNATURES["query"]
    for name in ("createView", "destroyViewSort", "createOneIndex", "updateManyObjects", "updateWorkspace",
                 "updateWorkspaceMemberRole", "upsertPermissionFlags", "createApiKey", "updateWebhook"):  # fmt: skip
        assert name in SIGNATURES["mutation"]


@pytest.mark.parametrize(
    "kind,name",
    [("query", n) for n in sorted(SIGNATURES["query"])] + [("mutation", n) for n in sorted(SIGNATURES["mutation"])],
)
def test_root_field_has_the_sdk_s_arguments_and_return_type(kind: str, name: str) -> None:
    spec = SIGNATURES[kind][name]
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert name in root.fields, f"{kind} {name} is missing"
    field = root.fields[name]
    assert {a: _type(v.type) for a, v in field.args.items()} == spec["args"]
    assert _type(field.type) == spec["type"]


@pytest.mark.parametrize("name", sorted(SIGNATURES["inputs"]))
def test_input_type_takes_what_the_sdk_sends(name: str) -> None:
    ours = SCHEMA.type_map.get(name)
    assert isinstance(ours, GraphQLInputObjectType), f"input {name} is missing"
    sdk = SIGNATURES["inputs"][name]
    assert {f: _type(ours.fields[f].type) for f in sdk if f in ours.fields} == sdk
    extra_required = [f for f, v in ours.fields.items() if f not in sdk and _type(v.type).endswith("!")]
    assert not extra_required, f"{name} requires fields the SDK does not send: {extra_required}"


def _enums_used_by_inputs() -> set[str]:
    used = set()
    for spec in (*SIGNATURES["query"].values(), *SIGNATURES["mutation"].values()):
        used.update(_named(t) for t in spec["args"].values())
    for fields in SIGNATURES["inputs"].values():
        used.update(_named(t) for t in fields.values())
    return used & set(SIGNATURES["enums"])


@pytest.mark.parametrize("name", sorted(_enums_used_by_inputs()))
def test_an_enum_the_sdk_sends_has_all_its_values(name: str) -> None:
    ours = SCHEMA.type_map.get(name)
    assert isinstance(ours, GraphQLEnumType), f"enum {name} is missing"
    assert set(SIGNATURES["enums"][name]) <= set(ours.values)


@pytest.mark.parametrize("name", CHECKED_OUTPUTS)
def test_output_type_has_the_sdk_s_fields(name: str) -> None:
    ours = SCHEMA.type_map.get(name)
    assert isinstance(ours, GraphQLObjectType), f"type {name} is missing"
    expected = {f: t for f, t in SIGNATURES["outputs"][name].items() if f"{name}.{f}" not in OMITTED_OUTPUTS}
    assert {f: _type(ours.fields[f].type) for f in expected if f in ours.fields} == expected
    for field, args in SIGNATURES["fieldArgs"].items():
        type_name, member = field.split(".")
        if type_name == name and member in ours.fields:
            assert {a: _type(v.type) for a, v in ours.fields[member].args.items()} == args


def test_omissions_are_only_of_fields_the_sdk_has() -> None:
    for entry in OMITTED_OUTPUTS:
        type_name, member = entry.split(".")
        assert member in SIGNATURES["outputs"][type_name]
        assert member not in SCHEMA.type_map[type_name].fields

// Driven by tests/test_graphql_metadata.py: twenty-client-sdk's MetadataApiClient against a running
// twenty_lite (TWENTY_API_URL, TWENTY_API_KEY). Prints what it saw as one JSON document.
const { MetadataApiClient } = require('twenty-client-sdk/metadata');

async function main() {
  const client = new MetadataApiClient({
    url: `${process.env.TWENTY_API_URL}/metadata`,
    headers: { Authorization: `Bearer ${process.env.TWENTY_API_KEY}` },
  });
  const objectNode = { id: true, nameSingular: true, namePlural: true, isCustom: true, isActive: true };
  const before = await client.query({
    objects: { __args: { paging: { first: 100 } }, edges: { node: objectNode } },
  });
  const { createOneObject } = await client.mutation({
    createOneObject: {
      __args: {
        input: {
          object: {
            nameSingular: 'sdkPet', namePlural: 'sdkPets', labelSingular: 'SDK Pet', labelPlural: 'SDK Pets',
            icon: 'IconCat', isLabelSyncedWithName: false,
          },
        },
      },
      ...objectNode,
    },
  });
  const { createOneField } = await client.mutation({
    createOneField: {
      __args: {
        input: { field: { objectMetadataId: createOneObject.id, type: 'TEXT', name: 'nickname', label: 'Nickname' } },
      },
      id: true, name: true, type: true, objectMetadataId: true,
    },
  });
  const after = await client.query({
    objects: {
      __args: { paging: { first: 100 }, filter: { id: { eq: createOneObject.id } } },
      edges: { node: { id: true, fieldsList: { id: true, name: true } } },
    },
    currentWorkspace: { id: true },
  });
  process.stdout.write(JSON.stringify({
    objects: before.objects.edges.map((edge) => edge.node),
    object: createOneObject,
    field: createOneField,
    filtered: after.objects.edges.map((edge) => edge.node),
    workspace: after.currentWorkspace,
  }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  if (err && err.errors) console.error(JSON.stringify(err.errors));
  process.exit(1);
});

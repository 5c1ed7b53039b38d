import { describe, expect, it } from 'vitest';
import { entitySetNamesOf } from '../../../src/connectors/fno-metadata';

describe('entitySetNamesOf (the entity sets an F&O $metadata document publishes)', () => {
  it('reads every EntitySet Name inside the EntityContainer, and nothing else', () => {
    const xml = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>',
      '<Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
      '<EntityType Name="CustomerGroup"><Key><PropertyRef Name="dataAreaId"/></Key><Property Name="Name" Type="Edm.String"/></EntityType>',
      '<EntityContainer Name="Resources">',
      '<EntitySet Name="CustomersV2" EntityType="Microsoft.Dynamics.DataEntities.CustomerV2">',
      '<NavigationPropertyBinding Path="Group" Target="CustomerGroups"/></EntitySet>',
      "<EntitySet EntityType='Microsoft.Dynamics.DataEntities.CustomerGroup' Name='CustomerGroups'/>",
      '<!-- <EntitySet Name="Languages" EntityType="X"/> -->',
      '<EntitySet\n  Name="PaymentTerms"\n  EntityType="Microsoft.Dynamics.DataEntities.PaymentTerm" />',
      '<FunctionImport Name="GetKeys" Function="X"/>',
      '</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>',
    ].join('\n');
    expect(entitySetNamesOf(xml)).toEqual(['CustomersV2', 'CustomerGroups', 'PaymentTerms']);
  });

  it('reads prefixed CSDL elements', () => {
    const xml = '<edm:Schema xmlns:edm="http://docs.oasis-open.org/odata/ns/edm"><edm:EntityContainer Name="C"><edm:EntitySet Name="Warehouses" EntityType="A.B"/></edm:EntityContainer></edm:Schema>';
    expect(entitySetNamesOf(xml)).toEqual(['Warehouses']);
  });

  it('refuses a document without entity sets, or with a name that is no OData identifier', () => {
    expect(() => entitySetNamesOf('<html><body>Sign in</body></html>')).toThrow(/no EntitySet in any EntityContainer/);
    expect(() => entitySetNamesOf('<EntityContainer Name="C"/>')).toThrow(/no EntitySet/);
    expect(() => entitySetNamesOf('<EntityContainer Name="C"><EntitySet Name="a b" EntityType="X"/></EntityContainer>')).toThrow(/not an OData identifier/);
  });
});

import { customerEntityType, customerFields } from './customer-fields';
import { fnoEnums, enumNamespace } from './fno-enums';
import { type ReferenceEntitySet, referenceEntitySets } from './reference-entity-sets';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const edmType = { string: 'Edm.String', number: 'Edm.Decimal', boolean: 'Edm.Boolean', guid: 'Edm.Guid', datetime: 'Edm.DateTimeOffset', enum: 'Edm.String' } as const;

/** The reference entity sets a tenant publishes (all unless `exposed` names some). */
export function exposedSets(exposed?: ReadonlySet<string>): readonly ReferenceEntitySet[] {
  return exposed ? referenceEntitySets.filter((set) => exposed.has(set.name)) : referenceEntitySets;
}

/**
 * A CSDL document for the entity sets the emulator serves (like F&O's, it carries no string lengths). The
 * EntityContainer lists only the reference sets this tenant exposes: clients discover them there.
 */
export function metadataXml(exposed?: ReadonlySet<string>): string {
  const served = exposedSets(exposed);
  const shortName = (qualified: string) => qualified.slice(qualified.lastIndexOf('.') + 1);
  const enums = Object.entries(fnoEnums)
    .map(
      ([name, members]) =>
        `<EnumType Name="${name}">${members.map((member, value) => `<Member Name="${member}" Value="${value}"/>`).join('')}</EnumType>`,
    )
    .join('');
  const customerProperties = customerFields
    .map((field) => {
      const type = field.kind === 'decimal' ? 'Edm.Decimal' : field.kind === 'enum' ? `${enumNamespace}.${field.enumType}` : 'Edm.String';
      const nullable = field.kind === 'decimal' || field.name === 'dataAreaId' || field.name === 'CustomerAccount' ? ' Nullable="false"' : '';
      return `<Property Name="${field.name}" Type="${type}"${nullable}/>`;
    })
    .join('');
  const customerType = `<EntityType Name="${shortName(customerEntityType)}"><Key><PropertyRef Name="dataAreaId"/><PropertyRef Name="CustomerAccount"/></Key>${customerProperties}</EntityType>`;
  const referenceTypes = served
    .map(
      (set) =>
        `<EntityType Name="${shortName(set.entityType)}"><Key>${set.keys.map((key) => `<PropertyRef Name="${key}"/>`).join('')}</Key>${Object.entries(set.columns)
          .map(([name, type]) => `<Property Name="${escapeXml(name)}" Type="${edmType[type]}"/>`)
          .join('')}</EntityType>`,
    )
    .join('');
  const sets = [
    `<EntitySet Name="CustomersV2" EntityType="${customerEntityType}"/>`,
    ...served.map((set) => `<EntitySet Name="${set.name}" EntityType="${set.entityType}"/>`),
  ].join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
    `<Schema Namespace="${enumNamespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">${enums}${customerType}${referenceTypes}` +
    `<EntityContainer Name="Resources">${sets}</EntityContainer></Schema>` +
    '</edmx:DataServices></edmx:Edmx>'
  );
}

/** The service document at `/data/`. */
export function serviceDocument(origin: string, exposed?: ReadonlySet<string>): unknown {
  return {
    '@odata.context': `${origin}/data/$metadata`,
    value: ['CustomersV2', ...exposedSets(exposed).map((set) => set.name)].map((name) => ({ name, kind: 'EntitySet', url: name })),
  };
}

/**
 * The emulator's own F&O state table (`LogisticsAddressState`, entity set `AddressStates`) for the countries its
 * generated accounts come from with a state: codes as F&O's USMF demo data keys US states (the two-letter postal
 * codes, e.g. `WA`), and, assumed alike, the two-letter province and Land codes for Canada and Germany. Kept here as
 * plain data (not derived from the production mapping's library): the emulator says what F&O holds on its own.
 */
const table: ReadonlyArray<[countryRegionId: string, entries: string]> = [
  [
    'USA',
    'AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|DE Delaware|' +
      'DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|KS Kansas|' +
      'KY Kentucky|LA Louisiana|ME Maine|MD Maryland|MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|' +
      'MO Missouri|MT Montana|NE Nebraska|NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|' +
      'NC North Carolina|ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|PR Puerto Rico|' +
      'RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|VT Vermont|VA Virginia|' +
      'WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming',
  ],
  [
    'CAN',
    'AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|NL Newfoundland and Labrador|NS Nova Scotia|' +
      'NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|QC Quebec|SK Saskatchewan|YT Yukon',
  ],
  [
    'DEU',
    'BW Baden-Württemberg|BY Bayern|BE Berlin|BB Brandenburg|HB Bremen|HH Hamburg|HE Hessen|' +
      'MV Mecklenburg-Vorpommern|NI Niedersachsen|NW Nordrhein-Westfalen|RP Rheinland-Pfalz|SL Saarland|' +
      'SN Sachsen|ST Sachsen-Anhalt|SH Schleswig-Holstein|TH Thüringen',
  ],
];

export function defaultAddressStates(): Array<{ countryRegionId: string; id: string; name: string }> {
  return table.flatMap(([countryRegionId, entries]) =>
    entries.split('|').map((entry) => {
      const space = entry.indexOf(' ');
      return { countryRegionId, id: entry.slice(0, space), name: entry.slice(space + 1) };
    }),
  );
}

/** A few counties of the USMF demo's home state (F&O county ids are codes per country and state). */
export function defaultAddressCounties(): Array<{ countryRegionId: string; stateId: string; id: string; name: string }> {
  return [
    ['KING', 'King County'],
    ['PIERCE', 'Pierce County'],
    ['SNOHOMISH', 'Snohomish County'],
    ['SPOKANE', 'Spokane County'],
  ].map(([id, name]) => ({ countryRegionId: 'USA', stateId: 'WA', id: id as string, name: name as string }));
}

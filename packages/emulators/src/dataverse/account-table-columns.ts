/**
 * Every column of Dataverse's standard `account` table, by logical name, as Microsoft's table reference lists them
 * (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/account; MicrosoftDocs/powerapps-docs
 * `powerapps-docs/developer/data-platform/reference/entities/account.md`: the writable and the read-only columns).
 * Kept as data so a real export loads: the emulator stores the columns it models (`account-columns.ts`) and ignores
 * the others, and refuses only names the table does not have. Lookups also appear in Web API rows as
 * `_<name>_value`.
 */
const WRITABLE = `
accountcategorycode accountclassificationcode accountid accountnumber accountratingcode address1_addressid
address1_addresstypecode address1_city address1_country address1_county address1_fax address1_freighttermscode
address1_latitude address1_line1 address1_line2 address1_line3 address1_longitude address1_name address1_postalcode
address1_postofficebox address1_primarycontactname address1_shippingmethodcode address1_stateorprovince
address1_telephone1 address1_telephone2 address1_telephone3 address1_upszone address1_utcoffset address2_addressid
address2_addresstypecode address2_city address2_country address2_county address2_fax address2_freighttermscode
address2_latitude address2_line1 address2_line2 address2_line3 address2_longitude address2_name address2_postalcode
address2_postofficebox address2_primarycontactname address2_shippingmethodcode address2_stateorprovince
address2_telephone1 address2_telephone2 address2_telephone3 address2_upszone address2_utcoffset businesstypecode
creditlimit creditonhold customersizecode customertypecode description donotbulkemail donotbulkpostalmail donotemail
donotfax donotphone donotpostalmail donotsendmm emailaddress1 emailaddress2 emailaddress3 entityimage fax
followemail ftpsiteurl importsequencenumber industrycode lastonholdtime lastusedincampaign marketcap marketingonly
name numberofemployees overriddencreatedon ownerid owneridtype ownershipcode parentaccountid participatesinworkflow
paymenttermscode preferredappointmentdaycode preferredappointmenttimecode preferredcontactmethodcode
preferredsystemuserid primarycontactid primarysatoriid primarytwitterid processid revenue sharesoutstanding
shippingmethodcode sic slaid stageid statecode statuscode stockexchange telephone1 telephone2 telephone3
territorycode tickersymbol timezoneruleversionnumber transactioncurrencyid traversedpath utcconversiontimezonecode
websiteurl yominame`;

const READ_ONLY = `
address1_composite address2_composite aging30 aging30_base aging60 aging60_base aging90 aging90_base createdby
createdbyexternalparty createdbyexternalpartyname createdbyexternalpartyyominame createdbyname createdbyyominame
createdon createdonbehalfby createdonbehalfbyname createdonbehalfbyyominame creditlimit_base entityimage_timestamp
entityimage_url entityimageid exchangerate isprivate marketcap_base masteraccountidname masteraccountidyominame
masterid merged modifiedby modifiedbyexternalparty modifiedbyexternalpartyname modifiedbyexternalpartyyominame
modifiedbyname modifiedbyyominame modifiedon modifiedonbehalfby modifiedonbehalfbyname modifiedonbehalfbyyominame
onholdtime owneridname owneridyominame owningbusinessunit owningbusinessunitname owningteam owninguser
parentaccountidname parentaccountidyominame preferredsystemuseridname preferredsystemuseridyominame
primarycontactidname primarycontactidyominame revenue_base slainvokedid slainvokedidname slaname
timespentbymeonemailandmeetings transactioncurrencyidname versionnumber`;

/** Columns of type Lookup/Owner (the reference's `Targets` rows): in Web API rows they read `_<name>_value`. */
const LOOKUPS = `
createdby createdbyexternalparty createdonbehalfby masterid modifiedby modifiedbyexternalparty modifiedonbehalfby
ownerid owningbusinessunit owningteam owninguser parentaccountid preferredsystemuserid primarycontactid slaid
slainvokedid transactioncurrencyid`;

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '');

export const ACCOUNT_TABLE_LOOKUPS: readonly string[] = words(LOOKUPS);

/** Every name an `account` row may carry: the logical names and, for lookups, their `_<name>_value` form. */
export const ACCOUNT_TABLE_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...words(WRITABLE),
  ...words(READ_ONLY),
  ...ACCOUNT_TABLE_LOOKUPS.map((name) => `_${name}_value`),
]);

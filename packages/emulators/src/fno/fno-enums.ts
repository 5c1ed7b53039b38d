/** The F&O enums `CustomersV2` exposes that the emulator models; JSON carries member names as strings. */
export const fnoEnums = {
  NoYes: ['No', 'Yes'],
  /** F&O's DirPartyType also has None, LegalEntity, Team, OperatingUnit; a customer is one of these two. */
  DirPartyType: ['Organization', 'Person'],
  /**
   * `OnHoldStatus` ("Invoicing and delivery on hold"): the enum F&O shares between customers and vendors, members in
   * this order (values 0-5). For customers only No, Invoice and All have an effect; All stops every transaction.
   */
  CustVendorBlocked: ['No', 'Invoice', 'All', 'Payment', 'Requisition', 'Never'],
} as const;

export type FnoEnumName = keyof typeof fnoEnums;

export const enumNamespace = 'Microsoft.Dynamics.DataEntities';

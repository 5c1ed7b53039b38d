/** The F&O enums `CustomersV2` exposes that the emulator models; JSON carries member names as strings. */
export const fnoEnums = {
  NoYes: ['No', 'Yes'],
  /** F&O's DirPartyType also has None, LegalEntity, Team, OperatingUnit; a customer is one of these two. */
  DirPartyType: ['Organization', 'Person'],
} as const;

export type FnoEnumName = keyof typeof fnoEnums;

export const enumNamespace = 'Microsoft.Dynamics.DataEntities';

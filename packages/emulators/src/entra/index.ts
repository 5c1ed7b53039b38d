export { createEntraEmulator, defaultTenantId, type EntraClient, type EntraEmulator, type EntraEmulatorOptions } from './create-entra-emulator';
export { entraError, entraErrors, type EntraErrorBody, type EntraErrorKind } from './entra-error';
export { caFilePath, createTlsMaterial, type TlsMaterial, type TlsMaterialOptions } from './tls-certificate';

/** Admin routes are the test harness's back door: no token, no faults, no throttling, not counted. */
export const adminPrefix = '/_admin';

export function isAdminUrl(url: string): boolean {
  return url.startsWith(adminPrefix) && (url.length === adminPrefix.length || url[adminPrefix.length] === '/');
}

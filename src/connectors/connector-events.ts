import { channel } from 'node:diagnostics_channel';
import type { ConnectorService } from './errors';

// What the connectors tell observers, through Node's diagnostics channels: no wiring through constructors, nothing
// built when no one listens (publish is a no-op without subscribers), and the connectors stay unaware of metrics.
// Events carry service, method and status only — never a URL, a header or a body.

/** One request that got an answer (`status`) or none (`failure`: the classified kind). */
export interface ExchangeEvent {
  service: ConnectorService;
  method: string;
  status?: number;
  failure?: string;
  durationMs: number;
}

/** A 429 (a whole answer or an inner `$batch` part): every request of the identity now waits `waitMs`. */
export interface ThrottledEvent {
  service: ConnectorService;
  waitMs: number;
}

/** A request sent again by the connectors themselves (not an activity retry). */
export interface ResendEvent {
  service: ConnectorService;
  reason: 'throttled' | 'transient' | 'token-renewed';
}

export const connectorChannels = {
  exchange: 'p2c:connector:exchange',
  throttled: 'p2c:connector:throttled',
  resend: 'p2c:connector:resend',
} as const;

const exchange = channel(connectorChannels.exchange);
const throttled = channel(connectorChannels.throttled);
const resend = channel(connectorChannels.resend);

export function publishExchange(event: ExchangeEvent): void {
  if (exchange.hasSubscribers) exchange.publish(event);
}

export function publishThrottled(event: ThrottledEvent): void {
  if (throttled.hasSubscribers) throttled.publish(event);
}

export function publishResend(event: ResendEvent): void {
  if (resend.hasSubscribers) resend.publish(event);
}

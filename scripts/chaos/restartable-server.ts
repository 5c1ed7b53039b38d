import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/util/free-port';

/**
 * The Temporal dev server on a fixed port and a persistent SQLite file, so it can be stopped — cleanly or with
 * SIGKILL — and started again mid-run at the same address with the same state, the way a server host reboots.
 */
export class RestartableServer {
  private server: DevServer | undefined;
  restarts = 0;

  private constructor(
    readonly port: number,
    readonly dbFilename: string,
  ) {}

  static async start(dbFilename: string): Promise<RestartableServer> {
    const server = new RestartableServer(await freePort(), dbFilename);
    await server.up();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Down (SIGKILL when `kill`, else a clean stop), `downMs` of nothing listening, then up again on the same file. */
  async restart(options: { kill: boolean; downMs: number }): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server?.pid !== undefined && options.kill) process.kill(server.pid, 'SIGKILL');
    await server?.stop();
    await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await this.up();
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  private async up(): Promise<void> {
    this.server = await startDevServer({ headless: true, port: this.port, dbFilename: this.dbFilename });
  }
}

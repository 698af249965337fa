/**
 * Global setup of the integration ring: removes containers that earlier runs
 * left behind (we do not use Ryuk, testcontainers' reaper, because it needs an
 * image pull), before the ring starts and again after it ends. Containers whose
 * owning process is still alive belong to another run (a demo, a benchmark, a
 * second test run) and are left alone. It also fails the ring loudly when
 * Docker does not answer, rather than letting every test time out.
 */
import { PROJECT_LABEL, SESSION_LABEL, removeContainers } from './systemd-container.js';

const LEFTOVERS = ['org.testcontainers=true', `${PROJECT_LABEL}=true`];

/** True while the process that started the container still runs. */
function ownerAlive(labels: Record<string, string>): boolean {
  const pid = Number((labels[SESSION_LABEL] ?? '').split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeLeftovers(when: string): Promise<void> {
  const removed = await removeContainers(LEFTOVERS, ownerAlive);
  if (removed > 0) console.log(`[global-setup] removed ${removed} leftover container(s) ${when}`);
}

export async function setup(): Promise<void> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  try {
    await removeLeftovers('before the run');
  } catch (err) {
    throw new Error(
      'the integration tests need Docker, and Docker does not answer ' +
        `(${err instanceof Error ? err.message : String(err)}); run \`bash containers/ensure-testbed.sh\` as root`,
    );
  }
}

export async function teardown(): Promise<void> {
  await removeLeftovers('after the run');
}

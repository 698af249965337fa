/** What a demo scenario is: a titled walk-through run against a live cluster. */
import type { Cluster } from '../harness/cluster.js';
import type { ExecResult } from '../harness/systemd-container.js';

export type DemoContext = {
  cluster: Cluster;
  /** Prints a line of narration. */
  say(text: string): void;
  /** Runs `bluechictl ARGS` on main, prints the command and its output, and returns the result. */
  ctl(args: string): Promise<ExecResult>;
  /** Runs a shell command on main, prints it and its output, and returns the result. */
  sh(command: string): Promise<ExecResult>;
};

export type Scenario = {
  title: string;
  /** Agent nodes this scenario needs besides main (all scenarios share one cluster). */
  agents: string[];
  run(ctx: DemoContext): Promise<void>;
};

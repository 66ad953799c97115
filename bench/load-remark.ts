import os from 'node:os';
/**
 * How busy the machine was when a bench started, said plainly: a 1-minute load average at or
 * above the core count means other work competed for the cores and the figures show that.
 */
export function loadRemark(): string {
  const load = os.loadavg()[0]!;
  const cores = os.cpus().length;
  return load >= cores
    ? `**Under heavy load:** measured while other work ran on the same ${cores} cores (1-minute load average ${load.toFixed(1)} at the start of this bench).`
    : `Measured on a quiet machine: 1-minute load average ${load.toFixed(1)} on ${cores} cores at the start of this bench.`;
}

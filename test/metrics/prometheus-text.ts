/**
 * Reads the Prometheus text exposition format well enough for assertions: one
 * sample per line, `name{label="value",...} number`, comments skipped.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; fails
 * when there is none or more than one, naming the samples of that name there are.
 */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const named = samples.filter((s) => s.name === name);
  const found = named.filter((s) =>
    Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length !== 1) {
    const seen = named.map((s) => JSON.stringify(s.labels)).join(', ') || 'none';
    throw new Error(
      `expected one ${name} sample with ${JSON.stringify(labels)}, found ${found.length} ` +
        `(samples of that name: ${seen})`,
    );
  }
  return found[0].value;
}

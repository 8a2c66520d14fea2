import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli';
import { EXAMPLES } from './example-helpers';

/**
 * mount-examples/container cannot be run here (no Docker engine): what is checked is that the
 * Dockerfile is made of known instructions whose sources and stages exist, and that the compose
 * file is valid YAML (parsed by Debian's python3-yaml) with the device, capability and AppArmor
 * setting a FUSE mount needs.
 */
const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD',
  'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile lines: comments dropped, backslash continuations joined (the default escape character). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return; // comment lines inside a continuation are skipped
    if (!pending) start = i + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s+([\s\S]*)$/.exec(full);
    if (!m) throw new Error(`line ${start}: an instruction without arguments: ${full}`);
    out.push({ keyword: m[1], args: m[2].trim(), line: start });
  });
  if (pending) throw new Error('the Dockerfile ends inside a continuation line');
  return out;
}

function jsonForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  expect(Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')).toBe(true);
  return parsed as string[];
}

describe('mount-examples/container', () => {
  test('the Dockerfile: known instructions, existing sources and stages, foreground mount as the command', () => {
    const steps = parseDockerfile(fs.readFileSync(join(EXAMPLES, 'container/Dockerfile'), 'utf8'));
    for (const s of steps) expect({ line: s.line, keyword: s.keyword, known: INSTRUCTIONS.has(s.keyword) }).toEqual({ line: s.line, keyword: s.keyword, known: true });
    expect(steps.find((s) => s.keyword !== 'ARG')?.keyword).toBe('FROM');

    const stages = new Set<string>();
    const scripts = (JSON.parse(fs.readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    let entrypoint: string[] = [];
    let cmd: string[] = [];
    for (const s of steps) {
      if (s.keyword === 'FROM') {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(s.args);
        expect(m).not.toBeNull();
        expect(m![1]).toMatch(/^node:20(-|$)/);
        if (m![2]) stages.add(m![2]);
      }
      if (s.keyword === 'COPY') {
        const words = s.args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='));
        const paths = words.filter((w) => !w.startsWith('--'));
        expect(paths.length).toBeGreaterThanOrEqual(2);
        if (from) expect(stages.has(from.slice('--from='.length))).toBe(true);
        // Sources in the build context (the repository root) must exist.
        else for (const src of paths.slice(0, -1)) expect({ src, exists: fs.existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
      }
      if (s.keyword === 'RUN') for (const m of s.args.matchAll(/npm run ([\w:-]+)/g)) expect(scripts[m[1]]).toBeDefined();
      if (s.keyword === 'ENTRYPOINT') entrypoint = jsonForm(s.args);
      if (s.keyword === 'CMD') cmd = jsonForm(s.args);
      if (s.keyword === 'HEALTHCHECK') expect(jsonForm(s.args.slice(s.args.indexOf('CMD') + 3).trim())).toEqual(['logshadow', 'stats', '/var/log/app']);
    }
    expect([...entrypoint, ...cmd]).toEqual(['logshadow', 'mount', '/var/log/app']);
    expect(steps.filter((s) => s.keyword === 'STOPSIGNAL').map((s) => s.args)).toEqual(['SIGTERM']);
    // The runtime stage carries both libfuse versions (one per engine).
    const lastFrom = steps.map((s) => s.keyword).lastIndexOf('FROM');
    const runtimeRuns = steps.slice(lastFrom).filter((s) => s.keyword === 'RUN').map((s) => s.args).join(' ');
    expect(runtimeRuns).toMatch(/\blibfuse2\b/);
    expect(runtimeRuns).toMatch(/\blibfuse3-3\b/);
  });

  test('the compose file: valid YAML, /dev/fuse, SYS_ADMIN, apparmor unconfined, shared propagation, a health-gated consumer', () => {
    const r = spawnSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)', join(EXAMPLES, 'container/compose.yaml')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python3-yaml could not load compose.yaml (install python3-yaml): ${r.stderr}`);
    interface Bind { type: string; source: string; target: string; bind?: { propagation?: string } }
    interface Service {
      build?: { context: string; dockerfile: string };
      command?: string[];
      devices?: string[];
      cap_add?: string[];
      security_opt?: string[];
      volumes?: Bind[];
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string }>;
      stop_signal?: string;
    }
    const compose = JSON.parse(r.stdout) as { services: Record<string, Service> };
    const ls = compose.services.logshadow;
    expect(ls.devices).toContain('/dev/fuse:/dev/fuse');
    expect(ls.cap_add).toContain('SYS_ADMIN');
    expect(ls.security_opt).toContain('apparmor:unconfined');
    expect(ls.stop_signal).toBe('SIGTERM');
    expect(fs.existsSync(join(EXAMPLES, 'container', ls.build!.context, ls.build!.dockerfile))).toBe(true);
    expect(ls.command).toEqual(['mount', '/var/log/app']);
    expect(ls.healthcheck!.test).toEqual(['CMD', 'logshadow', 'stats', '/var/log/app']);
    const shared = ls.volumes!.find((v) => v.target === '/var/log/app')!;
    expect(shared.bind?.propagation).toBe('rshared');

    const consumers = Object.entries(compose.services).filter(([name]) => name !== 'logshadow');
    expect(consumers.length).toBeGreaterThan(0);
    for (const [, svc] of consumers) {
      expect(svc.depends_on?.logshadow?.condition).toBe('service_healthy');
      const v = svc.volumes!.find((x) => x.source === shared.source)!;
      expect(v.bind?.propagation).toBe('rslave');
    }
  });
});

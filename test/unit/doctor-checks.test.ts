import { checkLibfuse2, checkLibfuse3, checkNode, checkPrivileges, checkUnmountHelper } from '../../src/doctor/checks';
import { CAP_SYS_ADMIN, hasCapability, nodeMajor, parseCapEff, parseFilesystems, type LoadOutcome } from '../../src/doctor/probes';
import { formatReport, type DoctorReport } from '../../src/doctor/doctor';

/** The doctor's decisions on given facts; the real machine is examined in test/integration/doctor.test.ts. */
const loaded: LoadOutcome = { ok: true, mappedPath: '/usr/lib/x86_64-linux-gnu/libfuse.so.2.9.9', error: null };
const missing = (error: string): LoadOutcome => ({ ok: false, mappedPath: null, error });

describe('doctor probes', () => {
  test('CapEff: parsed as hex, CAP_SYS_ADMIN is bit 21', () => {
    const caps = parseCapEff('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\nCapBnd:\t000001ffffffffff\n');
    expect(caps).toBe(0x1fffeffffffn);
    expect(hasCapability(caps!, CAP_SYS_ADMIN)).toBe(true);
    expect(hasCapability(0x1fffedfffffn, CAP_SYS_ADMIN)).toBe(false);
    expect(parseCapEff('Name:\tnode\n')).toBeNull();
  });

  test('/proc/filesystems and Node versions', () => {
    const fs = parseFilesystems('nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\tfuse\n');
    expect([...fs].sort()).toEqual(['ext4', 'fuse', 'sysfs', 'tmpfs']);
    expect(nodeMajor('v20.20.2')).toBe(20);
    expect(checkNode('v18.19.0').status).toBe('fail');
    expect(checkNode('v18.19.0').fix).toMatch(/Node\.js 20 or later/);
    expect(checkNode('v22.1.0').status).toBe('ok');
  });
});

describe('doctor checks on given facts', () => {
  test('libfuse 2: the fix follows the error; required unless auto has the native engine', () => {
    const noLib = () => missing('libfuse.so.2: cannot open shared object file: No such file or directory');
    expect(checkLibfuse2('auto', false, () => loaded)).toMatchObject({ status: 'ok', fix: null });
    expect(checkLibfuse2('auto', false, noLib)).toMatchObject({ status: 'fail', fix: 'apt-get install libfuse2' });
    expect(checkLibfuse2('auto', true, noLib)).toMatchObject({ status: 'warn', fix: 'apt-get install libfuse2' });
    expect(checkLibfuse2('fuse-native', true, noLib).status).toBe('fail');
    expect(checkLibfuse2('native', false, noLib).status).toBe('warn');
    expect(checkLibfuse2('auto', false, () => missing('Cannot find module fuse-native')).fix).toMatch(/^npm ci/);
  });

  test('libfuse 3 is required only for --engine native', () => {
    const none = () => missing('libfuse3.so.3: cannot open shared object file');
    expect(checkLibfuse3('auto', none).status).toBe('warn');
    expect(checkLibfuse3('native', none)).toMatchObject({ status: 'fail', fix: 'apt-get install libfuse3-3' });
  });

  test('privileges: root with CAP_SYS_ADMIN, root without it, not root', () => {
    expect(checkPrivileges(0, 'CapEff:\t000001ffffffffff\n').status).toBe('ok');
    expect(checkPrivileges(0, 'CapEff:\t00000000a80425fb\n')).toMatchObject({ status: 'fail', fix: 'in a container: docker run --device /dev/fuse --cap-add SYS_ADMIN' });
    expect(checkPrivileges(1000, 'CapEff:\t0000000000000000\n')).toMatchObject({ status: 'fail', fix: 'run logshadow as root (sudo logshadow ...)' });
  });

  test('unmount helper: umount as root, else fusermount3 or fusermount', () => {
    const only = (names: string[]) => (n: string) => (names.includes(n) ? `/usr/bin/${n}` : null);
    expect(checkUnmountHelper(true, only(['umount', 'fusermount3'])).detail).toBe('/usr/bin/umount');
    expect(checkUnmountHelper(false, only(['umount', 'fusermount'])).detail).toBe('/usr/bin/fusermount');
    expect(checkUnmountHelper(false, only(['umount']))).toMatchObject({ status: 'fail', fix: 'apt-get install fuse3' });
  });

  test('the text report: a fix under each check that did not pass, and a verdict', () => {
    const report: DoctorReport = {
      schema: 'logshadow.doctor/1', engine: 'auto', ready: false,
      checks: [
        { id: 'dev-fuse', title: '/dev/fuse', status: 'fail', detail: 'missing', fix: 'modprobe fuse' },
        { id: 'node', title: 'Node.js', status: 'ok', detail: 'v20', fix: null },
      ],
    };
    expect(formatReport(report)).toBe(
      'FAIL  /dev/fuse  missing\n' +
      '                 fix: modprobe fuse\n' +
      'ok    Node.js    v20\n' +
      'not ready to mount (engine auto): /dev/fuse\n',
    );
  });
});

import { loadEngineAddon, type NativeEngineStatus } from './addon';

/**
 * What the native engine process serving at `socket` says of itself, or null when none answers
 * there (no such engine, it died, or the addon is not built). Asked as an observer: it never
 * takes the place of the daemon.
 */
export function engineStatus(socket: string): NativeEngineStatus | null {
  const load = loadEngineAddon();
  if (!load.ok) return null;
  let handle;
  try {
    handle = load.addon.attach(socket, 'observer', undefined);
  } catch {
    return null;
  }
  try {
    return load.addon.status(handle);
  } catch {
    return null;
  } finally {
    load.addon.detach(handle);
  }
}

// One logger for the whole process (pino, JSON lines on stdout).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'msnpd' } });
}

/** A logger that drops everything (tests that do not care, CLI commands). */
export const silentLogger: Logger = pino({ level: 'silent' });

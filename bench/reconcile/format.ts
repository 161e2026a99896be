/** How the bench prints numbers. */
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(3)}×`);
export const perSec = (n: number, ms: number) => (ms > 0 ? `${((n * 1000) / ms).toFixed(2)}/s` : 'n/a');

/** The product version, stamped by the build; `0.1.0-dev` when running from source. */
declare const __BLUECHI_TS_VERSION__: string | undefined;

export const VERSION: string = typeof __BLUECHI_TS_VERSION__ === 'string' ? __BLUECHI_TS_VERSION__ : '0.1.0-dev';

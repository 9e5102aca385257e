// Names and defaults every process agrees on.
export const APP_NAME = 'Pubky Domains';
export const APP_ID = 'pubky-domains';
export const DEFAULT_SERVER_PORT = 3001;
export const DEFAULT_FEED_PORT = 3002;
export const DEFAULT_SERVER_URL = `http://127.0.0.1:${DEFAULT_SERVER_PORT}`;

// Type declarations for desk-console.js (the console's side of the desk-cti protocol).
// Written by hand to match the module; tests/js/test_console_package.mjs checks that every
// runtime name declared here exists on the module. Reference: docs/console.md.

/** The protocol's namespace marker, `"desk-cti"`. */
export const NAMESPACE: "desk-cti";
/** The protocol version this module speaks (package.json's `deskCti.protocol`). */
export const VERSION: 1;
/** The same as {@link VERSION}. */
export const PROTOCOL_VERSION: 1;
/** The largest message either side sends or reads, in characters of JSON. */
export const MAX_MESSAGE_CHARS: 1000000;

/** The protocol's error codes (docs/protocol.md, "Error codes"). */
export const ErrorCode: Readonly<{
  BAD_ARGUMENTS: "bad_arguments";
  UNKNOWN_METHOD: "unknown_method";
  NOT_SUPPORTED_ON_PAGE: "not_supported_on_page";
  NOT_FOUND: "not_found";
  CONSOLE_ERROR: "console_error";
  TIMEOUT: "timeout";
  CONNECTION_LOST: "connection_lost";
  NOT_CONNECTED: "not_connected";
  ORIGIN_NOT_ALLOWED: "origin_not_allowed";
  HTTP_ERROR: "http_error";
  BUSY: "busy";
  TOO_LARGE: "too_large";
  UNSUPPORTED_VERSION: "unsupported_version";
}>;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** DeskConsole's numeric options and their defaults. */
export const DEFAULTS: Readonly<{
  /** Requests from the softphone in progress at once; more are answered `busy` (32). */
  maxInFlight: number;
  /** The console's own limit on a request's work, in ms (15000). */
  requestTimeoutMs: number;
  /** Quiet time before the console pings the softphone, in ms (15000). */
  pingAfterMs: number;
  /** How long a ping waits for its pong before the softphone counts as gone, in ms (5000). */
  pongTimeoutMs: number;
}>;

export type RecordObject = "customer" | "company" | "case";
export type AjaxMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Throw this from a handler to answer with a protocol error code. */
export class CtiConsoleError extends Error {
  /** An unknown code becomes `console_error`. */
  constructor(code: ErrorCodeValue | string, message: string, extra?: Record<string, unknown>);
  readonly code: ErrorCodeValue;
  /** Extra fields of the wire's error object, e.g. `{status, statusText}` for ajax. */
  extra: Record<string, unknown>;
}

/** One method's row of the protocol's method table (desk_cti_py/protocol.json). */
export interface MethodSpec {
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly result: "boolean" | Readonly<Record<string, string>>;
}
export const METHOD_TABLE: Readonly<Record<MethodName, MethodSpec>>;

/** What a handler's `queryParams` arrives as: the string, its object, and every pair. */
export interface QueryParams {
  queryParams: string;
  object: RecordObject;
  query: Record<string, string>;
}

/** The params each handler receives, already checked against the method's rules. */
export interface MethodParams {
  setSoftphoneHeight: { height: number };
  setSoftphoneWidth: { width: number };
  enableClickToDial: Record<string, never>;
  disableClickToDial: Record<string, never>;
  screenPop: { id: string } & QueryParams;
  searchAndScreenPop: { searchString: string } & QueryParams;
  getPageInfo: Record<string, never>;
  setVisible: { value: boolean };
  isVisible: Record<string, never>;
  getUserInfo: Record<string, never>;
  ajax: { url: string; method: AjaxMethod; data?: string | object | unknown[] };
}
export type MethodName = keyof MethodParams;

export interface PageInfo {
  url?: string | null;
  objectId: string;
  object: RecordObject;
  objectName?: string | null;
}
export interface UserInfo {
  userId?: string | number | null;
  email?: string | null;
  userName?: string | null;
  fullName?: string | null;
  profilePhotoUrl?: string | null;
  profileThumbnailUrl?: string | null;
  userType?: string | null;
  language?: string | null;
  locale?: string | null;
  siteUrl?: string | null;
}
export interface AjaxResult {
  data?: unknown;
  status: number;
  statusText?: string | null;
}

/** What each handler must return (or resolve to); any other result is answered `console_error`. */
export interface MethodResults {
  setSoftphoneHeight: boolean;
  setSoftphoneWidth: boolean;
  enableClickToDial: boolean;
  disableClickToDial: boolean;
  screenPop: boolean;
  searchAndScreenPop: boolean;
  getPageInfo: PageInfo;
  setVisible: boolean;
  isVisible: boolean;
  getUserInfo: UserInfo;
  ajax: AjaxResult;
}

/** A handler's second argument. */
export interface HandlerContext {
  /** Aborts when the console gives the request up (its deadline, the softphone gone): pass it to fetch. */
  signal: AbortSignal;
  /** When the console gives up, on performance.now()'s clock. */
  deadline: number;
  console: DeskConsole;
}

export type Handler<M extends MethodName> = (
  params: MethodParams[M],
  ctx: HandlerContext,
) => MethodResults[M] | Promise<MethodResults[M]>;

/** Method name -> handler. A method without one is answered `unknown_method`
 * (enableClickToDial and disableClickToDial answer true without one). */
export type Handlers = { [M in MethodName]?: Handler<M> };

/** A message as it crosses the frame boundary (parsed). */
export interface Message {
  ns: "desk-cti";
  v: unknown;
  type: string;
  id: string;
  [field: string]: unknown;
}

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface StateChange {
  state: ConnectionState;
  connected: boolean;
  /** The softphone's origin, pinned at the handshake (null when not connected). */
  origin: string | null;
  clickToDialEnabled: boolean;
}

/** A handshake the console refused. */
export interface Refusal {
  code: "unsupported_version" | "origin_not_allowed";
  message: string;
  /** The refused softphone's origin. */
  origin: string;
}

export interface DeskConsoleOptions extends Partial<typeof DEFAULTS> {
  /** The softphone iframe, or a function giving its window. */
  frame: HTMLIFrameElement | (() => Window | null | undefined);
  /** Softphone origins allowed to connect (exact origins; never "*"). */
  allowedOrigins: string[];
  handlers?: Handlers;
  /** Sees every accepted message both ways (an inspector). */
  onMessage?: (direction: "in" | "out", message: Message, info: { origin: string }) => void;
  /** Connection and click-to-dial changes. */
  onStateChange?: (state: StateChange) => void;
  /** A softphone refused at the handshake: another protocol version, or an origin not allowed. */
  onRefused?: (refusal: Refusal) => void;
  /** The window whose message events are heard (the page's own; tests pass an EventTarget). */
  window?: Pick<Window, "addEventListener" | "removeEventListener">;
}

export interface DeskConsoleStats {
  /** Not from the softphone frame's window. */
  ignored: number;
  /** Passed every check. */
  accepted: number;
  /** Malformed, or from an origin other than the pinned one. */
  dropped: number;
  /** From an origin not allowed. */
  refused: number;
  answered: number;
  errors: number;
  busy: number;
  timedOut: number;
  tooLarge: number;
  /** Results that came after the console gave the request up. */
  late: number;
  peakInFlight: number;
  pings: number;
  lost: number;
  /** Hellos of a protocol version this console does not speak. */
  versionRefused: number;
}

export class DeskConsole {
  /** Throws TypeError for a missing frame, an empty or "*" allow-list, or a bad option. */
  constructor(options: DeskConsoleOptions);
  readonly options: Readonly<typeof DEFAULTS>;
  readonly allowedOrigins: Set<string>;
  handlers: Handlers;
  onMessage?: DeskConsoleOptions["onMessage"];
  onStateChange?: DeskConsoleOptions["onStateChange"];
  onRefused?: DeskConsoleOptions["onRefused"];
  /** The last handshake refused, or null. */
  readonly lastRefusal: Refusal | null;
  /** This console's session id (a new one after the softphone was lost). */
  readonly session: string;
  /** The softphone's origin, pinned at the handshake; null when not connected. */
  readonly origin: string | null;
  /** The connected softphone's session id. */
  readonly peerSession: string | null;
  readonly clickToDialEnabled: boolean;
  readonly state: ConnectionState;
  readonly stats: Readonly<DeskConsoleStats>;
  readonly connected: boolean;
  /** Requests from the softphone in progress now. */
  readonly inFlight: number;
  /** Stop listening; tell the softphone the console is going away (a bye). */
  destroy(): void;
  /** A click on a number, only while click-to-dial is enabled; false if not sent. */
  emitClickToDial(click: { number: string; objectId: string | number; object: RecordObject }): boolean;
  /** A click whose record is gone: the softphone's listener gets result null and the message. */
  emitClickToDialError(message?: string): boolean;
  /** The record in focus, or null when no case, customer or company is in view; false if not sent. */
  emitFocus(record: PageInfo | null): boolean;
}

/** A request's params as a handler would get them; throws CtiConsoleError (bad_arguments, unknown_method). */
export function checkRequest<M extends MethodName>(method: M, params?: unknown): MethodParams[M];
export function checkRequest(method: unknown, params?: unknown): Record<string, unknown>;
/** Whether a handler's result has the method's shape. */
export function checkResult(method: string, result: unknown): boolean;
/** A message from the softphone checked for shape (not origin); null when malformed. */
export function parseMessage(text: unknown): Message | null;
/** A hello of another protocol version: its id and version; undefined for anything else. */
export function otherVersionHello(text: unknown): { id: string; v: unknown } | undefined;
/** queryParams checked (a string, or an object of strings encoded as the softphone does). */
export function parseQueryParams(value: unknown, maxChars?: number, name?: string): QueryParams;

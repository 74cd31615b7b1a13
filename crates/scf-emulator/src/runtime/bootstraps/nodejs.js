// The bootstrap the SCF emulator ships for Node.js event functions.
//
// It speaks SCF's Custom Runtime API (POST /runtime/init/ready, GET /runtime/invocation/next,
// POST /runtime/invocation/response, POST /runtime/invocation/error) and calls the handler named by
// _HANDLER (`file.function` or `dir/file.function`) as `main_handler(event, context, callback)`, as SCF's
// own Node.js runtime does: sync, async (promise) and callback handlers. Built-in modules only; Node 16+.
'use strict';

const http = require('http');
const path = require('path');
const url = require('url');

// A refused connection means the emulator's runtime API is gone; a few retries cover a restart race.
const CONNECT_ATTEMPTS = 5;
const CONNECT_RETRY_DELAY_MS = 200;

// The emulator names the function's own variables here (comma-separated): SCF fills the context's
// `environment` and `environ` from the function's configuration, which the process cannot tell apart
// from the platform's variables. No configurable variable starts with an underscore.
const FUNCTION_VARIABLES = '_SCF_FUNCTION_VARIABLES';

const apiHost = process.env.SCF_RUNTIME_API || '127.0.0.1';
const apiPort = process.env.SCF_RUNTIME_API_PORT;
// Kept-alive sockets are unref'd while idle, so an idle agent never keeps the event loop alive.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function fatal(message) {
  process.stderr.write(`bootstrap: ${message}\n`);
  process.exit(1);
}

function requestOnce(method, pathName, body) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    // No timeout: /next blocks until an event arrives, however long that takes.
    const request = http.request(
      { host: apiHost, port: apiPort, method, path: pathName, headers, agent },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ response, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

// Sends one request; exits when the runtime API is unreachable.
async function request(method, pathName, body) {
  let refused = 0;
  let broken = 0;
  for (;;) {
    try {
      return await requestOnce(method, pathName, body);
    } catch (error) {
      if (error.code === 'ECONNREFUSED') {
        refused += 1;
        if (refused >= CONNECT_ATTEMPTS) {
          fatal(`runtime API at ${apiHost}:${apiPort} refused the connection`);
        }
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_DELAY_MS));
      } else {
        // A kept-alive connection the server closed fails once; a fresh one decides.
        broken += 1;
        if (broken >= 2) {
          fatal(`runtime API request ${method} ${pathName} failed: ${error.message}`);
        }
      }
    }
  }
}

// The function's own variables and SCF_NAMESPACE, as SCF puts them in the context.
function functionEnvironment() {
  const names = new Set((process.env[FUNCTION_VARIABLES] || '').split(','));
  delete process.env[FUNCTION_VARIABLES];
  names.add('SCF_NAMESPACE');
  const variables = {};
  for (const name of [...names].sort()) {
    if (Object.prototype.hasOwnProperty.call(process.env, name)) {
      variables[name] = process.env[name];
    }
  }
  return variables;
}

// Loads the handler's file; returns { handler } or { loadError: { message, trace } }.
async function loadHandler(handlerName, codeDir) {
  const dot = handlerName.lastIndexOf('.');
  const modulePath = dot > 0 ? handlerName.slice(0, dot) : '';
  const functionName = dot > 0 ? handlerName.slice(dot + 1) : '';
  if (!modulePath || !functionName) {
    const message = `handler '${handlerName}' is not of the form file.function`;
    return { loadError: { message, trace: message } };
  }
  const moduleName = path.basename(modulePath);
  const filePath = path.resolve(codeDir, modulePath);
  let userModule;
  try {
    try {
      userModule = require(filePath);
    } catch (error) {
      // A package with "type": "module" holds ES modules, which only import() loads.
      if (!(error instanceof Error) || error.code !== 'ERR_REQUIRE_ESM') {
        throw error;
      }
      userModule = await import(url.pathToFileURL(require.resolve(filePath)).href);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    // A missing handler file needs no stack: the message names the path that was looked for.
    const missingFile = error instanceof Error && error.code === 'MODULE_NOT_FOUND'
      && message.includes(`'${filePath}'`);
    const trace = error instanceof Error && !missingFile ? describeError(error) : message;
    return { loadError: { message, trace } };
  }
  if (userModule === null || userModule === undefined || !(functionName in Object(userModule))) {
    const message = `module '${moduleName}' has no attribute '${functionName}'`;
    return { loadError: { message, trace: message } };
  }
  const handler = userModule[functionName];
  if (typeof handler !== 'function') {
    const message = `'${functionName}' of module '${moduleName}' is not a function`;
    return { loadError: { message, trace: message } };
  }
  return { handler };
}

function headerInt(response, name) {
  const value = Number.parseInt(response.headers[name], 10);
  return Number.isFinite(value) ? value : 0;
}

function decodeEvent(body) {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    return text;
  }
}

function errorBody(statusCode, message, requestId, trace) {
  return JSON.stringify({
    errorCode: -1,
    errorMessage: message,
    requestId,
    stackTrace: trace,
    statusCode,
  });
}

// What a rejected promise, a thrown value or a callback error says, as SCF reports it.
function describeError(error) {
  if (error instanceof Error) {
    return trimStack(error.stack || `${error.name}: ${error.message}`);
  }
  return `${String(error)}(callback err is not instance of Error)`;
}

// A stack without the bootstrap's own frames and what called them, as SCF shows it.
function trimStack(stack) {
  const lines = stack.split('\n');
  const firstOwn = lines.findIndex((line, index) => index > 0 && line.includes(__filename));
  return (firstOwn === -1 ? lines : lines.slice(0, firstOwn)).join('\n');
}

// The invocation in flight: its request id, and whether its outcome was already pushed.
let current = null;

function finish(invocation, error, data) {
  if (invocation.finished) {
    return;
  }
  invocation.finished = true;
  if (current === invocation) {
    current = null;
  }
  let pushPath;
  let pushBody;
  if (error === null || error === undefined) {
    let encoded;
    let failure;
    try {
      encoded = JSON.stringify(data === undefined ? null : data);
      if (encoded === undefined) {
        failure = `stringify response to json failed: a ${typeof data} is not JSON`;
      }
    } catch (stringifyError) {
      failure = `stringify response to json failed: ${stringifyError.message}`;
    }
    if (failure === undefined) {
      pushPath = '/runtime/invocation/response';
      pushBody = encoded;
    } else {
      process.stderr.write(`${failure}\n`);
      pushPath = '/runtime/invocation/error';
      pushBody = errorBody(430, 'user code exception caught', invocation.requestId, failure);
    }
  } else {
    const trace = describeError(error);
    process.stderr.write(`${trace}\n`);
    pushPath = '/runtime/invocation/error';
    pushBody = errorBody(430, 'user code exception caught', invocation.requestId, trace);
  }
  request('POST', pushPath, pushBody).then(invocation.resolve, invocation.resolve);
}

function buildContext(invocation, response, environment, deadline) {
  const fields = {
    memory_limit_in_mb: headerInt(response, 'memory_limit_in_mb'),
    time_limit_in_ms: headerInt(response, 'time_limit_in_ms'),
    request_id: invocation.requestId,
    environment: JSON.stringify(environment),
    environ: Object.entries(environment).map(([key, value]) => `${key}=${value}`).join(';'),
    function_version: process.env.SCF_FUNCTIONVERSION || '',
    function_name: process.env.SCF_FUNCTIONNAME || '',
    namespace: process.env.SCF_NAMESPACE || '',
    tencentcloud_region: process.env.TENCENTCLOUD_REGION || '',
    tencentcloud_appid: process.env.TENCENTCLOUD_APPID || '',
    tencentcloud_uin: process.env.TENCENTCLOUD_UIN || '',
  };
  // The result is pushed when the callback runs (SCF's Node.js 10.15+ behaviour); the flag is kept
  // for code that sets it.
  let waitsForEmptyEventLoop = true;
  const context = {
    ...fields,
    getRemainingTimeInMillis() {
      return Math.max(0, deadline - Date.now());
    },
    getContext() {
      return fields;
    },
    done(error, data) {
      finish(invocation, error, data);
    },
    succeed(data) {
      finish(invocation, null, data);
    },
    fail(error) {
      finish(invocation, error, null);
    },
  };
  Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
    enumerable: true,
    get() {
      return waitsForEmptyEventLoop;
    },
    set(value) {
      waitsForEmptyEventLoop = Boolean(value);
    },
  });
  return context;
}

// Runs one invocation; resolves once its outcome was pushed.
function invoke(handler, loadError, response, body, environment) {
  return new Promise((resolve) => {
    const requestId = String(response.headers.request_id || '');
    const invocation = { requestId, finished: false, resolve };
    if (loadError !== undefined) {
      // SCF reports a handler it cannot load at each invocation (status 437), not at init.
      invocation.finished = true;
      process.stderr.write(`${loadError.message}\n`);
      const failure = errorBody(437, loadError.message, requestId, loadError.trace);
      request('POST', '/runtime/invocation/error', failure).then(resolve, resolve);
      return;
    }
    const deadline = Date.now() + headerInt(response, 'time_limit_in_ms');
    const context = buildContext(invocation, response, environment, deadline);
    const callback = (error, data) => finish(invocation, error, data);
    current = invocation;
    let returned;
    try {
      returned = handler(decodeEvent(body), context, callback);
    } catch (error) {
      finish(invocation, error, null);
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(
        (data) => finish(invocation, null, data),
        (error) => finish(invocation, error === undefined ? new Error('promise rejected') : error, null),
      );
    } else if (returned !== undefined) {
      finish(invocation, null, returned);
    }
    // Otherwise the callback decides; if nothing is left to run, `beforeExit` answers null.
  });
}

async function main() {
  if (!apiPort) {
    fatal('SCF_RUNTIME_API_PORT is not set');
  }
  const codeDir = process.cwd();
  const environment = functionEnvironment();
  const { handler, loadError } = await loadHandler(process.env._HANDLER || '', codeDir);
  if (loadError !== undefined) {
    process.stderr.write(`${loadError.trace}\n`);
  }

  // Errors nobody caught belong to the invocation in flight; between invocations they end the
  // instance, as they would end any Node.js process.
  const uncaught = (error) => {
    if (current !== null) {
      finish(current, error === undefined ? new Error('unhandled rejection') : error, null);
    } else {
      fatal(`uncaught error outside an invocation: ${describeError(error)}`);
    }
  };
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', uncaught);
  // A handler that neither returns nor calls back and leaves nothing to run answers null.
  process.on('beforeExit', () => {
    if (current !== null) {
      finish(current, null, null);
    }
  });

  await request('POST', '/runtime/init/ready', ' ');
  for (;;) {
    const { response, body } = await request('GET', '/runtime/invocation/next');
    if (response.statusCode !== 200) {
      fatal(`runtime API answered ${response.statusCode} to /runtime/invocation/next`);
    }
    await invoke(handler, loadError, response, body, environment);
  }
}

main().catch((error) => fatal(describeError(error)));

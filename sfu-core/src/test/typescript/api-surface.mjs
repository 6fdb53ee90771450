// Compares the public names of the SDK's code with those web/fanout.d.ts declares: every export,
// every member of every exported class (instance fields, getters and methods, inherited ones
// too) and every property of the default export. Names starting with `_` are internal.
//
//   node api-surface.mjs <folder of the typescript package> <the SDK's folder>
//
// Prints what differs and exits 1, or exits 0 when both sides name the same members.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [typescriptDir, sdkDir] = process.argv.slice(2);
const ts = createRequire(path.join(typescriptDir, 'package.json'))('typescript');
const sdk = await import(pathToFileURL(path.join(sdkDir, 'fanout.js')).href);

/** Members the declarations leave out on purpose. */
const UNDECLARED = {
  // A RemoteTrack is an emitter in the code but fires no event: on/once/off would only mislead.
  RemoteTrack: ['on', 'once', 'off', 'listenerCount'],
};

// --- the code: one instance of each class (fields exist only on instances), then its prototypes

const fakeTrack = (kind) => ({ kind, readyState: 'live', addEventListener() {}, removeEventListener() {} });
const fakeAudioContext = {
  createGain: () => ({ gain: { value: 1 }, connect() {} }),
  createAnalyser: () => ({ fftSize: 0 }),
  createMediaStreamDestination: () => ({ stream: { getAudioTracks: () => [fakeTrack('audio')] } }),
};
const instances = {
  FanoutError: () => new sdk.FanoutError('INVALID_PARAMS', 'm', { cause: 1, serverCode: 'X' }),
  LocalTrack: () => new sdk.LocalTrack('video', 'custom', fakeTrack('video'), false),
  LocalVideoTrack: () => new sdk.LocalVideoTrack('custom', fakeTrack('video'), false, {}),
  LocalAudioTrack: () => new sdk.LocalAudioTrack('custom', fakeTrack('audio'), false, {}),
  CameraVideoTrack: () => new sdk.CameraVideoTrack(fakeTrack('video'), {}, {}),
  MicrophoneAudioTrack: () => new sdk.MicrophoneAudioTrack(fakeTrack('audio'), {}, {}),
  ScreenVideoTrack: () => new sdk.ScreenVideoTrack(fakeTrack('video'), {}, {}),
  ScreenAudioTrack: () => new sdk.ScreenAudioTrack(fakeTrack('audio')),
  CustomVideoTrack: () => new sdk.CustomVideoTrack(fakeTrack('video'), {}),
  CustomAudioTrack: () => new sdk.CustomAudioTrack(fakeTrack('audio'), {}),
  BufferSourceAudioTrack: () => new sdk.BufferSourceAudioTrack(fakeAudioContext, { duration: 1 }),
  RemoteUser: () => new sdk.RemoteUser('u', 'n'),
  RemoteTrack: () => new sdk.RemoteTrack('u', { trackId: 't', kind: 'video', source: 'camera', muted: false }),
  FanoutClient: () => new sdk.FanoutClient({ url: 'http://127.0.0.1:1' }),
};

function codeMembers(name) {
  const make = instances[name];
  if (!make) throw new Error(`api-surface.mjs does not know how to make a ${name}: add it to instances`);
  const object = make();
  const names = new Set(Object.keys(object));
  for (let p = Object.getPrototypeOf(object); p && p !== Object.prototype && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) names.add(n);
  }
  if (object instanceof Error) for (const n of Object.getOwnPropertyNames(object)) names.add(n);
  names.delete('constructor');
  return [...names].filter((n) => !n.startsWith('_') && !(UNDECLARED[name] || []).includes(n));
}

// --- the declarations

const file = path.join(sdkDir, 'fanout.d.ts');
const program = ts.createProgram([file], { strict: true, noEmit: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
const declared = new Map();
for (const exported of checker.getExportsOfModule(moduleSymbol)) {
  const s = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  if (s.flags & ts.SymbolFlags.Value) declared.set(exported.getName(), s);
}

function declaredMembers(symbol, ofInstance) {
  const type = ofInstance ? checker.getDeclaredTypeOfSymbol(symbol) : checker.getTypeOfSymbol(symbol);
  return checker.getPropertiesOfType(type).map((p) => p.getName()).filter((n) => n !== 'prototype');
}

// --- compare

const problems = [];
const diff = (what, code, types) => {
  const inCode = code.filter((n) => !types.includes(n)).sort();
  const inTypes = types.filter((n) => !code.includes(n)).sort();
  if (inCode.length) problems.push(`${what}: in the code but not declared: ${inCode.join(', ')}`);
  if (inTypes.length) problems.push(`${what}: declared but not in the code: ${inTypes.join(', ')}`);
};

diff('exports of fanout.js', Object.keys(sdk), [...declared.keys()]);
diff('Fanout (the default export)', Object.keys(sdk.default), declaredMembers(declared.get('default'), false));
for (const [name, value] of Object.entries(sdk)) {
  if (name === 'default' || typeof value !== 'function' || !declared.has(name)) continue;
  diff(name, codeMembers(name), declaredMembers(declared.get(name), true));
}

if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
console.log(`the declarations name the same ${declared.size} exports and their members as the code`);

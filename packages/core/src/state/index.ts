export { ResumeBook, type ResumeSettings } from './resume-book.js';
export { readRunState, writeRunState, removeRunState, STATE_VERSION, type RunState, type DatasetState } from './run-state.js';
export { fingerprintOf, fingerprintChanges, type SourceFingerprint } from './fingerprint.js';
export { stateFileFor, jobHashOf } from './location.js';

export * from './paths.js';
export { startMilvusLite, startMilvus23, startMilvusLite25, freePort, MILVUS23_TOKEN, type RunningServer } from './servers.js';
export { runPython, runPythonRaw, runPythonWith, type PythonResult } from './python.js';
export { runProcess, type ProcessResult } from './run-process.js';
export { runCli, type CliResult } from './cli.js';
export { tempDir, uniqueName, writeJob } from './tmp.js';
export { MYSQL, mysqlAvailable, mysqlForTests, requireMysql } from './mysql.js';
export { makeCertificates, startTlsProxy, type TlsMaterial } from './tls-proxy.js';
export { dumpH5, type DumpedFile, type DumpedDataset } from './h5-dump.js';
export { testContext, drain, columnBytes, batchesOf } from './plugin-harness.js';
export { runLite25Python } from './python-lite25.js';
export {
  checkResumedCleanly,
  interrupt,
  interruptOnOutput,
  killAndResume,
  runCliProcess,
  seeded,
  stateRows,
  type KillPlan,
  type KillReport,
  type RunRecord,
} from './kill-resume.js';

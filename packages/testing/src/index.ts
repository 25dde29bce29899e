export * from './paths.js';
export { startMilvusLite, startMilvus23, freePort, type RunningServer } from './servers.js';
export { runPython, runPythonRaw, type PythonResult } from './python.js';
export { runCli, type CliResult } from './cli.js';
export { tempDir, uniqueName } from './tmp.js';
export { MYSQL, mysqlAvailable, requireMysql } from './mysql.js';

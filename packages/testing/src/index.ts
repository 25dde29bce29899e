export * from './paths.js';
export { startMilvusLite, startMilvus23, startMilvusLite25, freePort, MILVUS23_TOKEN, type RunningServer } from './servers.js';
export { runPython, runPythonRaw, type PythonResult } from './python.js';
export { runCli, type CliResult } from './cli.js';
export { tempDir, uniqueName, writeJob } from './tmp.js';
export { MYSQL, mysqlAvailable, mysqlForTests, requireMysql } from './mysql.js';
export { makeCertificates, startTlsProxy, type TlsMaterial } from './tls-proxy.js';
export { runLite25Python } from './python-lite25.js';

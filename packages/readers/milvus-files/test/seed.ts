/** Core's job loading and the seed's folder, for the legacy-mapping tests. */
export { jobFromDocument, parseOptions, parseYaml } from '@milvusdm/core';
export { seedDir as seedDirPath } from '@milvusdm/testing';
